package dev.planetary.store.postgres.testing;

import dev.planetary.store.RatchetStores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throw-away PostgreSQL cluster for the tests, started once per test JVM and reused by every
 * PostgreSQL test (each test gets its own table prefix, hence its own tables).
 *
 * <ul>
 *   <li>{@code -Dplanetary.skipPostgres=true}: the PostgreSQL tests are skipped (reported as
 *       skipped, not passed).
 *   <li>{@code -Dplanetary.postgresUrl=jdbc:postgresql://…} (or {@code PLANETARY_TEST_POSTGRES_URL}):
 *       use that existing database instead of starting a cluster.
 *   <li>Otherwise the binaries are taken from {@code /usr/lib/postgresql/<newest>/bin} (or
 *       {@code initdb} on the PATH); if there are none, Debian's {@code postgresql} package is
 *       installed with apt-get (needs root and the package mirror), printing progress. The cluster
 *       lives in a temporary directory, listens on a free loopback port and a socket in that
 *       directory, and is stopped and deleted when the JVM exits. As root, initdb and the server
 *       run as the {@code postgres} system user through {@code runuser}.
 * </ul>
 * If PostgreSQL cannot be provided, the tests fail with a message that says why and how to skip them.
 *
 * <p>Public (and shipped in this module's test-jar) so that other modules' tests can use it.
 */
public final class PostgresFixture {
    public static final String SKIP_PROPERTY = "planetary.skipPostgres";
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static PostgresFixture instance;
    private static RuntimeException failure;

    public final String url;
    public final Properties properties;
    public final long startMillis;

    private PostgresFixture(String url, Properties properties, long startMillis) {
        this.url = url;
        this.properties = properties;
        this.startMillis = startMillis;
    }

    /** The shared fixture; aborts the calling test if PostgreSQL tests are skipped; throws if PostgreSQL cannot be provided. */
    public static synchronized PostgresFixture get() {
        Assumptions.assumeFalse(Boolean.getBoolean(SKIP_PROPERTY), "PostgreSQL tests skipped (-D" + SKIP_PROPERTY + "=true)");
        if (failure != null) throw failure;
        if (instance == null) {
            try {
                instance = start();
            } catch (Exception e) {
                failure = new IllegalStateException("cannot provide a PostgreSQL server for the PostgreSQL store tests: "
                        + e.getMessage() + ". Install Debian's 'postgresql' package (or run the tests as root with network"
                        + " access so that they install it), point -Dplanetary.postgresUrl at a database, or skip these"
                        + " tests with -D" + SKIP_PROPERTY + "=true", e);
                throw failure;
            }
        }
        return instance;
    }

    /** A table prefix no other test in this JVM uses. */
    public static String freshPrefix() {
        return "t" + ProcessHandle.current().pid() + "_" + PREFIXES.incrementAndGet() + "_";
    }

    private static void log(String msg) {
        System.err.println("[postgres-fixture] " + msg);
        System.err.flush();
    }

    private static PostgresFixture start() throws Exception {
        long t0 = System.nanoTime();
        String external = System.getProperty("planetary.postgresUrl", System.getenv("PLANETARY_TEST_POSTGRES_URL"));
        if (external != null && !external.isBlank()) {
            log("using the existing database " + RatchetStores.redactUrl(external));
            return new PostgresFixture(external, new Properties(), 0);
        }
        // -Dplanetary.pgForceInstall=true exercises the install path on a machine that has PostgreSQL.
        Path bin = Boolean.getBoolean("planetary.pgForceInstall") ? null : findBinaries();
        if (bin == null) {
            install();
            bin = findBinaries();
            if (bin == null) throw new IOException("the postgresql package was installed but initdb/pg_ctl were not found under /usr/lib/postgresql");
        }
        boolean root = isRoot();
        List<String> runAs = new ArrayList<>();
        Path dir = Files.createTempDirectory("planetary-pg-");
        if (root) {
            if (run(List.of("id", "-u", "postgres"), 10) != 0) {
                throw new IOException("running as root but there is no 'postgres' system user to run the server as");
            }
            UserPrincipal pg = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, pg);
            runAs.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        Path data = dir.resolve("data");
        log("initdb in " + data + " (binaries " + bin + ")");
        List<String> initdb = new ArrayList<>(runAs);
        initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "planetary", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"));
        if (run(initdb, 120) != 0) throw new IOException("initdb failed (see the output above)");
        int port = 0;
        for (int attempt = 0; attempt < 3 && port == 0; attempt++) {
            int candidate = freePort();
            List<String> start = new ArrayList<>(runAs);
            start.addAll(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + candidate + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"));
            if (run(start, 90) == 0) port = candidate;
            else log("server did not start on port " + candidate + "; server.log:\n" + tail(dir.resolve("server.log")));
        }
        if (port == 0) throw new IOException("the PostgreSQL server did not start (three ports tried)");
        Path pgCtl = bin.resolve("pg_ctl");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                List<String> stop = new ArrayList<>(runAs);
                stop.addAll(List.of(pgCtl.toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
                run(stop, 30);
                deleteTree(dir);
            } catch (Exception e) {
                System.err.println("[postgres-fixture] cleanup of " + dir + " failed: " + e);
            }
        }, "postgres-fixture-stop"));
        Properties props = new Properties();
        props.setProperty("user", "planetary");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE planetary_test");
        } catch (SQLException e) {
            throw new IOException("cannot create the test database: " + e.getMessage(), e);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        log("PostgreSQL ready on 127.0.0.1:" + port + " in " + ms + " ms");
        return new PostgresFixture("jdbc:postgresql://127.0.0.1:" + port + "/planetary_test", props, ms);
    }

    private static Path findBinaries() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                Path best = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent().getFileName().toString())))
                        .orElse(null);
                if (best != null) return best;
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (p.isEmpty()) continue;
            Path initdb = Path.of(p, "initdb");
            if (Files.isExecutable(initdb)) {
                Path real = initdb.toRealPath().getParent();
                if (Files.isExecutable(real.resolve("pg_ctl"))) return real;
            }
        }
        return null;
    }

    private static int versionOf(String s) {
        try {
            return Integer.parseInt(s.replaceAll("[^0-9].*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void install() throws IOException, InterruptedException {
        if (!isRoot()) {
            throw new IOException("PostgreSQL (initdb, pg_ctl) is not installed and the tests are not running as root,"
                    + " so they cannot install it");
        }
        log("PostgreSQL is not installed: installing Debian's 'postgresql' package (apt-get update; apt-get install)");
        long t0 = System.nanoTime();
        if (run(List.of("apt-get", "update"), 600) != 0) throw new IOException("apt-get update failed (no network or mirror?)");
        if (run(List.of("apt-get", "install", "-y", "--no-install-recommends", "postgresql"), 900) != 0) {
            throw new IOException("apt-get install postgresql failed (see the output above)");
        }
        log("installed PostgreSQL in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out.equals("0");
    }

    /** Runs a command, echoing its output line by line, and returns its exit code. */
    static int run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) log("  " + line);
            } catch (IOException ignored) {
                // process ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
        }
        pump.join(2000);
        return p.exitValue();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.StaticKeyPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box tests of the real command line: each test runs {@code java -jar target/planetary.jar}
 * in child processes talking over UDP on 127.0.0.1. Runs in {@code mvn verify} (after package).
 * Every wait is bounded; a hung process is killed and fails the test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliIT {
    private static final long PROCESS_TIMEOUT_S = 60;
    private static Path jar;

    @TempDir
    Path dir;

    private final List<Listener> listeners = new ArrayList<>();

    @BeforeAll
    static void findJar() {
        PlanetaryProcess.assumeJar(); // -Dtest=CliIT also selects it for the unit-test phase: skipped there
        String p = System.getProperty("planetary.jar");
        assertNotNull(p, "system property planetary.jar is not set (run through mvn verify)");
        jar = Path.of(p);
        assertTrue(Files.isRegularFile(jar), jar + " does not exist: run 'mvn package' first");
    }

    @AfterEach
    void stopListeners() throws Exception {
        for (Listener l : listeners) l.stop();
    }

    // ---------------------------------------------------------------- process helpers

    record Result(int exit, String out, String err) {
        String errorLine() {
            return err.lines().filter(l -> l.startsWith("planetary: error: ")).findFirst().orElse("");
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private ProcessBuilder command(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1"); // short-lived processes: start fast
        cmd.addAll(PlanetaryProcess.aotCache(jar));
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("XDG_STATE_HOME", dir.resolve("xdg-state").toString()); // never the real home
        return pb;
    }

    private Result runWithInput(String stdin, String... args) throws Exception {
        Process p = command(List.of(args)).start();
        StreamCollector out = new StreamCollector(p.getInputStream());
        StreamCollector err = new StreamCollector(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("planetary " + String.join(" ", args) + " did not finish within " + PROCESS_TIMEOUT_S + " s\n" + out.text() + err.text());
        }
        out.join();
        err.join();
        return new Result(p.exitValue(), out.text(), err.text());
    }

    private Result run(String... args) throws Exception {
        return runWithInput(null, args);
    }

    /** Collects a stream's lines on a thread. */
    static final class StreamCollector {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread thread;

        StreamCollector(InputStream in) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) lines.add(line);
                } catch (IOException ignored) {
                    // process ended
                }
            });
        }

        void join() throws InterruptedException {
            thread.join(5000);
        }

        String text() {
            return String.join("\n", lines);
        }

        String await(Predicate<String> match, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (String l : lines) if (match.test(l)) return l;
                Thread.sleep(20);
            }
            throw new AssertionError("timed out waiting for " + what + "; got:\n" + text());
        }
    }

    /** A running {@code planetary listen --json}. */
    final class Listener {
        final Process process;
        final StreamCollector out;
        final StreamCollector err;
        final String address;

        Listener(String... args) throws Exception {
            List<String> all = new ArrayList<>(List.of("listen", "--json"));
            all.addAll(List.of(args));
            process = command(all).start();
            process.getOutputStream().close();
            out = new StreamCollector(process.getInputStream());
            err = new StreamCollector(process.getErrorStream());
            listeners.add(this);
            String line;
            try {
                line = out.await(l -> l.contains("\"event\":\"listening\""), "the listening event");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\nstderr:\n" + err.text(), e);
            }
            address = field(line, "address");
        }

        List<String> events(String name) {
            return out.lines.stream().filter(l -> l.contains("\"event\":\"" + name + "\"")).toList();
        }

        void stop() throws Exception {
            if (!process.isAlive()) return;
            process.destroy(); // SIGTERM: the shutdown hook closes the endpoint and the store
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("listener did not stop on SIGTERM");
            }
            out.join();
        }
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return m.group(1);
    }

    private void keygen(String name) {
        PlanetaryProcess.keygen(dir, name); // the verb itself: keygenWritesKeysAndPubkeyReadsEveryFormat
    }

    private String[] ping(String address, String client, String server, String... more) {
        List<String> a = new ArrayList<>(List.of("ping", address, "--key", client + ".key", "--peer", server + ".pub", "--interval", "0ms",
                "--probe-timeout", "2s", "--no-state"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    // ---------------------------------------------------------------- keys

    @Test
    void keygenWritesKeysAndPubkeyReadsEveryFormat() throws Exception {
        Result r = run("keygen", "alice");
        assertEquals(0, r.exit(), r.toString());
        String pub = Files.readString(dir.resolve("alice.pub")).strip();
        assertTrue(pub.matches("[0-9a-f]{98}"), pub);
        assertEquals(pub, r.out().strip());
        assertTrue(Files.readString(dir.resolve("alice.key")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("alice.key"))));
        assertEquals(pub, run("pubkey", "alice.key").out().strip());
        assertEquals(pub, run("pubkey", "alice.pub").out().strip());

        Result again = run("keygen", "alice");
        assertEquals(1, again.exit());
        assertTrue(again.errorLine().contains("already exists"), again.toString());

        // A bare hex scalar private key, and a PEM SubjectPublicKeyInfo public key.
        byte[] scalar = new byte[48];
        scalar[47] = 7;
        String expected;
        try (StaticKeyPair k = StaticKeyPair.fromScalar(scalar)) {
            expected = k.publicKey().toHex();
            Files.writeString(dir.resolve("hex.key"), HexFormat.of().formatHex(scalar) + "\n");
            Files.setPosixFilePermissions(dir.resolve("hex.key"), PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("pem.pub"), "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(k.publicKey().toSubjectPublicKeyInfo()) + "\n-----END PUBLIC KEY-----\n");
        }
        assertEquals(expected, run("pubkey", "hex.key").out().strip());
        assertEquals(expected, run("pubkey", "pem.pub").out().strip());

        Files.writeString(dir.resolve("junk.key"), "not a key\n");
        Result junk = run("ping", "127.0.0.1:9", "--key", "junk.key", "--peer", "alice.pub", "--no-state");
        assertEquals(2, junk.exit(), junk.toString());
        assertTrue(junk.errorLine().contains("key file junk.key is not a private key"), junk.toString());
        assertEquals(1, junk.err().lines().count(), "one line: " + junk.err());
        Result missing = run("ping", "127.0.0.1:9", "--key", "alice.key", "--peer", "nobody.pub", "--no-state");
        assertEquals(2, missing.exit());
        assertTrue(missing.errorLine().contains("cannot read public key file nobody.pub: no such file"), missing.toString());
        Result swapped = run("ping", "127.0.0.1:9", "--key", "alice.key", "--peer", "alice.key", "--no-state");
        assertTrue(swapped.errorLine().contains("holds a private key"), swapped.toString());
    }

    // ---------------------------------------------------------------- data path

    @Test
    void pingAcrossMtusUpToTheFragmentLimit() throws Exception {
        keygen("server");
        keygen("client");
        for (int mtu : new int[] {128, 1280, 1432}) {
            int max = (mtu - 16) * 48 - 16;
            Listener l = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--no-state", "--mtu", String.valueOf(mtu));
            Result r = run(ping(l.address, "client", "server", "--mtu", String.valueOf(mtu), "--count", "5", "--size", "8-" + max));
            assertEquals(0, r.exit(), "MTU " + mtu + ": " + r);
            assertTrue(r.out().contains(max + " bytes from " + l.address), r.out());
            assertTrue(r.out().contains("5 probes sent, 5 echoed, 0.0% loss"), r.out());
            assertTrue(r.out().matches("(?s).*rtt min/avg/max/stddev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms.*"), r.out());
            l.stop();
            assertEquals(5, l.events("data").size(), l.out.text());
        }
        Result tooBig = run(ping("127.0.0.1:9", "client", "server", "--mtu", "128", "--size", String.valueOf((128 - 16) * 48 - 15)));
        assertEquals(2, tooBig.exit(), tooBig.toString());
        assertTrue(tooBig.errorLine().contains("needs more than 48 fragments at MTU 128; the largest payload is 5360 bytes"), tooBig.toString());
    }

    @Test
    void netcatStyleConnect() throws Exception {
        keygen("server");
        keygen("client");
        Listener l = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--no-state");
        Result r = runWithInput("hello over zssp\n", "connect", l.address, "--key", "client.key", "--peer", "server.pub", "--identity", "client-1",
                "--no-state", "--linger", "500ms");
        assertEquals(0, r.exit(), r.toString());
        assertEquals("hello over zssp", r.out().strip());
        String session = l.out.await(x -> x.contains("\"event\":\"session\""), "session event");
        assertEquals(HexFormat.of().formatHex("client-1".getBytes(StandardCharsets.UTF_8)), field(session, "identity"));
        assertEquals("false", field(session, "downgraded"));
    }

    @Test
    void rekeysDuringALongPing() throws Exception {
        keygen("server");
        keygen("client");
        Listener l = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--no-state", "--rekey-after", "500ms");
        Result r = run(ping(l.address, "client", "server", "--count", "60", "--interval", "40ms", "--size", "8-3000",
                "--rekey-after", "700ms", "--rekey-after-uses", "40", "--json"));
        assertEquals(0, r.exit(), r.toString());
        String summary = r.out().lines().filter(x -> x.contains("\"event\":\"summary\"")).findFirst().orElseThrow();
        assertEquals("60", field(summary, "received"));
        assertEquals("false", field(summary, "downgraded"));
        long clientRekeys = r.out().lines().filter(x -> x.contains("\"event\":\"rekey\"")).count();
        long serverRekeys = l.events("rekey").size();
        assertTrue(clientRekeys + serverRekeys >= 3, "rekeys: client " + clientRekeys + ", server " + serverRekeys + "\n" + r.out());
        for (String line : r.out().lines().toList()) {
            assertTrue(line.startsWith("{\"event\":\"") && line.contains("\"ts\":\"") && line.endsWith("}"), "not a JSON event line: " + line);
        }
    }

    @Test
    void challengeRound() throws Exception {
        keygen("server");
        keygen("client");
        Listener l = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--no-state", "--challenge");
        Result r = run(ping(l.address, "client", "server", "--count", "3"));
        assertEquals(0, r.exit(), r.toString());
        assertFalse(l.events("challenge").isEmpty(), l.out.text());
        assertEquals(1, l.events("session").size());
    }

    // ---------------------------------------------------------------- refusals and failures

    @Test
    void rejectedAndSilentlyRejectedPeers() throws Exception {
        keygen("server");
        keygen("client");
        keygen("friend");
        Listener loud = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--no-state", "--allow", "friend.pub");
        Result rejected = run(ping(loud.address, "client", "server", "--count", "1"));
        assertEquals(1, rejected.exit(), rejected.toString());
        assertTrue(rejected.errorLine().contains(loud.address + " rejected the session"), rejected.toString());
        assertEquals("false", field(loud.out.await(x -> x.contains("\"event\":\"refused\""), "refused event"), "silent"));
        assertEquals(0, run(ping(loud.address, "friend", "server", "--count", "1")).exit());

        Listener quiet = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--no-state", "--allow", "friend.pub", "--silent-reject");
        Result ignored = run(ping(quiet.address, "client", "server", "--count", "1", "--timeout", "1500ms"));
        assertEquals(1, ignored.exit(), ignored.toString());
        assertTrue(ignored.errorLine().matches("planetary: error: no handshake with " + Pattern.quote(quiet.address) + " after 1\\.[0-9] s.*"),
                ignored.toString());
        assertEquals("true", field(quiet.out.await(x -> x.contains("\"event\":\"refused\""), "refused event"), "silent"));
    }

    @Test
    void clearErrorsForBadInput() throws Exception {
        keygen("server");
        keygen("client");
        Result badAddress = run("ping", "localhost", "--key", "client.key", "--peer", "server.pub", "--no-state");
        assertEquals(2, badAddress.exit());
        assertTrue(badAddress.errorLine().contains("bad peer address 'localhost': expected HOST:PORT"), badAddress.toString());
        Result badPort = run("listen", "--bind", "127.0.0.1:99999", "--key", "server.key", "--no-state");
        assertEquals(2, badPort.exit());
        assertTrue(badPort.errorLine().contains("port must be 0..65535"), badPort.toString());
        Result badDuration = run(ping("127.0.0.1:9", "client", "server", "--rekey-after", "3"));
        assertEquals(2, badDuration.exit());
        assertTrue(badDuration.errorLine().contains("--rekey-after '3' needs a unit"), badDuration.toString());
        Result noKey = run("listen", "--bind", "127.0.0.1:0");
        assertEquals(2, noKey.exit());
        assertTrue(noKey.errorLine().contains("Missing required option: '--key=FILE'"), noKey.toString());

        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            String addr = "127.0.0.1:" + taken.getLocalPort();
            Result inUse = run("listen", "--bind", addr, "--key", "server.key", "--no-state", "--allow-any");
            assertEquals(1, inUse.exit(), inUse.toString());
            assertTrue(inUse.errorLine().contains("cannot bind " + addr + ": address already in use"), inUse.toString());

            Result unreachable = run(ping(addr, "client", "server", "--timeout", "1s"));
            assertEquals(1, unreachable.exit(), unreachable.toString());
            assertTrue(unreachable.errorLine().matches("planetary: error: no handshake with " + addr + " after 1\\.[0-9] s: peer unreachable.*"),
                    unreachable.toString());
        }

        Files.writeString(dir.resolve("not-a-dir"), "x");
        Result store = run("ping", "127.0.0.1:9", "--key", "client.key", "--peer", "server.pub", "--state", "not-a-dir");
        assertEquals(1, store.exit(), store.toString());
        assertTrue(store.errorLine().contains("cannot open the ratchet store in not-a-dir"), store.toString());

        Result noState = run(ping("127.0.0.1:9", "client", "server", "--timeout", "200ms"));
        assertTrue(noState.err().contains("planetary: warning: no durable ratchet store (--no-state): this run is opportunistic-only"), noState.toString());
    }

    // ---------------------------------------------------------------- durable state

    @Test
    void listenerRestartWithStateReconnectsWithoutDowngrade() throws Exception {
        keygen("server");
        keygen("client");
        String[] listen = {"--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--state", "server-state", "--disallow-downgrade"};
        String[] clientState = {"--state", "client-state", "--disallow-downgrade", "--count", "2", "--json"};

        Listener first = new Listener(listen);
        Result r1 = run(withoutNoState(ping(first.address, "client", "server", clientState)));
        assertEquals(0, r1.exit(), r1.toString());
        first.stop();
        assertTrue(Files.list(dir.resolve("server-state")).anyMatch(p -> p.getFileName().toString().endsWith(".db")));

        Listener restarted = new Listener(listen);
        Result r2 = run(withoutNoState(ping(restarted.address, "client", "server", clientState)));
        assertEquals(0, r2.exit(), r2.toString());
        assertFalse(r2.out().contains("\"event\":\"downgraded\""), r2.out());
        assertEquals("false", field(r2.out().lines().filter(x -> x.contains("\"event\":\"summary\"")).findFirst().orElseThrow(), "downgraded"));
        String session = restarted.out.await(x -> x.contains("\"event\":\"session\""), "session event");
        assertEquals("false", field(session, "downgraded"));

        // Control: a listener that lost its storage. With π2 the client refuses it; without, it connects downgraded.
        Listener amnesiac = new Listener("--bind", "127.0.0.1:0", "--key", "server.key", "--echo", "--allow-any", "--state", "fresh-state");
        Result refused = run(withoutNoState(ping(amnesiac.address, "client", "server", "--state", "client-state", "--disallow-downgrade",
                "--count", "1", "--timeout", "1500ms")));
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.errorLine().contains("no handshake with"), refused.toString());
        Result downgraded = run(withoutNoState(ping(amnesiac.address, "client", "server", "--state", "client-state", "--count", "1")));
        assertEquals(0, downgraded.exit(), downgraded.toString());
        assertTrue(downgraded.err().contains("fell back to the empty ratchet"), downgraded.toString());
    }

    private static String[] withoutNoState(String[] args) {
        return java.util.Arrays.stream(args).filter(a -> !a.equals("--no-state")).toArray(String[]::new);
    }

    // ---------------------------------------------------------------- demo

    @Test
    void demoRunsEndToEnd() throws Exception {
        Result r = run("demo");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("rekey done"), r.out());
        assertTrue(r.out().contains("challenge round"), r.out());
        // the planet section: VL1 with two roots and two members in the same process
        assertTrue(r.out().contains("generating 4 node identities"), r.out());
        assertTrue(r.out().contains("online at both roots"), r.out());
        assertTrue(r.out().contains("open: A resolved B's address") && r.out().contains("via WHOIS (two roots agreed)"), r.out());
        assertTrue(r.out().contains("open: B received \"hello B\" from A"), r.out());
        assertTrue(r.out().contains("open: A received B's answer \"re: hello B\""), r.out());
        assertTrue(r.out().contains("blocked: B received \"hello B, direct blocked\" from A"), r.out());
        assertTrue(r.out().contains("blocked: A received B's answer \"re: hello B, direct blocked\"") && r.out().contains("session relayed through a root"), r.out());
        assertTrue(r.out().matches("(?s).*relayed: the roots forwarded [1-9][0-9]* datagrams between A and B.*"), r.out());
        // the VL2 section: a network joined with a token, userspace NICs, pings across it (E4/E5-like)
        assertTrue(r.out().contains("(controller engine, SQLite) created network"), r.out());
        assertTrue(r.out().contains("A joined ") && r.out().contains("B joined ") && r.out().contains("with the token over SEQEX: state OK"), r.out());
        assertTrue(r.out().matches("(?s).*A → B fd[0-9a-f:]+: first ping6 \\(credentials presented, session set-up, NDP answered locally\\) [0-9.]+ ms.*"), r.out());
        assertTrue(r.out().matches("(?s).*ping rtt +A → B [0-9./]+ ms, B → A [0-9./]+ ms \\(min/avg/max of 10\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*data plane +[0-9]+ frames sent, [0-9]+ delivered, [01] dropped.*"), r.out());
        assertTrue(r.out().strip().endsWith("OK"), r.out());
    }
}

package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM running {@code java -jar target/planetary.jar …} (for the black-box ITs that kill and
 * restart processes): its stdout and stderr lines are collected on threads, every wait is bounded,
 * and every process still alive is killed by {@link #killAll()} (call it in a finally block) or,
 * as a last resort, by a shutdown hook of the test JVM.
 */
final class PlanetaryProcess {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** What the test JVM saved: child JVMs started (with the AOT cache), key pairs and identities made in this JVM or lent. */
    static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger(),
            STARTED_FROM_CACHE = new java.util.concurrent.atomic.AtomicInteger(), KEYS_MADE = new java.util.concurrent.atomic.AtomicInteger(),
            IDENTITIES_LENT = new java.util.concurrent.atomic.AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            killAll();
            Process training = PlanetaryProcess.aotTrainingRun;
            Path trainingDir = PlanetaryProcess.aotTrainingDir; // read first: the training thread forgets it once its run ends
            if (training != null) {
                training.destroyForcibly();
                try {
                    if (training.waitFor(5, TimeUnit.SECONDS)) deleteTree(trainingDir); // an unfinished training leaves nothing beside the jar
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }
            String jar = System.getProperty("planetary.jar");
            // a file: surefire's channel is gone by now; only beside the build's own jar, never in a folder of the user's
            if (STARTED.get() > 0 && jar != null && Path.of(jar).toAbsolutePath().getParent().endsWith("target")) {
                try {
                    Files.writeString(Path.of(jar).resolveSibling("planetary-it-savings.txt"), String.format(
                            "%d child JVMs started, %d from the AOT cache; %d key pairs made in the test JVM; %d test identities lent%n",
                            STARTED.get(), STARTED_FROM_CACHE.get(), KEYS_MADE.get(), IDENTITIES_LENT.get()));
                } catch (IOException ignored) {
                    // a figure for the curious only
                }
            }
        }, "planetary-it-children"));
    }

    final String name;
    final Process process;
    final Lines out;
    final Lines err;

    private PlanetaryProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.out = new Lines(process.getInputStream());
        this.err = new Lines(process.getErrorStream());
    }

    /** Skips the calling test outside the integration-test phase (e.g. {@code -Dtest=…} also selects it for the unit-test phase). */
    static void assumeJar() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("planetary.jar") != null,
                "black-box test of the shaded jar: runs in the integration-test phase (mvn verify)");
    }

    /** The shaded jar from the system property {@code planetary.jar} (set by the pom for the ITs). */
    static Path jar() {
        String p = System.getProperty("planetary.jar");
        assertNotNull(p, "system property planetary.jar is not set (run through mvn verify)");
        Path jar = Path.of(p);
        assertTrue(Files.isRegularFile(jar), jar + " does not exist: run 'mvn package' first");
        return jar;
    }

    static List<String> command(List<String> args) {
        return command(jar(), args);
    }

    /** {@code java … -jar JAR ARGS} (a copy of the jar, e.g. one that an unprivileged user may read). */
    static List<String> command(Path jar, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1"); // start fast; C1 code is plenty for a few sessions
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xmx96m");
        cmd.addAll(aotCache(jar));
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        return cmd;
    }

    /**
     * The JVM options that start a child of {@code jar} from the AOT cache of the shipped jar (JEP 483,
     * 514): its classes come loaded and linked, and a child needs about a quarter less CPU to start
     * (BENCHMARKS.md, "Default test run time"). The cache is made once per test JVM by a training
     * run of {@code planetary demo} on a thread of its own, which no test waits for (children started
     * meanwhile go without); target/planetary-it.aot is reused while newer than the jar. Empty for
     * another copy of the jar, until and unless the training run succeeds, or with {@code
     * -Dplanetary.itAotCache=false}. The JVM's own aot/cds lines are off: a cache that does not fit
     * is ignored without a word on the child's stdout, which the tests read. Only for children that run
     * C1 alone, as {@link #command} starts them: the training's data holds a full-tiered JVM's hot methods
     * back from C2 for tens of seconds (TunnelIT's children go without it; BENCHMARKS.md, "Seventh round, the JVM").
     */
    static List<String> aotCache(Path jar) {
        if (!"true".equals(System.getProperty("planetary.itAotCache", "true")) || !jar.equals(jar())) return List.of();
        synchronized (PlanetaryProcess.class) {
            if (aotTraining == null) aotTraining = Thread.ofPlatform().daemon().name("planetary-it-aot").start(() -> aotCache = trainAotCache(jar));
        }
        String cache = aotCache;
        return cache == null || cache.isEmpty() ? List.of() : List.of("-XX:AOTCache=" + cache, AOT_QUIET);
    }

    /** The JVM's own lines about its AOT cache, off (on stdout they would mix with the events the tests read). */
    private static final String AOT_QUIET = "-Xlog:aot*=off,cds*=off";
    private static Thread aotTraining;
    private static volatile String aotCache; // null while training, "" once a training run failed
    private static volatile Process aotTrainingRun; // not in LIVE: killAll() after a test must not end it; the shutdown hook does
    private static volatile Path aotTrainingDir; // the training's work folder while it runs (the shutdown hook removes it)

    private static String trainAotCache(Path jar) {
        Path cache = jar.resolveSibling("planetary-it.aot");
        try {
            if (Files.isRegularFile(cache) && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0) return cache.toString();
            Path work = Files.createTempDirectory(jar.getParent(), "planetary-it-aot-");
            aotTrainingDir = work;
            Path made = work.resolve("planetary-it.aot");
            List<String> cmd = new ArrayList<>(command(jar, List.of("demo"))); // the same options as every child, no cache yet
            cmd.addAll(1, List.of("-XX:AOTCacheOutput=" + made, AOT_QUIET));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).redirectOutput(work.resolve("training.log").toFile());
            pb.environment().put("XDG_STATE_HOME", work.resolve("xdg-state").toString());
            Process p = pb.start();
            aotTrainingRun = p;
            p.getOutputStream().close();
            boolean done = p.waitFor(300, TimeUnit.SECONDS);
            if (!done) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            if (done && Files.isRegularFile(made)) {
                Files.move(made, cache, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                deleteTree(work);
                return cache.toString();
            }
            aotTrainingDir = null; // kept: its training.log says why
            System.err.println("planetary-it: no AOT cache (training run " + (done ? "exit " + p.exitValue() : "timed out") + ", log in " + work + ")");
        } catch (IOException | InterruptedException e) {
            System.err.println("planetary-it: no AOT cache: " + e);
        }
        return "";
    }

    /** Removes {@code dir} and everything in it (null or gone: nothing to do). */
    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException ignored) {
            // best effort: a leftover temporary folder
        }
    }

    /**
     * Writes what {@code planetary keygen NAME} writes in {@code dir} (NAME.key owner-only, NAME.pub),
     * through the verb's own {@link KeyFiles} code but in this JVM: key files as a fixture cost no
     * child JVM each. Tests of the verb itself (CliIT, AccessIT, CliHygieneIT, FileHygieneIT) run it.
     */
    static void keygen(Path dir, String... names) {
        for (String name : names) {
            try (dev.planetary.zssp.StaticKeyPair key = dev.planetary.zssp.StaticKeyPair.generate()) {
                KeyFiles.write(dir.resolve(name + ".key"), KeyFiles.privatePem(key), true, false);
                KeyFiles.write(dir.resolve(name + ".pub"), KeyFiles.publicLine(key.publicKey()) + "\n", false, false);
            }
            KEYS_MADE.incrementAndGet();
        }
    }

    /** Starts {@code planetary ARGS} in {@code dir} (stdin closed; XDG_STATE_HOME inside dir). */
    static PlanetaryProcess start(String name, Path dir, List<String> args) throws IOException {
        return start(name, dir, List.of(), args);
    }

    /**
     * Like {@link #start(String, Path, List)}, the command run through {@code wrapper} (e.g.
     * {@code ip netns exec plt-a}, which execs it: the child's pid is the JVM's own).
     */
    static PlanetaryProcess start(String name, Path dir, List<String> wrapper, List<String> args) throws IOException {
        return start(name, dir, wrapper, jar(), args);
    }

    /** Like {@link #start(String, Path, List, List)} with another copy of the jar. */
    static PlanetaryProcess start(String name, Path dir, List<String> wrapper, Path jar, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(command(jar, args));
        return launch(name, dir, cmd);
    }

    private static PlanetaryProcess launch(String name, Path dir, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("XDG_STATE_HOME", dir.resolve("xdg-state").toString()); // never the real home
        Process p = pb.start();
        LIVE.add(p);
        STARTED.incrementAndGet();
        if (cmd.stream().anyMatch(a -> a.startsWith("-XX:AOTCache="))) STARTED_FROM_CACHE.incrementAndGet();
        p.getOutputStream().close();
        return new PlanetaryProcess(name, p);
    }

    /**
     * Starts {@code java -cp JAR:TEST-CLASSES MAIN ARGS} through {@code wrapper}: a test-side main
     * (e.g. {@link MemberHost}) on the shipped jar's classes, with heap {@code xmx} (e.g. -Xmx256m).
     */
    static PlanetaryProcess startMain(String name, Path dir, List<String> wrapper, Class<?> main, String xmx, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        String testClasses;
        try {
            testClasses = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> vm = command(jar(), List.of());
        cmd.addAll(vm.subList(0, vm.indexOf("-Xmx96m")));
        cmd.addAll(List.of(xmx, "-cp", jar() + java.io.File.pathSeparator + testClasses, main.getName()));
        cmd.addAll(args);
        return launch(name, dir, cmd);
    }

    /** Runs {@code planetary ARGS} to completion (bounded) and returns the exit code; output in {@link #out}/{@link #err}. */
    static PlanetaryProcess run(Path dir, long timeoutSeconds, String... args) throws Exception {
        return run(dir, timeoutSeconds, List.of(), jar(), args);
    }

    /** Like {@link #run(Path, long, String...)}, through {@code wrapper} and with another copy of the jar. */
    static PlanetaryProcess run(Path dir, long timeoutSeconds, List<String> wrapper, Path jar, String... args) throws Exception {
        PlanetaryProcess p = start(args.length > 0 ? args[0] : "planetary", dir, wrapper, jar, List.of(args));
        if (!p.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.kill();
            throw new AssertionError("planetary " + String.join(" ", args) + " did not finish within " + timeoutSeconds + " s\n" + p.dump());
        }
        p.out.join();
        p.err.join();
        return p;
    }

    int exitCode() {
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux), then waits (bounded) until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError(name + " did not die on SIGKILL within 30 s");
        LIVE.remove(process);
        out.join();
        err.join();
    }

    /** SIGTERM (the CLI's shutdown hook closes the endpoint and the store), SIGKILL if it does not exit within 20 s. */
    void stop() throws InterruptedException {
        if (process.isAlive()) {
            // SIGTERM through the handle: Process.destroy() would also close our ends of the child's
            // stdout/stderr, and whatever it prints while stopping would be lost to the assertions.
            process.toHandle().destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
                throw new AssertionError(name + " did not stop on SIGTERM within 20 s");
            }
        }
        LIVE.remove(process);
        out.join();
        err.join();
    }

    static void killAll() {
        for (Process p : LIVE) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LIVE.remove(p);
        }
    }

    /** The JSON events named {@code event} on stdout so far. */
    List<String> events(String event) {
        String tag = "\"event\":\"" + event + "\"";
        return out.lines.stream().filter(l -> l.contains(tag)).toList();
    }

    String dump() {
        return dump(40);
    }

    /** The last {@code lines} lines of stdout and of stderr, with the process's state. */
    String dump(int lines) {
        return "--- " + name + " (pid " + process.pid() + (process.isAlive() ? ", alive" : ", exit " + process.exitValue()) + ") stdout, last lines:\n"
                + out.tail(lines) + "\n--- stderr, last lines:\n" + err.tail(lines);
    }

    /** A field of a one-line JSON event (string, number or boolean). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return m.group(1);
    }

    /** A UDP port on 127.0.0.1 that was free a moment ago. */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** A stream's lines, collected on a daemon thread. */
    static final class Lines {
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread thread;

        Lines(InputStream in) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) lines.add(line);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
        }

        void join() throws InterruptedException {
            thread.join(5000);
        }

        String text() {
            return String.join("\n", lines);
        }

        String tail(int n) {
            List<String> all = List.copyOf(lines);
            return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
        }

        /** Waits (at most {@code seconds}) for a line matching {@code match}; returns it. */
        String await(Predicate<String> match, long seconds, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                for (String l : lines) if (match.test(l)) return l;
                Thread.sleep(20);
            }
            throw new AssertionError("timed out after " + seconds + " s waiting for " + what + "; got:\n" + tail(40));
        }
    }
}

package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The NAT test bed of spec VL §16.3 for black-box tests: Linux network namespaces built by
 * {@code scripts/netns-testbed} (docs/testbed.md), with real processes started inside them.
 *
 * <pre>
 *  plt-a 10.0.1.2 ── plt-nata (10.0.1.1 | 203.0.113.20) ─┐
 *  plt-b 10.0.2.2 ── plt-natb (10.0.2.1 | 203.0.113.30) ─┼─ plt-wan bridge, 203.0.113.0/24
 *                          plt-root 203.0.113.10, plt-ctl 203.0.113.11 ─┘
 * </pre>
 *
 * Needs root. Outside root or without {@code ip netns} {@link #up} fails with a message saying so,
 * unless the system property {@code planetary.netns=skip} is set: then the calling test is skipped
 * (reported as skipped, never passed). {@link #close()} stops every process it started and takes
 * the bed down; a JVM shutdown hook does the same if a test run is killed.
 */
final class NetnsTestbed implements AutoCloseable {
    static final String ROOT = "203.0.113.10";
    static final String CTL = "203.0.113.11";
    static final String NAT_A = "203.0.113.20";
    static final String NAT_B = "203.0.113.30";
    static final String A = "10.0.1.2";
    static final String B = "10.0.2.2";

    /** The §16.3 variants, as arguments of {@code scripts/netns-testbed up}. */
    enum Variant {
        /** Both members behind port-restricted cone NATs (MASQUERADE keeps ports). */
        CONE(),
        /** plt-nata with {@code --random-fully} (endpoint-dependent mapping), plt-natb cone. */
        SYMMETRIC_A("--symmetric", "a"),
        SYMMETRIC_BOTH("--symmetric", "both"),
        /** plt-b behind plt-nata too, at 10.0.1.3 (no plt-natb). */
        ONE_NAT("--one-nat"),
        /** plt-b on the bridge itself at 203.0.113.30 (no plt-natb). */
        PUBLIC_B("--public", "b");

        final List<String> args;

        Variant(String... args) {
            this.args = List.of(args);
        }
    }

    private static final Set<NetnsTestbed> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(NetnsTestbed::close), "netns-testbed-down"));
    }

    private final Path script;
    private final List<Proc> procs = new ArrayList<>();
    final long upMillis;

    private NetnsTestbed(Path script, long upMillis) {
        this.script = script;
        this.upMillis = upMillis;
    }

    /** Brings the bed up in {@code variant} (removing leftovers of an earlier run first). */
    static NetnsTestbed up(Variant variant) throws Exception {
        Path script = requireAvailable();
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "up"));
        cmd.addAll(variant.args);
        long start = System.nanoTime();
        Result r = run(cmd, 300); // the first run may install Debian packages
        if (r.exit != 0) fail("scripts/netns-testbed up " + String.join(" ", variant.args) + " failed (exit " + r.exit + "):\n" + r.output);
        NetnsTestbed bed = new NetnsTestbed(script, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        OPEN.add(bed);
        return bed;
    }

    /**
     * The script, once root and {@code ip netns} are known to work; fails (or, with
     * {@code -Dplanetary.netns=skip}, skips) the calling test otherwise.
     */
    static Path requireAvailable() throws Exception {
        if ("skip".equals(System.getProperty("planetary.netns"))) {
            Assumptions.abort("NAT test bed skipped on request (-Dplanetary.netns=skip)");
        }
        String why = null;
        if (!isRoot()) {
            why = "it needs root (network namespaces, veth, iptables)";
        } else {
            try {
                Result deps = run(List.of(script().toString(), "deps"), 300); // installs iproute2 & co. when missing
                if (deps.exit != 0) System.err.println("netns-testbed deps failed (exit " + deps.exit + "): " + deps.output);
                Result r = run(List.of("ip", "netns", "list"), 30);
                if (r.exit != 0) why = "'ip netns list' failed (exit " + r.exit + "): " + r.output.strip();
            } catch (IOException e) {
                why = "'ip' (iproute2) cannot be run: " + e.getMessage();
            }
        }
        if (why != null) {
            fail("the NAT test bed (docs/testbed.md) cannot run: " + why
                    + ". Run the tests as root, or pass -Dplanetary.netns=skip to skip them explicitly.");
        }
        return script();
    }

    private static boolean isRoot() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) return line.split("\\s+")[1].equals("0");
        }
        return false;
    }

    /** scripts/netns-testbed of this checkout (tests run in the module directory). */
    static Path script() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("scripts/netns-testbed");
            if (Files.isExecutable(s)) return s;
        }
        throw new AssertionError("scripts/netns-testbed not found above " + Path.of("").toAbsolutePath());
    }

    /** Runs {@code CMD} inside namespace {@code ns} (a, b, nata, natb, root, ctl, wan) to completion (≤ 60 s). */
    Result exec(String ns, String... cmd) throws Exception {
        return run(inNamespace(ns, List.of(cmd)), 60);
    }

    /** Like {@link #exec} but fails the test on a non-zero exit; returns the output. */
    String check(String ns, String... cmd) throws Exception {
        Result r = exec(ns, cmd);
        if (r.exit != 0) fail("in plt-" + ns + ": " + String.join(" ", cmd) + " exited " + r.exit + ":\n" + r.output);
        return r.output;
    }

    /** Starts the real {@code planetary ARGS} (target/planetary.jar) in namespace {@code ns}, working directory {@code dir}. */
    Proc start(String ns, Path dir, String... planetaryArgs) throws IOException {
        return startCommand(ns, dir, "planetary " + planetaryArgs[0], PlanetaryProcess.command(List.of(planetaryArgs)));
    }

    /** Starts {@code java -cp <test classpath> MAIN ARGS} in namespace {@code ns} (small helpers like {@link NatProbe}). */
    Proc startJava(String ns, Path dir, Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return startCommand(ns, dir, main.getSimpleName() + " " + String.join(" ", args), cmd);
    }

    /** Starts a tool ({@code tcpdump …}) in namespace {@code ns}; {@link #close()} ends it. */
    Proc startTool(String ns, Path dir, String... cmd) throws IOException {
        return startCommand(ns, dir, String.join(" ", cmd), List.of(cmd));
    }

    /** Starts {@code tcpdump -U ARGS} in {@code ns} and waits (bounded) until it listens. */
    Proc tcpdump(String ns, Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tcpdump", "-U"));
        cmd.addAll(List.of(args));
        Proc p = startTool(ns, dir, cmd.toArray(String[]::new));
        p.err.await(l -> l.contains("listening on"), 20, "tcpdump in plt-" + ns + " listening");
        return p;
    }

    private Proc startCommand(String ns, Path dir, String name, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(inNamespace(ns, cmd)).directory(dir.toFile());
        pb.environment().put("XDG_STATE_HOME", dir.resolve("xdg-state").toString()); // never the real home
        Proc p = new Proc("plt-" + ns + ": " + name, pb.start());
        synchronized (procs) {
            procs.add(p);
        }
        return p;
    }

    private static List<String> inNamespace(String ns, List<String> cmd) {
        List<String> all = new ArrayList<>(wrapper(ns));
        all.addAll(cmd); // ip netns exec execs CMD: the child's pid is CMD's own
        return all;
    }

    /** {@code ip netns exec plt-NS}: the prefix that runs a command inside namespace {@code ns}. */
    static List<String> wrapper(String ns) {
        if (!ns.matches("[a-z]{1,8}")) throw new IllegalArgumentException("namespace name without the plt- prefix, e.g. 'a': " + ns);
        return List.of("ip", "netns", "exec", "plt-" + ns);
    }

    /** Stops every process started here (SIGKILL) and takes the bed down. Idempotent. */
    @Override
    public void close() {
        synchronized (procs) {
            for (Proc p : procs) p.process.destroyForcibly();
            for (Proc p : procs) {
                try {
                    p.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            procs.clear();
        }
        if (OPEN.remove(this)) {
            try {
                Result r = run(List.of(script.toString(), "down"), 60);
                if (r.exit != 0) System.err.println("netns-testbed down failed (exit " + r.exit + "): " + r.output);
            } catch (Exception e) {
                System.err.println("netns-testbed down failed: " + e);
            }
        }
    }

    /** An exit code and the merged stdout/stderr of a finished command. */
    record Result(int exit, String output) {}

    /** Runs {@code cmd} on the host (bounded), stdout and stderr merged. */
    static Result run(List<String> cmd, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        PlanetaryProcess.Lines out = new PlanetaryProcess.Lines(p.getInputStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s:\n" + out.tail(40));
        }
        out.join();
        return new Result(p.exitValue(), out.text());
    }

    /** A process inside a namespace: its output lines (collected on threads) and its stdin. */
    static final class Proc {
        final String name;
        final Process process;
        final PlanetaryProcess.Lines out;
        final PlanetaryProcess.Lines err;

        private Proc(String name, Process process) {
            this.name = name;
            this.process = process;
            this.out = new PlanetaryProcess.Lines(process.getInputStream());
            this.err = new PlanetaryProcess.Lines(process.getErrorStream());
        }

        /** Writes one line to the process's stdin. */
        void send(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        /** The JSON events named {@code event} on stdout so far. */
        List<String> events(String event) {
            String tag = "\"event\":\"" + event + "\"";
            return out.lines.stream().filter(l -> l.contains(tag)).toList();
        }

        /** Waits (bounded) for the process to exit; returns its exit code. */
        int waitFor(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) throw new AssertionError(name + " did not exit within " + seconds + " s\n" + dump());
            out.join();
            err.join();
            return process.exitValue();
        }

        /**
         * SIGTERM (the CLI prints its summary), SIGKILL after 20 s. Through the process handle:
         * {@link Process#destroy()} would also close our ends of the output pipes, and the lines
         * written after the signal (ping's summary) would be lost.
         */
        void stop() throws InterruptedException {
            process.toHandle().destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
            out.join();
            err.join();
        }

        String dump() {
            return "--- " + name + " stdout:\n" + out.tail(40) + "\n--- stderr:\n" + err.tail(40);
        }
    }
}

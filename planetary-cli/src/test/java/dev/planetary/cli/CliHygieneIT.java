package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.Seqex;
import dev.planetary.tunnel.TunnelWire;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointListener;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box tests of what the real command line prints and how it ends (issue 11, items 8, 16, 17,
 * 18, 20): hostile peer strings, floods of peer-driven lines, exit codes on SIGTERM, interrupted
 * ping, the help and its errors, lost probes, keygen paths, error messages in words. Hostile peers
 * are played by an {@link Endpoint} in this JVM talking to a {@code planetary listen} process.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliHygieneIT {
    private static final long RUN_S = 60;

    @TempDir
    Path dir;

    @BeforeEach
    void jar() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void cleanUp() {
        PlanetaryProcess.killAll();
    }

    private PlanetaryProcess run(String... args) throws Exception {
        return PlanetaryProcess.run(dir, RUN_S, args);
    }

    private void keygen(String name) {
        PlanetaryProcess.keygen(dir, name); // the verb itself: keygenDoesNotCreateDirectories
    }

    private static String errorLine(PlanetaryProcess p) {
        return p.err.lines.stream().filter(l -> l.startsWith("planetary: error: ")).findFirst().orElse("");
    }

    /** A human-mode listener; returns it once its {@code listening on ADDRESS} line is there. */
    private PlanetaryProcess listen(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state"));
        all.addAll(List.of(args));
        if (all.stream().noneMatch(a -> a.startsWith("--allow"))) all.add("--allow-any"); // listen denies by default
        PlanetaryProcess l = PlanetaryProcess.start("listen", dir, all);
        l.out.await(x -> x.startsWith("listening on "), 30, "the listening line");
        return l;
    }

    private static InetSocketAddress address(PlanetaryProcess listener) {
        Matcher m = Pattern.compile("^listening on ([0-9.]+):([0-9]+) ").matcher(listener.out.lines.get(0));
        assertTrue(m.find(), listener.out.lines.get(0));
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    /**
     * SIGTERM through the process handle, which (unlike {@link Process#destroy()}) leaves our ends
     * of the child's stdout and stderr open, so we read what it prints while it stops.
     */
    private static void terminate(PlanetaryProcess p) throws InterruptedException {
        p.process.toHandle().destroy();
        if (!p.process.waitFor(20, TimeUnit.SECONDS)) {
            p.kill();
            throw new AssertionError(p.name + " did not stop on SIGTERM within 20 s");
        }
        p.out.join();
        p.err.join();
    }

    private static long bytes(List<String> lines) {
        return lines.stream().mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length + 1).sum();
    }

    // ---------------------------------------------------------------- item 8: peer strings, floods

    /**
     * An allowed peer sends tunnel OPENs for targets it chose: one forging a log line with a newline,
     * then thousands with 8 KB targets. The listener prints no forged line, nothing longer than a
     * few hundred characters, at most a few lines per second of refusals, and counts the rest
     * exactly (printed + reported as suppressed = sent).
     */
    @Test
    void hostileTunnelTargetsAreEscapedTruncatedAndAggregated() throws Exception {
        keygen("server");
        StaticKeyPair attacker = StaticKeyPair.generate();
        KeyFiles.write(dir.resolve("attacker.pub"), KeyFiles.publicLine(attacker.publicKey()) + "\n", false, false);
        PlanetaryProcess l = listen("--allow-tunnel", "127.0.0.1:9", "--allow", "attacker.pub");
        StaticPublicKey server = KeyFiles.readPublic(dir.resolve("server.pub"));

        AtomicReference<Seqex> link = new AtomicReference<>();
        int floods = 1200; // six times the 200 lines that may be printed: enough to show the aggregation
        try (Endpoint ep = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(attacker).receiveQueueCapacity(0)
                .listener(new EndpointListener() {
                    @Override
                    public void onData(PeerSession s, byte[] payload) {
                        Seqex t = link.get();
                        if (t != null) t.receive(payload);
                    }
                }).build()) {
            PeerSession s = ep.connect(server, address(l)).get(30, TimeUnit.SECONDS);
            link.set(TunnelWire.link(s));
            Channel control = link.get().channel(0);
            String forged = "127.0.0.1:22\nplanetary: error: FORGED by the peer\u001b[2J";
            byte[] first = control.requestSeqCst(TunnelWire.open(1, 1, forged));
            assertEquals(TunnelWire.REFUSED, first[0]);
            String huge = "h".repeat(8000) + ":1";
            List<CompletableFuture<byte[]>> pending = new ArrayList<>();
            for (int i = 0; i < floods; i++) {
                pending.add(control.requestAsync(TunnelWire.open(2 + i, 1, huge), true));
                if (pending.size() == 48) {
                    for (CompletableFuture<byte[]> f : pending) assertEquals(TunnelWire.REFUSED, f.get(30, TimeUnit.SECONDS)[0]);
                    pending.clear();
                }
            }
            for (CompletableFuture<byte[]> f : pending) assertEquals(TunnelWire.REFUSED, f.get(30, TimeUnit.SECONDS)[0]);
            link.get().close();
        } finally {
            attacker.close();
        }
        terminate(l);

        List<String> out = l.out.lines;
        for (String line : out) {
            assertFalse(line.startsWith("planetary: error: FORGED"), "a peer forged a line:\n" + l.dump());
            assertFalse(line.contains("\u001b"), "an escape sequence reached the terminal: " + line);
            assertTrue(line.length() < 1000, "a line of " + line.length() + " characters");
        }
        assertTrue(String.join("\n", out).contains("127.0.0.1:22\\nplanetary: error: FORGED"), "the forged target, escaped:\n" + l.dump());
        long printed = out.stream().filter(x -> x.startsWith("refused tunnel stream ")).count();
        long suppressed = 0;
        Pattern more = Pattern.compile("^\\(([0-9]+) more stream\\.refused events in ");
        for (String line : out) {
            Matcher m = more.matcher(line);
            if (m.find()) suppressed += Long.parseLong(m.group(1));
        }
        System.out.printf("hostile OPENs: %d refusals -> %d refusal lines, %d counted as suppressed, %d lines and %d bytes on stdout%n",
                1 + floods, printed, suppressed, out.size(), bytes(out));
        assertEquals(1 + floods, printed + suppressed, "every refusal printed or counted:\n" + l.out.tail(20));
        assertTrue(printed < 200, printed + " refusal lines for " + (1 + floods) + " refusals");
        assertTrue(bytes(out) < 100_000, bytes(out) + " bytes of output for " + (1 + floods) + " refusals");
        assertEquals(0, l.exitCode(), l.dump());
    }

    /** An identity of 4,000 characters with a right-to-left override and a C1 control: printed escaped and cut. */
    @Test
    void hostileIdentityIsEscapedAndTruncated() throws Exception {
        keygen("server");
        PlanetaryProcess l = listen("--echo");
        String identity = "alice\u202e\u0085" + "x".repeat(4000);
        try (StaticKeyPair k = StaticKeyPair.generate();
                Endpoint ep = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(k).build()) {
            ep.connect(KeyFiles.readPublic(dir.resolve("server.pub")), address(l), identity.getBytes(StandardCharsets.UTF_8))
                    .get(30, TimeUnit.SECONDS);
            String line = l.out.await(x -> x.startsWith("session from "), 30, "the session line");
            assertTrue(line.length() < 600, "session line of " + line.length() + " characters");
            assertTrue(line.contains("(identity 'alice\\u202e\\x85xxx"), line);
            assertTrue(line.contains("(4007 chars)"), line);
        }
        l.stop();
    }

    /** A listener with --challenge prints no line per challenged Hello at the default level. */
    @Test
    void challengedHellosAreNotOneLineEach() throws Exception {
        keygen("server");
        keygen("client");
        PlanetaryProcess l = listen("--echo", "--challenge");
        for (int i = 0; i < 2; i++) {
            PlanetaryProcess p = run("ping", address(l).getHostString() + ":" + address(l).getPort(), "--key", "client.key", "--peer", "server.pub",
                    "--no-state", "-c", "1");
            assertEquals(0, p.exitCode(), p.dump());
        }
        l.out.await(x -> x.startsWith("session from "), 30, "a session");
        terminate(l);
        assertTrue(l.out.lines.stream().noneMatch(x -> x.contains("challenged a Hello")), l.dump());
    }

    // ---------------------------------------------------------------- item 16: exit codes

    @Test
    void sigtermIsACleanStopForListenAndTunnelAndPingPrintsItsStatistics() throws Exception {
        keygen("server");
        keygen("client");
        PlanetaryProcess echo = listen("--echo");
        String where = "127.0.0.1:" + address(echo).getPort();
        PlanetaryProcess ping = PlanetaryProcess.start("ping", dir, List.of("ping", where, "--key", "client.key", "--peer", "server.pub",
                "--no-state", "--count", "0", "--interval", "50ms"));
        ping.out.await(x -> x.contains("seq=3 "), 30, "three echoes");
        terminate(ping);
        assertEquals(0, ping.exitCode(), ping.dump());
        assertTrue(ping.out.text().contains("planetary ping statistics"), ping.dump());
        assertTrue(ping.out.text().matches("(?s).*\\n[0-9]+ probes sent, [0-9]+ echoed, 0\\.0% loss.*"), ping.dump());

        terminate(echo);
        assertEquals(0, echo.exitCode(), "listen on SIGTERM\n" + echo.dump());
        assertTrue(echo.out.tail(1).startsWith("stopped: "), echo.dump());

        PlanetaryProcess tunnelListener = listen("--allow-tunnel", "127.0.0.1:9", "--allow", "client.pub");
        PlanetaryProcess tunnel = PlanetaryProcess.start("tunnel", dir, List.of("tunnel", "127.0.0.1:" + address(tunnelListener).getPort(),
                "--local", "127.0.0.1:0", "--remote", "127.0.0.1:9", "--key", "client.key", "--peer", "server.pub", "--no-state"));
        tunnel.out.await(x -> x.startsWith("tunnel "), 30, "the tunnel's ready line");
        terminate(tunnel);
        assertEquals(0, tunnel.exitCode(), "tunnel on SIGTERM\n" + tunnel.dump());
        assertTrue(tunnel.out.tail(1).startsWith("stopped: "), tunnel.dump());
        terminate(tunnelListener);
        assertEquals(0, tunnelListener.exitCode(), tunnelListener.dump());
    }

    // ---------------------------------------------------------------- item 17: help and its errors

    @Test
    void helpListsWholeSentencesAndUnknownCommandsFail() throws Exception {
        PlanetaryProcess help = run("--help");
        assertEquals(0, help.exitCode(), help.dump());
        List<String> lines = help.out.lines;
        int start = lines.indexOf("Commands:");
        assertTrue(start > 0, help.dump());
        StringBuilder entry = new StringBuilder();
        List<String> entries = new ArrayList<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.matches("^  [a-z]+ .*") && !entry.isEmpty()) {
                entries.add(entry.toString());
                entry.setLength(0);
            }
            entry.append(line.strip()).append(' ');
        }
        entries.add(entry.toString());
        for (String e : entries) assertTrue(e.strip().endsWith("."), "cut mid-sentence: " + e + "\n" + help.dump());
        assertTrue(entries.stream().anyMatch(e -> e.startsWith("tunnel ")), help.dump());

        PlanetaryProcess none = run();
        assertEquals(2, none.exitCode());
        for (String c : List.of("keygen", "listen", "connect", "ping", "tunnel", "provision", "demo")) {
            assertTrue(errorLine(none).contains(c), "the no-command message names " + c + ": " + errorLine(none));
        }
        // the bench verb is in planetary-bench's jar (a PluginCommand), not in the production jar: it says where
        PlanetaryProcess bench = run("bench", "--help");
        assertEquals(2, bench.exitCode(), bench.dump());
        assertTrue(errorLine(bench).contains("planetary-bench") && errorLine(bench).contains("./planetary bench"), bench.dump());

        PlanetaryProcess typo = run("pnig", "127.0.0.1:1");
        assertEquals(2, typo.exitCode(), typo.dump());
        assertTrue(errorLine(typo).contains("did you mean 'ping'?"), typo.dump());

        PlanetaryProcess option = run("ping", "127.0.0.1:1", "--key", "k", "--peer", "p", "--cuont", "3");
        assertEquals(2, option.exitCode(), option.dump());
        assertTrue(errorLine(option).contains("did you mean '--count'?"), option.dump());

        PlanetaryProcess unknownHelp = run("nosuch", "--help");
        assertEquals(2, unknownHelp.exitCode(), "'planetary nosuch --help' must fail\n" + unknownHelp.dump());
        assertTrue(errorLine(unknownHelp).contains("unknown command 'nosuch'"), unknownHelp.dump());
    }

    // ---------------------------------------------------------------- item 18: lost probes, keygen paths

    @Test
    void pingWithoutEchoSaysWhyInsteadOfNaN() throws Exception {
        keygen("server");
        keygen("client");
        PlanetaryProcess l = listen(); // no --echo
        String where = "127.0.0.1:" + address(l).getPort();
        String[] ping = {"ping", where, "--key", "client.key", "--peer", "server.pub", "--no-state", "-c", "2", "-i", "0ms", "--probe-timeout",
                "300ms", "--retries", "0"};
        PlanetaryProcess loud = run(ping);
        assertEquals(1, loud.exitCode(), loud.dump());
        assertFalse(loud.out.text().contains("NaN"), loud.dump());
        assertTrue(loud.out.text().contains("2 probes sent, 0 echoed, 100.0% loss"), loud.dump());
        assertTrue(errorLine(loud).contains("is the listener running with --echo?"), loud.dump());

        List<String> quiet = new ArrayList<>(List.of(ping));
        quiet.add("-q");
        PlanetaryProcess q = run(quiet.toArray(String[]::new));
        assertEquals(1, q.exitCode(), q.dump());
        assertTrue(q.out.lines.isEmpty(), q.dump());
        assertTrue(errorLine(q).contains("no probe came back (2 sent)"), "-q still says what failed\n" + q.dump());
        l.stop();
    }

    @Test
    void keygenDoesNotCreateDirectories() throws Exception {
        PlanetaryProcess p = run("keygen", "no/such/dir/k");
        assertEquals(2, p.exitCode(), p.dump());
        assertTrue(errorLine(p).contains("does not exist"), p.dump());
        assertFalse(Files.exists(dir.resolve("no")), "keygen created directories");
        Files.createDirectories(dir.resolve("keys"));
        PlanetaryProcess made = run("keygen", "keys/k");
        assertEquals(0, made.exitCode(), made.dump());
        assertTrue(Files.isRegularFile(dir.resolve("keys/k.key")));
    }

    // ---------------------------------------------------------------- item 20: errors in words

    @Test
    void errorsNameTheProblemNotAJavaClass() throws Exception {
        keygen("server");
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        List<PlanetaryProcess> runs = List.of(
                run("listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--allow-any", "--state", "/proc/planetary-no-such-dir"),
                run("listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--allow-any", "--state", "a-file/sub"),
                run("keygen", "/proc/planetary-k"),
                run("pubkey", "/proc/self/planetary-no-such-file"));
        for (PlanetaryProcess p : runs) {
            assertTrue(p.exitCode() != 0, p.dump());
            String line = errorLine(p);
            assertFalse(line.isEmpty(), p.dump());
            assertFalse(line.matches(".*[A-Za-z]+(Exception|Error)\\b.*"), "a Java class name in: " + line);
            assertFalse(line.contains("java."), line);
        }
    }
}

package dev.planetary.cli;

import static dev.planetary.cli.PlanetaryProcess.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.seqex.Seqex;
import dev.planetary.tunnel.TunnelLimits;
import dev.planetary.tunnel.TunnelWire;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box attacks on the shipped CLI's access control and resource limits (issue 11: items 1, 2,
 * 3, 4, 6, 9, 15). Listeners and tunnels are child JVMs running target/planetary.jar (96 MiB heap);
 * the attacker runs in the test JVM with the library (an {@link Endpoint}, SEQEX, raw datagrams).
 * Every wait is bounded; children are killed in {@link #cleanUp()}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class AccessIT {
    @TempDir
    Path dir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void jar() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void cleanUp() throws Exception {
        PlanetaryProcess.killAll();
        for (AutoCloseable c : closeables.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void keygen(String... names) {
        PlanetaryProcess.keygen(dir, names); // the verb itself: keygenAndPubkeyPrintTheSameFingerprint
    }

    private PlanetaryProcess start(String name, String... args) throws Exception {
        return PlanetaryProcess.start(name, dir, List.of(args));
    }

    /** Starts {@code listen --json --bind 127.0.0.1:0 --key server.key --no-state ARGS} and returns it once it listens. */
    private PlanetaryProcess listen(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("listen", "--json", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state"));
        a.addAll(List.of(args));
        PlanetaryProcess p = PlanetaryProcess.start("listener", dir, a);
        p.out.await(l -> l.contains("\"event\":\"listening\""), 60, "the listening event\n" + "stderr: " + p.err.text());
        return p;
    }

    private static String address(PlanetaryProcess listener) {
        return field(listener.events("listening").get(0), "address");
    }

    /** {@code planetary tunnel ADDRESS --json --key KEY.key --peer server.pub --remote TARGET --no-state ARGS}, after its tunnel event. */
    private PlanetaryProcess tunnel(String address, String key, String target, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("tunnel", address, "--json", "--key", key + ".key", "--peer", "server.pub", "--remote", target, "--no-state"));
        a.addAll(List.of(args));
        if (!a.contains("--local")) a.addAll(List.of("--local", "127.0.0.1:0"));
        PlanetaryProcess p = PlanetaryProcess.start("tunnel-" + key, dir, a);
        p.out.await(l -> l.contains("\"event\":\"tunnel\"") || !p.isAlive(), 60, "the tunnel event");
        return p;
    }

    private static InetSocketAddress local(PlanetaryProcess tunnel) {
        String l = field(tunnel.events("tunnel").get(0), "local");
        int c = l.lastIndexOf(':');
        return new InetSocketAddress(l.substring(0, c), Integer.parseInt(l.substring(c + 1)));
    }

    /** A TCP server in the test JVM: echoes (or, with {@code echo} false, reads and discards); counts connections. */
    private ServerSocket target(boolean echo, AtomicInteger connections) throws IOException {
        ServerSocket ss = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
        closeables.add(ss);
        Thread.ofVirtual().start(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    connections.incrementAndGet();
                    closeables.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getInputStream().transferTo(echo ? s.getOutputStream() : OutputStream.nullOutputStream());
                        } catch (IOException ignored) {
                            // closed
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return ss;
    }

    private static String target(ServerSocket ss) {
        return "127.0.0.1:" + ss.getLocalPort();
    }

    /** Writes {@code text} through the tunnel's local port on {@code s} and reads it back from the echo target. */
    private static String roundTrip(Socket s, String text) throws IOException {
        s.setSoTimeout(20_000);
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        byte[] back = s.getInputStream().readNBytes(text.length());
        return new String(back, StandardCharsets.UTF_8);
    }

    private Endpoint attacker(StaticKeyPair key) throws IOException {
        Endpoint ep = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(key).receiveQueueCapacity(0).build();
        closeables.add(ep);
        return ep;
    }

    private StaticPublicKey pub(String name) {
        return KeyFiles.readPublic(dir.resolve(name + ".pub"));
    }

    private StaticKeyPair priv(String name) {
        return KeyFiles.readPrivate(dir.resolve(name + ".key"));
    }

    private static long openFiles(PlanetaryProcess p) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(p.process.pid()), "fd"))) {
            return s.count();
        }
    }

    /** The child's heap after a full GC, as {@code jcmd GC.heap_info} reports it (a figure for the report; "?" without jcmd). */
    private static String heap(PlanetaryProcess p) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) return "?";
        try {
            for (String cmd : List.of("GC.run", "GC.heap_info")) {
                Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.process.pid()), cmd).redirectErrorStream(true).start();
                String text = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                j.waitFor(30, TimeUnit.SECONDS);
                if (cmd.equals("GC.heap_info")) {
                    return String.join("; ", text.lines().filter(l -> l.contains("total") && l.contains("used")).map(l -> l.strip().replaceAll(" \\[.*", "")).toList());
                }
            }
        } catch (IOException | InterruptedException e) {
            return "? (" + e.getMessage() + ")";
        }
        return "?";
    }

    // ---------------------------------------------------------------- item 1: client commands take no inbound session

    @Test
    void aStrangerCannotInjectBytesIntoATunnelledStream() throws Exception {
        keygen("server", "client", "mallory");
        ServerSocket sink = target(false, new AtomicInteger()); // never answers: the listener sends nothing on the stream's channel
        PlanetaryProcess listener = listen("--allow", "client.pub", "--allow-tunnel", target(sink));
        int udp = PlanetaryProcess.freeUdpPort();
        PlanetaryProcess tunnel = tunnel(address(listener), "client", target(sink), "--bind", "127.0.0.1:" + udp);
        InetSocketAddress local = local(tunnel);
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
            listener.out.await(l -> l.contains("\"event\":\"stream.open\""), 30, "the stream open at the listener");

            // Mallory knows the tunnel's public key and UDP port (both public) and speaks the tunnel protocol to it.
            Endpoint mallory = attacker(priv("mallory"));
            CompletableFuture<PeerSession> f = mallory.connect(pub("client"), new InetSocketAddress("127.0.0.1", udp));
            PeerSession session = null;
            try {
                session = f.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException refused) {
                // the safe outcome
            }
            if (session != null) {
                PeerSession ms = session;
                Seqex sx = new Seqex(ms::send, TunnelWire.config(), Seqex.systemClock());
                closeables.add(sx);
                sx.startServiceThread();
                for (int i = 0; i < 5; i++) sx.channel(1).sendAsync(("INJECTED " + i + "\n").getBytes(StandardCharsets.UTF_8), true);
            }
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            assertThrows(SocketTimeoutException.class, in::read, "no byte may reach the tunnelled stream from another session");
            assertTrue(session == null, "the tunnel accepted an inbound session from a stranger");
        }
    }

    // ---------------------------------------------------------------- items 2 and 3: default deny, allow-lists, fingerprints

    @Test
    void listenRefusesEveryKeyItWasNotToldToAccept() throws Exception {
        keygen("server", "client", "mallory");
        PlanetaryProcess bare = PlanetaryProcess.run(dir, 60, "listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state");
        assertEquals(2, bare.exitCode(), bare.dump());
        assertTrue(bare.err.text().contains("listen accepts no peer by default"), bare.dump());
        PlanetaryProcess bareEcho = PlanetaryProcess.run(dir, 60, "listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state", "--echo");
        assertEquals(2, bareEcho.exitCode(), bareEcho.dump());
        assertTrue(bareEcho.err.text().contains("for an echo demo: --allow client.pub"), bareEcho.dump());
        PlanetaryProcess openTunnel = PlanetaryProcess.run(dir, 60, "listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state",
                "--allow-tunnel", "127.0.0.1:9");
        assertEquals(2, openTunnel.exitCode(), openTunnel.dump());
        assertTrue(openTunnel.err.text().contains("--allow-tunnel needs an allow-list"), openTunnel.dump());
        PlanetaryProcess anyTunnel = PlanetaryProcess.run(dir, 60, "listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state",
                "--allow-any", "--allow-tunnel", "127.0.0.1:9");
        assertEquals(2, anyTunnel.exitCode(), anyTunnel.dump());

        // Allowed by fingerprint: the client's tunnel works, mallory's is refused, and the refusal names mallory's fingerprint.
        String clientFp = PlanetaryProcess.run(dir, 60, "pubkey", "--fingerprint", "client.pub").out.text().strip();
        String malloryFp = PlanetaryProcess.run(dir, 60, "pubkey", "--fingerprint", "mallory.key").out.text().strip();
        assertTrue(clientFp.matches("SHA256:[A-Za-z0-9+/]{43}"), clientFp);
        ServerSocket echo = target(true, new AtomicInteger());
        PlanetaryProcess listener = listen("--allow", clientFp, "--allow-tunnel", target(echo));
        PlanetaryProcess good = tunnel(address(listener), "client", target(echo));
        InetSocketAddress local = local(good);
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            assertEquals("through", roundTrip(s, "through"));
        }
        PlanetaryProcess bad = tunnel(address(listener), "mallory", target(echo), "--timeout", "3s");
        assertTrue(bad.process.waitFor(60, TimeUnit.SECONDS), bad.dump());
        assertEquals(1, bad.exitCode(), bad.dump());
        assertTrue(bad.events("tunnel").isEmpty(), bad.dump());
        String refused = listener.out.await(l -> l.contains("\"event\":\"refused\""), 30, "the refused event");
        assertEquals(malloryFp, field(refused, "fingerprint"), refused);
        assertEquals("not in the allow-list", field(refused, "reason"), refused);

        // An authorized_keys-style file: comments, blank lines, a key with a comment after it.
        Files.writeString(dir.resolve("allowed"), "# the ops team\n\n" + pub("client").toHex() + " alice@laptop\n# " + pub("mallory").toHex() + " (revoked)\n");
        PlanetaryProcess echoListener = listen("--echo", "--allow-file", "allowed");
        PlanetaryProcess ok = PlanetaryProcess.run(dir, 60, "ping", address(echoListener), "--key", "client.key", "--peer", "server.pub", "--count", "1", "--no-state");
        assertEquals(0, ok.exitCode(), ok.dump());
        PlanetaryProcess no = PlanetaryProcess.run(dir, 60, "ping", address(echoListener), "--key", "mallory.key", "--peer", "server.pub", "--count", "1",
                "--no-state");
        assertEquals(1, no.exitCode(), no.dump());
        assertTrue(no.err.text().contains("rejected the session"), no.dump());
    }

    @Test
    void keygenAndPubkeyPrintTheSameFingerprint() throws Exception {
        PlanetaryProcess k = PlanetaryProcess.run(dir, 60, "keygen", "alice");
        assertEquals(0, k.exitCode(), k.dump());
        String fp = PlanetaryProcess.run(dir, 60, "pubkey", "--fingerprint", "alice.pub").out.text().strip();
        assertTrue(k.err.text().contains("fingerprint " + fp), k.dump());
        PlanetaryProcess p = PlanetaryProcess.run(dir, 60, "pubkey", "alice.key");
        assertEquals(pub("alice").toHex(), p.out.text().strip(), "stdout stays the public line alone");
        assertTrue(p.err.text().contains("fingerprint " + fp), p.dump());
    }

    // ---------------------------------------------------------------- item 4: channel and stream floods

    @Test
    void channelAndStreamFloodsStayBounded() throws Exception {
        keygen("server", "client", "flooder");
        AtomicInteger connections = new AtomicInteger();
        ServerSocket echo = target(true, connections);
        PlanetaryProcess listener = listen("--allow", "client.pub", "flooder.pub", "--allow-tunnel", target(echo));
        String[] addr = address(listener).split(":");
        InetSocketAddress listenerAddress = new InetSocketAddress(addr[0], Integer.parseInt(addr[1]));
        long fdsBefore = openFiles(listener);

        Endpoint flooder = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(priv("flooder")).mtu(Endpoint.MAX_MTU).build();
        closeables.add(flooder);
        PeerSession ms = flooder.connect(pub("server"), listenerAddress).get(30, TimeUnit.SECONDS);

        // 1. Data on every channel nobody opened: 256 channels x 40 out-of-order 16 KB packets = 160 MiB the listener must not keep.
        byte[] packet = new byte[16_000];
        packet[0] = 0x12; // SEQEX version 1, PAYLOAD_SEQCST (docs/seqex.md, wire format)
        for (int ch = 1; ch <= TunnelLimits.MAX_STREAMS; ch++) {
            int isn = ch * 0x9E3779B9; // every channel's agreed initial sequence number (initial sequence 0)
            for (int d = 1; d <= 40; d++) {
                ByteBuffer.wrap(packet, 2, 6).putShort((short) ch).putInt(isn + d);
                ms.send(packet);
                if (d % 8 == 0) LockSupport.parkNanos(2_000_000);
            }
        }

        // 2. OPEN on every channel: the listener connects at most --max-streams of them (default 32).
        Seqex sx = new Seqex(ms::send, TunnelWire.config(), Seqex.systemClock());
        closeables.add(sx);
        sx.startServiceThread();
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try {
                byte[] p;
                while ((p = ms.receive()) != null) sx.receive(p);
            } catch (InterruptedException ignored) {
                // done
            }
        });
        closeables.add(pump::interrupt);
        for (int ch = 1; ch <= TunnelLimits.MAX_STREAMS; ch++) {
            answers.add(sx.channel(0).requestAsync(TunnelWire.open(ch, ch, target(echo)), true));
        }
        int ok = 0;
        int refusedStreams = 0;
        for (CompletableFuture<byte[]> a : answers) {
            byte[] r = a.get(60, TimeUnit.SECONDS);
            if (r.length > 0 && r[0] == TunnelWire.OK) ok++;
            else refusedStreams++;
        }
        assertEquals(TunnelLimits.DEFAULT_STREAMS, ok, "streams per session are limited to --max-streams");
        assertEquals(TunnelLimits.MAX_STREAMS - TunnelLimits.DEFAULT_STREAMS, refusedStreams);
        Thread.sleep(1000);
        assertTrue(connections.get() <= TunnelLimits.DEFAULT_STREAMS, "TCP connections to the target: " + connections.get());
        long fds = openFiles(listener);
        assertTrue(fds - fdsBefore <= TunnelLimits.DEFAULT_STREAMS + 8, "file descriptors grew from " + fdsBefore + " to " + fds);

        System.out.println("channel/stream flood: " + ok + " streams opened, " + refusedStreams + " refused, " + connections.get()
                + " target connections, listener fds " + fdsBefore + " -> " + fds + ", heap: " + heap(listener));
        // The listener (96 MiB heap) is alive and serves a legitimate tunnel.
        assertTrue(listener.isAlive(), listener.dump());
        PlanetaryProcess good = tunnel(address(listener), "client", target(echo));
        InetSocketAddress local = local(good);
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            assertEquals("still serving", roundTrip(s, "still serving"));
        }
        assertFalse(listener.err.text().contains("OutOfMemoryError"), listener.dump());
        assertFalse(listener.out.text().contains("OutOfMemoryError"), listener.dump());
    }

    @Test
    void sessionsPerListenerAreLimited() throws Exception {
        keygen("server", "a", "b", "c");
        PlanetaryProcess listener = listen("--echo", "--allow-any", "--max-sessions", "2");
        for (String k : List.of("a", "b")) {
            PlanetaryProcess p = PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", k + ".key", "--peer", "server.pub", "--count", "1", "--no-state");
            assertEquals(0, p.exitCode(), p.dump());
        }
        PlanetaryProcess third = PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", "c.key", "--peer", "server.pub", "--count", "1", "--no-state");
        assertEquals(1, third.exitCode(), third.dump());
        String refused = listener.out.await(l -> l.contains("\"event\":\"refused\""), 30, "the refused event");
        assertTrue(field(refused, "reason").contains("--max-sessions 2"), refused);
        // A peer that has a session may replace it: a's second session fits.
        PlanetaryProcess again = PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", "a.key", "--peer", "server.pub", "--count", "1", "--no-state");
        assertEquals(0, again.exitCode(), again.dump());
    }

    @Test
    void idleSessionsAreClosedAndFreeTheirPlace() throws Exception {
        keygen("server", "a", "b");
        PlanetaryProcess listener = listen("--echo", "--allow-any", "--max-sessions", "1", "--idle-timeout", "2s");
        PlanetaryProcess first = PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", "a.key", "--peer", "server.pub", "--count", "1", "--no-state");
        assertEquals(0, first.exitCode(), first.dump());
        String idle = listener.out.await(l -> l.contains("\"event\":\"idle\""), 20, "the idle event");
        assertEquals(pub("a").toHex(), field(idle, "peer"), idle);
        PlanetaryProcess second = PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", "b.key", "--peer", "server.pub", "--count", "1", "--no-state");
        assertEquals(0, second.exitCode(), "a's idle session no longer holds the only place\n" + second.dump());
    }

    @Test
    void anIdleStreamIsResetByTheListener() throws Exception {
        keygen("server", "client");
        ServerSocket echo = target(true, new AtomicInteger());
        PlanetaryProcess listener = listen("--allow", "client.pub", "--allow-tunnel", target(echo), "--stream-idle-timeout", "2s");
        PlanetaryProcess t = tunnel(address(listener), "client", target(echo));
        InetSocketAddress local = local(t);
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            assertEquals("busy", roundTrip(s, "busy"));
            s.setSoTimeout(20_000);
            int r;
            try {
                r = s.getInputStream().read();
            } catch (java.net.SocketException reset) {
                r = -1;
            }
            assertEquals(-1, r, "the idle stream ends");
        }
        String closed = listener.out.await(l -> l.contains("\"event\":\"stream.closed\""), 20, "the listener's stream.closed event");
        assertTrue(field(closed, "reset").contains("--stream-idle-timeout"), closed);
        // The session itself goes on: a new stream works.
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            assertEquals("again", roundTrip(s, "again"));
        }
    }

    // ---------------------------------------------------------------- item 6: Hello flood against default settings

    @Test
    void aLegitimatePingSucceedsUnderAHelloFloodWithDefaultSettings() throws Exception {
        keygen("server", "client");
        PlanetaryProcess listener = listen("--echo", "--allow", "client.pub");
        String[] addr = address(listener).split(":");
        InetSocketAddress target = new InetSocketAddress(addr[0], Integer.parseInt(addr[1]));
        List<byte[]> hellos = hellos(pub("server"), 200);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sent = new AtomicInteger();
        closeables.add(() -> stop.set(true));
        Thread flood = Thread.ofPlatform().daemon().start(() -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                ch.connect(target);
                long start = System.nanoTime();
                for (int i = 0; !stop.get() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(90); i++) {
                    while (i >= (System.nanoTime() - start) / 1e9 * 1000) LockSupport.parkNanos(200_000); // 1,000 Hellos/s from one address
                    ch.write(ByteBuffer.wrap(hellos.get(i % hellos.size())));
                    sent.incrementAndGet();
                }
            } catch (IOException ignored) {
                // the listener went away
            }
        });
        closeables.add(() -> flood.join(5000));
        listener.out.await(l -> l.contains("\"event\":\"autoChallenge\"") && l.contains("\"active\":true"), 30, "auto-challenge turning on by default");
        PlanetaryProcess ping = PlanetaryProcess.run(dir, 90, "ping", address(listener), "--key", "client.key", "--peer", "server.pub", "--count", "3",
                "--no-state", "--json");
        stop.set(true);
        assertEquals(0, ping.exitCode(), ping.dump() + "\nflood: " + sent.get() + " Hellos\n" + listener.dump());
        assertTrue(sent.get() > 1000, "the flood ran: " + sent.get());
    }

    /** {@code n} real single-datagram Hellos to {@code responder}, made once (the attacker replays them). */
    private static List<byte[]> hellos(StaticPublicKey responder, int n) throws Exception {
        List<byte[]> out = new CopyOnWriteArrayList<>();
        Remote capture = new Remote() {
            @Override
            public void send(byte[] datagram, int off, int len) {
                byte[] b = new byte[len];
                System.arraycopy(datagram, off, b, 0, len);
                out.add(b);
            }

            @Override
            public int mtu() {
                return Endpoint.MAX_MTU;
            }
        };
        try (Context<String> ctx = new Context<>(StaticKeyPair.generate(), new Application.WithoutRatchetStorage<String>() {
            @Override
            public long time() {
                return System.nanoTime() / 1_000_000;
            }

            @Override
            public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
                return AcceptDecision.reject(true);
            }
        })) {
            while (out.size() < n) ctx.open(responder, "victim", new byte[0], capture);
        }
        return out;
    }

    @Test
    void aTunnelWhoseListenerIsGoneFailsLoudly() throws Exception {
        keygen("server", "client");
        ServerSocket echo = target(true, new AtomicInteger());
        PlanetaryProcess listener = listen("--allow", "client.pub", "--allow-tunnel", target(echo));
        PlanetaryProcess t = tunnel(address(listener), "client", target(echo), "--keepalive", "500ms", "--reconnect-attempts", "1", "--timeout", "1s");
        listener.kill();
        assertTrue(t.process.waitFor(60, TimeUnit.SECONDS), "the tunnel exits once the listener is gone\n" + t.dump());
        t.out.join();
        t.err.join();
        assertEquals(1, t.exitCode(), t.dump());
        assertFalse(t.events("tunnel.lost").isEmpty(), t.dump());
        assertTrue(t.err.text().contains("lost") && t.err.text().contains("1 reconnect attempts failed"), t.dump());
    }

    // ---------------------------------------------------------------- item 9: loopback by default

    @Test
    void tunnelLocalPortBindsLoopbackOnly() throws Exception {
        keygen("server", "client");
        ServerSocket echo = target(true, new AtomicInteger());
        PlanetaryProcess listener = listen("--allow", "client.pub", "--allow-tunnel", target(echo));
        PlanetaryProcess t = tunnel(address(listener), "client", target(echo), "--local", ":0");
        InetSocketAddress local = local(t);
        assertTrue(local.getAddress().isLoopbackAddress(), "tunnel --local :PORT bound " + local);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), local.getPort())) {
            assertEquals("lo", roundTrip(s, "lo"));
        }
    }

    // ---------------------------------------------------------------- item 15: a second client with the same key

    @Test
    void aHealthCheckWithTheTunnelsKeyDoesNotSilentlyBreakTheTunnel() throws Exception {
        keygen("server", "client");
        ServerSocket echo = target(true, new AtomicInteger());
        PlanetaryProcess listener = listen("--allow", "client.pub", "--allow-tunnel", target(echo));
        PlanetaryProcess t = tunnel(address(listener), "client", target(echo), "--keepalive", "2s"); // lost after 6 s, not 15
        InetSocketAddress local = local(t);
        Socket open = new Socket(local.getAddress(), local.getPort());
        closeables.add(open);
        assertEquals("before", roundTrip(open, "before"));

        // A health check with the same key: its session replaces the tunnel's at the listener.
        PlanetaryProcess.run(dir, 60, "ping", address(listener), "--key", "client.key", "--peer", "server.pub", "--count", "1", "--no-state",
                "--probe-timeout", "1s");
        String warning = listener.out.await(l -> l.contains("\"event\":\"warning\"") && l.contains("open stream"), 30, "the listener's warning");
        assertTrue(warning.contains("closed with 1 open stream"), warning);
        t.out.await(l -> l.contains("\"event\":\"tunnel.lost\""), 40, "the tunnel noticing the lost session");
        t.out.await(l -> l.contains("\"event\":\"tunnel.reconnected\""), 40, "the tunnel reconnecting");
        try (Socket s = new Socket(local.getAddress(), local.getPort())) {
            assertEquals("after", roundTrip(s, "after"));
        }
        assertTrue(t.isAlive(), t.dump());
        assertNotNull(t.events("tunnel.lost").get(0));
    }
}

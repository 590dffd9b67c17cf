package dev.planetary.tunnel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointListener;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tunnel in one JVM over two real endpoints on loopback UDP (the CLI processes are tested in
 * TunnelIT): back-pressure from a stalled reader, protocol details, target matching.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TunnelTest {
    private Endpoint serverEp;
    private Endpoint clientEp;
    private TunnelClient client;
    private ServerSocket target;
    private final Map<PeerSession, TunnelServer> servers = new ConcurrentHashMap<>();
    private final RecordingEvents log = new RecordingEvents();

    @BeforeEach
    void setUp() throws Exception {
        target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        TunnelEvents out = log;
        List<TunnelTarget> allowed = List.of(new TunnelTarget("127.0.0.1:" + target.getLocalPort(), (InetSocketAddress) target.getLocalSocketAddress()));
        serverEp = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).receiveQueueCapacity(0)
                .listener(new EndpointListener() {
                    @Override
                    public void onSession(PeerSession s) {
                        servers.put(s, new TunnelServer(s, allowed, out, 5_000));
                    }

                    @Override
                    public void onData(PeerSession s, byte[] payload) {
                        TunnelServer t = servers.get(s);
                        if (t != null) t.receive(payload);
                    }
                }).build();
        AtomicReference<TunnelClient> ref = new AtomicReference<>();
        clientEp = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).receiveQueueCapacity(0)
                .listener(new EndpointListener() {
                    @Override
                    public void onData(PeerSession s, byte[] payload) {
                        TunnelClient c = ref.get();
                        if (c != null) c.receive(s, payload);
                    }
                }).build();
        PeerSession session = clientEp.connect(serverEp.publicKey(), serverEp.localAddress()).get(20, TimeUnit.SECONDS);
        ServerSocket local = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        client = new TunnelClient(session, local, "127.0.0.1:" + target.getLocalPort(), 4, out);
        ref.set(client);
        client.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (client != null) client.close();
        for (TunnelServer s : servers.values()) s.close();
        if (clientEp != null) clientEp.close();
        if (serverEp != null) serverEp.close();
        if (target != null) target.close();
    }

    private Socket connectLocal() throws IOException {
        // the client's local ServerSocket: find it through a fresh connection to its port
        return new Socket(java.net.InetAddress.getLoopbackAddress(), clientPort());
    }

    private int clientPort() {
        return localPortOf(client);
    }

    private static int localPortOf(TunnelClient c) {
        try {
            var f = TunnelClient.class.getDeclaredField("local");
            f.setAccessible(true);
            return ((ServerSocket) f.get(c)).getLocalPort();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    /**
     * A target that stops reading: the source's writes must stall once the SEQEX windows and the
     * socket buffers are full (nothing grows without bound), a second stream must keep working
     * meanwhile, and everything must arrive intact once the target reads again.
     */
    @Test
    void slowReaderStallsTheSenderWithBoundedBuffering() throws Exception {
        long total = 256L << 20; // far more than any buffer in the path
        long bound = 48L << 20;  // socket buffers (a few MiB each) + SEQEX windows (~1 MiB send, ~3 MiB receive)
        AtomicReference<Socket> slowSide = new AtomicReference<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                Socket s = target.accept();
                s.setReceiveBufferSize(64 << 10);
                slowSide.set(s);
                Socket echo = target.accept(); // the second stream: an echo
                try (echo) {
                    echo.getInputStream().transferTo(echo.getOutputStream());
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        Socket source = connectLocal();
        source.setSendBufferSize(64 << 10);
        AtomicLong written = new AtomicLong();
        byte[] block = new byte[64 << 10];
        new Random(7).nextBytes(block);
        Thread writer = Thread.ofVirtual().start(() -> {
            try (OutputStream o = source.getOutputStream()) {
                for (long n = 0; n < total; n += block.length) {
                    o.write(block);
                    written.addAndGet(block.length);
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        await(() -> slowSide.get() != null, "the target to accept");
        // Wait (bounded) until the writer has stalled: no progress over 20 consecutive samples.
        long last = -1;
        int still = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (still < 20 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long w = written.get();
            assertTrue(w <= bound, "the source wrote " + w + " bytes to a target that reads nothing: buffering is unbounded");
            still = w == last ? still + 1 : 0;
            last = w;
        }
        assertTrue(still >= 20, "the writer never stalled; wrote " + written.get());
        assertTrue(written.get() < total);

        // Other streams are unaffected by the stalled one.
        try (Socket other = connectLocal()) {
            other.getOutputStream().write("still alive".getBytes(StandardCharsets.UTF_8));
            other.shutdownOutput();
            assertArrayEquals("still alive".getBytes(StandardCharsets.UTF_8), other.getInputStream().readAllBytes());
        }

        // Resume reading: every byte arrives, in order.
        long read = 0;
        try (Socket s = slowSide.get(); InputStream in = s.getInputStream()) {
            byte[] buf = new byte[block.length];
            int off = 0;
            int n;
            while (read < total && (n = in.read(buf, off, buf.length - off)) > 0) {
                off += n;
                read += n;
                if (off == buf.length) {
                    assertArrayEquals(block, buf, "data at offset " + (read - buf.length));
                    off = 0;
                }
            }
        }
        writer.join(30_000);
        source.close();
        acceptor.join(5_000);
        assertEquals(total, read);
    }

    /**
     * Short streams, twice as many at once as the client has channels (half of them wait for a free
     * one): the OPEN goes out from the accepting thread or, without a free channel, from a waiting
     * one; the answer starts the stream on the receive thread and another thread reports it. Every
     * stream carries its bytes, each tunnel-side {@code stream.open} comes before its
     * {@code stream.closed}, and every channel returns.
     */
    @Test
    void shortStreamsBeyondTheChannelPoolOpenReportAndReturnTheirChannels() throws Exception {
        int streams = 8; // the client has 4 channels
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < streams; i++) {
                    Socket s = target.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
                            s.shutdownOutput();
                            s.getInputStream().transferTo(OutputStream.nullOutputStream()); // until the client's end
                        } catch (IOException ignored) {
                            // test over
                        }
                    });
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        Socket[] clients = new Socket[streams];
        for (int i = 0; i < streams; i++) clients[i] = connectLocal(); // all at once: 4 wait for a channel
        for (Socket c : clients) {
            try (c) {
                c.setSoTimeout(30_000);
                c.shutdownOutput();
                assertEquals("hello\n", new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        acceptor.join(30_000);
        await(() -> client.activeStreams() == 0, "every channel back in the pool");
        await(() -> log.toString().lines().filter(l -> l.startsWith("stream.closed ") && !l.contains("peer=")).count() == streams,
                "the tunnel's stream.closed events");
        List<String> tunnelSide = log.toString().lines().filter(l -> !l.contains("peer=")).toList();
        for (int id = 1; id <= streams; id++) {
            String key = " stream=" + id + " ";
            int opened = -1;
            int closed = -1;
            for (int i = 0; i < tunnelSide.size(); i++) {
                if (tunnelSide.get(i).startsWith("stream.open ") && tunnelSide.get(i).contains(key)) opened = i;
                if (tunnelSide.get(i).startsWith("stream.closed ") && tunnelSide.get(i).contains(key)) closed = i;
            }
            assertTrue(opened >= 0 && opened < closed, "stream " + id + ": open at line " + opened + ", closed at " + closed + "\n" + log);
        }
        try (Socket again = connectLocal()) { // the pool still serves
            again.setSoTimeout(30_000);
            Thread.ofVirtual().start(() -> {
                try (Socket s = target.accept()) {
                    s.getOutputStream().write('x');
                } catch (IOException ignored) {
                    // test over
                }
            });
            assertEquals('x', again.getInputStream().read());
        }
    }

    /** A stream to a target that is gone fails with a clear answer; the channel is not leaked. */
    @Test
    void connectFailureIsReportedAndTheChannelReturns() throws Exception {
        int port = target.getLocalPort();
        target.close(); // nothing listens there now
        for (int i = 0; i < 6; i++) { // more than the 4 channels of this client
            try (Socket s = connectLocal()) {
                s.setSoTimeout(30_000);
                assertEquals(-1, s.getInputStream().read(), "the tunnel closes a connection it cannot carry");
            }
        }
        await(() -> log.count("stream.refused") >= 6, "6 refusals");
        String text = log.toString();
        assertTrue(text.contains("status=failed"), text);
        assertTrue(text.contains("cannot connect to 127.0.0.1:" + port), text);
        target = null;
    }

    /**
     * The tunnel pings the listener as soon as its link starts, before any connection: the first
     * OPEN then finds both sides' control path run once (BENCHMARKS.md, issue 19, stream open).
     */
    @Test
    void theLinkIsExercisedBeforeTheFirstConnection() throws Exception {
        await(() -> servers.size() == 1, "the listener's session");
        TunnelServer server = servers.values().iterator().next();
        await(() -> server.link().seqex.stats().delivered() >= 1, "the first PING at the listener");
        await(() -> client.link().seqex.stats().delivered() >= 1, "its answer at the tunnel");
        assertEquals(0, server.activeStreams());
    }

    @Test
    void targetMatchingNeverResolvesPeerSuppliedNames() {
        TunnelTarget t = new TunnelTarget("127.0.0.1:80", new InetSocketAddress("127.0.0.1", 80));
        assertTrue(t.matches("127.0.0.1:80"));
        assertTrue(t.matches(" 127.0.0.1:80 "));
        assertFalse(t.matches("127.0.0.1:81"));
        assertFalse(t.matches("localhost:80"), "a name the listener did not list is not resolved");
        TunnelTarget byName = new TunnelTarget(" LocalHost:80 ", new InetSocketAddress("localhost", 80));
        assertEquals("localhost:80", byName.text());
        assertTrue(byName.matches("LOCALHOST:80"));
        assertTrue(byName.matches("127.0.0.1:80") || byName.address().getAddress().isLoopbackAddress());
        TunnelTarget v6 = new TunnelTarget("[::1]:22", new InetSocketAddress("::1", 22));
        assertTrue(v6.matches("[0:0:0:0:0:0:0:1]:22"));
        assertNull(TunnelProtocol.literal("example.com:80"));
        assertNotNull(TunnelProtocol.literal("10.0.0.1:80"));
    }

    @Test
    void controlMessagesRoundTrip() {
        TunnelProtocol.Control c = new TunnelProtocol.Control(TunnelProtocol.OPEN, -5, 256, "h\u00e9st:80");
        assertEquals(c, TunnelProtocol.Control.decode(c.encode()));
        assertNull(TunnelProtocol.Control.decode(new byte[6]));
        assertEquals(16_384 - 12, TunnelProtocol.chunkSize(1432));
        assertEquals(TunnelProtocol.OK, TunnelProtocol.opened(7)[0]);
        assertEquals(7, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(7)));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(100_000)), "clamped to the window");
        assertEquals(1, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(0)));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.receiveCapacity(TunnelProtocol.reply(TunnelProtocol.OK, "")), "an older listener names none");
        assertEquals(Limits.maxPayload(128) - 12, TunnelProtocol.chunkSize(128));
        assertTrue(Duration.ofMillis(TunnelProtocol.config().minRtoMillis()).toMillis() >= 1);
    }
}

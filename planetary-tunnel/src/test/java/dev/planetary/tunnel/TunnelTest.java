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
        start(Limits.DEFAULT_MTU);
    }

    /** A listener and a tunnel with {@code mtu} on both endpoints, a target, and the tunnel's local socket. */
    private void start(int mtu) throws Exception {
        target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        TunnelEvents out = log;
        List<TunnelTarget> allowed = List.of(new TunnelTarget("127.0.0.1:" + target.getLocalPort(), (InetSocketAddress) target.getLocalSocketAddress()));
        serverEp = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).receiveQueueCapacity(0).mtu(mtu)
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
        clientEp = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).receiveQueueCapacity(0).mtu(mtu)
                .listener(new EndpointListener() {
                    @Override
                    public void onData(PeerSession s, byte[] payload) {
                        TunnelClient c = ref.get();
                        if (c != null) c.receive(s, payload);
                    }
                }).build();
        PeerSession session = clientEp.connect(serverEp.publicKey(), serverEp.localAddress()).get(20, TimeUnit.SECONDS);
        ServerSocket local = java.nio.channels.ServerSocketChannel.open().socket();
        local.bind(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 50);
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
    /** Waits (bounded) until {@code written} made no progress over 20 samples 0.1 s apart, never above {@code bound}. */
    private static void awaitStalled(AtomicLong written, long bound, String who) throws InterruptedException {
        long last = -1;
        int still = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (still < 20 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long w = written.get();
            assertTrue(w <= bound, who + " wrote " + w + " bytes towards a reader that takes nothing: buffering is unbounded");
            still = w > 0 && w == last ? still + 1 : 0;
            last = w;
        }
        assertTrue(still >= 20, who + " never stalled; wrote " + written.get());
    }

    /** A new stream through the tunnel (to the target's echo) carries a message there and back. */
    private void assertOtherStreamWorks() throws IOException {
        try (Socket other = connectLocal()) {
            other.setSoTimeout(30_000);
            other.getOutputStream().write("still alive".getBytes(StandardCharsets.UTF_8));
            other.shutdownOutput();
            assertArrayEquals("still alive".getBytes(StandardCharsets.UTF_8), other.getInputStream().readAllBytes());
        }
    }

    /** Reads {@code s} until {@code limit} bytes or its end, checking every whole block against {@code block}; the bytes read. */
    private static long readBlocks(Socket s, byte[] block, long limit) throws IOException {
        long read = 0;
        InputStream in = s.getInputStream();
        byte[] buf = new byte[block.length];
        int off = 0;
        int n;
        while (read < limit && (n = in.read(buf, off, buf.length - off)) > 0) {
            off += n;
            read += n;
            if (off == buf.length) {
                assertArrayEquals(block, buf, "data at offset " + (read - buf.length));
                off = 0;
            }
        }
        return read;
    }

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
        awaitStalled(written, bound, "the source");
        assertTrue(written.get() < total);
        assertOtherStreamWorks(); // other streams are unaffected by the stalled one
        long read;
        try (Socket s = slowSide.get()) { // resume reading: every byte arrives, in order
            read = readBlocks(s, block, total);
        }
        writer.join(30_000);
        source.close();
        acceptor.join(5_000);
        assertEquals(total, read);
    }

    /**
     * Issue 19, fifth round: the tunnel writes payloads to its local socket without blocking, from the
     * receive thread. A local client that stops reading fills its socket: the writes come up short
     * (the rest parked in the batch's receive-buffer slots, finished by the selector), SEQEX's receive
     * buffer holds the listener back, and the target's writes stall with bounded buffering, while
     * another stream on the same tunnel still works; once the client reads again every byte arrives,
     * in order.
     */
    @Test
    void aLocalClientThatStopsReadingParksWritesAndHoldsTheTargetBack() throws Exception {
        long total = 64L << 20;
        long bound = 32L << 20; // socket buffers (a few MiB each) + the tunnel's 1 MiB receive buffer + the listener's window
        byte[] block = new byte[64 << 10];
        new Random(11).nextBytes(block);
        AtomicLong written = new AtomicLong();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                Socket s = target.accept(); // the download: the target writes, the client does not read
                s.setSendBufferSize(64 << 10);
                Thread.ofVirtual().start(() -> {
                    try (s; OutputStream o = s.getOutputStream()) {
                        for (long n = 0; n < total; n += block.length) {
                            o.write(block);
                            written.addAndGet(block.length);
                        }
                    } catch (IOException ignored) {
                        // test over
                    }
                });
                Socket echo = target.accept();
                try (echo) {
                    echo.getInputStream().transferTo(echo.getOutputStream());
                }
            } catch (IOException ignored) {
                // test over
            }
        });
        Socket slow = new Socket();
        slow.setReceiveBufferSize(64 << 10);
        slow.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), clientPort()));
        awaitStalled(written, bound, "the target");
        TunnelStream stalled = client.streams().get(0);
        assertTrue(stalled.socketFull.get() > 0, "the full socket took part of a batch and the rest waited");
        assertOtherStreamWorks(); // one stalled stream holds up no other
        long read;
        try (slow) {
            slow.setSoTimeout(60_000);
            read = readBlocks(slow, block, Long.MAX_VALUE); // to the end: the target's FIN arrives too
        }
        assertEquals(total, read, "every byte, once, and the stream ended (the target's FIN)");
        acceptor.join(5_000);
        await(() -> client.activeStreams() == 0, "the channels back in the pool");
    }

    /**
     * Issue 19 end to end: at the loopback MTU both sides announce one-datagram packets, an echo
     * stream carries 8 MiB each way intact, and the packets are that large: downloads in 64 KiB
     * packets, uploads in base packets (the listener's default per-stream share holds 7).
     */
    @Test
    void onePacketPerDatagramOnLoopbackCarriesAStreamIntact() throws Exception {
        tearDown();
        servers.clear();
        start(Endpoint.MAX_MTU);
        Thread echo = Thread.ofVirtual().start(() -> {
            try (Socket s = target.accept()) {
                byte[] buf = new byte[256 << 10]; // large writes: the listener's reads fill whole 64 KiB chunks
                int n;
                while ((n = s.getInputStream().readNBytes(buf, 0, buf.length)) > 0) s.getOutputStream().write(buf, 0, n);
            } catch (IOException ignored) {
                // test over
            }
        });
        int total = 8 << 20;
        byte[] data = new byte[total];
        new Random(19).nextBytes(data);
        try (Socket s = connectLocal()) {
            Thread w = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read below fails
                }
            });
            s.setSoTimeout(60_000);
            assertArrayEquals(data, s.getInputStream().readAllBytes(), "the echo came back intact");
            w.join(10_000);
        }
        echo.join(10_000);
        TunnelServer server = servers.values().iterator().next();
        var down = client.link().seqex.stats(); // the tunnel received the echo: the listener's packets
        var up = server.link().seqex.stats();
        assertEquals(0, down.malformed() + up.malformed(), "nobody sent a packet larger than the other announced");
        int downChunk = TunnelProtocol.MAX_PACKET - 12;
        int upChunk = (int) Math.min(TunnelProtocol.MAX_PACKET - 12, Math.max(TunnelProtocol.BASE_PACKET - 12, TunnelLimits.DEFAULT.receiveBytes() / TunnelProtocol.MIN_PACKETS_IN_BUFFER));
        // delivered payloads per direction: full chunks, some short ones where a socket read returned less, and control
        assertTrue(down.delivered() < 5L * total / 4 / downChunk + 32, "download packets: " + down);
        assertTrue(up.delivered() < 5L * total / 4 / upChunk + 32, "upload packets: " + up);
        assertTrue(down.delivered() < total / (TunnelProtocol.BASE_PACKET - 12), "fewer packets than base packets would take: " + down);
        // the echo came back intact although both sides decrypt into reused arrays (issue 19, seventh round)
        assertTrue(client.link().receiveArrays.reused() > 0 && server.link().receiveArrays.reused() > 0,
                "payloads decrypted into reused arrays: " + client.link().receiveArrays.reused() + " / " + server.link().receiveArrays.reused());
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

    /**
     * Streams one after another reuse the channel the last one freed (issue 19, seventh round: a
     * channel's first use runs code the JIT had not seen, just as the next stream opens), and the
     * listener's CLOSE that frees it arrives without the events' thread: every stream here is on channel 1.
     */
    @Test
    void sequentialStreamsReuseTheChannelFreedLast() throws Exception {
        List<Integer> channels = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) { // more than the client's 4 channels: a first-in-first-out pool would take 1, 2, 3, 4, 1
            Thread.ofVirtual().start(() -> {
                try (Socket t = target.accept()) {
                    t.getOutputStream().write('x');
                } catch (IOException ignored) {
                    // test over
                }
            });
            try (Socket s = connectLocal()) {
                s.setSoTimeout(30_000);
                assertEquals('x', s.getInputStream().read());
                channels.add(client.streams().getFirst().channelId);
            }
            await(() -> client.activeStreams() == 0, "the channel back in the pool");
        }
        assertEquals(List.of(1, 1, 1, 1, 1), channels);
        TunnelServer server = servers.values().iterator().next();
        await(() -> server.activeStreams() == 0, "the listener's streams ended");
    }

    /**
     * With events that show nothing ({@link TunnelEvents#silent()}) neither side starts a thread to report
     * a stream's open or close: streams, some waiting for a channel, still carry their bytes, are
     * counted, return their channels, and no stream event is emitted.
     */
    @Test
    void silentEventsCarryAndCountStreamsWithoutReportingThem() throws Exception {
        log.silent = true;
        int streams = 6; // the client has 4 channels
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < streams; i++) {
                    Socket t = target.accept();
                    Thread.ofVirtual().start(() -> {
                        try (t) {
                            t.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
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
        for (int i = 0; i < streams; i++) clients[i] = connectLocal();
        for (Socket c : clients) {
            try (c) {
                c.setSoTimeout(30_000);
                assertEquals("hi", new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        await(() -> client.finished.get() == streams && client.activeStreams() == 0, "every stream finished and its channel back");
        TunnelServer server = servers.values().iterator().next();
        await(() -> server.activeStreams() == 0, "the listener's streams ended");
        assertEquals(streams, client.opened.get());
        assertEquals(streams, server.opened.get());
        assertEquals(2L * streams, client.bytesReceived.get());
        assertEquals(0, log.count("stream.open") + log.count("stream.closed"), log.toString());
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
        TunnelProtocol.Sizes base = TunnelProtocol.Sizes.BASE;
        assertEquals(16_384 - 12, base.chunkFor(TunnelProtocol.config(TunnelProtocol.packetSize(1432)), 1432));
        assertEquals(TunnelProtocol.OK, TunnelProtocol.opened(7, base)[0]);
        assertEquals(7, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(7, base)));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(100_000, base)), "clamped to the window");
        assertEquals(1, TunnelProtocol.receiveCapacity(TunnelProtocol.opened(0, base)));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.receiveCapacity(TunnelProtocol.reply(TunnelProtocol.OK, "")), "an older listener names none");
        assertEquals(Limits.maxPayload(128) - 12, base.chunkFor(TunnelProtocol.config(TunnelProtocol.packetSize(128)), 128), "one ZSSP payload at a tiny MTU");
        assertTrue(Duration.ofMillis(TunnelProtocol.config(TunnelProtocol.BASE_PACKET).minRtoMillis()).toMillis() >= 1);
    }

    /**
     * Issue 19: packet sizes follow the path (one datagram on loopback, base packets elsewhere), each
     * side announces what it accepts, and a side of either older version gets base packets; the
     * listener's memory bound for a session buffer is what it was with base packets.
     */
    @Test
    void packetSizesAreAnnouncedAndOlderPeersGetBasePackets() {
        int loop = Endpoint.MAX_MTU;
        assertEquals(TunnelProtocol.BASE_PACKET, TunnelProtocol.packetSize(Limits.DEFAULT_MTU), "12 fragments at 1432: unchanged");
        assertEquals(TunnelProtocol.MAX_PACKET, TunnelProtocol.packetSize(loop));
        assertEquals(65_507 - 32, TunnelProtocol.MAX_PACKET, "one ZSSP fragment of the largest datagram");
        var tunnel = TunnelProtocol.config(TunnelProtocol.packetSize(loop));
        var listener = TunnelLimits.DEFAULT.seqex(loop);
        var tunnelSizes = TunnelProtocol.Sizes.of(tunnel);
        var listenerSizes = TunnelProtocol.Sizes.of(listener);
        assertEquals(TunnelProtocol.RECEIVE_CAPACITY * 16_384L, tunnel.receiveBytes(), "the tunnel buffers 1 MiB per stream, as before");

        // new <-> new: downloads in one-datagram packets, as many in flight as the tunnel's 1 MiB buffer holds
        byte[] ping = TunnelProtocol.ping(tunnelSizes);
        assertEquals(tunnelSizes, TunnelProtocol.pingSizes(ping));
        int down = TunnelProtocol.pingSizes(ping).chunkFor(listener, loop);
        assertEquals(TunnelProtocol.MAX_PACKET - 12, down);
        assertEquals(16, TunnelProtocol.pingSizes(ping).sendLimit(down));
        // uploads: at most the listener's packet, small enough for 8 in what one stream may buffer (its
        // share and the session's pool since the fifth round: one-datagram packets again)
        byte[] answer = TunnelProtocol.opened(TunnelLimits.DEFAULT.receiveCapacity(), listenerSizes);
        assertEquals(listenerSizes, TunnelProtocol.sizes(answer));
        int up = TunnelProtocol.sizes(answer).chunkFor(tunnel, loop);
        assertEquals(TunnelProtocol.MAX_PACKET - 12, up, "8 fit the share plus the pool");
        assertEquals(TunnelLimits.DEFAULT.receiveBytes() / up, TunnelProtocol.sizes(answer).sendLimit(up),
                "as many in flight as the listener's share and pool hold (40; 16 before the sixth round's in-flight cap)");
        // both announce that they read receive windows in SEQEX ACKs; a fourth-round announcement (8 bytes) does not
        assertTrue(TunnelProtocol.pingSizes(ping).windowAcks());
        assertTrue(TunnelProtocol.sizes(answer).windowAcks());
        byte[] fourthPing = java.nio.ByteBuffer.allocate(15).put(new TunnelProtocol.Control(TunnelProtocol.PING, 0, 0, "").encode()).putInt(65_475).putInt(1 << 20).array();
        assertFalse(TunnelProtocol.pingSizes(fourthPing).windowAcks());
        assertEquals(new TunnelProtocol.Sizes(65_475, 1 << 20), TunnelProtocol.pingSizes(fourthPing));
        byte[] fourthAnswer = java.util.Arrays.copyOf(answer, 11);
        assertFalse(TunnelProtocol.sizes(fourthAnswer).windowAcks());
        assertEquals(listenerSizes.receiveBytes(), TunnelProtocol.sizes(fourthAnswer).receiveBytes());

        // new tunnel, older listener: an answer with the u16 buffer only, or with the status only
        byte[] oldAnswer = java.nio.ByteBuffer.allocate(3).put(TunnelProtocol.OK).putShort((short) 7).array();
        assertEquals(16_384 - 12, TunnelProtocol.sizes(oldAnswer).chunkFor(tunnel, loop));
        assertEquals(7, TunnelProtocol.sizes(oldAnswer).sendLimit(16_384 - 12), "the same limit as the second round's tunnel");
        byte[] oldest = TunnelProtocol.reply(TunnelProtocol.OK, "");
        assertEquals(16_384 - 12, TunnelProtocol.sizes(oldest).chunkFor(tunnel, loop));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.sizes(oldest).sendLimit(16_384 - 12));
        // the older listener still reads the new PING as a PING
        assertEquals(TunnelProtocol.PING, TunnelProtocol.Control.decode(ping).type());

        // older tunnel, new listener: its PING announces nothing -> base packets, no limit (as before)
        byte[] oldPing = new TunnelProtocol.Control(TunnelProtocol.PING, 0, 0, "").encode();
        assertEquals(TunnelProtocol.Sizes.BASE, TunnelProtocol.pingSizes(oldPing));
        assertEquals(16_384 - 12, TunnelProtocol.pingSizes(oldPing).chunkFor(listener, loop));
        assertEquals(TunnelProtocol.WINDOW, TunnelProtocol.pingSizes(oldPing).sendLimit(16_384 - 12));
        // and the older tunnel reads the new answer's status and u16 buffer as before
        assertEquals(TunnelProtocol.OK, answer[0]);
        assertEquals(7, TunnelProtocol.receiveCapacity(answer));

        // hostile announcements: a packet below the base is ignored, a huge buffer is clamped to MAX_SEND_BYTES
        byte[] tiny = TunnelProtocol.ping(new TunnelProtocol.Sizes(100, 1 << 20));
        assertEquals(TunnelProtocol.Sizes.BASE, TunnelProtocol.pingSizes(tiny));
        var huge = TunnelProtocol.pingSizes(TunnelProtocol.ping(new TunnelProtocol.Sizes(Integer.MAX_VALUE, 0xFFFF_FFFFL)));
        assertEquals(TunnelProtocol.MAX_PACKET - 12, huge.chunkFor(listener, loop), "never more than our own packet");
        assertEquals(TunnelProtocol.MAX_SEND_BYTES / (TunnelProtocol.MAX_PACKET - 12), huge.sendLimit(huge.chunkFor(listener, loop)), "4 MiB in flight at most");
        assertEquals(TunnelProtocol.WINDOW, huge.sendLimit(16_384 - 12));

        // the listener: buffer counted in bytes; every channel keeps its 7-packet share, one stream may
        // add the session's pool, and the bound is exactly --session-buffer
        TunnelLimits l = TunnelLimits.DEFAULT;
        assertEquals(7 * 16_384L, l.guaranteedBytes());
        assertEquals(l.guaranteedBytes() + l.sharedBytes(), listener.receiveBytes());
        assertTrue(l.sharedBytes() > 2L << 20, "one busy stream may buffer megabytes: " + l.sharedBytes());
        assertTrue(listener.maxPacketSize() <= l.guaranteedBytes());
        assertEquals(l.sessionBuffer(), l.bound());
        assertEquals((long) (l.maxStreams() + 1) * l.guaranteedBytes() + l.sharedBytes() + l.maxHeldBytes(), l.bound());
        assertEquals(l.maxHeld() * 16_384L, l.maxHeldBytes());
        // the smallest session buffer still takes packets larger than a base packet, within its share
        TunnelLimits small = new TunnelLimits(256, TunnelLimits.minSessionBuffer(256), 0);
        assertEquals(2 * 16_384, small.seqex(loop).maxPacketSize());
        assertEquals(2 * 16_384L, small.seqex(loop).receiveBytes());
    }
}

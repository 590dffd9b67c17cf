package dev.planetary.cli;

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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
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
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        target = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Output out = new Output(new PrintStream(log, true), new PrintStream(log, true), true, false, false);
        List<TunnelProtocol.Target> allowed = List.of(TunnelProtocol.Target.parse("127.0.0.1:" + target.getLocalPort()));
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
        await(() -> log.toString().split("\"event\":\"stream.refused\"", -1).length - 1 >= 6, "6 refusals");
        String text = log.toString();
        assertTrue(text.contains("\"status\":\"failed\""), text);
        assertTrue(text.contains("cannot connect to 127.0.0.1:" + port), text);
        target = null;
    }

    @Test
    void targetMatchingNeverResolvesPeerSuppliedNames() {
        TunnelProtocol.Target t = TunnelProtocol.Target.parse("127.0.0.1:80");
        assertTrue(t.matches("127.0.0.1:80"));
        assertTrue(t.matches(" 127.0.0.1:80 "));
        assertFalse(t.matches("127.0.0.1:81"));
        assertFalse(t.matches("localhost:80"), "a name the listener did not list is not resolved");
        TunnelProtocol.Target byName = TunnelProtocol.Target.parse("localhost:80");
        assertTrue(byName.matches("LOCALHOST:80"));
        assertTrue(byName.matches("127.0.0.1:80") || byName.address().getAddress().isLoopbackAddress());
        TunnelProtocol.Target v6 = TunnelProtocol.Target.parse("[::1]:22");
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
        assertEquals(Limits.maxPayload(128) - 12, TunnelProtocol.chunkSize(128));
        assertTrue(Duration.ofMillis(TunnelProtocol.config().minRtoMillis()).toMillis() >= 1);
    }
}

package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.vl2.PortForward;
import dev.planetary.vl2.Vl2Limits;
import dev.planetary.vl2.node.PortForwarding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's socket glue of port forwarding (VL.md §12.8) on a real driver loop and real
 * loopback sockets, the stream replaced by a fake: a slow local reader never makes the daemon hold
 * more than the session's receive capacity, a layer that delivers past it closes the stream
 * (reason 3) instead of buffering, and a full window stops reading the local socket until it
 * opens, with every byte passed on in order.
 */
class ForwardSocketTest {
    /** A stream end: a window of sends, and what the socket reported written. All on the loop thread. */
    static final class FakeLink implements ForwardSocket.Link {
        int window;
        int chunk = PortForwarding.SEND_CHUNK;
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int unwritten, written, closeReason = -1, largestSend;

        @Override
        public boolean canSend() {
            return window > 0;
        }

        @Override
        public int chunk() {
            return chunk;
        }

        @Override
        public boolean send(byte[] buf, int len) {
            if (window <= 0) return false;
            window--;
            largestSend = Math.max(largestSend, len);
            sent.write(buf, 0, len);
            return true;
        }

        @Override
        public void written() {
            unwritten--;
            written++;
        }

        @Override
        public void close(int reason) {
            if (closeReason < 0) closeReason = reason;
        }
    }

    private UdpDriver driver;
    private ServerSocketChannel server;

    @BeforeEach
    void start() throws IOException {
        driver = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        UdpDriverTest.EchoEngine engine = new UdpDriverTest.EchoEngine();
        engine.out = driver.transmitter((n, f) -> { });
        driver.start(engine);
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024); // small kernel buffers: the daemon's bound is what is tested
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void stop() throws IOException {
        driver.close();
        server.close();
    }

    /** A connected pair: the daemon's end wrapped in a {@link ForwardSocket} (on the loop thread), and the local application's end. */
    private record Pair(ForwardSocket daemonSide, SocketChannel app) {}

    private Pair pair() throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
        ch.connect(server.getLocalAddress());
        SocketChannel app = server.accept();
        app.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
        ForwardSocket s = driver.call(e -> {
            try {
                return new ForwardSocket(driver, ch, x -> { });
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
        return new Pair(s, app);
    }

    private <T> T onLoop(java.util.function.Supplier<T> f) {
        return driver.call(e -> f.get());
    }

    private void await(BooleanSupplier onLoopCondition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!onLoop(onLoopCondition::getAsBoolean)) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 20 s: " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void aSlowLocalReaderNeverMakesTheDaemonHoldMoreThanTheReceiveCapacity() throws Exception {
        Pair p = pair();
        FakeLink link = new FakeLink();
        int capacity = ForwardSocket.MAX_PENDING_BYTES / Vl2Limits.PORT_FORWARD_MAX_DATA; // SEQEX receiveCapacity (§6.5)
        byte[] data = new byte[4 << 20];
        new Random(12).nextBytes(data);
        int[] next = {0};
        // the peer as SEQEX lets it: a new chunk only while fewer than receiveCapacity are unwritten here
        Runnable peer = () -> {
            while (next[0] < data.length && link.unwritten < capacity && !p.daemonSide().isClosed()) {
                int n = Math.min(Vl2Limits.PORT_FORWARD_MAX_DATA, data.length - next[0]);
                link.unwritten++;
                p.daemonSide().deliver(Arrays.copyOfRange(data, next[0], next[0] + n));
                next[0] += n;
            }
        };
        onLoop(() -> {
            p.daemonSide().start(link);
            driver.afterEachRound(peer);
            peer.run();
            return null;
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = p.app().socket().getInputStream();
        byte[] buf = new byte[8 * 1024];
        while (got.size() < data.length) {
            int n = in.read(buf);
            if (n < 0) break;
            got.write(buf, 0, n);
            if (got.size() % (256 * 1024) < n) Thread.sleep(20); // a slow reader
        }
        assertArrayEquals(data, got.toByteArray(), "every byte, in order");
        long max = onLoop(() -> p.daemonSide().maxPendingBytes());
        assertTrue(max <= ForwardSocket.MAX_PENDING_BYTES, "held " + max + " bytes, bound " + ForwardSocket.MAX_PENDING_BYTES);
        assertTrue(max > 8L * Vl2Limits.PORT_FORWARD_MAX_DATA, "the reader was slow enough to fill the daemon's side (" + max + " bytes)");
        assertEquals(-1, (int) onLoop(() -> link.closeReason), "the stream stays open");
        p.app().close();
    }

    @Test
    void deliveriesPastTheBoundCloseTheStreamWithReason3InsteadOfBuffering() throws Exception {
        Pair p = pair(); // the application never reads
        FakeLink link = new FakeLink();
        byte[] chunk = new byte[Vl2Limits.PORT_FORWARD_MAX_DATA];
        int total = ForwardSocket.MAX_PENDING_BYTES / chunk.length + 256; // far past what kernel buffers and the bound hold
        onLoop(() -> {
            p.daemonSide().start(link);
            for (int i = 0; i < total && !p.daemonSide().isClosed(); i++) {
                link.unwritten++;
                p.daemonSide().deliver(chunk);
            }
            return null;
        });
        assertEquals(PortForward.REASON_ERROR, (int) onLoop(() -> link.closeReason));
        assertTrue(onLoop(() -> p.daemonSide().isClosed()));
        assertTrue(onLoop(() -> p.daemonSide().maxPendingBytes()) <= ForwardSocket.MAX_PENDING_BYTES);
        assertEquals(0, (int) onLoop(() -> link.unwritten), "every delivered chunk's slot is freed");
        p.app().close();
    }

    @Test
    void aFullWindowStopsReadingTheLocalSocketUntilItOpens() throws Exception {
        Pair p = pair();
        FakeLink link = new FakeLink();
        link.window = 10;
        link.chunk = PortForwarding.RELAYED_SEND_CHUNK; // a relayed session's DATA size
        onLoop(() -> {
            p.daemonSide().start(link);
            driver.afterEachRound(() -> p.daemonSide().pump());
            return null;
        });
        byte[] data = new byte[8 << 20];
        new Random(13).nextBytes(data);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                p.app().socket().getOutputStream().write(data);
                p.app().shutdownOutput();
            } catch (IOException e) {
                failed.set(e);
            }
        });
        await(() -> link.window == 0, "the window fills");
        int read = onLoop(() -> link.sent.size());
        assertTrue(read <= 10 * PortForwarding.RELAYED_SEND_CHUNK, read + " bytes read for a window of 10 sends");
        Thread.sleep(200); // the loop runs rounds meanwhile (timers every 50 ms)
        assertEquals(read, (int) onLoop(() -> link.sent.size()), "nothing is read while the window is full");
        assertTrue(writer.isAlive(), "the local writer is held back by the kernel's buffers");
        onLoop(() -> link.window = Integer.MAX_VALUE);
        await(() -> link.closeReason == PortForward.REASON_NORMAL, "EOF ends the stream normally");
        writer.join(5000);
        assertFalse(writer.isAlive());
        assertEquals(null, failed.get());
        assertArrayEquals(data, onLoop(() -> link.sent.toByteArray()), "every byte, in order");
        assertTrue(link.largestSend <= PortForwarding.RELAYED_SEND_CHUNK, "no send past the link's chunk: " + link.largestSend);
    }
}

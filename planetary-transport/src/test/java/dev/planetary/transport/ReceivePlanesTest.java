package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.HookedRatchetStore;
import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The receive planes (docs/architecture.md, "Thread model"): per-session order with several
 * receive threads, the handshake plane's bounded queue, DATA flowing while the ratchet store
 * blocks the handshake plane, no thread left after close, and one payload array per consumer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReceivePlanesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeLater) c.close();
    }

    /** A memory store whose compare-and-swap waits on a gate while it is shut (a store stuck on its disk). */
    static final class GatedStore {
        final AtomicInteger waiting = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        final RatchetStore store = new HookedRatchetStore(new MemoryRatchetStore(), this::pass);

        void shut() {
            gate = new CountDownLatch(1);
        }

        void open() {
            gate.countDown();
        }

        private void pass() throws IOException {
            waiting.incrementAndGet();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) throw new IOException("gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } finally {
                waiting.decrementAndGet();
            }
        }
    }

    private Endpoint.Builder builder() {
        return Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).store(new MemoryRatchetStore());
    }

    private <T extends AutoCloseable> T later(T c) {
        closeLater.add(c);
        return c;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(5);
        }
    }

    private static PeerSession connect(Endpoint from, Endpoint to) throws Exception {
        return from.connect(to.publicKey(), to.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void eachSessionKeepsItsOrderUnderFourReceiveThreads() throws Exception {
        Map<PeerSession, List<Integer>> seen = new ConcurrentHashMap<>();
        Set<Long> threads = ConcurrentHashMap.newKeySet();
        Endpoint server = later(builder().receiveThreads(4).payloadHandler((s, p) -> {
            threads.add(Thread.currentThread().threadId());
            seen.computeIfAbsent(s, k -> Collections.synchronizedList(new ArrayList<>())).add(ByteBuffer.wrap(p).getInt());
        }).build());
        assertEquals(4, server.receiveThreads(), "Linux has SO_REUSEPORT: four receive threads");
        int clients = 4;
        int perClient = 3000;
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            PeerSession s = connect(later(builder().receiveThreads(1).build()), server);
            senders.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perClient; i++) {
                    s.send(ByteBuffer.allocate(64).putInt(0, i).array());
                    if (i % 64 == 63) Thread.onSpinWait();
                }
            }));
        }
        for (CompletableFuture<Void> f : senders) f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("every client's payloads (or their last)", () -> seen.size() == clients
                && seen.values().stream().allMatch(l -> !l.isEmpty() && l.get(l.size() - 1) == perClient - 1));
        for (Map.Entry<PeerSession, List<Integer>> e : seen.entrySet()) {
            List<Integer> l = List.copyOf(e.getValue());
            for (int i = 1; i < l.size(); i++) assertTrue(l.get(i) > l.get(i - 1), "session " + e.getKey() + " delivered " + l.get(i) + " after " + l.get(i - 1));
        }
        assertTrue(server.planeThreadIds().containsAll(threads), "payloads are delivered on plane threads only");
    }

    /**
     * The smallest queue there is: one whole Hello. (A one-slot queue, once allowed, took a Hello's
     * second fragment only when the handshake thread had already taken the first; under CI load
     * that failed on every resend until the connect timed out: docs/testing.md, "Flakes".)
     */
    @Test
    void aFullHandshakeQueueDropsAndCounts() throws Exception {
        GatedStore store = new GatedStore();
        int bound = Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD;
        Endpoint server = later(builder().store(store.store).handshakeThreads(1, bound).build());
        Endpoint client = later(builder().build());
        store.shut();
        CompletableFuture<PeerSession> pending = client.connect(server.publicKey(), server.localAddress());
        await("the Completion's store write to block the handshake thread", () -> store.waiting.get() == 1);
        try (DatagramChannel raw = DatagramChannel.open()) {
            byte[] hello = new byte[64]; // key id 0: handshake plane
            for (int i = 0; i < 200; i++) raw.send(ByteBuffer.wrap(hello), server.localAddress());
        }
        await("drops to be counted", () -> server.counters().get(Counters.Counter.HANDSHAKE_QUEUE_OVERFLOWS) >= 100);
        assertTrue(server.handshakeQueued() <= bound, "the queue holds at most its bound: " + server.handshakeQueued());
        store.open();
        PeerSession s = pending.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        PeerSession atServer = server.accept(WAIT);
        // Resent Completions and raw datagrams may still fill the queue ahead of the session's
        // first DATA, which is then dropped, as UDP may: resend, as an application over UDP would.
        byte[] got = null;
        for (int i = 0; i < 100 && got == null; i++) {
            s.send(new byte[] {42});
            got = atServer.receive(Duration.ofMillis(200));
        }
        assertArrayEquals(new byte[] {42}, got, "the endpoint works on once the store answers");
    }

    @Test
    void aStuckStoreDoesNotStallData() throws Exception {
        GatedStore store = new GatedStore();
        Endpoint server = later(builder().store(store.store).payloadHandler((s, p) -> s.send(p)).build());
        PeerSession alice = connect(later(builder().build()), server);
        store.shut();
        CompletableFuture<PeerSession> carol = later(builder().build()).connect(server.publicKey(), server.localAddress());
        await("carol's Completion to block the handshake plane on the store", () -> store.waiting.get() >= 1);
        for (int i = 0; i < 200; i++) {
            byte[] p = ByteBuffer.allocate(8).putInt(i).array();
            alice.send(p);
            assertArrayEquals(p, alice.receive(WAIT), "echo " + i + " while the store is stuck");
        }
        assertFalse(carol.isDone(), "carol's handshake still waits for the store");
        store.open();
        carol.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void closeLeavesNoPlaneThreads() throws Exception {
        int before = planeThreads();
        List<Endpoint> eps = new ArrayList<>();
        for (int i = 0; i < 3; i++) eps.add(builder().receiveThreads(3).handshakeThreads(2, 2 * Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD).build());
        PeerSession s = connect(eps.get(0), eps.get(1));
        s.send(new byte[] {1});
        assertArrayEquals(new byte[] {1}, eps.get(1).accept(WAIT).receive(WAIT));
        assertEquals(before + 3 * (3 + 2 + 1), planeThreads(), "3 receive, 2 handshake and 1 timer thread per endpoint");
        for (Endpoint ep : eps) ep.close();
        assertEquals(before, planeThreads(), "every thread is gone after close");
    }

    private static int planeThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && (name.startsWith("planetary-receive") || name.startsWith("planetary-handshake-") || name.equals("planetary-timer"))) n++;
        }
        return n;
    }

    @Test
    void theReceiveQueueAndTheListenerGetTheirOwnArrays() throws Exception {
        AtomicReference<byte[]> heard = new AtomicReference<>();
        CountDownLatch scribbled = new CountDownLatch(1);
        Endpoint server = later(builder().listener(new EndpointListener() {
            @Override
            public void onData(PeerSession session, byte[] payload) {
                heard.set(payload);
                java.util.Arrays.fill(payload, (byte) 0); // a listener may reuse the array it was given
                scribbled.countDown();
            }
        }).build());
        PeerSession s = connect(later(builder().build()), server);
        s.send("payload".getBytes());
        PeerSession atServer = server.accept(WAIT);
        assertTrue(scribbled.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        byte[] queued = atServer.receive(WAIT);
        assertNotSame(heard.get(), queued);
        assertArrayEquals("payload".getBytes(), queued, "the listener's writes do not reach the receive queue's copy");
    }

    @Test
    void builderRejectsBadPlaneSizes() {
        Endpoint.Builder b = builder();
        assertThrows(IllegalArgumentException.class, () -> b.receiveThreads(0));
        assertThrows(IllegalArgumentException.class, () -> b.handshakeThreads(0, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.handshakeThreads(4, 2));
        assertTrue(e.getMessage().contains("a whole Hello"), e.getMessage());
        int hello = Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD;
        assertEquals(16, hello, "1749 bytes in fragments of 128 - 16");
        assertThrows(IllegalArgumentException.class, () -> b.handshakeThreads(1, 1), "one slot cannot take a fragmented Hello");
        assertThrows(IllegalArgumentException.class, () -> b.handshakeThreads(2, 2 * hello - 1));
        b.handshakeThreads(2, 2 * hello);
    }

    /**
     * A Hello that arrives while the handshake thread is busy waits whole in the smallest queue:
     * both its fragments (default MTU) are queued, and the handshake completes once the thread is
     * free. With the one-slot queue once allowed, the second fragment was dropped whenever the
     * thread had not yet taken the first, on every resend (the CI flake, docs/testing.md).
     */
    @Test
    void aHelloWaitsWholeWhileTheHandshakeThreadIsBusy() throws Exception {
        GatedStore store = new GatedStore();
        Endpoint server = later(builder().store(store.store).handshakeThreads(1, Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD).build());
        store.shut();
        CompletableFuture<PeerSession> carol = later(builder().build()).connect(server.publicKey(), server.localAddress());
        await("carol's Completion to hold the handshake thread", () -> store.waiting.get() == 1);
        CompletableFuture<PeerSession> dave = later(builder().build()).connect(server.publicKey(), server.localAddress());
        await("dave's Hello, two fragments, to wait in the queue", () -> server.handshakeQueued() >= 2);
        store.open();
        carol.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        dave.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The receive buffer asked for reaches every socket (read back: what was asked, capped at net.core.rmem_max). */
    @Test
    void receiveBufferReachesEverySocket() throws Exception {
        int small = 64 << 10;
        Endpoint asked = later(builder().receiveThreads(2).receiveBufferBytes(small).build());
        Endpoint dflt = later(builder().receiveThreads(2).build());
        assertEquals(2, asked.receiveThreads());
        assertEquals(small, asked.receiveBufferBytes(), "64 KiB is below any Linux rmem_max (default 208 KiB)");
        assertTrue(asked.receiveBufferBytes() < dflt.receiveBufferBytes(),
                "64 KiB asked: " + asked.receiveBufferBytes() + ", default asked: " + dflt.receiveBufferBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder().receiveBufferBytes(100));
        assertTrue(e.getMessage().contains("receive buffer"), e.getMessage());
    }
}

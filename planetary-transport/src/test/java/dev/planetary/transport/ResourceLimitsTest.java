package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a peer can make an endpoint keep: callback queues of a slow listener, and ratchet rows. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResourceLimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeLater) c.close();
    }

    private Endpoint.Builder builder() {
        return Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .handshakeTimeout(Duration.ofSeconds(15));
    }

    private Endpoint build(Endpoint.Builder b) throws IOException {
        Endpoint e = b.build();
        closeLater.add(e);
        return e;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /**
     * A listener stuck in {@code onData} (like {@code listen --json} writing into a pipe nobody
     * reads) while its peer sends 40 MiB: the session's callback queue never holds more than its
     * byte bound (plus the one payload an empty queue always takes), the rest is dropped and counted,
     * and what was queued is delivered, in order, once the listener moves again.
     */
    @Test
    void aStuckListenerQueuesAtMostItsBoundAndCountsTheRest() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        AtomicLong delivered = new AtomicLong();
        AtomicLong lastSeq = new AtomicLong(-1);
        AtomicLong outOfOrder = new AtomicLong();
        long perSession = 256 * 1024;
        Endpoint bob = build(builder().store(new MemoryRatchetStore()).receiveQueueCapacity(0)
                .callbackQueueLimits(100_000, perSession, 4 * perSession).listener(new EndpointListener() {
                    @Override
                    public void onData(PeerSession s, byte[] payload) {
                        try {
                            stuck.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        long seq = ((payload[0] & 0xffL) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
                        if (seq <= lastSeq.getAndSet(seq)) outOfOrder.incrementAndGet();
                        delivered.incrementAndGet();
                    }
                }));
        Endpoint alice = build(builder().store(new MemoryRatchetStore()));
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("bob's session", () -> !bob.sessions().isEmpty());
        PeerSession atBob = bob.sessions().iterator().next();
        int size = 8192;
        long maxQueued = 0;
        for (int i = 0; i < 5120; i++) { // 40 MiB
            byte[] p = new byte[size];
            p[0] = (byte) (i >>> 24);
            p[1] = (byte) (i >>> 16);
            p[2] = (byte) (i >>> 8);
            p[3] = (byte) i;
            s.send(p);
            if ((i & 63) == 0) {
                Thread.sleep(1); // let the receive thread keep up (the kernel drops what it cannot)
                maxQueued = Math.max(maxQueued, atBob.callbacks.queuedBytes());
            }
        }
        await("the flood to arrive", () -> atBob.counters().get(Counters.Counter.PAYLOADS_IN) >= 1000
                && atBob.counters().get(Counters.Counter.CALLBACKS_DROPPED) > 0);
        Thread.sleep(200);
        maxQueued = Math.max(maxQueued, atBob.callbacks.queuedBytes());
        assertTrue(maxQueued <= perSession + size, "queued " + maxQueued + " bytes, bound " + perSession);
        long in = atBob.counters().get(Counters.Counter.PAYLOADS_IN);
        long dropped = atBob.counters().get(Counters.Counter.CALLBACKS_DROPPED);
        assertTrue(dropped >= in - (perSession / size) - 2, in + " payloads in, " + dropped + " dropped");
        assertEquals(dropped, bob.counters().get(Counters.Counter.CALLBACKS_DROPPED), "endpoint total");
        stuck.countDown();
        await("the queue to drain", () -> atBob.callbacks.queued() == 0);
        long inAfter = atBob.counters().get(Counters.Counter.PAYLOADS_IN);
        long droppedAfter = atBob.counters().get(Counters.Counter.CALLBACKS_DROPPED);
        await("every queued payload delivered", () -> delivered.get() == inAfter - droppedAfter);
        assertEquals(0, outOfOrder.get(), "delivered in order");
        assertEquals(0, atBob.callbacks.queuedBytes());
    }

    /** The same for {@link PeerSession#receive}'s queue: an application that stops reading holds at most its byte bound. */
    @Test
    void anUnreadReceiveQueueHoldsAtMostItsByteBound() throws Exception {
        long bound = 256 * 1024;
        Endpoint bob = build(builder().store(new MemoryRatchetStore()).receiveQueueCapacity(100_000).receiveQueueBytes(bound));
        Endpoint alice = build(builder().store(new MemoryRatchetStore()));
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        PeerSession atBob = bob.accept(WAIT);
        int size = 8192;
        long maxQueued = 0;
        for (int i = 0; i < 5120; i++) { // 40 MiB, never read
            s.send(new byte[size]);
            if ((i & 63) == 0) {
                Thread.sleep(1);
                maxQueued = Math.max(maxQueued, atBob.queuedBytes());
            }
        }
        await("the flood to arrive", () -> atBob.counters().get(Counters.Counter.PAYLOADS_IN) >= 1000);
        Thread.sleep(200);
        maxQueued = Math.max(maxQueued, atBob.queuedBytes());
        assertTrue(maxQueued <= bound + size, "queued " + maxQueued + " bytes, bound " + bound);
        long in = atBob.counters().get(Counters.Counter.PAYLOADS_IN);
        long overflows = atBob.counters().get(Counters.Counter.RECEIVE_QUEUE_OVERFLOWS);
        assertTrue(overflows >= in - bound / size - 1, in + " payloads in, " + overflows + " dropped");
        int read = 0;
        while (atBob.receive(Duration.ofMillis(200)) != null) read++;
        assertEquals(atBob.counters().get(Counters.Counter.PAYLOADS_IN) - atBob.counters().get(Counters.Counter.RECEIVE_QUEUE_OVERFLOWS), read);
        assertEquals(0, atBob.queuedBytes());
    }

    @Test
    void badLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().receiveQueueBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().callbackQueueLimits(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().callbackQueueLimits(1, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().callbackQueueLimits(1, 2, 1));
    }

    /**
     * Refused peers never get a ratchet row: the accept decision comes before the engine's first
     * save (spec §5.4: the Completion is checked, then the ratchet is stored), told or silent.
     * An accepted peer gets exactly one.
     */
    @Test
    void refusedPeersCreateNoRatchetRows() throws Exception {
        StaticKeyPair friend = StaticKeyPair.generate();
        for (boolean silent : new boolean[] {false, true}) {
            MemoryRatchetStore bobStore = new MemoryRatchetStore();
            Endpoint bob = build(builder().store(bobStore)
                    .policy(SecurityPolicy.builder().allow(List.of(friend.publicKey())).silentlyReject(silent).build()));
            for (int i = 0; i < 3; i++) {
                Endpoint stranger = build(builder().store(new MemoryRatchetStore()).handshakeTimeout(Duration.ofMillis(silent ? 1500 : 15_000)));
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> stranger.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
                Class<? extends Throwable> expected = silent ? HandshakeTimeoutException.class : SessionRejectedException.class;
                assertTrue(expected.isInstance(e.getCause()), String.valueOf(e.getCause()));
            }
            await("refusals counted", () -> bob.counters().get(Counters.Counter.REFUSED) >= 3);
            assertEquals(List.of(), bobStore.peers(), "refused peers left ratchet rows (silent=" + silent + ")");
            Endpoint alice = build(builder().identity(friend).store(new MemoryRatchetStore()));
            alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            await("alice's row", () -> {
                try {
                    return bobStore.peers().size() == 1;
                } catch (IOException x) {
                    throw new AssertionError(x);
                }
            });
            assertEquals(friend.publicKey(), bobStore.peers().get(0).peer());
        }
    }
}

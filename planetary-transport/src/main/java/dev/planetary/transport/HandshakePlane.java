package dev.planetary.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane of an {@link Endpoint}: the datagrams that may cost public-key work (Hellos:
 * ECDH and Kyber) or a durable ratchet-store write (Completion, KeyConfirm, Rekey) run here, on a
 * few platform threads with bounded queues, never on a receive thread. A datagram that finds its
 * lane's queue full is dropped (the caller counts it): under a Hello flood the handshake work is
 * capped at these threads while DATA keeps flowing on the receive plane.
 *
 * <p>Ordering: datagrams with one key id always take the same lane and run in arrival order.
 * {@link #holds} tells the receive plane whether a key id may have a datagram queued here, so that
 * a session's first DATA packets, arriving while its Completion is still queued, wait behind it.
 */
final class HandshakePlane {
    private static final Logger log = LoggerFactory.getLogger(HandshakePlane.class);
    /** One datagram waiting for its lane; {@code holdKid} is its key id if DATA with that key id waits behind it, else 0. */
    record Job(UdpRemote source, byte[] datagram, int holdKid) {}

    /** What a lane does with a datagram (the endpoint's engine call). */
    @FunctionalInterface
    interface Handler {
        void handle(UdpRemote source, byte[] datagram, int len);
    }

    private static final Job STOP = new Job(null, new byte[0], 0);

    private final List<BlockingQueue<Job>> queues = new ArrayList<>();
    private final List<PlaneThread> threads = new ArrayList<>();
    /** Held datagrams queued or running per key id (at most the queue bound of entries; usually empty). */
    private final ConcurrentHashMap<Integer, Integer> queuedByKid = new ConcurrentHashMap<>();
    private final Handler handler;
    private final Counters counters;
    private final int nice;
    private volatile boolean open = true;

    /**
     * @param threads  lanes (one thread each)
     * @param capacity datagrams queued over all lanes at most (split evenly; the builder makes it a whole Hello per lane at least)
     * @param nice     nice steps each lane thread takes above the process's when it starts (0: none; {@link ThreadNice})
     */
    HandshakePlane(int threads, int capacity, int nice, Handler handler, Counters counters) {
        this.handler = handler;
        this.counters = counters;
        this.nice = nice;
        int perLane = Math.max(1, capacity / threads);
        for (int i = 0; i < threads; i++) {
            BlockingQueue<Job> q = new ArrayBlockingQueue<>(perLane);
            queues.add(q);
            this.threads.add(new PlaneThread("planetary-handshake-" + i, () -> run(q)));
        }
    }

    void start() {
        for (Thread t : threads) t.start();
    }

    /**
     * Queues a copy of {@code datagram[0, len)} on the lane of its key id (Hellos, key id 0, on the
     * lane of their source address); false if that lane is full (nothing queued: the caller counts
     * the drop). With {@code hold}, DATA of that key id waits behind it ({@link #holds}): for a
     * pending handshake's Completion, whose session's first DATA must not overtake it, and
     * for DATA queued behind such a step, which the DATA after it must not overtake either.
     */
    boolean submit(UdpRemote source, byte[] datagram, int len, int kid, boolean hold) {
        if (!open) return false;
        int lane = Math.floorMod(kid != 0 ? mix(kid) : source.address.hashCode(), queues.size());
        int holdKid = hold ? kid : 0;
        if (holdKid != 0) queuedByKid.merge(holdKid, 1, Integer::sum);
        if (queues.get(lane).offer(new Job(source, java.util.Arrays.copyOf(datagram, len), holdKid))) return true;
        if (holdKid != 0) done(holdKid);
        return false;
    }

    /** True if a held datagram with key id {@code kid} is queued or running here (cheap while nothing is). */
    boolean holds(int kid) {
        return kid != 0 && !queuedByKid.isEmpty() && queuedByKid.containsKey(kid);
    }

    /** Datagrams waiting over all lanes. */
    int queued() {
        int n = 0;
        for (BlockingQueue<Job> q : queues) n += q.size();
        return n;
    }

    List<PlaneThread> threads() {
        return threads;
    }

    /** Stops the lanes (queued datagrams are dropped) and waits for them. */
    void close() {
        open = false;
        for (BlockingQueue<Job> q : queues) {
            q.clear();
            q.offer(STOP);
        }
        for (PlaneThread t : threads) Endpoint.join(t);
    }

    private void run(BlockingQueue<Job> q) {
        // Lower CPU weight than the receive threads: on a busy machine ECDH + Kyber yield to DATA (issue 12 §2).
        if (nice > 0 && ThreadNice.raise(nice)) ((PlaneThread) Thread.currentThread()).niced = true;
        while (open) {
            Job j;
            try {
                j = q.take();
            } catch (InterruptedException e) {
                if (open) continue;
                return;
            }
            if (j == STOP) return;
            try {
                handler.handle(j.source(), j.datagram(), j.datagram().length);
            } catch (RuntimeException | Error e) {
                counters.inc(Counters.Counter.INTERNAL_ERRORS);
                log.error("unexpected error on the handshake plane (continuing)", e);
            } finally {
                if (j.holdKid() != 0) done(j.holdKid());
            }
        }
    }

    private void done(int kid) {
        queuedByKid.computeIfPresent(kid, (k, n) -> n == 1 ? null : n - 1);
    }

    /** Spreads key ids over lanes. */
    private static int mix(int kid) {
        int h = kid * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}

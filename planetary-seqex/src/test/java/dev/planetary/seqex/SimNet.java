package dev.planetary.seqex;

import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * A seeded in-memory datagram network with virtual time: each datagram is lost with probability
 * {@code loss}, duplicated with probability {@code dup} (each copy delayed independently), and
 * delayed uniformly in {@code [minDelay, maxDelay]} ms, which reorders. Single-threaded.
 */
final class SimNet {
    record Flight(long at, long order, int dst, byte[] data) {}

    final SplittableRandom rnd;
    final double loss;
    final double dup;
    final long minDelay;
    final long maxDelay;
    long now;
    long sent;
    long lost;
    long duplicated;
    private long order;
    private final PriorityQueue<Flight> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    @SuppressWarnings("unchecked")
    private final BiConsumer<byte[], Long>[] nodes = new BiConsumer[2];

    SimNet(long seed, double loss, double dup, long minDelay, long maxDelay) {
        this.rnd = new SplittableRandom(seed);
        this.loss = loss;
        this.dup = dup;
        this.minDelay = minDelay;
        this.maxDelay = maxDelay;
    }

    void attach(int node, BiConsumer<byte[], Long> receiver) {
        nodes[node] = receiver;
    }

    /** The carrier with which node {@code from} sends to the other node. */
    Carrier carrier(int from) {
        int dst = 1 - from;
        return data -> {
            sent++;
            int copies = 1;
            if (rnd.nextDouble() < dup) {
                copies = 2;
                duplicated++;
            }
            for (int i = 0; i < copies; i++) {
                if (rnd.nextDouble() < loss) {
                    lost++;
                    continue;
                }
                long delay = minDelay + (maxDelay > minDelay ? rnd.nextLong(maxDelay - minDelay + 1) : 0);
                queue.add(new Flight(now + delay, order++, dst, data.clone()));
            }
        };
    }

    /** Time of the next delivery, or Long.MAX_VALUE. */
    long nextDelivery() {
        Flight f = queue.peek();
        return f == null ? Long.MAX_VALUE : f.at;
    }

    /** Delivers everything due at or before {@code t} (in time order) and sets the clock to {@code t}. */
    void advanceTo(long t) {
        while (!queue.isEmpty() && queue.peek().at <= t) {
            Flight f = queue.poll();
            now = f.at;
            nodes[f.dst].accept(f.data, now);
        }
        now = Math.max(now, t);
    }

    int inTransit() {
        return queue.size();
    }
}

package dev.planetary.vl1.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Timers scheduled, not scanned: each {@link Timed} owner has at most one armed deadline; a later
 * {@link #schedule} with an earlier time re-arms it (the old heap entry becomes stale and is skipped).
 * {@link #runDue} calls owners whose deadline passed; an owner returns its next deadline or
 * {@link Long#MAX_VALUE} for none.
 */
public final class TimerQueue {
    /** Something with timers. */
    public interface Timed {
        long onTimer(long now);
    }

    private record Entry(long at, long seq, Timed owner) {}

    private final PriorityQueue<Entry> heap = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Map<Timed, Long> armed = new HashMap<>();
    private long seq;

    /** Arms {@code owner} at {@code at} unless it is already armed no later. */
    public void schedule(Timed owner, long at) {
        if (at == Long.MAX_VALUE) return;
        Long cur = armed.get(owner);
        if (cur != null && cur <= at) return;
        armed.put(owner, at);
        heap.add(new Entry(at, seq++, owner));
    }

    public void cancel(Timed owner) {
        armed.remove(owner);
    }

    /** Runs every owner due at {@code now}; returns the next deadline (MAX_VALUE: none). */
    public long runDue(long now) {
        int guard = 0;
        while (!heap.isEmpty() && heap.peek().at <= now && guard++ < 100_000) {
            Entry e = heap.poll();
            Long cur = armed.get(e.owner);
            if (cur == null || cur != e.at) continue; // stale
            armed.remove(e.owner);
            long next = e.owner.onTimer(now);
            if (next != Long.MAX_VALUE) schedule(e.owner, Math.max(next, now + 1));
        }
        while (!heap.isEmpty()) {
            Entry e = heap.peek();
            Long cur = armed.get(e.owner);
            if (cur != null && cur == e.at) return e.at;
            heap.poll();
        }
        return Long.MAX_VALUE;
    }

    /** Armed owners (memory-bound checks). */
    public int armed() {
        return armed.size();
    }
}

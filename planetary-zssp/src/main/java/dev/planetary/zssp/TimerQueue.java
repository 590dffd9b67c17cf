package dev.planetary.zssp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The sessions' timer queue: a binary min-heap of (due time, session) with lazy deletion, so that a
 * {@link Context#service()} pass costs in proportion to the sessions that are due, not to the
 * sessions held (docs/architecture.md, "Timer structure").
 *
 * <p>Each session has at most one <em>live</em> entry: the one whose stamp equals the session's
 * {@link Session#timerStamp}. Moving a session's visit earlier pushes a new entry and makes the old
 * one stale (no search in the heap); stale entries are skipped when they surface, and the heap is
 * compacted when they outnumber the live ones, so its size stays within {@code 2 × sessions + 64}.
 * Moving a visit later pushes nothing: the earlier entry surfaces, finds the session not due yet and
 * is replaced by one at the session's real due time.
 *
 * <p>Thread-safe: one small lock, taken only when an entry is pushed or popped. The data path
 * takes it at most once per wanted rekey (every later call sees the earlier entry and returns
 * without the lock).
 */
final class TimerQueue {
    private static final int MIN_CAPACITY = 64;

    private long[] due = new long[MIN_CAPACITY];
    private Session<?>[] owner = new Session<?>[MIN_CAPACITY];
    private int[] stamp = new int[MIN_CAPACITY];
    private int size;
    /** Live entries (sessions with a visit queued): the compaction threshold follows it. */
    private int live;

    /**
     * Makes sure {@code s} is visited at {@code at} or earlier.
     *
     * @return true if {@code at} is now the earliest entry of the queue (the next deadline moved)
     */
    boolean schedule(Session<?> s, long at) {
        if (at == Long.MAX_VALUE || at >= s.queuedAt) return false; // already visited by then (volatile read)
        synchronized (this) {
            if (at >= s.queuedAt) return false;
            if (s.queuedAt == Long.MAX_VALUE) live++;
            s.queuedAt = at;
            int st = ++s.timerStamp;
            if (size == due.length) grow();
            siftUp(size++, at, s, st);
            if (size > 2 * live + MIN_CAPACITY) compact();
            return size > 0 && due[0] == at && owner[0] == s;
        }
    }

    /** A session's timer procedure: runs its due timers at {@code now}, returns its next due time. */
    interface Visit {
        long run(Session<?> s, long now);
    }

    /**
     * One timer pass: visits each session due at {@code now} (those whose {@link Session#due} has
     * moved later are only queued again at it) and queues its next visit. The sessions are visited
     * in creation order, as the former walk over every session did, so simulations replay exactly.
     * A session that is due again at once is visited by the next pass, not this one.
     */
    void runDue(long now, Visit visit) {
        List<Session<?>> taken = takeDue(now);
        if (taken.size() > 1) taken.sort(BY_SERIAL);
        for (Session<?> s : taken) {
            long at = s.due;
            schedule(s, at > now ? at : visit.run(s, now));
        }
    }

    private static final Comparator<Session<?>> BY_SERIAL = Comparator.comparingLong(s -> s.serial);

    /** Takes {@code s}'s visit off the queue (an expired session): its entry becomes stale. */
    void cancel(Session<?> s) {
        if (s.queuedAt == Long.MAX_VALUE) return;
        synchronized (this) {
            if (s.queuedAt == Long.MAX_VALUE) return;
            s.queuedAt = Long.MAX_VALUE;
            s.timerStamp++;
            live--;
            if (size > 2 * live + MIN_CAPACITY) compact();
        }
    }

    /**
     * Removes and returns the sessions whose live entry is due at {@code now} or before; each one is
     * then no longer queued (the caller services it and schedules its next visit). A session is
     * returned once, however many of its entries surfaced.
     */
    private synchronized List<Session<?>> takeDue(long now) {
        List<Session<?>> out = new ArrayList<>();
        while (size > 0 && due[0] <= now) {
            Session<?> s = owner[0];
            boolean current = stamp[0] == s.timerStamp && s.queuedAt != Long.MAX_VALUE;
            removeTop();
            if (current) {
                s.queuedAt = Long.MAX_VALUE;
                live--;
                out.add(s);
            }
        }
        if (size > 2 * live + MIN_CAPACITY) compact();
        return out;
    }

    /** Empties the queue: no session stays queued (the caller queues each one afresh). */
    synchronized void clear() {
        for (int i = 0; i < size; i++) {
            Session<?> s = owner[i];
            if (stamp[i] == s.timerStamp && s.queuedAt != Long.MAX_VALUE) {
                s.queuedAt = Long.MAX_VALUE;
                s.timerStamp++;
            }
            owner[i] = null;
        }
        size = 0;
        live = 0;
    }

    /**
     * The earliest live entry's time, or {@link Long#MAX_VALUE}: stale entries on top are dropped
     * first, so that the caller is not woken for a visit that was moved or cancelled.
     */
    synchronized long earliest() {
        while (size > 0 && (stamp[0] != owner[0].timerStamp || owner[0].queuedAt == Long.MAX_VALUE)) removeTop();
        return size == 0 ? Long.MAX_VALUE : due[0];
    }

    /** Entries in the heap, live and stale (memory-bound checks). */
    synchronized int size() {
        return size;
    }

    /** Sessions with a visit queued. */
    synchronized int live() {
        return live;
    }

    // ---------------------------------------------------------------- the heap

    private void grow() {
        int n = due.length * 2;
        due = Arrays.copyOf(due, n);
        owner = Arrays.copyOf(owner, n);
        stamp = Arrays.copyOf(stamp, n);
    }

    private void removeTop() {
        int last = --size;
        long d = due[last];
        Session<?> s = owner[last];
        int st = stamp[last];
        owner[last] = null;
        if (last > 0) siftDown(0, d, s, st);
        if (size < due.length / 4 && due.length > MIN_CAPACITY) shrink();
    }

    private void shrink() {
        int n = Math.max(MIN_CAPACITY, due.length / 2);
        due = Arrays.copyOf(due, n);
        owner = Arrays.copyOf(owner, n);
        stamp = Arrays.copyOf(stamp, n);
    }

    /** Drops every stale entry and rebuilds the heap (O(size), after at least {@code size / 2} pushes). */
    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Session<?> s = owner[i];
            if (stamp[i] == s.timerStamp && s.queuedAt != Long.MAX_VALUE) {
                due[n] = due[i];
                owner[n] = s;
                stamp[n] = stamp[i];
                n++;
            }
        }
        Arrays.fill(owner, n, size, null);
        size = n;
        for (int i = (n >>> 1) - 1; i >= 0; i--) siftDown(i, due[i], owner[i], stamp[i]);
    }

    private void siftUp(int i, long d, Session<?> s, int st) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (due[parent] <= d) break;
            move(parent, i);
            i = parent;
        }
        put(i, d, s, st);
    }

    private void siftDown(int i, long d, Session<?> s, int st) {
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && due[right] < due[child]) child = right;
            if (d <= due[child]) break;
            move(child, i);
            i = child;
        }
        put(i, d, s, st);
    }

    private void move(int from, int to) {
        put(to, due[from], owner[from], stamp[from]);
    }

    private void put(int i, long d, Session<?> s, int st) {
        due[i] = d;
        owner[i] = s;
        stamp[i] = st;
    }
}

package dev.planetary.zssp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The Context's receive key ids (spec §4.3, §7.5): one table for sessions and pending responder
 * handshakes, so a new kid is unique across both (the reference only checks sessions, §13 D4).
 *
 * <p>Open addressing over two primitive-indexed arrays (docs/architecture.md, "The DATA receive
 * path"): a lookup reads the kid's slot in {@code kids} and the same index in {@code owners}, two
 * cache lines, where a {@code ConcurrentHashMap<Integer, Object>} read four (bucket, node, boxed
 * key, and only then the owner) and cost ≈ 50 bytes per kid against 8 bytes per slot here (11–16
 * per kid between rebuilds; up to 64 just before the table shrinks). Lock-free reads; writers hold
 * the table's monitor, also while a rebuild copies the live kids (O(slots), rare: on growth, and
 * once the tombstones of retired kids fill a quarter of the slots). A slot's kid never changes once set: removal clears the owner
 * only (a tombstone, which the same kid may claim again), so a reader that found its kid reads that
 * kid's owner or null, never another kid's. Tombstones go when the table is rebuilt into fresh
 * arrays (readers still on the old ones see a consistent earlier state), which happens when live
 * kids plus tombstones would pass 3/4 of the slots, or when the live kids fall below 1/8.
 */
final class KeyIdTable {
    private static final int MIN_CAPACITY = 16;
    private static final VarHandle KIDS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle OWNERS = MethodHandles.arrayElementVarHandle(Object[].class);

    /** One generation of the slots; replaced whole on a rebuild. Kid 0 marks an empty slot (0 is never registered). */
    private record Slots(int[] kids, Object[] owners) {
        Slots(int capacity) {
            this(new int[capacity], new Object[capacity]);
        }
    }

    private volatile Slots slots = new Slots(MIN_CAPACITY);
    /** Live kids (guarded by this). */
    private int size;
    /** Slots with a kid, live or tombstone (guarded by this). */
    private int used;

    /** The slot where the probe for {@code kid} starts (kids are random, the multiply spreads test ones). */
    private static int home(int kid, int mask) {
        int h = kid * 0x9E3779B9;
        return (h ^ h >>> 16) & mask;
    }

    /** The session or pending handshake registered under {@code kid}, or null. */
    Object get(int kid) {
        if (kid == 0) return null;
        Slots t = slots;
        int[] kids = t.kids;
        int mask = kids.length - 1;
        for (int i = home(kid, mask); ; i = (i + 1) & mask) { // ends: at most 3/4 of the slots hold a kid
            int k = (int) KIDS.getAcquire(kids, i);
            if (k == kid) return OWNERS.getAcquire(t.owners, i);
            if (k == 0) return null;
        }
    }

    /** Draws random non-zero kids ({@code next_u32}) until one is free, and registers it for {@code owner}. */
    int allocate(Object owner, RandomSource rng) {
        while (true) {
            int kid = rng.nextInt();
            if (claim(kid, owner)) return kid;
        }
    }

    /** Registers {@code kid} for {@code owner} iff it is free. */
    synchronized boolean claim(int kid, Object owner) {
        java.util.Objects.requireNonNull(owner, "owner");
        if (kid == 0) return false;
        Slots t = slots;
        int i = find(t, kid);
        if (i >= 0) {
            if (t.owners[i] != null) return false;
            OWNERS.setRelease(t.owners, i, owner); // the kid's own tombstone
            size++;
            return true;
        }
        if ((used + 1) * 4L > t.kids.length * 3L) t = rebuild(size + 1);
        int mask = t.kids.length - 1;
        int j = home(kid, mask);
        while (t.kids[j] != 0) j = (j + 1) & mask;
        OWNERS.setRelease(t.owners, j, owner); // the owner before the kid: a reader that sees the kid sees its owner
        KIDS.setRelease(t.kids, j, kid);
        size++;
        used++;
        return true;
    }

    /** Moves {@code kid} from {@code current} to {@code next} atomically (the kid is never free in between). */
    synchronized void replace(int kid, Object current, Object next) {
        java.util.Objects.requireNonNull(next, "next");
        Slots t = slots;
        int i = kid == 0 ? -1 : find(t, kid);
        if (i < 0 || t.owners[i] != current || current == null) {
            throw new IllegalStateException("key id " + Integer.toHexString(kid) + " is not held by its reserver");
        }
        OWNERS.setRelease(t.owners, i, next);
    }

    /** Unregisters {@code kid} if (and only if) {@code owner} holds it. */
    synchronized boolean release(int kid, Object owner) {
        if (kid == 0 || owner == null) return false;
        Slots t = slots;
        int i = find(t, kid);
        if (i < 0 || t.owners[i] != owner) return false;
        OWNERS.setRelease(t.owners, i, null);
        size--;
        if (t.kids.length > MIN_CAPACITY && size * 8L < t.kids.length) rebuild(size);
        return true;
    }

    synchronized int size() {
        return size;
    }

    /** Slots in the current arrays (tests: the table shrinks again). */
    synchronized int capacity() {
        return slots.kids.length;
    }

    /** The index of {@code kid}'s slot in {@code t} (live or tombstone), or -1. Caller holds the monitor. */
    private static int find(Slots t, int kid) {
        int mask = t.kids.length - 1;
        for (int i = home(kid, mask); ; i = (i + 1) & mask) {
            int k = t.kids[i];
            if (k == kid) return i;
            if (k == 0) return -1;
        }
    }

    /** Copies the live kids into fresh arrays with room for {@code live} at a load of at most 1/2, and publishes them. */
    private Slots rebuild(int live) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2L * live) capacity <<= 1;
        Slots old = slots;
        Slots t = new Slots(capacity);
        int mask = capacity - 1;
        for (int i = 0; i < old.kids.length; i++) {
            Object o = old.owners[i];
            if (o == null) continue;
            int kid = old.kids[i];
            int j = home(kid, mask);
            while (t.kids[j] != 0) j = (j + 1) & mask;
            t.kids[j] = kid;
            t.owners[j] = o;
        }
        used = size;
        slots = t; // volatile: publishes the filled arrays
        return t;
    }
}

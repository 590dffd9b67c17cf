package dev.planetary.zssp;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The Context's receive key ids (spec §4.3, §7.5): one table for sessions and pending responder
 * handshakes, so a new kid is unique across both (the reference only checks sessions, §13 D4).
 * Lock-free reads on the data path.
 */
final class KeyIdTable {
    private final ConcurrentHashMap<Integer, Object> owners = new ConcurrentHashMap<>();

    /** The session or pending handshake registered under {@code kid}, or null. */
    Object get(int kid) {
        return kid == 0 ? null : owners.get(kid);
    }

    /** Draws random non-zero kids ({@code next_u32}) until one is free, and registers it for {@code owner}. */
    int allocate(Object owner, RandomSource rng) {
        while (true) {
            int kid = rng.nextInt();
            if (kid != 0 && owners.putIfAbsent(kid, owner) == null) return kid;
        }
    }

    /** Registers {@code kid} for {@code owner} iff it is free. */
    boolean claim(int kid, Object owner) {
        return kid != 0 && owners.putIfAbsent(kid, owner) == null;
    }

    /** Moves {@code kid} from {@code current} to {@code next} atomically (the kid is never free in between). */
    void replace(int kid, Object current, Object next) {
        if (!owners.replace(kid, current, next)) throw new IllegalStateException("key id " + Integer.toHexString(kid) + " is not held by its reserver");
    }

    /** Unregisters {@code kid} if (and only if) {@code owner} holds it. */
    boolean release(int kid, Object owner) {
        return kid != 0 && owners.remove(kid, owner);
    }

    int size() {
        return owners.size();
    }
}

package dev.planetary.zssp;

/**
 * How many challenges one source address may still receive (a local rule next to ZCP, spec §9.3;
 * see {@link Settings#challengesPerAddress()}). A generic cell rate algorithm over a fixed table of
 * buckets: each bucket holds the time at which its budget is full again, so memory is constant
 * (32 KiB) whatever the number of senders. Addresses are placed by a keyed hash whose key is local
 * and secret, so a sender cannot aim at another address's bucket; addresses that collide share one
 * budget. Callers synchronise (the owning {@link Zcp} does).
 */
final class ChallengeBudget {
    private static final int BUCKETS = 4096; // power of two
    private final long[] fullAt = new long[BUCKETS]; // microseconds; Long.MIN_VALUE = full (any clock epoch)
    private final long interval; // microseconds per challenge
    private final long burst; // microseconds of credit: (perSecond − 1) intervals
    private final long key;

    ChallengeBudget(int perSecond, long key) {
        if (perSecond <= 0) throw new IllegalArgumentException("challenges per address must be positive, got " + perSecond);
        this.interval = 1_000_000L / perSecond;
        this.burst = interval * (perSecond - 1L);
        this.key = key;
        java.util.Arrays.fill(fullAt, Long.MIN_VALUE);
    }

    /** Takes one challenge from {@code address}'s budget at {@code nowMs}; false if it has none left. */
    boolean take(byte[] address, long nowMs) {
        int slot = slot(address);
        long now = nowMs * 1000;
        long at = refilledAt(slot, now);
        if (at - now > burst) return false;
        fullAt[slot] = at + interval;
        return true;
    }

    /** Whether {@code address} has no challenge left at {@code nowMs} (takes nothing). */
    boolean exhausted(byte[] address, long nowMs) {
        long now = nowMs * 1000;
        return refilledAt(slot(address), now) - now > burst;
    }

    private long refilledAt(int slot, long now) {
        long at = Math.max(fullAt[slot], now);
        // Taking keeps fullAt within burst + interval of the clock; more means the clock went back
        // (the engine's time is the application's): start the bucket full rather than refuse for hours.
        return at - now > burst + interval ? now : at;
    }

    private int slot(byte[] address) {
        long h = key;
        for (byte b : address) h = (h ^ (b & 0xff)) * 0x100000001B3L; // FNV-1a over the keyed seed
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h & (BUCKETS - 1);
    }
}

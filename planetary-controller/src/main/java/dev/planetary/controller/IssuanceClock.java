package dev.planetary.controller;

/**
 * The issuance clock (VL.md §7.5): {@code ts = max(wall ms, last + 1)}, never going backwards,
 * also across restarts. It persists a ceiling {@link ControllerLimits#CLOCK_LEASE_MS} ahead of the
 * last issued value and starts above the persisted ceiling, so most issuances write nothing.
 */
final class IssuanceClock {
    private final ControllerStore store;
    private long last;
    private long ceiling;

    IssuanceClock(ControllerStore store) {
        this.store = store;
        this.ceiling = store.clockCeiling();
        this.last = ceiling; // everything issued before a restart was ≤ the ceiling
    }

    /** The next timestamp; persists a new ceiling first when it would pass the current one. */
    long next(long wallMillis) {
        long ts = Math.max(wallMillis, last + 1);
        if (ts > ceiling) {
            long c = ts + ControllerLimits.CLOCK_LEASE_MS;
            store.putClockCeiling(c);
            ceiling = c;
        }
        last = ts;
        return ts;
    }

    long last() {
        return last;
    }
}

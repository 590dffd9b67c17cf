package dev.planetary.zssp;

import java.util.ArrayDeque;
import javax.security.auth.Destroyable;

/**
 * The end of a key generation (see docs/architecture.md, "Key lifecycle"). A key that leaves every
 * structure the engine reads — a key slot replaced by {@link Session#installOther} or a rekey, a
 * session's slots and header keys at expiry, a pending handshake's header keys — is handed here,
 * and the Context owns it from then on. It is destroyed (wiped, its pooled Ciphers given back to the
 * global budget) once {@link #GRACE_MS} have passed, at a {@link Context#service()} pass.
 *
 * <p>Why a grace period: the data path takes no lock. A thread that read the session's key snapshot
 * just before the slot was replaced may still be sealing or opening with it; destroying the key
 * under it would turn that packet into an engine error. A snapshot is held for one call
 * (microseconds), so ten seconds is far beyond any real scheduling delay. Should a thread still be
 * stalled past it, the key fails safe: {@code open} on a destroyed key reports {@code false} (the
 * packet is dropped) and {@code seal} refuses with an exception; nothing is sent under a wiped key.
 *
 * <p>Retirement is in time order (one queue, O(1) per key, no scan of sessions). After a backwards
 * clock jump an entry stamped "in the future" by more than the grace period is due at once, as a
 * pending handshake's lifetime is (§0: time need not be monotonic).
 */
final class KeyRetirement {
    /** How long a retired key stays intact after it left the last structure the data path reads. */
    static final long GRACE_MS = 10_000;

    private record Entry(long retiredAt, Destroyable keys) {}

    private final ArrayDeque<Entry> queue = new ArrayDeque<>();

    /** Takes ownership of {@code keys} (null: nothing to do); they are destroyed after the grace period. */
    synchronized void retire(Destroyable keys, long now) {
        if (keys != null) queue.add(new Entry(now, keys));
    }

    /** Destroys every key whose grace period has passed; returns how many entries were destroyed. */
    int destroyDue(long now) {
        int n = 0;
        for (Entry e; (e = takeDue(now)) != null; n++) destroy(e.keys());
        return n;
    }

    /** Destroys every retired key now (the context is closing: no data path runs any more). */
    void destroyAll() {
        for (Entry e; (e = takeDue(Long.MIN_VALUE)) != null; ) destroy(e.keys());
    }

    /** Entries still waiting for their grace period to end. */
    synchronized int pending() {
        return queue.size();
    }

    private synchronized Entry takeDue(long now) {
        Entry e = queue.peek();
        if (e == null) return null;
        boolean due = now == Long.MIN_VALUE || now - e.retiredAt() >= GRACE_MS || e.retiredAt() - now > GRACE_MS;
        return due ? queue.poll() : null;
    }

    private static void destroy(Destroyable d) {
        try {
            d.destroy();
        } catch (javax.security.auth.DestroyFailedException e) {
            throw new IllegalStateException("a retired key could not be destroyed", e); // our keys never refuse
        }
    }
}

package dev.planetary.vl2.node;

import dev.planetary.identity.Fingerprint;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Messages from a peer whose Member Credential has not been accepted yet, kept briefly for when it
 * is (VL.md §8.3): a sender presents its MC just before its first frame on a session, and UDP may
 * deliver the frame first — the first ARP request or reply between two members would otherwise be
 * lost, and an ARP is not sent again for a second or more. Bounded: {@link #PER_PEER} messages per
 * peer (the oldest dropped), {@link #PEERS} peers (the least recent dropped), {@link #WAIT_MS}.
 * Not thread-safe: the node's thread.
 */
final class CredentialWait<T> {
    /** How long a message waits for its sender's credential. */
    static final long WAIT_MS = 2_000;
    static final int PER_PEER = 4, PEERS = 64;

    record Kept<T>(Fingerprint peer, T message, long at) {}

    private final LinkedHashMap<Long, ArrayDeque<Kept<T>>> kept = new LinkedHashMap<>();
    private long dropped;

    /** Keeps {@code message} from {@code peer} at {@code address}; returns when it expires. */
    long keep(long address, Fingerprint peer, T message, long now) {
        ArrayDeque<Kept<T>> q = kept.remove(address); // re-inserted: the most recent peer last
        if (q == null) q = new ArrayDeque<>();
        if (q.size() >= PER_PEER) {
            q.removeFirst();
            dropped++;
        }
        q.add(new Kept<>(peer, message, now));
        kept.put(address, q);
        while (kept.size() > PEERS) {
            Iterator<ArrayDeque<Kept<T>>> it = kept.values().iterator();
            dropped += it.next().size();
            it.remove();
        }
        return now + WAIT_MS;
    }

    /** The messages kept from {@code address}, oldest first, now released. */
    List<Kept<T>> release(long address) {
        ArrayDeque<Kept<T>> q = kept.remove(address);
        return q == null ? List.of() : List.copyOf(q);
    }

    /** Drops what waited {@link #WAIT_MS}; returns when the next one expires (or MAX_VALUE). */
    long expire(long now) {
        long next = Long.MAX_VALUE;
        for (Iterator<ArrayDeque<Kept<T>>> it = kept.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Kept<T>> q = it.next();
            while (!q.isEmpty() && now - q.peekFirst().at() >= WAIT_MS) {
                q.removeFirst();
                dropped++;
            }
            if (q.isEmpty()) it.remove();
            else next = Math.min(next, q.peekFirst().at() + WAIT_MS);
        }
        return next;
    }

    /** Messages dropped (their credential never came, or the bounds). */
    long dropped() {
        return dropped;
    }
}

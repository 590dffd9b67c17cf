package dev.planetary.vl2.node;

import dev.planetary.identity.Fingerprint;
import java.util.List;

/**
 * Messages from a peer whose Member Credential has not been accepted yet, kept briefly for when it
 * is (VL.md §8.3): a sender presents its MC just before its first frame on a session, and UDP may
 * deliver the frame first — the first ARP request or reply between two members would otherwise be
 * lost, and an ARP is not sent again for a second or more. Bounded: {@link #PER_PEER} messages per
 * peer (the oldest dropped), {@link #PEERS} peers (the least recent dropped), {@link #WAIT_MS}.
 * Not thread-safe: the node's thread.
 */
final class CredentialWait<T> extends TimedQueues<Long, CredentialWait.Kept<T>> {
    /** How long a message waits for its sender's credential. */
    static final long WAIT_MS = 2_000;
    static final int PER_PEER = 4, PEERS = 64;

    record Kept<T>(Fingerprint peer, T message) {}

    CredentialWait() {
        super(PER_PEER, PEERS, WAIT_MS);
    }

    /** Keeps {@code message} from {@code peer} at {@code address}; returns when it expires. */
    long keep(long address, Fingerprint peer, T message, long now) {
        return add(address, new Kept<>(peer, message), now);
    }

    /** The messages kept from {@code address}, oldest first, now released. */
    List<Kept<T>> release(long address) {
        return take(address);
    }
}

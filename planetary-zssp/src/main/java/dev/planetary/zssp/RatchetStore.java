package dev.planetary.zssp;

import java.io.IOException;

/**
 * Durable storage of ratchet states (spec §8): what {@link Application}'s three storage callbacks
 * need, as one interface that storage modules implement. Implementations must be safe for
 * concurrent use and make {@link #compareAndSwap} atomic and durable before it returns.
 */
public interface RatchetStore {

    /** The stored pair for {@code peer}, or {@code null} if none (meaning {@code (EMPTY, none)}). */
    RatchetPair load(StaticPublicKey peer) throws IOException;

    /** The stored state with this fingerprint, found through a fingerprint index (never by comparing keys). */
    RatchetState findByFingerprint(byte[] fingerprint) throws IOException;

    /** Atomic compare-and-swap of the peer's pair (spec §8.3). */
    boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate update) throws IOException;

    /** A store that keeps nothing: every session starts from the empty ratchet (opportunistic mode only, spec §1.3). */
    static RatchetStore none() {
        return NoRatchetStore.INSTANCE;
    }
}

/** {@link RatchetStore#none()}. */
enum NoRatchetStore implements RatchetStore {
    INSTANCE;

    @Override
    public RatchetPair load(StaticPublicKey peer) {
        return null;
    }

    @Override
    public RatchetState findByFingerprint(byte[] fingerprint) {
        return null;
    }

    @Override
    public boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate update) {
        return true;
    }
}

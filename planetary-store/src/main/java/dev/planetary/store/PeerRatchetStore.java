package dev.planetary.store;

import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticPublicKey;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * A {@link RatchetStore} with the management operations an application needs around the engine:
 * provisioning a one-time-password initial state for a peer, listing and forgetting peers, and
 * closing the store.
 *
 * <p>Every implementation keeps, per peer, the ordered pair {@code (state1, state2?)} of spec §8.1
 * and a fingerprint index over the non-empty fingerprints of the stored states. The index is
 * derived from the stored states themselves, so it cannot drift from them: for every update row of
 * spec §8.3 (X2, X3, C1, K1, K2) this is exactly what applying the update's
 * {@code new1Added}/{@code current1Deleted}/{@code current2Deleted} flags gives. The all-zero
 * (empty) fingerprint is never indexed and {@link #findByFingerprint} never finds it.
 *
 * <p>All methods are safe for concurrent use. {@link #compareAndSwap} is atomic (one winner among
 * concurrent callers that expect the same current pair) and, for the durable implementations,
 * does not return before the change is durable. Failures (locked, full, read-only, corrupt or
 * unreachable database) are reported as {@link IOException}s whose message names the database and
 * the cause; a failed call changes nothing.
 *
 * <p>Implementations: {@link MemoryRatchetStore}, {@link SqliteRatchetStore} (the embedded default,
 * see {@link RatchetStores#openDefault}), {@link PostgresRatchetStore} (several responders sharing
 * one static key).
 */
public interface PeerRatchetStore extends RatchetStore, Closeable {

    /**
     * Stores {@code (initial, none)} as the peer's ratchet pair, e.g. {@code RatchetState.fromOtp(otp)}
     * (spec §8.2). Refuses with {@link PeerExistsException}, changing nothing, if the peer already
     * has a record, unless {@code force} is true, in which case the record is replaced (the old
     * states can no longer be found by fingerprint).
     */
    void provision(StaticPublicKey peer, RatchetState initial, boolean force) throws IOException;

    /**
     * Provisions {@code RatchetState.fromOtp(otp)} for the peer (see {@link #provision}); both
     * peers must do this with the same one-time password (at least 32 bytes of entropy).
     *
     * @return the provisioned state (its fingerprint is public; its key is secret)
     */
    default RatchetState provisionOtp(StaticPublicKey peer, byte[] otp, boolean force) throws IOException {
        RatchetState s = RatchetState.fromOtp(otp);
        provision(peer, s, force);
        return s;
    }

    /** Every peer with a record, ordered by the encoding of its static key. */
    List<PeerRecord> peers() throws IOException;

    /** Deletes the peer's record (its next session starts from {@code (EMPTY, none)}); false if there was none. */
    boolean forget(StaticPublicKey peer) throws IOException;

    /**
     * Deletes the record of every peer whose record was last written ({@link PeerRecord#lastUpdated})
     * before {@code cutoff}: peers not seen since then (every handshake and rekey with a peer
     * rewrites its record). A forgotten peer's next session starts from {@code (EMPTY, none)}: in
     * persistent mode it must be provisioned again. Open listeners and clients use this to bound
     * what strangers and old peers leave behind.
     *
     * @return how many records were deleted
     */
    int prune(Instant cutoff) throws IOException;

    /** Releases the store's connections; later calls fail with an {@link IOException}. Idempotent. */
    @Override
    void close() throws IOException;
}

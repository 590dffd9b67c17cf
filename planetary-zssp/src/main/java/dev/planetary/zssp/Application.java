package dev.planetary.zssp;

import java.io.IOException;

/**
 * What the engine needs from the application (spec §12.1): the clock, the security policy, and
 * durable ratchet storage. The engine calls these from whichever thread is inside
 * {@link Context#receive}, {@link Context#service} or {@link Context#open}; calls concerning one
 * session never overlap, calls for different sessions may run concurrently.
 *
 * @param <D> the application's per-session data (e.g. a peer record), chosen in
 *            {@link #checkAcceptSession} (responder) or passed to {@link Context#open} (initiator)
 */
public interface Application<D> {

    /** Current time in milliseconds. Need not be monotonic or synchronised with the peer. */
    long time();

    /** π1: drop a Hello whose ratchet fingerprints match nothing stored (responder). */
    default boolean helloRequiresRecognizedRatchet() {
        return false;
    }

    /**
     * π2: refuse a Response that only the empty ratchet key decrypts (initiator). Must be
     * deterministic per session; must return true while an OTP-provisioned first session is set up.
     */
    default boolean initiatorDisallowsDowngrade(Session<D> session) {
        return false;
    }

    /**
     * Responder, after the Completion fully authenticated the initiator: accept or refuse the
     * session. {@code source} is the {@link Remote} the Completion (X3) arrived from, as passed to
     * {@link Context#receive} (VL spec §3.2, ZSSP layer requirement 1: a relayed X3 must claim its
     * origin). When accepting, the application must first close any other session with this peer
     * (spec §7.9).
     */
    AcceptDecision<D> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source);

    /**
     * Responder, for a complete Hello that passed the challenge gate (ZSSP §9.3; so {@code source}
     * is proven when the challenge is on) and before any public-key work is spent on it: whether to
     * process it. Returning false drops it unanswered ({@link Fault#HELLO_NOT_ADMITTED}), which the
     * initiator cannot tell from a lost datagram: no wire change. Lets an application bound the
     * CPU that handshakes of not-yet-known initiators cost (VL spec §2.6). The default admits all.
     */
    default boolean admitHello(Remote source) {
        return true;
    }

    /**
     * The engine needs {@link Context#service()} sooner than the delay the last call returned (a
     * session's timer moved earlier, e.g. a wanted rekey after the soft key-use limit). May be
     * called from any thread, including the data path: make it cheap (wake the timer thread).
     * The default does nothing: the caller then notices at its next scheduled call.
     */
    default void timersChanged() {}

    /**
     * {@code session} has expired (a timeout, the hard key-use limit, a rejection, or a close): it
     * left the context's tables and its keys are retired. Called once per session, on any thread and
     * possibly under the session's lock: only record it (e.g. queue it for a thread of yours), do not
     * call back into the engine. Lets a transport forget its sessions without walking them all.
     */
    default void sessionExpired(Session<D> session) {}

    /**
     * A session changed state (spec §7.2; the spec's optional event log): every transition in order,
     * including Hello regenerations, timeouts, and expiry (before {@link #sessionExpired}). Called
     * under the session's lock, on whichever thread made the step (a receive, a service pass, a send
     * that hit the hard limit, a close): only record it, do not call back into the engine. The
     * default does nothing.
     */
    default void stateChanged(Transition<D> transition) {}

    /** Responder, for each non-zero fingerprint in a Hello: the stored state with that fingerprint, or null. */
    RatchetState restoreByFingerprint(byte[] fingerprint) throws IOException;

    /** The stored pair for a peer, or {@code null} if none (treated as {@code (EMPTY, none)}). */
    RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, D sessionData) throws IOException;

    /**
     * Atomic compare-and-swap of the peer's pair (spec §8.3); must not return before the write is
     * durable. Returns false (and changes nothing) if the stored pair is not {@code update}'s
     * current pair.
     */
    boolean saveRatchetState(StaticPublicKey remoteStatic, D sessionData, RatchetUpdate update) throws IOException;

    /**
     * An application whose three storage callbacks are its {@link RatchetStore}'s (spec §8): the
     * stored pair by peer key, the fingerprint index, and the compare-and-swap.
     */
    interface WithRatchetStore<D> extends Application<D> {
        /** The store the callbacks use. */
        RatchetStore store();

        @Override
        default RatchetState restoreByFingerprint(byte[] fingerprint) throws IOException {
            return store().findByFingerprint(fingerprint);
        }

        @Override
        default RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, D sessionData) throws IOException {
            return store().load(remoteStatic);
        }

        @Override
        default boolean saveRatchetState(StaticPublicKey remoteStatic, D sessionData, RatchetUpdate update) throws IOException {
            return store().compareAndSwap(remoteStatic, update);
        }
    }

    /**
     * An application that keeps no ratchet state: it restores nothing and accepts every save, so
     * every session starts from the empty ratchet (opportunistic mode only, spec §1.3). For
     * in-memory peers, simulations and benchmarks; durable peers implement the three methods
     * against a store.
     */
    interface WithoutRatchetStorage<D> extends Application<D> {
        @Override
        default RatchetState restoreByFingerprint(byte[] fingerprint) {
            return null;
        }

        @Override
        default RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, D sessionData) {
            return null;
        }

        @Override
        default boolean saveRatchetState(StaticPublicKey remoteStatic, D sessionData, RatchetUpdate update) {
            return true;
        }
    }
}

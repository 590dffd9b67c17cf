package dev.planetary.zssp;

/**
 * The outcome of {@link Context#receiveOrDefer}, a receive thread's one engine call per datagram:
 * either the datagram was consumed there, with the {@link Received} that {@link Context#receive}
 * would have given, or it was handed back {@link Deferred}, unchanged, for a thread that can
 * afford its step.
 */
public sealed interface Triage<D> permits Received, Triage.Deferred {

    /**
     * The datagram was not consumed and its bytes are as they were: pass them to
     * {@link Context#receive} later (on another thread, in the order they arrived per key id).
     *
     * @param route why it was deferred: {@link Context.Route#HANDSHAKE} (key id 0 or a pending
     *              handshake's), {@link Context.Route#SESSION_CONTROL} (a live session's key id with a
     *              type other than DATA, or a forgery), or {@link Context.Route#DATA} (a live session's
     *              DATA that the caller asked to defer); never {@link Context.Route#UNKNOWN}, which is
     *              dropped at once
     * @param keyId the datagram's key id (its first four bytes, spec §2.2), 0 for a Hello or Challenge
     */
    record Deferred<D>(Context.Route route, int keyId) implements Triage<D> {}
}

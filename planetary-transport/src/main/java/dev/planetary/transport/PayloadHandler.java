package dev.planetary.transport;

/**
 * Receives every authenticated payload of an endpoint <b>on the plane thread that decrypted it</b>
 * (a receive thread; a new session's first payloads, queued behind its handshake step, on a
 * handshake thread), in order per session, instead of the per-session queues and
 * {@link EndpointListener#onData} ({@link Endpoint.Builder#payloadHandler}). This is the fast path:
 * no hand-off to another thread per payload. Calls for sessions on different receive threads run
 * concurrently. The handler must be quick and must not block: while it runs, its thread reads no
 * datagram. Sending from it ({@link PeerSession#send}) is allowed. The array is the handler's to
 * keep (with {@link PeerSession#receiveArrays} it came from the handler's own lender, to hand back when done). An exception thrown here is counted ({@link Counters.Counter#HANDLER_ERRORS}), logged, and
 * otherwise ignored.
 */
@FunctionalInterface
public interface PayloadHandler {
    void onPayload(PeerSession session, byte[] payload);
}

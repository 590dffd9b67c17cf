package dev.planetary.transport;

/**
 * Receives every authenticated payload of an endpoint <b>on its receive thread</b>, in arrival
 * order, instead of the per-session queues and {@link EndpointListener#onData}
 * ({@link Endpoint.Builder#payloadHandler}). This is the fast path: no hand-off to another thread
 * per payload. The handler must be quick and must not block: while it runs, no datagram of any
 * session of the endpoint is read. Sending from it ({@link PeerSession#send}) is allowed. The array
 * is the handler's to keep. An exception thrown here is counted ({@link Counters.Counter#HANDLER_ERRORS}),
 * logged, and otherwise ignored.
 */
@FunctionalInterface
public interface PayloadHandler {
    void onPayload(PeerSession session, byte[] payload);
}

package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;

/**
 * Something that happened on an endpoint, for {@link EndpointListener#onEvent}. Never carries
 * payloads or secrets.
 *
 * @param kind       what happened
 * @param timeMillis wall-clock time ({@link System#currentTimeMillis()})
 * @param peer       the peer's static key, when known
 * @param remote     the remote address, when known
 * @param session    the session concerned, or null for endpoint-level events
 * @param detail     a short human-readable detail (may be empty)
 */
public record EndpointEvent(Kind kind, long timeMillis, StaticPublicKey peer, InetSocketAddress remote, PeerSession session, String detail) {

    public enum Kind {
        /** Responder: a peer's session was accepted. */
        NEW_SESSION,
        /** Responder: accepted, but the peer used the empty ratchet although we had state for it. */
        NEW_DOWNGRADED_SESSION,
        /** Initiator: the handshake completed; the session may send. */
        ESTABLISHED,
        /** Initiator: the Response only decrypted with the empty ratchet key (a downgrade warning). */
        DOWNGRADED,
        /** A rekey finished; new keys are in use. */
        REKEYED,
        /** Initiator: the peer rejected the session with a Session-Rejected packet. */
        REJECTED,
        /** Initiator: no handshake within the handshake timeout. */
        HANDSHAKE_TIMEOUT,
        /** Responder: the accept policy refused a peer ({@code detail} says whether silently). */
        REFUSED,
        /** Responder: a Hello was answered with a challenge (ZCP); not emitted per Hello while auto-challenge is on. */
        CHALLENGE_ISSUED,
        /** Responder: the Hello rate crossed the auto-challenge threshold; Hellos are now challenged ({@code detail}: the rate). */
        AUTO_CHALLENGE_ON,
        /** Responder: the Hello rate fell below half the threshold; the challenge is back to its manual setting. */
        AUTO_CHALLENGE_OFF,
        /** An authenticated packet arrived from a new address; the session follows the peer there. */
        PATH_CHANGED,
        /** A session was closed (locally, by the engine's timers, or by the endpoint closing). */
        CLOSED
    }

    @Override
    public String toString() {
        return "EndpointEvent[" + kind + (peer != null ? ", " + peer : "") + (remote != null ? ", " + Endpoint.format(remote) : "")
                + (detail.isEmpty() ? "" : ", " + detail) + "]";
    }
}

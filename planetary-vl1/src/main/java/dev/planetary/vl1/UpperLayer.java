package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;

/**
 * The layer above VL1 (VL2 and the SEQEX carrier) as a {@link Node} sees it: the node hands it
 * every message whose verb VL1 does not consume ({@link #carries}), the OKs and ERRORs in answer to
 * those verbs, and session up/down; the layer sends with {@link Node#sendUpper}.
 *
 * <p>Thread model: the node's. Callbacks run synchronously on the node's thread, from inside
 * {@link Node#receive} or {@link Node#service}; unlike {@link NodeOutput}, a callback may call
 * {@link Node#sendUpper} and {@link Node#closeSession} (the node defers its timers until the
 * callback returns). A callback must not throw: an exception is counted as
 * {@link NodeCounter#INTERNAL_ERROR} and the message is lost.
 */
public interface UpperLayer {

    /** True for the verbs VL1 hands to the upper layer (§3.4: layer VL2, PORT_FORWARD, SEQEX). */
    static boolean carries(int verb) {
        return switch (verb) {
            case Verb.FRAME, Verb.EXT_FRAME, Verb.MULTICAST_LIKE, Verb.MULTICAST_GATHER, Verb.MULTICAST_FRAME,
                 Verb.NETWORK_CREDENTIALS, Verb.NETWORK_CONFIG_REQUEST, Verb.NETWORK_CONFIG, Verb.PORT_FORWARD,
                 Verb.SEQEX -> true;
            default -> false;
        };
    }

    /**
     * One message from {@code peer}: a carried verb, or an OK / ERROR whose in-re verb is one
     * ({@code message[0]} is the verb byte, the array is the layer's). Hostile bytes: decode and
     * validate before use.
     *
     * @param address the peer's address once bound (§2.6, §2.7), else {@code null}
     */
    void received(Fingerprint peer, Address address, byte[] message);

    /** A session with {@code peer} can carry messages (before queued messages are flushed to it). */
    void sessionUp(Fingerprint peer, Address address);

    /** The session with {@code peer} ended (reason: a constant, for logs); per-session state goes with it (§6.4). */
    void sessionDown(Fingerprint peer, String reason);
}

package dev.planetary.vl1;

/**
 * The outcome of {@link Vl1Codec#decode}: the message, or why it was refused. The decoder never
 * throws on bytes from the network.
 */
public sealed interface Decoded permits Decoded.Message, Decoded.Malformed, Decoded.Unsupported {

    /** A well-formed message. */
    record Message(Vl1Message message) implements Decoded {}

    /**
     * The bytes break a MUST (wire) rule of the verb; drop and count.
     *
     * @param verb   the verb byte, or -1 for an empty payload
     * @param reason a short description built from constants and numbers only (safe to log)
     */
    record Malformed(int verb, String reason) implements Decoded {}

    /**
     * A verb this module does not decode: unassigned numbers (ignored, §3.4: the receiver MAY answer
     * ERROR UNSUPPORTED_OPERATION) and assigned verbs owned by other layers (VL2 verbs, SEQEX,
     * PORT_FORWARD), which their modules decode from the same payload.
     */
    record Unsupported(int verb) implements Decoded {}
}

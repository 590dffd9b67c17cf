package dev.planetary.vl1;

/**
 * One VL1 message: exactly one ZSSP Data payload, {@code verb (u8) ‖ body} (§3.4), at most
 * {@link Vl1Limits#MAX_VL1_MESSAGE} bytes. Records are immutable; their constructors enforce the
 * field rules of the spec, so a message that exists can be encoded. {@link Vl1Codec#decode} never
 * throws: it returns {@link Decoded}.
 */
public sealed interface Vl1Message permits Nop, Hello, ErrorMessage, Ok, Whois, Rendezvous, Echo, PushDirectPaths, UserMessage, Relay, RootSet, RendezvousRequest, RelayBlock {

    /** The verb byte (§3.4). */
    int verb();

    /** The wire form; {@link IllegalArgumentException} if it would exceed {@link Vl1Limits#MAX_VL1_MESSAGE}. */
    default byte[] encode() {
        return Vl1Codec.encode(this);
    }

    /** Checks a request id of a request verb: u32, 0 means "no request" (§3.4). */
    static int requireRequestId(int requestId, String verb) {
        if (requestId == 0) throw new IllegalArgumentException(verb + " request id must not be 0 (0 means \"no request\", §3.4)");
        return requestId;
    }

    static int requireU8(int v, String what) {
        if (v < 0 || v > 0xff) throw new IllegalArgumentException(what + " " + v + " is outside 0..255");
        return v;
    }

    static int requireU16(int v, String what) {
        if (v < 0 || v > 0xffff) throw new IllegalArgumentException(what + " " + v + " is outside 0..65535");
        return v;
    }
}

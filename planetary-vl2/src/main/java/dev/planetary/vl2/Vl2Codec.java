package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Rejection;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;
import java.nio.ByteBuffer;

/**
 * Decodes a VL1 payload whose verb is a VL2 verb this module knows (§3.4): FRAME, EXT_FRAME,
 * MULTICAST_LIKE, NETWORK_CREDENTIALS, NETWORK_CONFIG_REQUEST, NETWORK_CONFIG, MULTICAST_GATHER and
 * MULTICAST_FRAME (the OK(GATHER) body is {@link GatherReply}). Never throws on hostile
 * bytes; accepts only the canonical encoding.
 */
public final class Vl2Codec {
    private Vl2Codec() {}

    /** Whether {@code verb} is decoded by {@link #decode}. */
    public static boolean handles(int verb) {
        return switch (verb) {
            case Verb.FRAME, Verb.EXT_FRAME, Verb.MULTICAST_LIKE, Verb.NETWORK_CREDENTIALS, Verb.NETWORK_CONFIG_REQUEST,
                 Verb.NETWORK_CONFIG, Verb.MULTICAST_GATHER, Verb.MULTICAST_FRAME -> true;
            default -> false;
        };
    }

    /** One whole message ({@code verb ‖ body}). */
    public static Decoded<Vl2Message> decode(byte[] payload) {
        if (payload == null || payload.length == 0) return Decoded.invalid(Rejection.LENGTH, "empty message");
        if (payload.length > Vl1Limits.MAX_VL1_MESSAGE) return Decoded.invalid(Rejection.LENGTH, "message of " + payload.length + " bytes exceeds MAX_VL1_MESSAGE");
        return switch (payload[0] & 0xff) {
            case Verb.FRAME -> Frame.decode(payload).map(m -> m);
            case Verb.EXT_FRAME -> ExtFrame.decode(payload).map(m -> m);
            case Verb.MULTICAST_LIKE -> MulticastLike.decode(payload).map(m -> m);
            case Verb.NETWORK_CREDENTIALS -> NetworkCredentials.decode(payload).map(m -> m);
            case Verb.NETWORK_CONFIG_REQUEST -> NetworkConfigRequest.decode(payload).map(m -> m);
            case Verb.NETWORK_CONFIG -> NetworkConfigMessage.decode(payload).map(m -> m);
            case Verb.MULTICAST_GATHER -> MulticastGather.decode(payload).map(m -> m);
            case Verb.MULTICAST_FRAME -> MulticastFrame.decode(payload).map(m -> m);
            default -> Decoded.invalid(Rejection.TYPE, "not a VL2 verb this module decodes: " + Verb.name(payload[0] & 0xff));
        };
    }

    static void expectVerb(ByteBuffer in, int verb) {
        int v = Codec.u8(in);
        if (v != verb) throw new Codec.Bad(Rejection.TYPE, "verb " + Verb.name(v) + ", expected " + Verb.name(verb));
    }
}

package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;

/**
 * EXT_FRAME ({@code 0x07}, §9.2), explicit MACs for bridged traffic: {@code 0x07 ‖ u64 nwid ‖ u8 flags ‖
 * 6 destination MAC ‖ 6 source MAC ‖ u16 ethertype ‖ payload}. The flags are reserved for the deferred
 * TEE/REDIRECT subtypes (§18): v1 writes 0 and {@link #decode} refuses a frame with any bit set.
 */
public record ExtFrame(NetworkId networkId, MacAddress destination, MacAddress source, int etherType, Bytes payload)
        implements Vl2Message {
    /** Verb, network id, flags, MACs and ethertype. */
    public static final int HEADER_BYTES = 24;

    public ExtFrame {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(destination, "destination MAC");
        Codec.nonNull(source, "source MAC");
        Codec.requireRange(etherType, 0, 0xffff, "ethertype");
        Codec.nonNull(payload, "payload");
        Codec.requireRange(payload.length(), 0, Vl1Limits.MAX_VL1_MESSAGE - HEADER_BYTES, "EXT_FRAME payload length");
    }

    @Override
    public int verb() {
        return Verb.EXT_FRAME;
    }

    @Override
    public byte[] encode() {
        return new Codec.Out(HEADER_BYTES + payload.length()).u8(verb()).u64(networkId.value()).u8(0)
                .mac(destination).mac(source).u16(etherType).put(payload).toByteArray();
    }

    public static Decoded<ExtFrame> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.EXT_FRAME);
            NetworkId nwid = Codec.networkId(in);
            int flags = Codec.u8(in);
            if (flags != 0) throw Codec.bad("EXT_FRAME flags are reserved (§18), got " + flags);
            return new ExtFrame(nwid, Codec.mac(in), Codec.mac(in), Codec.u16(in), Bytes.of(Codec.rest(in)));
        });
    }
}

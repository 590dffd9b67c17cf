package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;

/**
 * FRAME ({@code 0x06}, §9.2): {@code 0x06 ‖ u64 nwid ‖ u16 ethertype ‖ Ethernet payload}; both MACs are
 * the derived MACs (§9.1) of sender and receiver. The receiver checks the payload against the network
 * MTU; the codec bounds only the message size.
 */
public record Frame(NetworkId networkId, int etherType, Bytes payload) implements Vl2Message {
    /** Verb, network id and ethertype. */
    public static final int HEADER_BYTES = 11;

    public Frame {
        Codec.nonNull(networkId, "network id");
        Codec.requireRange(etherType, 0, 0xffff, "ethertype");
        Codec.nonNull(payload, "payload");
        Codec.requireRange(payload.length(), 0, Vl1Limits.MAX_VL1_MESSAGE - HEADER_BYTES, "FRAME payload length");
    }

    @Override
    public int verb() {
        return Verb.FRAME;
    }

    @Override
    public byte[] encode() {
        return new Codec.Out(HEADER_BYTES + payload.length()).u8(verb()).u64(networkId.value()).u16(etherType).put(payload).toByteArray();
    }

    public static Decoded<Frame> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.FRAME);
            return new Frame(Codec.networkId(in), Codec.u16(in), Bytes.of(Codec.rest(in)));
        });
    }
}

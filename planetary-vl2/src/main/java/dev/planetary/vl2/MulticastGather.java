package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Verb;

/**
 * MULTICAST_GATHER ({@code 0x0d}, §10.3): {@code 0x0d ‖ u32 request id ‖ u64 nwid ‖ 6 MAC ‖ u32 ADI ‖
 * u16 gather limit (1..240)}. Answered with OK (in-re {@code 0x0d}) carrying a {@link GatherReply}
 * body, or nothing if the answerer knows no member.
 */
public record MulticastGather(int requestId, NetworkId networkId, MulticastGroup group, int limit) implements Vl2Message {
    static final int BYTES = 25;

    public MulticastGather {
        if (requestId == 0) throw new IllegalArgumentException("MULTICAST_GATHER request id must not be 0 (0 means \"no request\", §3.4)");
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(group, "group");
        Codec.requireRange(limit, Vl2Limits.MULTICAST_LIMIT_MIN, Vl2Limits.MULTICAST_LIMIT_MAX, "gather limit");
    }

    @Override
    public int verb() {
        return Verb.MULTICAST_GATHER;
    }

    @Override
    public byte[] encode() {
        Codec.Out o = new Codec.Out(BYTES).u8(verb()).u32(requestId).u64(networkId.value());
        group.write(o);
        return o.u16(limit).toByteArray();
    }

    public static Decoded<MulticastGather> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.MULTICAST_GATHER);
            return new MulticastGather(in.getInt(), Codec.networkId(in), MulticastGroup.read(in), Codec.u16(in));
        });
    }
}

package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;
import java.util.Optional;

/**
 * MULTICAST_FRAME ({@code 0x0e}, §10.4): {@code 0x0e ‖ u64 nwid ‖ u8 flags ‖ [u32 request id ‖ u16
 * gather limit] (flag 0x01) ‖ [origin Address] (0x10) ‖ [source MAC] (0x04) ‖ 6 group MAC ‖ u32 ADI ‖
 * u16 ethertype ‖ payload}. Flag {@code 0x08} asks a replicator to replicate; other bits are refused.
 * The flags are derived from the fields, so the encoding is canonical. Without a source MAC the
 * source is the derived MAC of the origin (or sender).
 */
public record MulticastFrame(NetworkId networkId, Optional<Gather> gather, Optional<Address> origin, Optional<MacAddress> source,
                             boolean replicate, MulticastGroup group, int etherType, Bytes payload) implements Vl2Message {
    public static final int FLAG_GATHER = 0x01, FLAG_SOURCE = 0x04, FLAG_REPLICATE = 0x08, FLAG_ORIGIN = 0x10;
    static final int KNOWN_FLAGS = FLAG_GATHER | FLAG_SOURCE | FLAG_REPLICATE | FLAG_ORIGIN;
    /** Verb, network id, flags, group and ethertype. */
    public static final int MIN_HEADER_BYTES = 22;

    /** The gather part: answer as for MULTICAST_GATHER (OK in-re {@code 0x0e} with this request id). */
    public record Gather(int requestId, int limit) {
        public Gather {
            if (requestId == 0) throw new IllegalArgumentException("a gathering MULTICAST_FRAME needs a request id other than 0 (§3.4)");
            Codec.requireRange(limit, Vl2Limits.MULTICAST_LIMIT_MIN, Vl2Limits.MULTICAST_LIMIT_MAX, "gather limit");
        }
    }

    public MulticastFrame {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(gather, "gather");
        Codec.nonNull(origin, "origin");
        Codec.nonNull(source, "source MAC");
        Codec.nonNull(group, "group");
        Codec.requireRange(etherType, 0, 0xffff, "ethertype");
        Codec.nonNull(payload, "payload");
        int header = MIN_HEADER_BYTES + (gather.isPresent() ? 6 : 0) + (origin.isPresent() ? Address.SIZE : 0) + (source.isPresent() ? 6 : 0);
        Codec.requireRange(payload.length(), 0, Vl1Limits.MAX_VL1_MESSAGE - header, "MULTICAST_FRAME payload length");
    }

    /** A plain frame to {@code group} from the sender's derived MAC. */
    public static MulticastFrame of(NetworkId networkId, MulticastGroup group, int etherType, Bytes payload) {
        return new MulticastFrame(networkId, Optional.empty(), Optional.empty(), Optional.empty(), false, group, etherType, payload);
    }

    public int flags() {
        return (gather.isPresent() ? FLAG_GATHER : 0) | (source.isPresent() ? FLAG_SOURCE : 0) | (replicate ? FLAG_REPLICATE : 0)
                | (origin.isPresent() ? FLAG_ORIGIN : 0);
    }

    @Override
    public int verb() {
        return Verb.MULTICAST_FRAME;
    }

    @Override
    public byte[] encode() {
        Codec.Out o = new Codec.Out(MIN_HEADER_BYTES + 17 + payload.length()).u8(verb()).u64(networkId.value()).u8(flags());
        gather.ifPresent(g -> o.u32(g.requestId()).u16(g.limit()));
        origin.ifPresent(a -> o.put(a.toBytes()));
        source.ifPresent(o::mac);
        group.write(o);
        return o.u16(etherType).put(payload).toByteArray();
    }

    public static Decoded<MulticastFrame> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.MULTICAST_FRAME);
            NetworkId nwid = Codec.networkId(in);
            int flags = Codec.u8(in);
            if ((flags & ~KNOWN_FLAGS) != 0) throw Codec.bad("reserved MULTICAST_FRAME flag bits set: " + flags);
            Optional<Gather> gather = (flags & FLAG_GATHER) != 0 ? Optional.of(new Gather(in.getInt(), Codec.u16(in))) : Optional.empty();
            Optional<Address> origin = (flags & FLAG_ORIGIN) != 0 ? Optional.of(Codec.address(in)) : Optional.empty();
            Optional<MacAddress> source = (flags & FLAG_SOURCE) != 0 ? Optional.of(Codec.mac(in)) : Optional.empty();
            MulticastGroup group = MulticastGroup.read(in);
            return new MulticastFrame(nwid, gather, origin, source, (flags & FLAG_REPLICATE) != 0, group, Codec.u16(in), Bytes.of(Codec.rest(in)));
        });
    }
}

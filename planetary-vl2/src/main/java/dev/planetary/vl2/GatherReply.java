package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Identity;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Ok;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The body of OK(MULTICAST_GATHER) and of the gather part of a MULTICAST_FRAME (§10.3): {@code u64
 * nwid ‖ 6 group MAC ‖ u32 ADI ‖ u32 total members known ‖ u8 flags ‖ u8 n (1..240) ‖ n records}.
 * Flag bit0: records carry identities (format 1: {@code Address ‖ Identity (195)}; format 0: {@code
 * Address}); bit1: authoritative (a controller's answer from IP assignments); other bits refused.
 * Identities are carried as bytes; the caller decodes them with {@link Identity#decode}. It travels
 * inside a VL1 {@link Ok.Other}: see {@link #toOk} and {@link #decode}.
 */
public record GatherReply(NetworkId networkId, MulticastGroup group, long total, boolean authoritative, List<Member> members) {
    public static final int WITH_IDENTITIES = 0x01, AUTHORITATIVE = 0x02;

    /** One record: an address, and (format 1) the member's 195-byte identity. */
    public record Member(Address address, Optional<Bytes> identity) {
        public Member {
            Codec.nonNull(address, "address");
            Codec.nonNull(identity, "identity");
            identity.ifPresent(i -> {
                if (i.length() != Identity.SIZE) throw new IllegalArgumentException("an identity is " + Identity.SIZE + " bytes, got " + i.length());
            });
        }

        public static Member of(Address address) {
            return new Member(address, Optional.empty());
        }

        public static Member of(Identity identity, Address address) {
            return new Member(address, Optional.of(Bytes.of(identity.encoded())));
        }
    }

    public GatherReply {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(group, "group");
        Codec.requireU32(total, "total");
        members = List.copyOf(Codec.nonNull(members, "members"));
        Codec.requireRange(members.size(), 1, Vl2Limits.MULTICAST_LIMIT_MAX, "record count");
        boolean format1 = members.get(0).identity().isPresent();
        for (Member m : members) {
            if (m.identity().isPresent() != format1) throw new IllegalArgumentException("gather records are all of one format (all with identities or none)");
        }
    }

    public boolean withIdentities() {
        return members.get(0).identity().isPresent();
    }

    /** The body bytes. */
    public byte[] body() {
        int flags = (withIdentities() ? WITH_IDENTITIES : 0) | (authoritative ? AUTHORITATIVE : 0);
        Codec.Out o = new Codec.Out().u64(networkId.value());
        group.write(o);
        o.u32(total).u8(flags).u8(members.size());
        for (Member m : members) {
            o.put(m.address().toBytes());
            m.identity().ifPresent(o::put);
        }
        return o.toByteArray();
    }

    /** The OK message answering {@code inReVerb} (MULTICAST_GATHER or MULTICAST_FRAME) request {@code requestId}. */
    public Ok.Other toOk(int inReVerb, int requestId) {
        return new Ok.Other(inReVerb, requestId, Bytes.of(body()));
    }

    /** Decodes an OK body. */
    public static Decoded<GatherReply> decode(byte[] body) {
        return Codec.decode(body, GatherReply::read);
    }

    private static GatherReply read(ByteBuffer in) {
        NetworkId nwid = Codec.networkId(in);
        MulticastGroup group = MulticastGroup.read(in);
        long total = Codec.u32(in);
        int flags = Codec.u8(in);
        if ((flags & ~(WITH_IDENTITIES | AUTHORITATIVE)) != 0) throw Codec.bad("reserved gather flag bits set: " + flags);
        int n = Codec.u8(in);
        if (n < 1 || n > Vl2Limits.MULTICAST_LIMIT_MAX) throw Codec.bad("record count " + n + " is outside 1.." + Vl2Limits.MULTICAST_LIMIT_MAX);
        boolean format1 = (flags & WITH_IDENTITIES) != 0;
        List<Member> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Address a = Codec.address(in);
            members.add(new Member(a, format1 ? Optional.of(Bytes.of(Codec.bytes(in, Identity.SIZE))) : Optional.empty()));
        }
        return new GatherReply(nwid, group, total, (flags & AUTHORITATIVE) != 0, members);
    }
}

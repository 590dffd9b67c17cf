package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Verb;
import java.util.ArrayList;
import java.util.List;

/** MULTICAST_LIKE ({@code 0x09}, §10.2): {@code 0x09 ‖ u64 nwid ‖ u16 n (1..256) ‖ n × (6 MAC ‖ u32 ADI)}. */
public record MulticastLike(NetworkId networkId, List<MulticastGroup> groups) implements Vl2Message {
    public MulticastLike {
        Codec.nonNull(networkId, "network id");
        groups = List.copyOf(Codec.nonNull(groups, "groups"));
        Codec.requireRange(groups.size(), 1, Vl2Limits.MAX_LIKE_GROUPS, "group count");
    }

    @Override
    public int verb() {
        return Verb.MULTICAST_LIKE;
    }

    @Override
    public byte[] encode() {
        Codec.Out o = new Codec.Out(11 + groups.size() * MulticastGroup.BYTES).u8(verb()).u64(networkId.value()).u16(groups.size());
        for (MulticastGroup g : groups) g.write(o);
        return o.toByteArray();
    }

    public static Decoded<MulticastLike> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.MULTICAST_LIKE);
            NetworkId nwid = Codec.networkId(in);
            int n = Codec.u16(in);
            if (n < 1 || n > Vl2Limits.MAX_LIKE_GROUPS) throw Codec.bad("group count " + n + " is outside 1.." + Vl2Limits.MAX_LIKE_GROUPS);
            List<MulticastGroup> groups = new ArrayList<>(n);
            for (int i = 0; i < n; i++) groups.add(MulticastGroup.read(in));
            return new MulticastLike(nwid, groups);
        });
    }
}

package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Verb;
import java.util.ArrayList;
import java.util.List;

/**
 * NETWORK_CREDENTIALS ({@code 0x0a}, §8.3): {@code 0x0a ‖ u64 nwid ‖ u8 n (1..16) ‖ n × (u8 type ‖ u16
 * length ‖ value)}. Items follow §0's type rule (unknown &lt; 0x80 or a wrong length: invalid) but not
 * its order rule: they may repeat, in any order.
 */
public record NetworkCredentials(NetworkId networkId, List<CredentialItem> items) implements Vl2Message {
    public NetworkCredentials {
        Codec.nonNull(networkId, "network id");
        items = List.copyOf(Codec.nonNull(items, "items"));
        Codec.requireRange(items.size(), 1, Vl2Limits.MAX_CREDENTIAL_ITEMS, "item count");
    }

    public static NetworkCredentials of(NetworkId networkId, CredentialItem... items) {
        return new NetworkCredentials(networkId, List.of(items));
    }

    /** The items of one kind, in order. */
    public <T extends CredentialItem> List<T> items(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (CredentialItem i : items) if (kind.isInstance(i)) out.add(kind.cast(i));
        return out;
    }

    @Override
    public int verb() {
        return Verb.NETWORK_CREDENTIALS;
    }

    @Override
    public byte[] encode() {
        Codec.Out o = new Codec.Out().u8(verb()).u64(networkId.value()).u8(items.size());
        for (CredentialItem i : items) {
            byte[] v = i.value();
            o.u8(i.type()).u16(v.length).put(v);
        }
        return o.toByteArray();
    }

    public static Decoded<NetworkCredentials> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.NETWORK_CREDENTIALS);
            NetworkId nwid = Codec.networkId(in);
            int n = Codec.u8(in);
            if (n < 1 || n > Vl2Limits.MAX_CREDENTIAL_ITEMS) throw Codec.bad("item count " + n + " is outside 1.." + Vl2Limits.MAX_CREDENTIAL_ITEMS);
            List<CredentialItem> items = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int type = Codec.u8(in);
                items.add(CredentialItem.read(type, Codec.bytes(in, Codec.u16(in))));
            }
            return new NetworkCredentials(nwid, items);
        });
    }
}

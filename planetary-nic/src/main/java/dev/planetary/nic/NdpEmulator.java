package dev.planetary.nic;

import static dev.planetary.nic.Packets.ETHERTYPE_IPV6;
import static dev.planetary.nic.Packets.ETH_HEADER;
import static dev.planetary.nic.Packets.PROTO_ICMPV6;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * VL.md §10.6 NDP emulation: a neighbour solicitation read from the TAP whose target is another
 * member's rfc4193 address ({@code fd ‖ nwid ‖ 99 93 ::/88}, the owner in its last 5 bytes) is
 * answered locally with a neighbour advertisement carrying {@code MAC(nwid, owner)}; nothing goes on
 * the network. DAD probes (source {@code ::}) and solicitations for the own address are not answered.
 * Every frame is hostile: anything else yields null.
 */
public final class NdpEmulator {
    private final NetworkId nwid;
    private final long ownAddress;

    public NdpEmulator(NetworkId nwid, long ownAddress) {
        NetworkId.checkAddress(ownAddress);
        this.nwid = nwid;
        this.ownAddress = ownAddress;
    }

    /** The advertisement to write back to the TAP, or null when {@code frame} is not answered here. */
    public ByteBuffer answer(ByteBuffer frame) {
        ByteBuffer f = frame.slice();
        int h = ETH_HEADER;
        int p = h + 40;
        if (f.remaining() < p + 24 || (f.getShort(12) & 0xffff) != ETHERTYPE_IPV6 || (f.get(h) & 0xf0) != 0x60
                || (f.get(h + 6) & 0xff) != PROTO_ICMPV6 || (f.get(h + 7) & 0xff) != 255) {
            return null;
        }
        int plen = f.getShort(h + 4) & 0xffff;
        if (plen < 24 || p + plen > f.remaining() || (f.get(p) & 0xff) != Ndp.SOLICITATION || f.get(p + 1) != 0
                || Packets.fold(Packets.pseudo(f, h + 8, h + 24, 16, PROTO_ICMPV6, plen) + Packets.sum(f, p, plen, 0)) != 0) {
            return null;
        }
        byte[] src = new byte[16];
        f.get(h + 8, src);
        byte[] target = new byte[16];
        f.get(p + 8, target);
        long owner = Ipv6Addresses.rfc4193Owner(nwid, target);
        byte[] smac = new byte[6];
        f.get(6, smac);
        if (owner < 0 || owner == ownAddress || Arrays.equals(src, new byte[16]) || (smac[0] & 1) != 0) {
            return null;
        }
        return ByteBuffer.wrap(Ndp.advertisement(MacAddress.derive(nwid, owner), MacAddress.fromBytes(smac, 0), target, src));
    }
}

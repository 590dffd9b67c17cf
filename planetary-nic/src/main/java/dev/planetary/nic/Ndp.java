package dev.planetary.nic;

import static dev.planetary.nic.Packets.ETHERTYPE_IPV6;
import static dev.planetary.nic.Packets.ETH_HEADER;
import static dev.planetary.nic.Packets.PROTO_ICMPV6;

import java.nio.ByteBuffer;

/** IPv6 frames with an ICMPv6 payload, and neighbour advertisements (RFC 4861), shared by the NICs. */
final class Ndp {
    static final int SOLICITATION = 135;
    static final int ADVERTISEMENT = 136;

    private Ndp() {
    }

    /** An Ethernet + IPv6 (hop limit 255) frame carrying {@code icmp6}, whose checksum is filled in. */
    static byte[] ipv6Frame(MacAddress from, MacAddress to, byte[] src, byte[] dst, byte[] icmp6) {
        byte[] fr = new byte[ETH_HEADER + 40 + icmp6.length];
        System.arraycopy(to.toBytes(), 0, fr, 0, 6);
        System.arraycopy(from.toBytes(), 0, fr, 6, 6);
        fr[12] = (byte) (ETHERTYPE_IPV6 >> 8);
        fr[13] = (byte) ETHERTYPE_IPV6;
        int h = ETH_HEADER;
        fr[h] = 0x60;
        fr[h + 4] = (byte) (icmp6.length >> 8);
        fr[h + 5] = (byte) icmp6.length;
        fr[h + 6] = (byte) PROTO_ICMPV6;
        fr[h + 7] = (byte) 255;
        System.arraycopy(src, 0, fr, h + 8, 16);
        System.arraycopy(dst, 0, fr, h + 24, 16);
        System.arraycopy(icmp6, 0, fr, h + 40, icmp6.length);
        fr[h + 42] = 0;
        fr[h + 43] = 0;
        ByteBuffer b = ByteBuffer.wrap(fr);
        int c = Packets.fold(Packets.pseudo(b, h + 8, h + 24, 16, PROTO_ICMPV6, icmp6.length)
                + Packets.sum(b, h + 40, icmp6.length, 0));
        fr[h + 42] = (byte) (c >> 8);
        fr[h + 43] = (byte) c;
        return fr;
    }

    /**
     * A neighbour advertisement from {@code owner} (solicited and override set, target link-layer
     * address option = {@code owner}), source = the target, to {@code dst}/{@code to}.
     */
    static byte[] advertisement(MacAddress owner, MacAddress to, byte[] target, byte[] dst) {
        byte[] na = new byte[32];
        na[0] = (byte) ADVERTISEMENT;
        na[4] = 0x60; // solicited, override
        System.arraycopy(target, 0, na, 8, 16);
        na[24] = 2; // target link-layer address option, 1 unit of 8 bytes
        na[25] = 1;
        System.arraycopy(owner.toBytes(), 0, na, 26, 6);
        return ipv6Frame(owner, to, target, dst, na);
    }
}

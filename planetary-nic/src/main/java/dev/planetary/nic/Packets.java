package dev.planetary.nic;

import java.nio.ByteBuffer;

/** Internet checksums and header offsets shared by the userspace stack (RFC 1071, 791, 768, 8200). */
final class Packets {
    static final int ETH_HEADER = 14;
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_IPV6 = 0x86dd;
    static final int PROTO_ICMP = 1;
    static final int PROTO_UDP = 17;
    static final int PROTO_ICMPV6 = 58;

    private Packets() {
    }

    /** One's-complement sum of {@code len} bytes of {@code b} from {@code off}, added to {@code sum}. */
    static long sum(ByteBuffer b, int off, int len, long sum) {
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((b.get(off + i) & 0xff) << 8) | (b.get(off + i + 1) & 0xff);
        }
        if (i < len) {
            sum += (b.get(off + i) & 0xff) << 8;
        }
        return sum;
    }

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The pseudo-header sum for UDP/ICMPv6 over IPv4 or IPv6: addresses at {@code srcOff} and {@code dstOff}. */
    static long pseudo(ByteBuffer b, int srcOff, int dstOff, int addrLen, int proto, int length) {
        long s = sum(b, srcOff, addrLen, 0);
        s = sum(b, dstOff, addrLen, s);
        return s + proto + length;
    }
}

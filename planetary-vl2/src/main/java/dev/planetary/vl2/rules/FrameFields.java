package dev.planetary.vl2.rules;

import java.nio.ByteBuffer;

/**
 * The fields of one Ethernet frame that rules match on (VL.md §11.3), parsed without allocation into
 * this reusable flyweight: MACs, ethertype, an 802.1Q VLAN id, IPv4 or IPv6 (at most 8 extension
 * headers, §11.3) addresses, TOS / traffic class and protocol, TCP / UDP / SCTP / UDP-Lite ports,
 * ICMP / ICMPv6 type and code, TCP flags, and the sender protocol address of an ARP packet (for
 * {@code SENDER_IP_AUTHENTICATED}). A field the frame does not carry, or whose header is truncated, is
 * absent ({@code -1}, or {@link #ipVersion()} 0), and a match on it is false. Never throws on content.
 *
 * <p>Not thread-safe: one instance per thread (or per evaluation).
 */
public final class FrameFields {
    /** §11.3: the IPv6 header walk follows at most this many extension headers. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;
    public static final int ETHERTYPE_IPV4 = 0x0800, ETHERTYPE_ARP = 0x0806, ETHERTYPE_VLAN = 0x8100, ETHERTYPE_IPV6 = 0x86dd;
    public static final int PROTO_ICMP = 1, PROTO_TCP = 6, PROTO_UDP = 17, PROTO_ICMPV6 = 58, PROTO_SCTP = 132, PROTO_UDPLITE = 136;

    long dstMac, srcMac;
    int etherType, vlanId, payloadLength;
    int ipVersion; // 0, 4 or 6
    int ipv4Source, ipv4Dest;
    long ipv6SourceHi, ipv6SourceLo, ipv6DestHi, ipv6DestLo;
    int tos, ipProtocol, sourcePort, destPort, icmpType, icmpCode;
    long tcpFlags; // 0 unless TCP with its flags present
    boolean hasArpSender;
    int arpSender;

    /**
     * Parses a frame: destination and source MAC (48 bits each), the ethertype as carried and the
     * Ethernet payload, read from {@code payload.position()} to its limit (the buffer is not moved).
     * Returns this.
     */
    public FrameFields parse(long dst, long src, int ethertype, ByteBuffer payload) {
        dstMac = dst & 0xffff_ffff_ffffL;
        srcMac = src & 0xffff_ffff_ffffL;
        etherType = ethertype & 0xffff;
        vlanId = tos = ipProtocol = sourcePort = destPort = icmpType = icmpCode = -1;
        ipVersion = 0;
        tcpFlags = 0;
        hasArpSender = false;
        ipv4Source = ipv4Dest = arpSender = 0;
        ipv6SourceHi = ipv6SourceLo = ipv6DestHi = ipv6DestLo = 0;
        if (payload.order() != java.nio.ByteOrder.BIG_ENDIAN) payload = payload.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        int base = payload.position(), len = payload.remaining();
        payloadLength = len;
        int inner = etherType, off = 0;
        if (inner == ETHERTYPE_VLAN) {           // 802.1Q: TCI ‖ inner ethertype at the start of the payload (§9.2)
            if (len < 4) return this;
            vlanId = u16(payload, base) & 0xfff;
            inner = u16(payload, base + 2);
            off = 4;
        }
        switch (inner) {
            case ETHERTYPE_IPV4 -> ipv4(payload, base + off, len - off);
            case ETHERTYPE_IPV6 -> ipv6(payload, base + off, len - off);
            case ETHERTYPE_ARP -> arp(payload, base + off, len - off);
            default -> { }
        }
        return this;
    }

    private void ipv4(ByteBuffer b, int p, int len) {
        if (len < 20 || (b.get(p) & 0xf0) != 0x40) return;
        int ihl = (b.get(p) & 0x0f) * 4;
        if (ihl < 20 || ihl > len) return;
        ipVersion = 4;
        tos = b.get(p + 1) & 0xff;
        ipProtocol = b.get(p + 9) & 0xff;
        ipv4Source = b.getInt(p + 12);
        ipv4Dest = b.getInt(p + 16);
        boolean laterFragment = (u16(b, p + 6) & 0x1fff) != 0; // a non-first fragment has no L4 header
        if (!laterFragment) transport(b, p + ihl, len - ihl, PROTO_ICMP);
    }

    private void ipv6(ByteBuffer b, int p, int len) {
        if (len < 40 || (b.get(p) & 0xf0) != 0x60) return;
        ipVersion = 6;
        tos = (u16(b, p) >>> 4) & 0xff;
        ipv6SourceHi = b.getLong(p + 8);
        ipv6SourceLo = b.getLong(p + 16);
        ipv6DestHi = b.getLong(p + 24);
        ipv6DestLo = b.getLong(p + 32);
        int next = b.get(p + 6) & 0xff, q = 40;
        boolean laterFragment = false;
        for (int n = 0; isExtension(next); n++) {
            if (n == MAX_IPV6_EXTENSION_HEADERS || len - q < 8) return; // walk limit or truncated: no final protocol
            int size;
            if (next == 44) {                                          // fragment header: fixed 8 bytes
                laterFragment |= (u16(b, p + q + 2) & 0xfff8) != 0;
                size = 8;
            } else {
                size = ((b.get(p + q + 1) & 0xff) + 1) * 8;
            }
            next = b.get(p + q) & 0xff;
            if (size > len - q) return;
            q += size;
        }
        ipProtocol = next;
        if (!laterFragment) transport(b, p + q, len - q, PROTO_ICMPV6);
    }

    /** §11.3: the extension headers the IPv6 walk follows (hop-by-hop, routing, fragment, destination options, mobility). */
    private static boolean isExtension(int next) {
        return next == 0 || next == 43 || next == 44 || next == 60 || next == 135;
    }

    private void transport(ByteBuffer b, int p, int len, int icmp) {
        int proto = ipProtocol;
        if (proto == icmp) {
            if (len >= 2) {
                icmpType = b.get(p) & 0xff;
                icmpCode = b.get(p + 1) & 0xff;
            }
        } else if (proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP || proto == PROTO_UDPLITE) {
            if (len >= 4) {
                sourcePort = u16(b, p);
                destPort = u16(b, p + 2);
            }
            if (proto == PROTO_TCP && len >= 14) {
                tcpFlags = u16(b, p + 12) & RuleType.TCP_FLAGS;
            }
        }
    }

    private void arp(ByteBuffer b, int p, int len) {
        // htype 2 ‖ ptype 2 ‖ hlen 1 ‖ plen 1 ‖ oper 2 ‖ sha 6 ‖ spa 4 …
        if (len >= 28 && u16(b, p + 2) == ETHERTYPE_IPV4 && (b.get(p + 4) & 0xff) == 6 && (b.get(p + 5) & 0xff) == 4) {
            hasArpSender = true;
            arpSender = b.getInt(p + 14);
        }
    }

    private static int u16(ByteBuffer b, int p) {
        return ((b.get(p) & 0xff) << 8) | (b.get(p + 1) & 0xff);
    }

    // ---------------------------------------------------------------- read access (tests, tools)

    public long destinationMac() { return dstMac; }
    public long sourceMac() { return srcMac; }
    public int etherType() { return etherType; }
    /** The 802.1Q VLAN id, or -1 when untagged. */
    public int vlanId() { return vlanId; }
    /** The Ethernet payload length (what {@code MATCH_FRAME_SIZE_RANGE} tests). */
    public int payloadLength() { return payloadLength; }
    /** 4, 6, or 0 when the frame carries no (complete) IP header. */
    public int ipVersion() { return ipVersion; }
    public int ipv4Source() { return ipv4Source; }
    public int ipv4Destination() { return ipv4Dest; }
    /** The IPv4 TOS or IPv6 traffic class, or -1. */
    public int tos() { return tos; }
    /** The IPv4 protocol or the IPv6 final next-header, or -1. */
    public int ipProtocol() { return ipProtocol; }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destPort; }
    public int icmpType() { return icmpType; }
    public int icmpCode() { return icmpCode; }
    /** TCP flags as characteristics bits 0–11 (0 when not TCP or truncated). */
    public long tcpFlags() { return tcpFlags; }

    /** The IPv6 source (16 bytes), or null when not IPv6 (allocates: for tests and tools). */
    public byte[] ipv6Source() {
        return ipVersion == 6 ? ByteBuffer.allocate(16).putLong(ipv6SourceHi).putLong(ipv6SourceLo).array() : null;
    }

    /** The IPv6 destination (16 bytes), or null when not IPv6 (allocates: for tests and tools). */
    public byte[] ipv6Destination() {
        return ipVersion == 6 ? ByteBuffer.allocate(16).putLong(ipv6DestHi).putLong(ipv6DestLo).array() : null;
    }
}

package dev.planetary.vl2.rules;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/** Ethernet payloads for the rules tests: IPv4 / IPv6 (with extension headers) carrying TCP, UDP, SCTP, UDP-Lite or ICMP, ARP, 802.1Q. */
final class Frames {
    private Frames() {}

    static final int TCP = 6, UDP = 17, SCTP = 132, UDPLITE = 136, ICMP = 1, ICMPV6 = 58;

    /** An L4 header: ports (TCP/UDP/SCTP/UDP-Lite, 20 bytes for TCP with {@code tcpFlags}) or ICMP type/code. */
    static byte[] l4(int proto, int a, int b, int tcpFlags) {
        if (proto == ICMP || proto == ICMPV6) return new byte[] {(byte) a, (byte) b, 0, 0, 0, 0, 0, 0};
        ByteBuffer x = ByteBuffer.allocate(proto == TCP ? 20 : 8).putShort((short) a).putShort((short) b);
        if (proto == TCP) x.putInt(1).putInt(0).putShort((short) (0x5000 | tcpFlags & 0xfff)).putShort((short) 1024);
        return x.array();
    }

    static byte[] ipv4(InetAddress src, InetAddress dst, int tos, int proto, int fragmentOffset, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(20 + l4.length);
        b.put((byte) 0x45).put((byte) tos).putShort((short) (20 + l4.length)).putShort((short) 7).putShort((short) (fragmentOffset & 0x1fff))
                .put((byte) 64).put((byte) proto).putShort((short) 0).put(src.getAddress()).put(dst.getAddress()).put(l4);
        return b.array();
    }

    /** IPv6 with {@code ext} extension headers (each 8 bytes; type from {@code extTypes}, cycling) before {@code proto}. */
    static byte[] ipv6(InetAddress src, InetAddress dst, int tclass, int proto, int[] extTypes, int ext, int fragmentOffset, byte[] l4) {
        ByteBuffer b = ByteBuffer.allocate(40 + 8 * ext + l4.length);
        int first = ext == 0 ? proto : extTypes[0];
        b.putInt(0x6000_0000 | (tclass & 0xff) << 20).putShort((short) (8 * ext + l4.length)).put((byte) first).put((byte) 64)
                .put(src.getAddress()).put(dst.getAddress());
        for (int i = 0; i < ext; i++) {
            int type = extTypes[i % extTypes.length];
            int next = i + 1 < ext ? extTypes[(i + 1) % extTypes.length] : proto;
            if (type == 44) b.put((byte) next).put((byte) 0).putShort((short) (fragmentOffset << 3)).putInt(9);
            else b.put((byte) next).put((byte) 0).putShort((short) 0).putInt(0);
        }
        return b.put(l4).array();
    }

    static byte[] arp(int op, long senderMac, InetAddress senderIp, InetAddress targetIp) {
        ByteBuffer b = ByteBuffer.allocate(28).putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        b.putShort((short) (senderMac >>> 32)).putInt((int) senderMac).put(senderIp.getAddress()).putShort((short) 0).putInt(0).put(targetIp.getAddress());
        return b.array();
    }

    /** 802.1Q: {@code TCI ‖ inner ethertype ‖ payload} (the frame's ethertype is 0x8100). */
    static byte[] vlan(int vid, int inner, byte[] payload) {
        return ByteBuffer.allocate(4 + payload.length).putShort((short) (vid & 0xfff)).putShort((short) inner).put(payload).array();
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    static FrameFields parse(long dst, long src, int ethertype, byte[] payload) {
        return new FrameFields().parse(dst, src, ethertype, ByteBuffer.wrap(payload));
    }
}

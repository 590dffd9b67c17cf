package dev.planetary.vl2.rules;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A synthesised TCP SYN (VL.md §12.8: port forwarding evaluates the rules on one): the Ethernet
 * payload of an IPv4 or IPv6 packet (by the family of the addresses, which must agree) carrying a
 * 20-byte TCP header with only SYN set. Checksums are 0: rules do not read them.
 */
public final class TcpSyn {
    private TcpSyn() {}

    /** The Ethernet payload, positioned at 0; its ethertype is {@link #ethertype}. */
    public static ByteBuffer payload(InetAddress source, int sourcePort, InetAddress destination, int destinationPort) {
        boolean v4 = destination instanceof Inet4Address;
        if ((source instanceof Inet4Address) != v4) throw new IllegalArgumentException("source " + source + " and destination " + destination + " differ in family");
        ByteBuffer b = ByteBuffer.allocate((v4 ? 20 : 40) + 20);
        if (v4) {
            b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) FrameFields.PROTO_TCP).putShort((short) 0);
        } else {
            b.putInt(0x6000_0000).putShort((short) 20).put((byte) FrameFields.PROTO_TCP).put((byte) 64);
        }
        b.put(source.getAddress()).put(destination.getAddress());
        b.putShort((short) sourcePort).putShort((short) destinationPort).putInt(0).putInt(0)
                .putShort((short) (0x5000 | RuleType.TCP_SYN)).putShort((short) 0xffff).putInt(0);
        return b.flip();
    }

    /** The ethertype of a packet to {@code destination}: IPv4 or IPv6. */
    public static int ethertype(InetAddress destination) {
        return destination instanceof Inet4Address ? FrameFields.ETHERTYPE_IPV4 : FrameFields.ETHERTYPE_IPV6;
    }
}

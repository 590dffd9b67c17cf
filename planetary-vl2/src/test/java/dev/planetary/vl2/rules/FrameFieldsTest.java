package dev.planetary.vl2.rules;

import static dev.planetary.vl2.rules.Frames.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The frame parser of the rules engine (VL.md §11.3): each header, absent fields, the IPv6 walk limit, and hostile bytes. */
class FrameFieldsTest {
    static final long A = 0x32_11_22_33_44_55L, B = 0x32_66_77_88_99_aaL;

    @Test
    void ipv4TcpGivesAddressesPortsFlagsAndTos() {
        byte[] p = ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0xb8, TCP, 0, l4(TCP, 40000, 22, 0x012)); // SYN|ACK
        FrameFields f = parse(B, A, 0x0800, p);
        assertEquals(4, f.ipVersion());
        assertEquals(0x0a000001, f.ipv4Source());
        assertEquals(0x0a000002, f.ipv4Destination());
        assertEquals(0xb8, f.tos());
        assertEquals(TCP, f.ipProtocol());
        assertEquals(40000, f.sourcePort());
        assertEquals(22, f.destinationPort());
        assertEquals(RuleType.TCP_SYN | RuleType.TCP_ACK, f.tcpFlags());
        assertEquals(p.length, f.payloadLength());
        assertEquals(-1, f.vlanId());
        assertEquals(-1, f.icmpType());
    }

    @Test
    void synthesisedSynsParseAsSentBothFamilies() {
        FrameFields f = new FrameFields().parse(B, A, TcpSyn.ethertype(ip("10.0.0.2")), TcpSyn.payload(ip("10.0.0.1"), 0, ip("10.0.0.2"), 8080));
        assertEquals(0x0a000002, f.ipv4Destination());
        assertEquals(8080, f.destinationPort());
        assertEquals(0, f.sourcePort());
        assertEquals(RuleType.TCP_SYN, f.tcpFlags());
        f = new FrameFields().parse(B, A, TcpSyn.ethertype(ip("fd00::2")), TcpSyn.payload(ip("fd00::1"), 1, ip("fd00::2"), 22));
        assertArrayEquals(ip("fd00::2").getAddress(), f.ipv6Destination());
        assertEquals(TCP, f.ipProtocol());
        assertEquals(22, f.destinationPort());
        assertEquals(RuleType.TCP_SYN, f.tcpFlags());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TcpSyn.payload(ip("10.0.0.1"), 1, ip("fd00::2"), 22));
    }

    @Test
    void udpSctpAndUdpLiteHavePortsButNoTcpFlags() {
        for (int proto : new int[] {UDP, SCTP, UDPLITE}) {
            FrameFields f = parse(B, A, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, proto, 0, l4(proto, 53, 5353, 0)));
            assertEquals(53, f.sourcePort(), "proto " + proto);
            assertEquals(5353, f.destinationPort());
            assertEquals(0, f.tcpFlags());
        }
    }

    @Test
    void icmpBothFamiliesAndOnlyTheirOwnProtocolNumber() {
        FrameFields f = parse(B, A, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, ICMP, 0, l4(ICMP, 8, 0, 0)));
        assertEquals(8, f.icmpType());
        assertEquals(0, f.icmpCode());
        assertEquals(-1, f.sourcePort());
        f = parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0, ICMPV6, null, 0, 0, l4(ICMPV6, 135, 0, 0)));
        assertEquals(135, f.icmpType());
        f = parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0, ICMP, null, 0, 0, l4(ICMP, 8, 0, 0)));
        assertEquals(-1, f.icmpType(), "protocol 1 is not ICMP over IPv6");
    }

    @Test
    void ipv6WalksUpToEightExtensionHeaders() {
        int[] types = {0, 60, 43, 135};
        for (int n = 0; n <= 8; n++) {
            FrameFields f = parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0x2e, UDP, types, n, 0, l4(UDP, 1, 2, 0)));
            assertEquals(UDP, f.ipProtocol(), n + " headers");
            assertEquals(2, f.destinationPort());
            assertEquals(0x2e, f.tos());
            assertArrayEquals(ip("fd00::1").getAddress(), f.ipv6Source());
            assertArrayEquals(ip("fd00::2").getAddress(), f.ipv6Destination());
        }
        FrameFields f = parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0, UDP, types, 9, 0, l4(UDP, 1, 2, 0)));
        assertEquals(6, f.ipVersion());
        assertEquals(-1, f.ipProtocol(), "a ninth header ends the walk: no final protocol");
        assertEquals(-1, f.destinationPort());
    }

    @Test
    void laterFragmentsHaveNoPortsFirstFragmentsDo() {
        assertEquals(22, parse(B, A, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, TCP, 0, l4(TCP, 1, 22, 2))).destinationPort());
        FrameFields f = parse(B, A, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, TCP, 185, l4(TCP, 1, 22, 2)));
        assertEquals(TCP, f.ipProtocol());
        assertEquals(-1, f.destinationPort());
        assertEquals(0, f.tcpFlags());
        int[] frag = {44};
        assertEquals(22, parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0, TCP, frag, 1, 0, l4(TCP, 1, 22, 2))).destinationPort());
        f = parse(B, A, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::2"), 0, TCP, frag, 1, 100, l4(TCP, 1, 22, 2)));
        assertEquals(TCP, f.ipProtocol());
        assertEquals(-1, f.destinationPort());
    }

    @Test
    void vlanTagGivesTheIdAndTheInnerPacket() {
        FrameFields f = parse(B, A, 0x8100, vlan(42, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, UDP, 0, l4(UDP, 7, 9, 0))));
        assertEquals(42, f.vlanId());
        assertEquals(0x8100, f.etherType(), "ETHERTYPE matches the ethertype as carried");
        assertEquals(9, f.destinationPort());
        assertEquals(-1, parse(B, A, 0x8100, new byte[] {0, 42, 8}).vlanId(), "a truncated tag is absent");
    }

    @Test
    void arpHasNoPortsButASenderAddress() {
        FrameFields f = parse(-1L, A, 0x0806, arp(1, A, ip("10.0.0.1"), ip("10.0.0.2")));
        assertEquals(0, f.ipVersion());
        assertEquals(-1, f.sourcePort());
        assertEquals(-1, f.ipProtocol());
        assertEquals(0x0a000001, f.arpSender);
        assertEquals(0xffff_ffff_ffffL, f.destinationMac());
    }

    @Test
    void everyTruncationGivesAbsentFieldsNeverAnException() {
        byte[][] packets = {
                ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, TCP, 0, l4(TCP, 1, 22, 2)),
                ipv6(ip("fd00::1"), ip("fd00::2"), 0, TCP, new int[] {0, 44, 60}, 3, 0, l4(TCP, 1, 22, 2)),
                arp(2, A, ip("10.0.0.1"), ip("10.0.0.2"))};
        int[] ethertypes = {0x0800, 0x86dd, 0x0806};
        for (int k = 0; k < packets.length; k++) {
            byte[] full = packets[k];
            for (int cut = 0; cut < full.length; cut++) {
                FrameFields f = parse(B, A, ethertypes[k], Arrays.copyOf(full, cut));
                int l4 = k == 0 ? 20 : k == 1 ? 64 : Integer.MAX_VALUE;
                if (cut < l4 + 4) assertEquals(-1, f.destinationPort(), "cut " + cut);
                if (k == 0 && cut < 20 || k == 1 && cut < 40) assertEquals(0, f.ipVersion(), "cut " + cut);
                if (k == 0 && cut < l4 + 14) assertEquals(0, f.tcpFlags(), "cut " + cut);
                if (k == 1 && cut < 64) assertEquals(-1, f.ipProtocol(), "cut " + cut);
            }
        }
    }

    @Test
    void randomBytesNeverThrowAndLeaveTheBufferAlone() {
        SplittableRandom r = new SplittableRandom(11);
        FrameFields f = new FrameFields();
        int[] ethertypes = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88cc};
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(0, 200)];
            r.nextBytes(b);
            if (b.length > 0 && r.nextBoolean()) b[0] = (byte) (r.nextBoolean() ? 0x45 : 0x60); // reach the deeper headers
            int et = ethertypes[r.nextInt(ethertypes.length)];
            ByteBuffer buf = ByteBuffer.wrap(b, 0, b.length).slice();
            f.parse(r.nextLong(), r.nextLong(), et, buf);
            assertEquals(0, buf.position());
            if (f.destinationPort() >= 0) assertEquals(true, f.ipProtocol() >= 0);
        }
    }
}

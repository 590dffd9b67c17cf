package dev.planetary.nic;

import static dev.planetary.nic.SourceCheck.Verdict.ARP_SENDER_NOT_OWNED;
import static dev.planetary.nic.SourceCheck.Verdict.FOREIGN_LINK_LOCAL;
import static dev.planetary.nic.SourceCheck.Verdict.IPV4_SOURCE_NOT_OWNED;
import static dev.planetary.nic.SourceCheck.Verdict.IPV6_SOURCE_NOT_OWNED;
import static dev.planetary.nic.SourceCheck.Verdict.MALFORMED;
import static dev.planetary.nic.SourceCheck.Verdict.NA_TARGET_NOT_OWNED;
import static dev.planetary.nic.SourceCheck.Verdict.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** VL.md §9.5: each spoofing attempt a member could make, refused; its own traffic passes. */
class SourceCheckTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long S = 0x89e92ceee5L;
    static final long OTHER = 0xf3da19d0f4L;
    final MacAddress macS = MacAddress.derive(NWID, S);
    final MacAddress macO = MacAddress.derive(NWID, OTHER);

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    SourceCheck check() throws Exception {
        return new SourceCheck(macS, List.of(
                new SourceCheck.Owned(new IpAssignment(ip("10.147.17.5"), 24), false),
                new SourceCheck.Owned(new IpAssignment(Ipv6Addresses.rfc4193(NWID, S), 88), false),
                new SourceCheck.Owned(new IpAssignment(ip("fc11:2233:4489:e92c:eee5::1"), 80), true))); // 6plane-like /80
    }

    private SourceCheck.Verdict v4(String src) throws Exception {
        return check().check(ByteBuffer.wrap(UserspaceNicTest.Frames.udp4(macO, macS, (Inet4Address) ip(src),
                (Inet4Address) ip("10.147.17.9"), 1, 2, new byte[4])));
    }

    private SourceCheck.Verdict arp(String spa) throws Exception {
        return check().check(ByteBuffer.wrap(UserspaceNicTest.Frames.arpRequest(macS, (Inet4Address) ip(spa),
                (Inet4Address) ip("10.147.17.9"))));
    }

    private SourceCheck.Verdict v6(byte[] src, byte[] icmp6) throws Exception {
        return check().check(ByteBuffer.wrap(UserspaceNicTest.Frames.ipv6(macO, macS, src,
                Ipv6Addresses.rfc4193(NWID, OTHER).getAddress(), 255, icmp6)));
    }

    private static byte[] na(byte[] target) {
        byte[] na = new byte[32];
        na[0] = (byte) 136;
        System.arraycopy(target, 0, na, 8, 16);
        return na;
    }

    @Test
    void ipv4AndArp() throws Exception {
        assertEquals(PASS, v4("10.147.17.5"));
        assertEquals(PASS, v4("0.0.0.0"));
        assertEquals(IPV4_SOURCE_NOT_OWNED, v4("10.147.17.6"), "another member's address, same /24 (prefix not owned)");
        assertEquals(PASS, arp("10.147.17.5"));
        assertEquals(PASS, arp("0.0.0.0"));
        assertEquals(ARP_SENDER_NOT_OWNED, arp("10.147.17.6"), "ARP answering for someone else");
    }

    @Test
    void ipv6LinkLocalAndNeighbourAdvertisements() throws Exception {
        byte[] echo = new byte[8];
        echo[0] = (byte) 128;
        byte[] own = Ipv6Addresses.rfc4193(NWID, S).getAddress();
        byte[] others = Ipv6Addresses.rfc4193(NWID, OTHER).getAddress();
        byte[] ownLl = Ipv6Addresses.linkLocal(macS).getAddress();
        byte[] otherLl = Ipv6Addresses.linkLocal(macO).getAddress();
        assertEquals(PASS, v6(own, echo));
        assertEquals(PASS, v6(ownLl, echo), "S's exact EUI-64 link-local");
        assertEquals(PASS, v6(new byte[16], echo), ":: for DAD");
        assertEquals(PASS, v6(ip("fc11:2233:4489:e92c:eee5:9::1").getAddress(), echo), "inside its prefix-owned /80");
        assertEquals(IPV6_SOURCE_NOT_OWNED, v6(ip("fc11:2233:4489:e92c:eee6::1").getAddress(), echo), "outside it");
        assertEquals(IPV6_SOURCE_NOT_OWNED, v6(others, echo));
        assertEquals(FOREIGN_LINK_LOCAL, v6(otherLl, echo), "another member's link-local");
        assertEquals(FOREIGN_LINK_LOCAL, v6(ip("fe80::1").getAddress(), echo));
        assertEquals(FOREIGN_LINK_LOCAL, v6(ip("febf::1").getAddress(), echo), "all of fe80::/10");
        assertEquals(PASS, v6(ownLl, na(own)));
        assertEquals(PASS, v6(ownLl, na(ownLl)));
        assertEquals(NA_TARGET_NOT_OWNED, v6(ownLl, na(otherLl)), "answering NDP for another member's link-local");
        assertEquals(NA_TARGET_NOT_OWNED, v6(own, na(others)));
        assertEquals(NA_TARGET_NOT_OWNED, v6(ownLl, na(new byte[16])), ":: is no NA target");
    }

    @Test
    void vlanTaggedAndOtherFrames() throws Exception {
        byte[] u = UserspaceNicTest.Frames.udp4(macO, macS, (Inet4Address) ip("10.147.17.6"), (Inet4Address) ip("10.147.17.9"), 1, 2, new byte[4]);
        byte[] tagged = new byte[u.length + 4];
        System.arraycopy(u, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        tagged[14] = 0x00;
        tagged[15] = 0x05;
        System.arraycopy(u, 12, tagged, 16, u.length - 12);
        assertEquals(IPV4_SOURCE_NOT_OWNED, check().check(ByteBuffer.wrap(tagged)), "the 802.1Q tag hides nothing");
        byte[] lldp = UserspaceNicTest.Frames.eth(macO, macS, 0x88cc, 40);
        assertEquals(PASS, check().check(ByteBuffer.wrap(lldp)));
        assertEquals(MALFORMED, check().check(ByteBuffer.wrap(Arrays.copyOf(u, 20))));
        assertEquals(MALFORMED, check().check(ByteBuffer.wrap(new byte[5])));
        SourceCheck c = check();
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] f = Arrays.copyOf(u, r.nextInt(u.length + 1));
            if (f.length > 0) {
                f[r.nextInt(f.length)] = (byte) r.nextInt();
            }
            assertNotNull(c.check(ByteBuffer.wrap(f)));
        }
    }
}

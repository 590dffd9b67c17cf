package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.nic.VirtualNic;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.ExtFrame;
import dev.planetary.vl2.NetworkConfig;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bridging in L0 (VL.md §9.3–§9.4, §9.6): member A's credential has the bridge flag and its port's
 * NIC is a LAN switch with two hosts on foreign MACs (userspace stacks, no Planetary); each host
 * pings member B across A and gets its replies (B learns the hosts behind A). Member C, no bridge,
 * is refused: its NIC's foreign source MAC never leaves it, and an EXT_FRAME it forges is dropped at B.
 */
class BridgingSimTest {
    static final MacAddress H1 = new MacAddress(0x0e_11_22_33_44_01L), H2 = new MacAddress(0x0e_11_22_33_44_02L);

    /** A's "TAP enslaved to a bridge": frames from the port go to the LAN host(s) they are for; the hosts' frames go to the port. */
    static final class LanSwitch implements VirtualNic {
        final MacAddress mac;
        final List<UserspaceNic> hosts;

        LanSwitch(MacAddress mac, List<UserspaceNic> hosts) {
            this.mac = mac;
            this.hosts = hosts;
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        @Override
        public void start(FrameHandler handler) {
            for (UserspaceNic h : hosts) h.start(handler);
        }

        @Override
        public void send(ByteBuffer frame) {
            MacAddress dst = MacAddress.fromBuffer(frame, frame.position());
            for (UserspaceNic h : hosts) if (dst.isMulticast() || dst.equals(h.mac())) h.send(frame.duplicate());
        }

        @Override
        public void close() {
            hosts.forEach(UserspaceNic::close);
        }
    }

    static Inet4Address ip(String s) {
        return (Inet4Address) FakeController.ip(s);
    }

    @Test
    void twoHostsBehindABridgeMemberPingAnotherMemberAndANonBridgeIsRefused() throws Exception {
        Vl2World w = new Vl2World(83, 4, SeqexLinkSimTest.CLEAN);
        FakeController ctl = new FakeController(w.member(0), Vl2World.identity(1));
        ctl.token = "join-me";
        ctl.flags = NetworkConfig.FLAG_BROADCAST;
        ctl.addresses = (Address a) -> List.of(AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.17." + (10 + a.value() % 200)), 24)));
        ctl.bridges.add(w.member(1).node.address());
        UserspaceNic h1 = new UserspaceNic(H1, ip("10.147.17.221"), 24), h2 = new UserspaceNic(H2, ip("10.147.17.222"), 24);
        PortedMember a = new PortedMember(w.member(1), pc -> new LanSwitch(pc.mac(), List.of(h1, h2)));
        PortedMember b = new PortedMember(w.member(2));
        PortedMember c = new PortedMember(w.member(3));
        assertTrue(w.runUntil(() -> w.members.stream().allMatch(h -> h.node.isOnline()), 30_000));
        MemberNetwork[] n = new MemberNetwork[3];
        List<PortedMember> ms = List.of(a, b, c);
        for (int i = 0; i < 3; i++) {
            int k = i;
            ms.get(k).host.run(() -> n[k] = ms.get(k).networks.join(ctl.nwid, null, "join-me"));
        }
        assertTrue(w.runUntil(() -> ms.stream().allMatch(m -> m.ports.port(ctl.nwid).isPresent()), 120_000),
                () -> java.util.Arrays.toString(n) + " " + a.ports.nicFailures() + " " + PortedMember.describe(a, b, c));
        NetworkPort pa = a.port(n[0]), pb = b.port(n[1]), pc = c.port(n[2]);
        assertTrue(pa.config().bridge(), "A's credential carries the bridge flag");
        MacAddress macA = pa.nic().mac(), macB = pb.nic().mac();
        Fingerprint bFp = b.host.node.fingerprint();

        // B sends A one frame (so A knows B as a broadcast recipient, as after any traffic); C sends B one
        b.host.run(() -> pb.outbound(ByteBuffer.wrap(frame(macA, macB))));
        c.host.run(() -> pc.outbound(ByteBuffer.wrap(frame(macB, pc.nic().mac()))));
        assertTrue(w.runUntil(() -> n[0].allowed(bFp) && n[1].allowed(c.host.node.fingerprint()), 10_000),
                () -> PortedMember.describe(a, b, c));
        b.host.run(() -> pb.outbound(ByteBuffer.wrap(frame(macA, macB)))); // the first one may have overtaken B's credential (§8.3)
        assertTrue(w.runUntil(() -> pa.delivered() > 0, 5_000), () -> PortedMember.describe(a, b));

        // the LAN hosts ping B across A: ARP by broadcast (B learns H1/H2 behind A), replies to their MACs through A
        for (UserspaceNic h : List.of(h1, h2)) {
            assertEquals(0, PortedMember.ping(w, h, b.nic(n[1]).ipv4(), "ping " + h.mac() + " → B", a, b) > 1 ? 1 : 0);
        }
        assertEquals(w.member(1).node.address().value(), pb.bridgeTable().bridgeOf(H1, System.nanoTime() / 1_000_000));
        assertEquals(w.member(1).node.address().value(), pb.bridgeTable().bridgeOf(H2, System.nanoTime() / 1_000_000));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, PortedMember.ping(w, h1, b.nic(n[1]).ipv4(), "ping H1 → B", a, b), "no loss once learned");
            assertEquals(0, PortedMember.ping(w, h2, b.nic(n[1]).ipv4(), "ping H2 → B", a, b));
        }
        assertEquals(0, pb.drops(PortDrop.SPOOFED_MAC) + pb.drops(PortDrop.SPOOFED_IP) + pa.drops(PortDrop.NOT_OUR_MAC));

        // C is no bridge: a foreign source never leaves it, and a forged EXT_FRAME is dropped at B
        c.host.run(() -> pc.outbound(ByteBuffer.wrap(frame(macB, H1))));
        assertEquals(1, pc.drops(PortDrop.FOREIGN_SOURCE));
        long delivered = pb.delivered();
        byte[] forged = new ExtFrame(ctl.nwid, macB, new MacAddress(0x0e_77_00_00_00_01L), 0x88b5, Bytes.of(new byte[46])).encode();
        c.host.run(() -> assertTrue(c.host.node.sendUpper(bFp, forged)));
        assertTrue(w.runUntil(() -> pb.drops(PortDrop.SPOOFED_MAC) == 1, 5_000), () -> PortedMember.describe(b, c));
        assertEquals(delivered, pb.delivered());
    }

    private static byte[] frame(MacAddress dst, MacAddress src) {
        ByteBuffer f = ByteBuffer.allocate(60);
        f.put(dst.toBytes()).put(src.toBytes()).putShort((short) 0x88b5); // local experimental ethertype
        return f.array();
    }

}

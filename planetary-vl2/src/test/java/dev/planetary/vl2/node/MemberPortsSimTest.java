package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.Ipv6Addresses;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.NetworkConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The member side driving the data plane in L0 (VL.md §7.2, §8.3, §9, §10.6, §16.4 E4/E5/E12): two
 * members join with a token at a (fake) controller, their networks come up as userspace NICs behind
 * {@link MemberPorts}, each presents its credential before its first frame, and they ping each other
 * — IPv6 between rfc4193 addresses first (NDP emulated, nothing but FRAMEs on the wire), then IPv4
 * with the ARP request sent to the member whose LIKE of (ff:…:ff, its IPv4) arrived once the two
 * accepted each other's credential (§10.2); leaving closes the port.
 */
class MemberPortsSimTest {
    @Test
    void twoMembersJoinAndPingAcrossTheirPorts() throws Exception {
        Vl2World w = new Vl2World(47, 3, SeqexLinkSimTest.CLEAN);
        FakeController ctl = new FakeController(w.member(0), Vl2World.identity(1));
        ctl.token = "join-me";
        ctl.flags = NetworkConfig.FLAG_BROADCAST | NetworkConfig.FLAG_NDP_EMULATION;
        ctl.addresses = (Address a) -> List.of(
                AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.17." + (10 + a.value() % 200)), 24)),
                AssignedAddress.of(new IpAssignment(Ipv6Addresses.rfc4193(ctl.nwid, a.value()), 88)));
        PortedMember a = new PortedMember(w.member(1));
        PortedMember b = new PortedMember(w.member(2));
        assertTrue(w.runUntil(() -> a.host.node.isOnline() && b.host.node.isOnline() && w.member(0).node.isOnline(), 30_000));
        MemberNetwork[] na = new MemberNetwork[1];
        MemberNetwork[] nb = new MemberNetwork[1];
        a.host.run(() -> na[0] = a.networks.join(ctl.nwid, null, "join-me"));
        b.host.run(() -> nb[0] = b.networks.join(ctl.nwid, null, "join-me"));
        assertTrue(w.runUntil(() -> a.ports.port(ctl.nwid).isPresent() && b.ports.port(ctl.nwid).isPresent(), 30_000),
                () -> na[0] + " " + nb[0]);
        assertEquals(MemberNetwork.Status.OK, na[0].status());
        NetworkPort pa = a.port(na[0].id());
        NetworkPort pb = b.port(nb[0].id());
        assertEquals(na[0].mac(a.host.node.address()), pa.nic().mac(), "the NIC has the derived MAC (§9.1)");

        // IPv6 first: the solicitation for B's rfc4193 address is answered on A's NIC (§10.6).
        int lost = PortedMember.ping(w, a.nic(na[0]), Ipv6Addresses.rfc4193(ctl.nwid, b.host.node.address().value()), "ping6 A → B", a, b);
        assertTrue(lost <= 1, "at most the first request is lost (E5): " + lost);
        assertEquals(1, pa.emulated());
        assertTrue(nb[0].peerCredential(a.host.node.fingerprint()).isPresent(), "A presented its credential before its first frame (§8.3)");

        // IPv4: the ARP request goes to B, which LIKEd its ARP group to A after accepting A's credential (§10.2).
        for (int i = 0; i < 5; i++) {
            assertEquals(0, PortedMember.ping(w, a.nic(na[0]), b.nic(nb[0]).ipv4(), "ping A → B", a, b), "no loss once both hold the credentials");
            assertEquals(0, PortedMember.ping(w, b.nic(nb[0]), a.nic(na[0]).ipv4(), "ping B → A", a, b));
        }
        for (NetworkPort p : List.of(pa, pb)) {
            assertEquals(p.drops(PortDrop.NOT_MEMBER), p.drops(), p + ": only frames that overtook a presentation are dropped");
            assertTrue(p.drops() <= 1, p + " dropped " + p.drops());
        }
        assertTrue(pa.sent() >= 3 && pb.delivered() >= 3);
        assertEquals(0, a.ports.nicFailures() + b.ports.nicFailures());

        // A new config with other addresses reconfigures: the old NIC is closed before the new one opens (a TAP's name is taken until then).
        ctl.networkRevision = 2;
        ctl.addresses = (Address x) -> List.of(AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.18." + (10 + x.value() % 200)), 24)),
                AssignedAddress.of(new IpAssignment(Ipv6Addresses.rfc4193(ctl.nwid, x.value()), 88)));
        UserspaceNic before = a.nic(na[0].id());
        SeqexLinkSimTest.Outcome pushed = new SeqexLinkSimTest.Outcome();
        w.member(0).run(() -> ctl.push(a.host.node.fingerprint(), dev.planetary.vl2.NetworkConfigMessage.of(ctl.signedConfig(a.host.node.fingerprint()), true).encode(), pushed));
        assertTrue(w.runUntil(() -> a.ports.port(ctl.nwid).map(p -> p.nic() != before).orElse(false), 30_000), "reconfigured: " + na[0]);
        assertTrue(a.nic(na[0].id()).ipv4().getHostAddress().startsWith("10.147.18."), a.nic(na[0].id()).ipv4().toString());
        assertEquals(0, a.ports.nicFailures());

        // Leaving closes the port (and its NIC).
        a.host.run(() -> a.networks.leave(ctl.nwid));
        w.run(1000);
        assertFalse(a.ports.port(ctl.nwid).isPresent());
    }
}

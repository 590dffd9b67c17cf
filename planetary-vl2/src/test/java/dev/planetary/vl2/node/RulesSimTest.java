package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.Ipv6Addresses;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.Frame;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.Tag;
import dev.planetary.vl2.TagDefinition;
import dev.planetary.vl2.rules.RuleBuilder;
import dev.planetary.vl2.rules.TcpSyn;
import dev.planetary.vl2.rules.Verdict;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rules on the data plane in L0 (VL.md §11.4, §16.4 E13): a network whose rules let TCP port 22
 * through only from members with tag role = admin. A non-admin's SYN is dropped at its own port
 * (outbound) and, sent around its rules as a raw FRAME, at the receiver (inbound); an admin's SYN
 * passes both ends; after the controller gives the non-admin role = admin in a new credential, its
 * next SYN passes both ends too. Port forwarding's synthesised SYN is judged alike. E14: when A
 * loses the tag, its older credential replayed to B is ignored and A's SYN is dropped at B. Pings
 * (ICMPv6) pass throughout.
 */
class RulesSimTest {
    static final long ROLE = 1, ADMIN = 1;

    /** An Ethernet frame {@code from → to} carrying an IPv4 TCP SYN to port 22. */
    private static ByteBuffer syn(UserspaceNic from, UserspaceNic to) {
        ByteBuffer p = TcpSyn.payload(from.ipv4(), 40000, to.ipv4(), 22);
        return ByteBuffer.allocate(14 + p.remaining()).put(to.mac().toBytes()).put(from.mac().toBytes()).putShort((short) 0x0800).put(p).flip();
    }

    @Test
    void tcp22OnlyFromAdminsAtBothEndsAndATagChangeTakesEffectOnTheNextFrame() {
        Vl2World w = new Vl2World(47, 3, SeqexLinkSimTest.CLEAN);
        FakeController ctl = new FakeController(w.member(0), Vl2World.identity(1));
        ctl.token = "join-me";
        ctl.flags = NetworkConfig.FLAG_BROADCAST | NetworkConfig.FLAG_NDP_EMULATION;
        ctl.addresses = (Address a) -> List.of(AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.17." + (10 + a.value() % 200)), 24)),
                AssignedAddress.of(new IpAssignment(Ipv6Addresses.rfc4193(ctl.nwid, a.value()), 88)));
        PortedMember a = new PortedMember(w.member(1));
        PortedMember b = new PortedMember(w.member(2));
        long[] admins = {a.host.node.address().value()};
        ctl.tagDefinitions = List.of(new TagDefinition(ROLE, 0, "role"));
        ctl.tags = x -> x.value() == admins[0] ? List.of(new Tag(ROLE, ADMIN)) : List.of();
        // "TCP 22 only from tag role = admin": protocol 6, port 22, sender not admin → DROP; then ACCEPT
        ctl.baseRules = Optional.of(new RuleBuilder().ipProtocol(6).destPorts(22, 22).not().tagSender(ROLE, ADMIN).drop().accept().build());
        assertTrue(w.runUntil(() -> a.host.node.isOnline() && b.host.node.isOnline() && w.member(0).node.isOnline(), 30_000));
        a.host.run(() -> a.networks.join(ctl.nwid, null, "join-me"));
        b.host.run(() -> b.networks.join(ctl.nwid, null, "join-me"));
        assertTrue(w.runUntil(() -> a.ports.port(ctl.nwid).isPresent() && b.ports.port(ctl.nwid).isPresent(), 30_000));
        NetworkPort pa = a.port(ctl.nwid), pb = b.port(ctl.nwid);
        // ICMPv6 passes (NDP emulated, §10.6): both hold each other's credentials afterwards
        PortedMember.ping(w, a.nic(ctl.nwid), Ipv6Addresses.rfc4193(ctl.nwid, b.host.node.address().value()), "ping6", a, b);
        PortedMember.ping(w, b.nic(ctl.nwid), Ipv6Addresses.rfc4193(ctl.nwid, a.host.node.address().value()), "ping6", a, b);
        // B (no tag) → A, port 22: dropped at B's port, outbound
        long bSent = pb.sent();
        pb.outbound(syn(b.nic(ctl.nwid), a.nic(ctl.nwid)));
        w.run(500);
        assertEquals(1, pb.drops(PortDrop.RULES));
        assertEquals(bSent, pb.sent());
        assertEquals(1, b.rules(ctl.nwid).decisions(false, Verdict.DROPPED));

        // the same SYN sent around B's rules, as a raw FRAME: dropped at A's port, inbound
        long aDelivered = pa.delivered();
        ByteBuffer raw = syn(b.nic(ctl.nwid), a.nic(ctl.nwid)).position(14);
        byte[] frame = new Frame(ctl.nwid, 0x0800, Bytes.of(bytes(raw))).encode();
        b.host.run(() -> b.host.node.sendUpper(a.host.node.address(), frame));
        assertTrue(w.runUntil(() -> pa.drops(PortDrop.RULES) == 1, 5_000), "A's inbound rules drop it");
        assertEquals(aDelivered, pa.delivered());
        assertEquals(1, a.rules(ctl.nwid).decisions(true, Verdict.DROPPED));

        // A (admin) → B, port 22: passes both ends
        long bDelivered = pb.delivered();
        pa.outbound(syn(a.nic(ctl.nwid), b.nic(ctl.nwid)));
        assertTrue(w.runUntil(() -> pb.delivered() == bDelivered + 1, 5_000), "the admin's SYN reaches B");
        assertEquals(0, a.rules(ctl.nwid).decisions(false, Verdict.DROPPED));
        assertEquals(1, pa.drops(PortDrop.RULES), "only the raw FRAME, inbound");
        assertEquals(1, pb.drops(PortDrop.RULES));
        // port forwarding (§12.8): the same rules on a synthesised SYN, outbound at the initiator, inbound at the target
        ForwardRules fa = new ForwardRules(a.networks), fb = new ForwardRules(b.networks);
        dev.planetary.identity.Fingerprint fpA = a.host.node.fingerprint(), fpB = b.host.node.fingerprint();
        assertTrue(fa.permits(ctl.nwid, fpB, b.nic(ctl.nwid).ipv4(), 22, false), "admin A opens to B:22");
        assertTrue(fb.permits(ctl.nwid, fpA, b.nic(ctl.nwid).ipv4(), 22, true), "B lets admin A in on 22");
        assertTrue(!fb.permits(ctl.nwid, fpA, a.nic(ctl.nwid).ipv4(), 22, false), "B may not open to A:22");
        assertTrue(!fa.permits(ctl.nwid, fpB, a.nic(ctl.nwid).ipv4(), 22, true), "A refuses B on 22");
        assertTrue(fb.permits(ctl.nwid, fpA, a.nic(ctl.nwid).ipv4(), 80, false) && fa.permits(ctl.nwid, fpB, a.nic(ctl.nwid).ipv4(), 80, true), "port 80 is open to all");
        assertTrue(!fa.permits(ctl.nwid, Vl2World.identity(1).identity().fingerprint(), b.nic(ctl.nwid).ipv4(), 80, false), "no credential from that peer");
        assertEquals(2, fa.denied());

        // the controller makes B an admin: a new config with a new credential, pushed to B
        admins[0] = b.host.node.address().value();
        Vl2World.Host ch = w.member(0);
        SeqexLinkSimTest.Outcome pushed = new SeqexLinkSimTest.Outcome();
        ch.run(() -> ctl.push(b.host.node.fingerprint(), NetworkConfigMessage.of(ctl.signedConfig(b.host.node.fingerprint()), true).encode(), pushed));
        assertTrue(w.runUntil(() -> b.networks.network(ctl.nwid).orElseThrow().ownCredential().orElseThrow().value().tagValue(ROLE).isPresent(), 10_000));
        long bAcceptedBefore = b.rules(ctl.nwid).decisions(false, Verdict.ACCEPTED);
        long aDelivered2 = pa.delivered();
        pb.outbound(syn(b.nic(ctl.nwid), a.nic(ctl.nwid))); // presents the new credential first (§8.3), then the SYN
        assertEquals(1, pb.drops(PortDrop.RULES), "B's outbound rules saw its new tag at once");
        assertEquals(1, b.rules(ctl.nwid).decisions(false, Verdict.ACCEPTED) - bAcceptedBefore);
        // a frame may overtake the credential presented before it (§8.3): then the next one passes
        for (int i = 0; i < 3 && pa.delivered() == aDelivered2; i++) {
            w.runUntil(() -> pa.delivered() > aDelivered2, 1_000);
            if (pa.delivered() == aDelivered2) pb.outbound(syn(b.nic(ctl.nwid), a.nic(ctl.nwid)));
        }
        assertTrue(w.runUntil(() -> pa.delivered() > aDelivered2, 1_000), () -> "B's SYN reaches A: " + PortedMember.describe(a, b));
        assertTrue(pa.drops(PortDrop.RULES) <= 2, "at most the frame that overtook B's new credential: " + PortedMember.describe(a, b));
        assertTrue(a.rules(ctl.nwid).decisions(true, Verdict.ACCEPTED) >= 2);

        // E14: A loses the tag (a new MC pushed to A); its older credential, replayed to B, is ignored (§8.2 step 5:
        // newest wins), so A's SYN to port 22, sent around A's rules, is dropped at B
        byte[] oldPresentation = a.networks.presentation(ctl.nwid).orElseThrow();
        SeqexLinkSimTest.Outcome demoted = new SeqexLinkSimTest.Outcome();
        ch.run(() -> ctl.push(fpA, NetworkConfigMessage.of(ctl.signedConfig(fpA), true).encode(), demoted));
        assertTrue(w.runUntil(() -> a.networks.network(ctl.nwid).orElseThrow().ownCredential().orElseThrow().value().tagValue(ROLE).isEmpty(), 10_000));
        java.util.function.BooleanSupplier bHoldsDemoted = () -> b.networks.network(ctl.nwid).orElseThrow().peerCredential(fpA)
                .map(c -> c.value().tagValue(ROLE).isEmpty()).orElse(false);
        if (!w.runUntil(bHoldsDemoted, 2_000)) a.host.run(() -> a.networks.present(fpB, ctl.nwid)); // else present it explicitly
        assertTrue(w.runUntil(bHoldsDemoted, 5_000), "B holds A's new credential");
        a.host.run(() -> a.host.node.sendUpper(b.host.node.address(), oldPresentation));
        w.run(1_000);
        assertTrue(bHoldsDemoted.getAsBoolean(), "the older credential (role = admin) replayed is not taken");
        long bDrops = pb.drops(PortDrop.RULES);
        byte[] replayedSyn = new Frame(ctl.nwid, 0x0800, Bytes.of(bytes(syn(a.nic(ctl.nwid), b.nic(ctl.nwid)).position(14)))).encode();
        a.host.run(() -> a.host.node.sendUpper(b.host.node.address(), replayedSyn));
        assertTrue(w.runUntil(() -> pb.drops(PortDrop.RULES) == bDrops + 1, 5_000), () -> "dropped at B: " + PortedMember.describe(a, b));
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] x = new byte[b.remaining()];
        b.get(x);
        return x;
    }


}

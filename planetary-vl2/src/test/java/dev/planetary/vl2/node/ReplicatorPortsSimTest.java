package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkPort;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.NetworkConfig;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * §10.7 through the real stack in L0: members R (the replicator: MC bit1, listed by the config), S and
 * B on real nodes and ports (the four identities the other L0 worlds make). S's broadcast leaves S
 * once, to R; R delivers it to its own port and forwards it to B with S as origin and S's MC first, and
 * B's port delivers it as from S (its credential accepted from R, §8.3).
 */
class ReplicatorPortsSimTest {

    @Test
    void aBroadcastGoesOnceToTheReplicatorWhichFansItOutWithTheOriginsCredential() {
        Vl2World w = new Vl2World(91, 4, SeqexLinkSimTest.CLEAN);
        FakeController ctl = new FakeController(w.member(0), Vl2World.identity(1));
        ctl.token = "join-me";
        ctl.flags = NetworkConfig.FLAG_BROADCAST;
        ctl.addresses = (Address a) -> List.of(AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.17." + (10 + a.value() % 200)), 24)));
        ctl.replicators.add(w.member(1).node.fingerprint());
        List<PortedMember> ms = List.of(new PortedMember(w.member(1)), new PortedMember(w.member(2)), new PortedMember(w.member(3)));
        PortedMember r = ms.get(0), s = ms.get(1), b = ms.get(2);
        assertTrue(w.runUntil(() -> w.members.stream().allMatch(h -> h.node.isOnline()), 30_000));
        MemberNetwork[] n = new MemberNetwork[3];
        for (int i = 0; i < 3; i++) { // the replicator first: the controller lists it once it knows its address
            int k = i;
            ms.get(k).host.run(() -> n[k] = ms.get(k).networks.join(ctl.nwid, null, "join-me"));
            assertTrue(w.runUntil(() -> ms.get(k).ports.port(ctl.nwid).isPresent(), 60_000), () -> PortedMember.describe(ms.get(k)));
        }
        Fingerprint rFp = r.host.node.fingerprint();
        assertTrue(n[0].replicating(), "R's credential has bit1 and the config lists it");
        // every member LIKEs towards the listed replicator (§10.7), which opens the sessions and exchanges the credentials
        assertTrue(w.runUntil(() -> ms.subList(1, 3).stream().allMatch(m -> m.host.node.hasSession(rFp))
                && n[1].replicator(rFp) && r.ports.multicaster().likesHeld(ctl.nwid) >= 2 * 4, 60_000), () -> PortedMember.describe(r, s, b));

        NetworkPort ps = s.port(n[1]), pb = b.port(n[2]), pr = r.port(n[0]);
        long sentBefore = s.ports.multicaster().counter("framesSent");
        long deliveredB = pb.delivered(), deliveredR = pr.delivered();
        s.host.run(() -> ps.outbound(ByteBuffer.wrap(broadcast(ps.nic().mac()))));
        assertTrue(w.runUntil(() -> pb.delivered() > deliveredB && pr.delivered() > deliveredR, 10_000), () -> PortedMember.describe(r, s, b));
        w.run(2_000);
        assertEquals(1, s.ports.multicaster().counter("framesSent") - sentBefore, "S emits exactly one copy");
        assertEquals(1, s.ports.multicaster().counter("framesToReplicator"));
        assertEquals(deliveredB + 1, pb.delivered(), "B receives it once");
        assertEquals(deliveredR + 1, pr.delivered(), "the replicator delivers it to its own port once");
        assertEquals(1, r.ports.multicaster().counter("framesReplicated"), "to B, never back to S");
        assertEquals(1, r.ports.multicaster().counter("originsPresented"));
        assertTrue(n[2].credentialOf(s.host.node.address()).isPresent(), () -> "B holds S's credential, presented by R " + b.networks.counters()
                + " R " + r.ports.multicaster().counters() + " listed " + n[2].listsReplicator(rFp) + " " + n[2].replicator(rFp));
        assertEquals(1, b.networks.counters().get("originCredentialsAccepted"), "accepted from the replicator (§8.3)");
    }

    private static byte[] broadcast(MacAddress src) {
        ByteBuffer f = ByteBuffer.allocate(60);
        f.put(MacAddress.BROADCAST.toBytes()).put(src.toBytes()).putShort((short) 0x88b5); // local experimental ethertype
        return f.array();
    }
}

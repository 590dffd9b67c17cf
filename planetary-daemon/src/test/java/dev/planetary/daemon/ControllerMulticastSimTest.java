package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.ControllerLink;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Decoded;
import dev.planetary.vl1.Ok;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.MulticastLike;
import dev.planetary.vl2.NetworkConfigRequest;
import dev.planetary.vl2.node.SeqexLinkSimTest;
import dev.planetary.vl2.node.Vl2World;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's multicast side over real ZSSP/VL1 in the L0 simulator (VL.md §10.2, §10.3):
 * two members join, one LIKEs a group; the other's MULTICAST_GATHERs are answered with OK(GATHER)
 * — authoritative for the other's assigned IPv4, from the LIKE otherwise — and not at all once
 * the owner is deauthorized, for a stranger, or for a garbled request.
 */
class ControllerMulticastSimTest {
    @TempDir
    Path home;

    @Test
    void membersGatherFromTheControllerOverZssp() throws Exception {
        Vl2World w = new Vl2World(31, 3, SeqexLinkSimTest.CLEAN);
        Vl2World.Host ctlHost = w.member(0), a = w.member(1), b = w.member(2);
        SecretIdentity ctlId = Vl2World.identity(1), bId = Vl2World.identity(3);
        Fingerprint ctlFp = ctlHost.node.fingerprint();
        List<byte[]> answers = new ArrayList<>();
        a.layer.handle(Verb.MULTICAST_GATHER, (peer, address, msg) -> {
            if (peer.equals(ctlFp)) answers.add(msg);
        });
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(3));
            ControllerLink link = new ControllerLink(c, ctlHost.layer, fp -> "203.0.113.0/24");
            long nwid = c.createNetwork(OptionalLong.of(1), ControllerJson.parseObject("""
                    {"routes": [{"target": "10.1.0.0/24"}]}""".getBytes(StandardCharsets.UTF_8)), ctlHost.node.now()).id();
            NetworkId id = new NetworkId(nwid);
            String[] ips = {"10.1.0.4", "10.1.0.5"};
            int k = 0;
            for (Vl2World.Host m : List.of(a, b)) {
                SeqexLinkSimTest.connect(w, m, ctlHost);
                ControllerLinkSimTest.ask(w, m, ctlFp, NetworkConfigRequest.of(id, 0, 0, Optional.empty(), "test")); // pending, identity on file
                c.upsertMember(nwid, m.node.address(), ControllerJson.parseObject(("{\"authorized\": true, \"ipAssignments\": [\"" + ips[k++] + "\"]}")
                        .getBytes(StandardCharsets.UTF_8)), ctlHost.node.now());
            }
            MulticastGroup arpB = new MulticastGroup(MacAddress.BROADCAST, 0x0a010005L), mdns = new MulticastGroup(new MacAddress(0x01005e0000fbL), 0);
            b.run(() -> assertTrue(b.node.sendUpper(ctlFp, new MulticastLike(id, List.of(mdns)).encode())));
            assertTrue(w.runUntil(() -> c.likes(nwid) == 1, 10_000), "b's LIKE recorded");

            // the ARP group of b's address: b, authoritative, with its identity (format 1)
            GatherReply arp = gather(w, a, ctlFp, new MulticastGather(7, id, arpB, 32), answers, 7);
            assertTrue(arp.authoritative());
            assertEquals(b.node.address(), arp.members().get(0).address());
            assertArrayEquals(bId.identity().encoded(), arp.members().get(0).identity().orElseThrow().toArray());
            // a LIKEd group: b, not authoritative
            GatherReply liked = gather(w, a, ctlFp, new MulticastGather(8, id, mdns, 32), answers, 8);
            assertFalse(liked.authoritative());
            assertEquals(List.of(b.node.address()), liked.members().stream().map(GatherReply.Member::address).toList());
            // an absurd limit is clamped, not refused
            byte[] absurd = new MulticastGather(9, id, arpB, 1).encode();
            absurd[absurd.length - 2] = (byte) 0xff;
            absurd[absurd.length - 1] = (byte) 0xff;
            a.run(() -> assertTrue(a.node.sendUpper(ctlFp, absurd)));
            assertTrue(w.runUntil(() -> answers.size() == 3, 10_000), "answered");
            assertEquals(1L, c.counters().get("gatherLimitClamped"));

            // b deauthorized: a's gathers for b's address and b's group get no answer at all; garbage is counted
            c.upsertMember(nwid, b.node.address(), ControllerJson.parseObject("{\"authorized\": false}".getBytes(StandardCharsets.UTF_8)), ctlHost.node.now());
            a.run(() -> {
                a.node.sendUpper(ctlFp, new MulticastGather(10, id, arpB, 32).encode());
                a.node.sendUpper(ctlFp, new MulticastGather(11, id, mdns, 32).encode());
                a.node.sendUpper(ctlFp, new byte[] {(byte) Verb.MULTICAST_GATHER, 1, 2, 3});
            });
            w.run(2_000);
            assertEquals(3, answers.size(), "nothing when nobody is left to name");
            assertEquals(2L, c.counters().get("gatherEmpty"));
            assertEquals(1L, link.counters().get("invalidGather"));
            assertEquals(3L, link.counters().get("gatherReplied"));
        }
    }

    /** Sends {@code g} from {@code from} and waits for the OK(GATHER) with {@code requestId}. */
    static GatherReply gather(Vl2World w, Vl2World.Host from, Fingerprint ctl, MulticastGather g, List<byte[]> answers, int requestId) {
        int before = answers.size();
        from.run(() -> assertTrue(from.node.sendUpper(ctl, g.encode())));
        assertTrue(w.runUntil(() -> answers.size() > before, 10_000), "the controller answered");
        Ok.Other ok = assertInstanceOf(Ok.Other.class, assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(answers.get(before))).message());
        assertEquals(Verb.MULTICAST_GATHER, ok.inReVerb());
        assertEquals(requestId, ok.inReRequestId());
        GatherReply r = GatherReply.decode(ok.body().toArray()).orThrow();
        assertTrue(r.withIdentities(), "format 1");
        return r;
    }
}

package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.ControllerLink;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Push;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.node.MemberNetwork;
import dev.planetary.vl2.node.MemberNetworks;
import dev.planetary.vl2.node.MemberNetworksSimTest;
import dev.planetary.vl2.node.NetworkStore;
import dev.planetary.vl2.node.SeqexLinkSimTest;
import dev.planetary.vl2.node.Vl2World;
import dev.planetary.zssp.RandomSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The member engine against the real controller engine in L0 (VL.md §7.2, §7.5, §8.4): join with a
 * token → OK with a pool address; deauthorization → the revocation list reaches the member, which
 * asks again and ends ACCESS_DENIED (revoked).
 */
class MemberControllerSimTest {
    @TempDir
    Path home;

    private static com.fasterxml.jackson.databind.node.ObjectNode json(String s) {
        return ControllerJson.parseObject(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void joinWithATokenIsOkAndDeauthorizationEndsInAccessDeniedRevoked() throws Exception {
        Vl2World w = new Vl2World(41, 2, SeqexLinkSimTest.CLEAN);
        Vl2World.Host ctlHost = w.member(0), memHost = w.member(1);
        SecretIdentity ctlId = Vl2World.identity(1);
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(5));
            ControllerLink link = new ControllerLink(c, ctlHost.layer, fp -> "203.0.113.0/24");
            long nwid = c.createNetwork(OptionalLong.of(1), json("""
                    {"name": "lab", "v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.1.0.1", "ipRangeEnd": "10.1.0.9"}],
                     "routes": [{"target": "10.1.0.0/24"}]}"""), ctlHost.node.now()).id();
            String token = c.createToken(nwid, json("{}"), ctlHost.node.now()).text();
            MemberNetworksSimTest.MemoryStore files = new MemberNetworksSimTest.MemoryStore();
            MemberNetworks member = new MemberNetworks(memHost.layer, files, RandomSource.secure(), "planetary-test");
            memHost.extra = member::service;
            assertTrue(w.runUntil(() -> memHost.node.isOnline() && ctlHost.node.isOnline(), 30_000));

            MemberNetwork[] n = new MemberNetwork[1];
            memHost.run(() -> n[0] = member.join(new NetworkId(nwid), null, token));
            assertTrue(w.runUntil(() -> n[0].status() == MemberNetwork.Status.OK, 60_000), () -> n[0] + " " + member.counters() + " " + link.counters());
            assertEquals(ctlHost.node.fingerprint(), n[0].controller().orElseThrow());
            assertEquals("10.1.0.1/24", n[0].ownCredential().orElseThrow().value().addresses().getFirst().ip().toString());
            assertEquals("lab", n[0].config().orElseThrow().value().name().orElseThrow());
            assertTrue(files.has(new NetworkId(nwid), NetworkStore.Kind.CONFIG));

            List<Push> revoke = c.upsertMember(nwid, memHost.node.address(), json("{\"authorized\": false}"), ctlHost.node.now()).pushes();
            ctlHost.run(() -> link.send(revoke));
            assertTrue(w.runUntil(() -> n[0].status() == MemberNetwork.Status.ACCESS_DENIED, 60_000), () -> n[0] + " " + member.counters());
            assertEquals(2, n[0].deniedReason(), "revoked");
            assertTrue(n[0].revocations().isRevoked(memHost.node.fingerprint(), n[0].ownCredential().orElseThrow().timestamp()));
        }
    }
}

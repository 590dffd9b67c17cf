package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.ControllerLink;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Push;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Decoded;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.NetworkConfigRequest;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.node.SeqexLink;
import dev.planetary.vl2.node.SeqexLinkSimTest;
import dev.planetary.vl2.node.Vl2World;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller on a VL1 node in the L0 simulator (VL.md §7.3, §7.5): a member asks over SEQEX
 * channel 0, is pending, is authorised through the engine and receives the pushed config, then
 * refreshes (fresh MC only, list pushed) and is deauthorized (new list pushed with its entry).
 */
class ControllerLinkSimTest {
    @TempDir
    Path home;

    static ControllerLinkSimTest.Ask ask(Vl2World w, Vl2World.Host mem, Fingerprint ctl, NetworkConfigRequest req) {
        SeqexLinkSimTest.Outcome out = new SeqexLinkSimTest.Outcome();
        mem.run(() -> assertTrue(mem.layer.seqex().request(ctl, SeqexLink.CHANNEL_CONTROL, req.encode(), true, out)));
        assertTrue(w.runUntil(out::done, 30_000), "the controller answered");
        assertTrue(out.failure == null, out.failure);
        w.run(1_100); // the next request is in another second (config requests ≤ 1/s, §7.5)
        return new Ask(out.reply);
    }

    record Ask(byte[] reply) {
        int verb() {
            return reply[0] & 0xff;
        }
    }

    @Test
    void memberJoinsGetsPushesAndIsRevokedOverSeqex() throws Exception {
        Vl2World w = new Vl2World(7, 2, SeqexLinkSimTest.CLEAN);
        Vl2World.Host ctlHost = w.member(0), mem = w.member(1);
        SecretIdentity ctlId = Vl2World.identity(1);
        Fingerprint ctlFp = ctlHost.node.fingerprint(), memFp = mem.node.fingerprint();
        PsoVerifier verifier = new PsoVerifier();
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(3));
            ControllerLink link = new ControllerLink(c, ctlHost.layer, fp -> "203.0.113.0/24");
            SeqexLinkSimTest.Control pushes = new SeqexLinkSimTest.Control(ctlFp::equals);
            mem.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, pushes);
            long nwid = c.createNetwork(OptionalLong.of(1), ControllerJson.parseObject("""
                    {"v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.1.0.1", "ipRangeEnd": "10.1.0.9"}],
                     "routes": [{"target": "10.1.0.0/24"}]}""".getBytes(StandardCharsets.UTF_8)), ctlHost.node.now()).id();
            NetworkId id = new NetworkId(nwid);
            SeqexLinkSimTest.connect(w, mem, ctlHost);

            // 1. unknown member: a pending row, ERROR NETWORK_ACCESS_DENIED reason 1
            Ask pending = ask(w, mem, ctlFp, NetworkConfigRequest.of(id, 0, 0, Optional.empty(), "test"));
            ErrorMessage denied = (ErrorMessage) assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(pending.reply())).message();
            assertEquals(ErrorMessage.NETWORK_ACCESS_DENIED, denied.code());
            assertEquals(new ErrorMessage.Detail.AccessDenied(nwid, ErrorMessage.ACCESS_PENDING_APPROVAL), denied.detail());
            assertEquals(memFp, c.member(nwid, mem.node.address()).orElseThrow().fingerprint());

            // 2. the operator authorises: the online member gets the config pushed
            List<Push> ps = c.upsertMember(nwid, mem.node.address(), ControllerJson.parseObject("{\"authorized\": true}".getBytes(StandardCharsets.UTF_8)),
                    ctlHost.node.now()).pushes();
            assertEquals(1, ps.size(), ps.toString());
            ctlHost.run(() -> assertEquals(1, link.send(ps)));
            assertTrue(w.runUntil(() -> pushes.received.size() == 1, 30_000), "push delivered");
            byte[] pushed = pushes.received.get(0).message();
            assertEquals(Verb.NETWORK_CONFIG, pushed[0] & 0xff);
            NetworkConfigMessage msg = NetworkConfigMessage.decode(pushed).orThrow();
            assertTrue(msg.unsolicited());
            Signed<NetworkConfig> cfg = NetworkConfig.verify(verifier, msg.pso().toArray(), ctlId.identity()).orThrow();
            assertEquals("10.1.0.1/24", cfg.value().credential().value().addresses().get(0).ip().toString());

            // 3. a refresh with the current revision: only a fresh MC; the list (held: none) follows as a push
            Ask fresh = ask(w, mem, ctlFp, NetworkConfigRequest.of(id, cfg.value().revision(), 0, Optional.empty(), "test"));
            assertEquals(Verb.NETWORK_CREDENTIALS, fresh.verb());
            CredentialItem.Credential mc = NetworkCredentials.decode(fresh.reply()).orThrow().items(CredentialItem.Credential.class).get(0);
            Signed<MemberCredential> freshMc = MemberCredential.verify(verifier, mc.pso().toArray(), ctlId.identity()).orThrow();
            assertTrue(freshMc.timestamp() > cfg.value().credential().timestamp());
            assertTrue(w.runUntil(() -> pushes.received.size() == 2, 30_000), "revocation list pushed");
            assertEquals(Verb.NETWORK_CREDENTIALS, pushes.received.get(1).message()[0] & 0xff);

            // 4. deauthorization: a new list with the member's entry reaches it
            List<Push> revoke = c.upsertMember(nwid, mem.node.address(), ControllerJson.parseObject("{\"authorized\": false}"
                    .getBytes(StandardCharsets.UTF_8)), ctlHost.node.now()).pushes();
            ctlHost.run(() -> link.send(revoke));
            assertTrue(w.runUntil(() -> pushes.received.size() == 3, 30_000), "new list pushed");
            var items = NetworkCredentials.decode(pushes.received.get(2).message()).orThrow().items(CredentialItem.RevocationListItem.class);
            Signed<RevocationList> list = RevocationList.verify(verifier, items.get(0).pso().toArray(), ctlId.identity()).orThrow();
            assertTrue(list.value().isRevoked(memFp, freshMc.timestamp()), "the member's credentials are revoked");
            Ask after = ask(w, mem, ctlFp, NetworkConfigRequest.of(id, cfg.value().revision(), list.value().revision(), Optional.empty(), "test"));
            ErrorMessage revoked = (ErrorMessage) ((Decoded.Message) Vl1Codec.decode(after.reply())).message();
            assertEquals(new ErrorMessage.Detail.AccessDenied(nwid, ErrorMessage.ACCESS_REVOKED), revoked.detail());
        }
    }

    /**
     * §6.4 across a controller restart: the controller lost its member sessions (the member does not
     * know, and would notice only at T_SESSION_DEAD), so an operator change reaches nobody; reaching
     * the authorised members opens a new session, the member takes it in place of its dead one, and
     * the next change's push arrives.
     */
    @Test
    void aControllerThatLostItsSessionsReachesItsMembersAndPushesAgain() throws Exception {
        Vl2World w = new Vl2World(13, 2, SeqexLinkSimTest.CLEAN);
        Vl2World.Host ctlHost = w.member(0), mem = w.member(1);
        SecretIdentity ctlId = Vl2World.identity(1);
        Fingerprint ctlFp = ctlHost.node.fingerprint(), memFp = mem.node.fingerprint();
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(3));
            ControllerLink link = new ControllerLink(c, ctlHost.layer, fp -> "p");
            SeqexLinkSimTest.Control pushes = new SeqexLinkSimTest.Control(ctlFp::equals);
            mem.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, pushes);
            long nwid = c.createNetwork(OptionalLong.of(3), ControllerJson.parseObject(new byte[0]), ctlHost.node.now()).id();
            SeqexLinkSimTest.connect(w, ctlHost, mem); // opened by the controller: the member takes a new one from it at once (no glare, §3.2)
            ask(w, mem, ctlFp, NetworkConfigRequest.of(new NetworkId(nwid), 0, 0, Optional.empty(), "test")); // the row, pending
            c.upsertMember(nwid, mem.node.address(), ControllerJson.parseObject("{\"authorized\": true}".getBytes(StandardCharsets.UTF_8)),
                    ctlHost.node.now());

            ctlHost.run(() -> ctlHost.node.closeSession(memFp, "the controller restarted"));
            assertTrue(mem.node.hasSession(ctlFp), "the member still holds its end");
            assertEquals(List.of(), c.upsertMember(nwid, mem.node.address(), ControllerJson.parseObject("{\"tags\": [[1, 2]]}"
                    .getBytes(StandardCharsets.UTF_8)), ctlHost.node.now()).pushes(), "no session: the change reaches nobody");

            boolean[] more = {true};
            ctlHost.run(() -> more[0] = link.reachMembers(0, 32));
            assertTrue(!more[0], "one authorised member, one window");
            assertEquals(1L, link.counters().get("reachStarted"));
            assertTrue(w.runUntil(() -> ctlHost.node.hasSession(memFp) && mem.node.hasSession(ctlFp), 30_000), "reached: a new session");
            assertEquals(List.of(), c.unreachedMembers(0, 32).addresses(), "online again");
            List<Push> revoke = c.upsertMember(nwid, mem.node.address(), ControllerJson.parseObject("{\"authorized\": false}"
                    .getBytes(StandardCharsets.UTF_8)), ctlHost.node.now()).pushes();
            assertEquals(1, revoke.size(), revoke.toString());
            int before = pushes.received.size();
            ctlHost.run(() -> assertEquals(1, link.send(revoke)));
            assertTrue(w.runUntil(() -> pushes.received.size() == before + 1, 30_000), "the new list reached the member");
            assertEquals(Verb.NETWORK_CREDENTIALS, pushes.received.get(before).message()[0] & 0xff);
        }
    }

    /** Hostile channel-0 requests: malformed ones get ERROR INVALID_REQUEST, nothing is stored, the link keeps serving. */
    @Test
    void malformedRequestsAreAnsweredWithErrorsAndStoreNothing() throws Exception {
        Vl2World w = new Vl2World(11, 2, SeqexLinkSimTest.CLEAN);
        Vl2World.Host ctlHost = w.member(0), mem = w.member(1);
        SecretIdentity ctlId = Vl2World.identity(1);
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(3));
            ControllerLink link = new ControllerLink(c, ctlHost.layer, fp -> "p");
            long nwid = c.createNetwork(OptionalLong.of(2), ControllerJson.parseObject(new byte[0]), ctlHost.node.now()).id();
            SeqexLinkSimTest.connect(w, mem, ctlHost);
            SplittableRandom r = new SplittableRandom(5);
            for (int i = 0; i < 40; i++) {
                byte[] garbage = new byte[1 + r.nextInt(80)];
                for (int k = 1; k < garbage.length; k++) garbage[k] = (byte) r.nextInt(256);
                garbage[0] = (byte) (i % 2 == 0 ? Verb.NETWORK_CONFIG_REQUEST : Verb.NETWORK_CREDENTIALS);
                SeqexLinkSimTest.Outcome out = new SeqexLinkSimTest.Outcome();
                mem.run(() -> assertTrue(mem.layer.seqex().request(ctlHost.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, garbage, true, out)));
                assertTrue(w.runUntil(out::done, 30_000));
                ErrorMessage e = (ErrorMessage) assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(out.reply)).message();
                assertEquals(ErrorMessage.INVALID_REQUEST, e.code(), "request " + i);
            }
            assertTrue(c.members(nwid).isEmpty(), "nothing stored");
            assertEquals(40L, link.counters().getOrDefault("invalidRequest", 0L) + link.counters().getOrDefault("invalidQuery", 0L));
            // and it still serves a well-formed request
            Ask pending = ask(w, mem, ctlHost.node.fingerprint(), NetworkConfigRequest.of(new NetworkId(nwid), 0, 0, Optional.empty(), "test"));
            assertEquals(Verb.ERROR, pending.verb());
            assertEquals(1, c.members(nwid).size());
        }
    }
}

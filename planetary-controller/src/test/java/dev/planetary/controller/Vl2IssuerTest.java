package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.Fingerprint;
import dev.planetary.vl2.CredentialCheck;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationReference;
import dev.planetary.vl2.RevocationState;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Tag;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the controller signs verifies under planetary-vl2's member-side rules (VL.md §7.6, §8.2, §8.4). */
class Vl2IssuerTest {
    @TempDir
    Path home;

    @Test
    void issuedObjectsVerifyAndTheRevocationThresholdRevokesExactlyTheOlderCredentials() throws Exception {
        SecretIdentity ctl = TestIds.get(2), a = TestIds.get(0);
        PsoVerifier verifier = new PsoVerifier();
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctl.address(), store, new Vl2Issuer(ctl), IdentityCheck.verifying(new IdentityVerifier()),
                    ControllerEvents.NONE, new SplittableRandom(1));
            long now = 1_800_000_000_000L;
            long nwid = c.createNetwork(OptionalLong.of(5), ControllerJson.parseObject("""
                    {"name": "lab", "v4AssignMode": {"zt": true}, "v6AssignMode": {"rfc4193": true},
                     "ipAssignmentPools": [{"ipRangeStart": "10.9.0.1", "ipRangeEnd": "10.9.0.50"}],
                     "routes": [{"target": "10.9.0.0/24"}], "tags": [{"id": 1, "default": 0}]}""".getBytes(StandardCharsets.UTF_8)), now).id();
            c.upsertMember(nwid, a.address(), ControllerJson.parseObject("{\"authorized\": true}".getBytes(StandardCharsets.UTF_8)), now);
            ConfigAnswer.Config first = assertInstanceOf(ConfigAnswer.Config.class,
                    c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now + 1000));
            Signed<NetworkConfig> cfg = NetworkConfig.verify(verifier, first.config().pso(), ctl.identity()).orThrow();
            Signed<MemberCredential> mc = MemberCredential.verify(verifier, first.credential().pso(), ctl.identity()).orThrow();
            Signed<RevocationList> list1 = RevocationList.verify(verifier, first.revocationList().pso(), ctl.identity()).orThrow();
            assertEquals(a.fingerprint(), cfg.value().issuedTo());
            assertEquals("lab", cfg.value().name().orElseThrow());
            assertEquals(2, mc.value().addresses().size(), "pool IPv4 and rfc4193");
            assertEquals("10.9.0.1/24", mc.value().addresses().get(0).ip().toString());
            assertTrue(cfg.value().revocations().references(list1), "the config references the list it was sent with");
            assertEquals(first.credentialContent().timestamp(), mc.timestamp());

            // a tag change: the pushed MC's timestamp is exactly the new threshold
            c.sessionUp(a.fingerprint(), a.address());
            Controller.Change<Member> ch = c.upsertMember(nwid, a.address(),
                    ControllerJson.parseObject("{\"tags\": [[1, 9]]}".getBytes(StandardCharsets.UTF_8)), now + 2000);
            Push.Config pushed = (Push.Config) ch.pushes().stream().filter(p -> p instanceof Push.Config).findFirst().orElseThrow();
            Push.RevocationList listPush = (Push.RevocationList) ch.pushes().stream().filter(p -> p instanceof Push.RevocationList).findFirst().orElseThrow();
            Signed<NetworkConfig> cfg2 = NetworkConfig.verify(verifier, pushed.config().pso(), ctl.identity()).orThrow();
            Signed<RevocationList> list2 = RevocationList.verify(verifier, listPush.list().pso(), ctl.identity()).orThrow();
            assertTrue(cfg2.value().revocations().references(list2));
            long newTs = cfg2.value().credential().timestamp();
            RevocationState state = RevocationState.empty(list2.value().networkId()).merge(list1.value()).merge(list2.value());
            assertFalse(state.isRevoked(a.fingerprint(), newTs), "the new MC stays valid");
            assertTrue(state.isRevoked(a.fingerprint(), newTs - 1), "every older MC is revoked");
            assertTrue(state.isRevoked(a.fingerprint(), mc.timestamp()));
            assertEquals(RevocationReference.of(list2), cfg2.value().revocations());

            // replicator (§10.7): MC flag bit1 and a specialist of the config with the same bit, as signed on the wire
            Controller.Change<Member> rep = c.upsertMember(nwid, a.address(),
                    ControllerJson.parseObject("{\"multicastReplicator\": true}".getBytes(StandardCharsets.UTF_8)), now + 3000);
            Push.Config pushed3 = (Push.Config) rep.pushes().stream().filter(p -> p instanceof Push.Config).findFirst().orElseThrow();
            NetworkConfig cfg3 = NetworkConfig.verify(verifier, pushed3.config().pso(), ctl.identity()).orThrow().value();
            assertEquals(List.of(new dev.planetary.vl2.Specialist(a.address(), a.fingerprint(), dev.planetary.vl2.Specialist.REPLICATOR)), cfg3.specialists());
            assertEquals(2L, cfg3.credential().value().flags());
        }
    }

    /**
     * E14 (issue 17): the config carries the compiled rules, capabilities and tag defaults, the MC the
     * tags and grants; after a tag change the member's older credential (the old tag) is refused by a
     * peer that holds the new list (§8.2 step 4), and loses to the new one by newest-wins (step 5).
     */
    @Test
    void rulesReachTheConfigAndAnOlderCredentialReplayedAfterATagChangeIsRefused() throws Exception {
        SecretIdentity ctl = TestIds.get(2), a = TestIds.get(0), b = TestIds.get(1);
        PsoVerifier verifier = new PsoVerifier();
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctl.address(), store, new Vl2Issuer(ctl), (id, claimed) -> true /* address proofs are the other test's */,
                    ControllerEvents.NONE, new SplittableRandom(1));
            long now = 1_800_000_000_000L;
            long nwid = c.createNetwork(OptionalLong.of(6), ControllerJson.parseObject(ControllerTest.SSH_ADMIN.getBytes(StandardCharsets.UTF_8)), now).id();
            for (SecretIdentity m : new SecretIdentity[] {a, b}) {
                c.upsertMember(nwid, m.address(), ControllerJson.parseObject("{\"authorized\": true}".getBytes(StandardCharsets.UTF_8)), now);
            }
            c.upsertMember(nwid, a.address(), ControllerJson.parseObject("{\"tags\": [[1, 1]], \"capabilities\": [9]}".getBytes(StandardCharsets.UTF_8)), now);
            ConfigAnswer.Config forA = assertInstanceOf(ConfigAnswer.Config.class,
                    c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now + 1000));
            ConfigAnswer.Config forB = assertInstanceOf(ConfigAnswer.Config.class,
                    c.onConfigRequest(b.fingerprint(), b.address(), b.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now + 1000));
            NetworkConfig cfg = NetworkConfig.verify(verifier, forA.config().pso(), ctl.identity()).orThrow().value();
            assertTrue(cfg.allRuleTypesKnown());
            assertEquals(c.network(nwid).orElseThrow().settings().rules(), cfg.baseRules().orElseThrow().encoded());
            assertEquals(List.of(new dev.planetary.vl2.Capability(9, dev.planetary.vl2.RuleList.of(new byte[] {37, 2, 8, 0, 1, 0}))), cfg.capabilities());
            assertEquals(List.of(new dev.planetary.vl2.TagDefinition(1, 0, "")), cfg.tags());
            assertTrue(c.network(nwid).orElseThrow().settings().configBodyBound() >= forA.config().pso().length - dev.planetary.identity.Pso.MIN_SIZE,
                    "the API's size bound covers the real body");
            Signed<MemberCredential> oldA = MemberCredential.verify(verifier, forA.credential().pso(), ctl.identity()).orThrow();
            assertEquals(List.of(new Tag(1, 1)), oldA.value().tags());
            assertEquals(List.of(9L), oldA.value().capabilities());
            Signed<MemberCredential> ownB = MemberCredential.verify(verifier, forB.credential().pso(), ctl.identity()).orThrow();
            NetworkConfig cfgB = NetworkConfig.verify(verifier, forB.config().pso(), ctl.identity()).orThrow().value();
            assertTrue(cfgB.baseRules().isPresent());
            RevocationState heldByB = RevocationState.empty(cfgB.networkId())
                    .merge(RevocationList.verify(verifier, forB.revocationList().pso(), ctl.identity()).orThrow().value());
            Fingerprint controller = ctl.fingerprint();
            assertEquals(CredentialCheck.Result.VALID, CredentialCheck.check(cfgB.networkId(), controller, a.fingerprint(), oldA, ownB, heldByB));

            // the operator takes a's admin tag away: a new MC is pushed and the list revokes the old one
            c.sessionUp(a.fingerprint(), a.address());
            c.sessionUp(b.fingerprint(), b.address());
            Controller.Change<Member> ch = c.upsertMember(nwid, a.address(),
                    ControllerJson.parseObject("{\"tags\": [[1, 0]]}".getBytes(StandardCharsets.UTF_8)), now + 2000);
            Push.Config toA = (Push.Config) ch.pushes().stream().filter(p -> p instanceof Push.Config && p.to().equals(a.fingerprint()))
                    .findFirst().orElseThrow();
            Push.RevocationList toB = (Push.RevocationList) ch.pushes().stream()
                    .filter(p -> p instanceof Push.RevocationList && p.to().equals(b.fingerprint())).findFirst().orElseThrow();
            Signed<MemberCredential> newA = NetworkConfig.verify(verifier, toA.config().pso(), ctl.identity()).orThrow().value().credential();
            assertEquals(List.of(new Tag(1, 0)), newA.value().tags());
            heldByB = heldByB.merge(RevocationList.verify(verifier, toB.list().pso(), ctl.identity()).orThrow().value());
            assertEquals(CredentialCheck.Result.REVOKED, CredentialCheck.check(cfgB.networkId(), controller, a.fingerprint(), oldA, ownB, heldByB),
                    "the credential with the admin tag, replayed after the change, is refused");
            assertEquals(CredentialCheck.Result.VALID, CredentialCheck.check(cfgB.networkId(), controller, a.fingerprint(), newA, ownB, heldByB));
            assertTrue(CredentialCheck.isNewer(newA, oldA));
            assertFalse(CredentialCheck.isNewer(oldA, newA), "newest wins: the old one never replaces the new one");
        }
    }

    /** The size bound the API checks configs against (§7.4) uses the largest MC: 32 IPv6 addresses, 128 tags, 128 grants. */
    @Test
    void theLargestCredentialIsWithinItsBound() {
        SecretIdentity ctl = TestIds.get(2), a = TestIds.get(0);
        List<Ip.Prefixed> ips = new java.util.ArrayList<>();
        for (int i = 0; i < ControllerLimits.MAX_IPS; i++) ips.add(new Ip.Prefixed(Ip.parse("fd00::" + Integer.toHexString(i + 1)).orElseThrow(), 64));
        java.util.SortedMap<Long, Long> tags = new java.util.TreeMap<>();
        java.util.SortedSet<Long> caps = new java.util.TreeSet<>();
        for (long i = 0; i < ControllerLimits.MAX_TAGS; i++) tags.put(0xFFFF_FFFFL - i, 0xFFFF_FFFFL);
        for (long i = 0; i < ControllerLimits.MAX_CAPABILITIES; i++) caps.add(i);
        dev.planetary.controller.Signed mc = new Vl2Issuer(ctl).credential(new CredentialContent(0x8056c2e21c000001L, a.fingerprint(), a.address(),
                0xFFFF_FFFFL, ControllerLimits.MAX_DELTA_MAX, 3, ips, tags, caps, Long.MAX_VALUE));
        assertEquals(ControllerLimits.MEMBER_CREDENTIAL_MAX_BYTES, mc.pso().length, "the bound is exact for the largest credential");
    }
}

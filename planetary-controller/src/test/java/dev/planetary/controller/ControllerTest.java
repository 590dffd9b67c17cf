package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller engine's rules (VL.md §7.5, §8.4, §13.3) against the SQLite store. */
class ControllerTest {
    static final long T0 = 1_800_000_000_000L;
    static final IdentityVerifier VERIFIER = new IdentityVerifier();
    static final Address SELF = new Address(0x8056c2e21cL);

    @TempDir
    Path home;
    JdbcControllerStore store;
    RecordingIssuer issuer;
    Controller c;
    final List<String> events = new ArrayList<>();
    long nwid;
    long now = T0;

    @BeforeEach
    void open() throws IOException {
        store = JdbcControllerStore.openSqlite(home);
        issuer = new RecordingIssuer();
        c = newController();
        nwid = c.createNetwork(OptionalLong.of(1), json("{}"), now).id();
    }

    Controller newController() {
        return new Controller(SELF, store, issuer, IdentityCheck.verifying(VERIFIER), new ControllerEvents() {
            @Override
            public void collision(long n, Address a, Fingerprint bound, Fingerprint claimed) {
                events.add("identity.collision " + a);
            }
        }, new SplittableRandom(7));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static ObjectNode json(String s) {
        return ControllerJson.parseObject(s.getBytes(StandardCharsets.UTF_8));
    }

    ConfigAnswer request(SecretIdentity id, long configRev, long listRev, String token, String prefix) {
        now += 1_000; // a new second: the 1/s request budget never interferes unless a test wants it to
        return c.onConfigRequest(id.fingerprint(), id.address(), id.identity(),
                new ConfigRequest(nwid, configRev, listRev, token == null ? null : token.getBytes(StandardCharsets.US_ASCII), prefix), now);
    }

    ConfigAnswer request(SecretIdentity id) {
        return request(id, 0, 0, null, "192.0.2.0/24");
    }

    static ConfigAnswer.Refused refused(ConfigAnswer a, ErrorCode code, int reason) {
        ConfigAnswer.Refused r = assertInstanceOf(ConfigAnswer.Refused.class, a);
        assertEquals(code, r.code(), r.why());
        assertEquals(reason, r.reason());
        return r;
    }

    void authorize(SecretIdentity id, String extra) {
        c.upsertMember(nwid, id.address(), json("{\"authorized\": true" + extra + "}"), now);
    }

    @Test
    void networkIdsAreTheControllerAddressAndANumber() {
        assertEquals(0x8056c2e21c000001L, nwid);
        long random = c.createNetwork(OptionalLong.empty(), json("{}"), now).id();
        assertEquals(SELF.value(), NetworkIds.controllerAddress(random));
        assertEquals(List.of(nwid, random).stream().sorted().toList(), c.networkIds());
        assertThrows(IllegalStateException.class, () -> c.createNetwork(OptionalLong.of(1), json("{}"), now));
    }

    @Test
    void unknownNetworkIsNotFoundAndStoresNothing() {
        SecretIdentity a = TestIds.get(0);
        ConfigAnswer r = c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), new ConfigRequest(nwid + 1, 0, 0, null, "p"), now);
        refused(r, ErrorCode.OBJ_NOT_FOUND, 0);
        assertTrue(c.members(nwid + 1).isEmpty());
        assertTrue(c.members(nwid).isEmpty());
    }

    @Test
    void firstRequestCreatesAPendingRowBoundToTheFingerprint() {
        SecretIdentity a = TestIds.get(0);
        refused(request(a), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
        Member m = c.member(nwid, a.address()).orElseThrow();
        assertFalse(m.authorized());
        assertEquals(a.fingerprint(), m.fingerprint());
        assertTrue(m.identity().startsWith(a.address().toString()));
    }

    @Test
    void authorizedMemberGetsConfigAndCredential() {
        SecretIdentity a = TestIds.get(0);
        request(a);
        authorize(a, "");
        ConfigAnswer.Config cfg = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        Member m = c.member(nwid, a.address()).orElseThrow();
        assertEquals((1L << 32) | m.revision(), cfg.content().revision(), "config revision = network ‖ member (§7.5)");
        assertEquals(m.revision(), cfg.credentialContent().revision());
        assertEquals(a.fingerprint(), cfg.credentialContent().issuedTo());
        assertEquals(ControllerLimits.MAX_DELTA_DEFAULT, cfg.credentialContent().maxDelta());
        assertEquals(cfg.content().timestamp(), cfg.credentialContent().timestamp());
        assertEquals(1, cfg.content().revocationListRevision());
        assertEquals(2800, cfg.content().mtu());
        assertEquals(1, cfg.content().flags(), "broadcast on by default");
        assertTrue(cfg.revocationList() != null, "a member holding no list gets it");
        // the held config is current: only a fresh MC, with a later timestamp; the list is not resent
        ConfigAnswer.FreshCredential fresh = assertInstanceOf(ConfigAnswer.FreshCredential.class,
                request(a, cfg.content().revision(), 1, null, "p"));
        assertTrue(fresh.content().timestamp() > cfg.credentialContent().timestamp());
        assertNull(fresh.revocationList());
    }

    @Test
    void addressBoundToAnotherFingerprintIsDeniedWithACollisionEvent() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        request(a);
        authorize(a, "");
        Member before = c.member(nwid, a.address()).orElseThrow();
        now += 1000;
        ConfigAnswer r = c.onConfigRequest(b.fingerprint(), a.address(), b.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now);
        refused(r, ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED);
        assertEquals(List.of("identity.collision " + a.address()), events);
        assertEquals(before, c.member(nwid, a.address()).orElseThrow(), "the row is unchanged");
    }

    @Test
    void identityThatDoesNotProveTheAddressCreatesNoRow() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        now += 1000;
        ConfigAnswer r = c.onConfigRequest(b.fingerprint(), a.address(), b.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now);
        refused(r, ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED);
        assertTrue(c.members(nwid).isEmpty());
    }

    @Test
    void rowMadeByTheApiBindsTheFirstVerifiedRequester() {
        SecretIdentity a = TestIds.get(0);
        authorize(a, "");
        assertNull(c.member(nwid, a.address()).orElseThrow().fingerprint());
        assertInstanceOf(ConfigAnswer.Config.class, request(a));
        assertEquals(a.fingerprint(), c.member(nwid, a.address()).orElseThrow().fingerprint());
    }

    @Test
    void fingerprintIsSettableOnlyWhenTheRowIsCreated() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        c.upsertMember(nwid, a.address(), json("{\"fingerprint\": \"" + a.fingerprint() + "\"}"), now);
        FieldException e = assertThrows(FieldException.class,
                () -> c.upsertMember(nwid, a.address(), json("{\"fingerprint\": \"" + b.fingerprint() + "\"}"), now));
        assertEquals("fingerprint", e.field());
        // a requester with another fingerprint is a collision even before the first request
        now += 1000;
        refused(c.onConfigRequest(b.fingerprint(), a.address(), b.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now),
                ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED);
    }

    @Test
    void joinTokenAuthorizesConsumesAUseAndSetsInitialTags() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        Controller.CreatedToken t = c.createToken(nwid, json("{\"tags\": [[7, 3]]}"), now);
        assertEquals(39, t.text().length(), "24 random bytes in base32");
        assertTrue(t.text().matches("[a-z2-7]{39}"));
        assertArrayEquals(Controller.sha384(t.text().getBytes(StandardCharsets.US_ASCII)), c.tokens(nwid).get(0).hash(), "only the hash is stored");
        refused(request(a, 0, 0, t.text() + "x", "p"), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
        ConfigAnswer.Config cfg = assertInstanceOf(ConfigAnswer.Config.class, request(a, 0, 0, t.text(), "p"));
        assertEquals(3L, cfg.credentialContent().tags().get(7L));
        assertEquals(0, c.tokens(nwid).get(0).usesLeft());
        refused(request(b, 0, 0, t.text(), "q"), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
    }

    @Test
    void expiredTokenDoesNotAuthorize() {
        SecretIdentity a = TestIds.get(0);
        c.createToken(nwid, json("{\"token\": \"letmein\", \"expiresAt\": " + (now + 1500) + ", \"uses\": 5}"), now);
        now += 5000;
        refused(request(a, 0, 0, "letmein", "p"), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
        assertThrows(FieldException.class, () -> c.createToken(nwid, json("{\"token\": \"has space\"}"), now));
        assertThrows(FieldException.class, () -> c.createToken(nwid, json("{\"uses\": 0}"), now));
        assertTrue(c.deleteToken(nwid, c.tokens(nwid).get(0).id()));
        assertTrue(c.tokens(nwid).isEmpty());
    }

    @Test
    void aTokenNeverUndoesTheOperatorsDeauthorization() {
        SecretIdentity a = TestIds.get(0);
        c.createToken(nwid, json("{\"token\": \"letmein\", \"uses\": 5}"), now);
        assertInstanceOf(ConfigAnswer.Config.class, request(a, 0, 0, "letmein", "p"));
        c.upsertMember(nwid, a.address(), json("{\"authorized\": false}"), now);
        now += 2000;
        refused(request(a, 0, 0, "letmein", "p"), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.REVOKED);
        assertEquals(4, c.tokens(nwid).get(0).usesLeft(), "no use consumed by the refused request");
        c.upsertMember(nwid, a.address(), json("{\"authorized\": true}"), now);
        now += 2000;
        assertInstanceOf(ConfigAnswer.Config.class, request(a, 0, 0, "letmein", "p"), "the operator's authorization brings it back");
    }

    @Test
    void publicNetworkAuthorizesEveryRequester() {
        c.updateNetwork(nwid, json("{\"private\": false}"), now);
        assertInstanceOf(ConfigAnswer.Config.class, request(TestIds.get(0)));
        assertTrue(c.member(nwid, TestIds.get(0).address()).orElseThrow().authorized());
    }

    @Test
    void deauthorizedMemberIsRevokedWithReasonTwo() {
        SecretIdentity a = TestIds.get(0);
        request(a);
        authorize(a, "");
        request(a);
        c.upsertMember(nwid, a.address(), json("{\"authorized\": false}"), now);
        refused(request(a), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.REVOKED);
    }

    @Test
    void poolAssignsTheLowestFreeAddressWithThePrefixOfTheLongestCoveringRoute() {
        c.updateNetwork(nwid, json("""
                {"v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.1.0.0", "ipRangeEnd": "10.1.0.255"}],
                 "routes": [{"target": "10.0.0.0/8", "via": null}, {"target": "10.1.0.0/24"}, {"target": "10.1.0.0/16", "via": "10.0.0.1"}]}"""), now);
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        authorize(a, "");
        authorize(b, "");
        ConfigAnswer.Config ca = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        ConfigAnswer.Config cb = assertInstanceOf(ConfigAnswer.Config.class, request(b));
        // 10.1.0.0 is the network address of the /24 (≤ /30): skipped
        assertEquals(List.of("10.1.0.1/24"), ca.credentialContent().ips().stream().map(Object::toString).toList());
        assertEquals(List.of("10.1.0.2/24"), cb.credentialContent().ips().stream().map(Object::toString).toList());
        assertEquals(List.of(Ip.parse("10.1.0.1").orElseThrow()), c.member(nwid, a.address()).orElseThrow().ipAssignments(), "persisted");
    }

    @Test
    void manualAssignmentsMustBeCoveredAndSuppressThePool() {
        c.updateNetwork(nwid, json("""
                {"v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.1.0.1", "ipRangeEnd": "10.1.0.9"}],
                 "routes": [{"target": "10.1.0.0/24"}]}"""), now);
        SecretIdentity a = TestIds.get(0);
        FieldException e = assertThrows(FieldException.class, () -> authorize(a, ", \"ipAssignments\": [\"192.168.1.1\"]"));
        assertEquals("ipAssignments[0]", e.field());
        assertTrue(c.member(nwid, a.address()).isEmpty(), "nothing stored");
        assertThrows(FieldException.class, () -> authorize(a, ", \"ipAssignments\": [\"10.1.0.255\"]"), "the broadcast address");
        authorize(a, ", \"ipAssignments\": [\"10.1.0.77\"]");
        ConfigAnswer.Config ca = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        assertEquals(List.of("10.1.0.77/24"), ca.credentialContent().ips().stream().map(Object::toString).toList());
    }

    @Test
    void uncoveredPoolAddressesAreNotAssigned() {
        c.updateNetwork(nwid, json("""
                {"v4AssignMode": {"zt": true}, "ipAssignmentPools": [{"ipRangeStart": "10.0.0.0", "ipRangeEnd": "10.255.255.255"}],
                 "routes": [{"target": "10.200.0.0/31"}]}"""), now);
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1), x = TestIds.get(2);
        for (SecretIdentity id : List.of(a, b, x)) authorize(id, "");
        // a /31 has no network/broadcast exclusion; the walk jumps over the uncovered span
        assertEquals("10.200.0.0/31", assertInstanceOf(ConfigAnswer.Config.class, request(a)).credentialContent().ips().get(0).toString());
        assertEquals("10.200.0.1/31", assertInstanceOf(ConfigAnswer.Config.class, request(b)).credentialContent().ips().get(0).toString());
        assertTrue(assertInstanceOf(ConfigAnswer.Config.class, request(x)).credentialContent().ips().isEmpty(), "pool exhausted");
    }

    @Test
    void ipv6PoolAndRfc4193() {
        c.updateNetwork(nwid, json("""
                {"v6AssignMode": {"zt": true, "rfc4193": true},
                 "ipAssignmentPools": [{"ipRangeStart": "fd00:1::10", "ipRangeEnd": "fd00:1::ff"}],
                 "routes": [{"target": "fd00:1::/64"}]}"""), now);
        SecretIdentity a = TestIds.get(0);
        authorize(a, "");
        ConfigAnswer.Config cfg = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        String rfc = "fd80:56c2:e21c:0:199:93" + a.address().toString().substring(0, 2) + ":" + a.address().toString().substring(2, 6)
                + ":" + a.address().toString().substring(6);
        List<String> ips = cfg.credentialContent().ips().stream().map(Object::toString).toList();
        assertEquals("fd00:1::10/64", ips.get(0));
        assertEquals(2, ips.size());
        assertEquals(88, cfg.credentialContent().ips().get(1).prefix());
        assertEquals(4 | 1, cfg.content().flags(), "rfc4193 sets config flag bit2");
        assertEquals(Ip.parse(rfc.replaceAll(":0([0-9a-f])", ":$1")).orElseThrow(), cfg.credentialContent().ips().get(1).ip());
    }

    @Test
    void aRestartedControllerReachesEveryAuthorisedMemberWithoutASessionInWindows() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1), pending = TestIds.get(2);
        for (SecretIdentity id : List.of(a, b, pending)) request(id);
        authorize(a, "");
        authorize(b, "");
        long other = c.createNetwork(OptionalLong.of(2), json("{}"), now).id();
        c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), new ConfigRequest(other, 0, 0, null, "p"), now += 1_000); // the row, bound
        c.upsertMember(other, a.address(), json("{\"authorized\": true}"), now);
        // after a start nobody has a session: the authorised rows of every network, the pending one not
        Controller.Unreached all = c.unreachedMembers(0, 10);
        java.util.Comparator<Address> byValue = java.util.Comparator.comparingLong(Address::value);
        assertEquals(List.of(a.address(), b.address(), a.address()).stream().sorted(byValue).toList(), all.addresses().stream().sorted(byValue).toList());
        assertFalse(all.more());
        // windows over the authorised rows: a member that gets a session meanwhile shifts no other out of its window
        Controller.Unreached first = c.unreachedMembers(0, 2);
        assertTrue(first.more());
        assertEquals(2, first.addresses().size());
        c.sessionUp(a.fingerprint(), a.address());
        Controller.Unreached second = c.unreachedMembers(2, 2);
        assertFalse(second.more());
        assertEquals(all.addresses().get(2).equals(a.address()) ? List.of() : List.of(all.addresses().get(2)), second.addresses());
        assertEquals(List.of(b.address()), c.unreachedMembers(0, 10).addresses());
        assertThrows(IllegalArgumentException.class, () -> c.unreachedMembers(-1, 1));
    }

    @Test
    void aRevokedMemberWithoutASessionIsQueuedToBeReachedOnce() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        for (SecretIdentity id : List.of(a, b)) {
            request(id);
            authorize(id, "");
        }
        c.sessionUp(a.fingerprint(), a.address()); // a has a session: the revocation list push reaches it
        c.upsertMember(nwid, a.address(), json("{\"authorized\": false}"), now += 1_000);
        c.upsertMember(nwid, b.address(), json("{\"authorized\": false}"), now += 1_000);
        assertEquals(List.of(b.address()), c.takeReachSoon(), "only the revoked member without a session");
        assertEquals(List.of(), c.takeReachSoon(), "taken once");
        c.upsertMember(nwid, b.address(), json("{\"authorized\": true}"), now += 1_000);
        c.deleteMember(nwid, b.address(), now += 1_000); // deleting an authorised row revokes it too
        assertEquals(List.of(b.address()), c.takeReachSoon());
    }

    @Test
    void rfc4193LayoutIsFdNwid9993Address() {
        byte[] b = Addressing.rfc4193(0x8056c2e21c000001L, new Address(0x0123456789L)).bytes();
        assertEquals("fd8056c2e21c0000019993" + "0123456789", HexFormat.of().formatHex(b));
    }

    @Test
    void credentialChangeRevokesOlderCredentialsAtExactlyTheNewTimestamp() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        for (SecretIdentity id : List.of(a, b)) {
            request(id);
            authorize(id, "");
            request(id);
            c.sessionUp(id.fingerprint(), id.address());
        }
        now += 1000;
        Controller.Change<Member> ch = c.upsertMember(nwid, a.address(), json("{\"tags\": [[1, 2]]}"), now);
        Push.Config toA = (Push.Config) ch.pushes().stream().filter(p -> p instanceof Push.Config).findFirst().orElseThrow();
        assertEquals(a.fingerprint(), toA.to());
        CredentialContent newMc = issuer.credentials.get(issuer.credentials.size() - 1);
        assertEquals(2L, newMc.tags().get(1L));
        Revocations rev = c.revocations(nwid).orElseThrow();
        assertEquals(2, rev.revision());
        assertEquals(newMc.timestamp(), rev.entries().get(Revocations.prefix(a.fingerprint())), "threshold = ts(new MC) exactly");
        assertEquals(rev.revision(), toA.content().revocationListRevision());
        long listPushes = ch.pushes().stream().filter(p -> p instanceof Push.RevocationList).count();
        assertEquals(2, listPushes, "the new list goes to every online member");
        // deauthorization: a fresh ts, no MC
        int issuedBefore = issuer.credentials.size();
        now += 1000;
        c.upsertMember(nwid, b.address(), json("{\"authorized\": false}"), now);
        assertEquals(issuedBefore, issuer.credentials.size());
        Revocations rev3 = c.revocations(nwid).orElseThrow();
        assertEquals(3, rev3.revision());
        assertTrue(rev3.entries().get(Revocations.prefix(b.fingerprint())) > newMc.timestamp());
    }

    @Test
    void networkChangeRaisesTheRevisionAndPushesToOnlineMembers() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        authorize(a, "");
        authorize(b, "");
        request(a);
        request(b);
        c.sessionUp(a.fingerprint(), a.address());
        Controller.Change<Network> ch = c.updateNetwork(nwid, json("{\"name\": \"lab\", \"mtu\": 1400}"), now);
        assertEquals(2, ch.value().revision());
        assertEquals(1, ch.pushes().size(), "only the online member");
        Push.Config p = (Push.Config) ch.pushes().get(0);
        assertEquals(a.fingerprint(), p.to());
        assertEquals(1400, p.content().mtu());
        assertEquals("lab", p.content().name());
        assertTrue(c.updateNetwork(nwid, json("{\"name\": \"lab\"}"), now).pushes().isEmpty(), "no change, no push");
        c.sessionDown(a.fingerprint());
        assertTrue(c.updateNetwork(nwid, json("{\"mtu\": 1500}"), now).pushes().isEmpty());
    }

    @Test
    void revocationListOverflowRaisesTheFloorInstead() {
        Revocations r = Revocations.start(nwid, T0, ControllerLimits.MAX_DELTA_DEFAULT);
        for (int i = 0; i < ControllerLimits.MAX_REVOCATIONS; i++) r = r.revoke(fp(i), T0 + i, T0 + i, ControllerLimits.MAX_DELTA_DEFAULT);
        assertEquals(ControllerLimits.MAX_REVOCATIONS, r.entries().size());
        assertEquals(0, r.floor());
        long ts = T0 + 5_000;
        Revocations over = r.revoke(fp(99_999), ts, ts, ControllerLimits.MAX_DELTA_DEFAULT);
        assertTrue(over.floorRaisedFrom(r));
        assertEquals(ts, over.floor());
        assertTrue(over.entries().isEmpty());
        assertEquals(r.revision() + 1, over.revision());
    }

    @Test
    void oldEntriesAreDroppedAfterTwiceTheLargestMaxDelta() {
        Revocations r = Revocations.start(nwid, T0, ControllerLimits.MAX_DELTA_MIN).revoke(fp(1), T0, T0, ControllerLimits.MAX_DELTA_MIN);
        Revocations later = r.revoke(fp(2), T0 + 2 * ControllerLimits.MAX_DELTA_MIN, T0 + 2 * ControllerLimits.MAX_DELTA_MIN, ControllerLimits.MAX_DELTA_MIN);
        assertEquals(2, later.entries().size(), "exactly twice: kept");
        Revocations after = later.revoke(fp(3), T0 + 2 * ControllerLimits.MAX_DELTA_MIN + 1, T0 + 2 * ControllerLimits.MAX_DELTA_MIN + 1,
                ControllerLimits.MAX_DELTA_MIN);
        assertFalse(after.entries().containsKey(Revocations.prefix(fp(1))));
    }

    static Fingerprint fp(int i) {
        byte[] b = new byte[Fingerprint.SIZE];
        b[0] = (byte) (i >>> 24);
        b[1] = (byte) (i >>> 16);
        b[2] = (byte) (i >>> 8);
        b[3] = (byte) i;
        return Fingerprint.of(b);
    }

    @Test
    void issuanceClockIsMonotonicAcrossRestartsAndWallClockSteps() {
        SecretIdentity a = TestIds.get(0);
        authorize(a, "");
        long ts1 = assertInstanceOf(ConfigAnswer.Config.class, request(a)).credentialContent().timestamp();
        c = newController(); // a restart over the same store
        now = T0 - 3_600_000; // the wall clock stepped back an hour
        long ts2 = assertInstanceOf(ConfigAnswer.Config.class, request(a)).credentialContent().timestamp();
        assertTrue(ts2 > ts1, ts2 + " > " + ts1);
        long ts3 = assertInstanceOf(ConfigAnswer.Config.class, request(a)).credentialContent().timestamp();
        assertEquals(ts2 + 1, ts3, "max(wall, last + 1)");
    }

    @Test
    void configRequestsAreLimitedToOnePerSecondPerMember() {
        SecretIdentity a = TestIds.get(0);
        authorize(a, "");
        now += 1000;
        ConfigRequest r = new ConfigRequest(nwid, 0, 0, null, "p");
        assertInstanceOf(ConfigAnswer.Config.class, c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), r, now));
        ConfigAnswer.Refused limited = refused(c.onConfigRequest(a.fingerprint(), a.address(), a.identity(), r, now + 10), ErrorCode.RATE_LIMITED, 0);
        assertEquals(1, limited.retryAfterSeconds());
    }

    @Test
    void newRowsAreLimitedPerSourcePrefixAndNothingIsStoredWhenRefused() {
        now += 1000;
        for (int i = 0; i < 2; i++) {
            SecretIdentity id = TestIds.get(i);
            refused(c.onConfigRequest(id.fingerprint(), id.address(), id.identity(), new ConfigRequest(nwid, 0, 0, null, "198.51.100.0/24"), now),
                    ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
        }
        SecretIdentity third = TestIds.get(2);
        ConfigAnswer.Refused r = refused(c.onConfigRequest(third.fingerprint(), third.address(), third.identity(),
                new ConfigRequest(nwid, 0, 0, null, "198.51.100.0/24"), now), ErrorCode.RATE_LIMITED, 0);
        assertEquals(5, r.retryAfterSeconds());
        assertTrue(c.member(nwid, third.address()).isEmpty());
    }

    @Test
    void pendingRowsAreCappedOldestEvictedAndExpireAfterThirtyDays() {
        store.transaction(() -> {
            for (int i = 0; i < ControllerLimits.MAX_PENDING_MEMBERS; i++) {
                store.putMember(Member.fresh(nwid, new Address(0x1000000000L + i), fp(i), null, T0 - 1_000_000 + i));
            }
            return null;
        });
        SecretIdentity a = TestIds.get(0);
        refused(request(a), ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.PENDING);
        assertEquals(ControllerLimits.MAX_PENDING_MEMBERS, store.unauthorizedCount(nwid));
        assertTrue(c.member(nwid, new Address(0x1000000000L)).isEmpty(), "the oldest was evicted");
        assertTrue(c.member(nwid, a.address()).isPresent());
        int expired = c.expirePending(now + ControllerLimits.PENDING_EXPIRY_MS);
        assertEquals(ControllerLimits.MAX_PENDING_MEMBERS - 1, expired, "every row older than 30 days; the fresh one stays");
        assertEquals(1, store.unauthorizedCount(nwid));
    }

    @Test
    void badOperatorFieldsAreNamedAndChangeNothing() {
        assertEquals("mtu", assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json("{\"mtu\": 100}"), now)).field());
        assertEquals("routes[0].target", assertThrows(FieldException.class,
                () -> c.updateNetwork(nwid, json("{\"routes\": [{\"target\": \"10.0.0.0\"}]}"), now)).field());
        assertEquals("private", assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json("{\"private\": \"no\"}"), now)).field());
        assertEquals("ipAssignmentPools[0]", assertThrows(FieldException.class, () -> c.updateNetwork(nwid,
                json("{\"ipAssignmentPools\": [{\"ipRangeStart\": \"10.0.0.9\", \"ipRangeEnd\": \"10.0.0.1\"}]}"), now)).field());
        assertEquals(1, c.network(nwid).orElseThrow().revision());
    }

    @Test
    void deletingAnAuthorisedMemberRevokesAndFreesTheAddress() {
        SecretIdentity a = TestIds.get(0), b = TestIds.get(1);
        request(a);
        authorize(a, "");
        assertTrue(c.deleteMember(nwid, a.address(), now).value());
        assertTrue(c.revocations(nwid).orElseThrow().entries().containsKey(Revocations.prefix(a.fingerprint())));
        // the address is free again: b's identity does not prove a's address, so it still gets no row
        now += 1000;
        refused(c.onConfigRequest(b.fingerprint(), a.address(), b.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now),
                ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED);
        assertTrue(events.isEmpty(), "no collision: the row is gone");
    }

    // ---------------------------------------------------------------- rules, tags, capabilities (§11.8, §11.6, §13.3)

    static final String SSH_ADMIN = """
            {"tags": [{"id": 1, "default": 0}],
             "rules": [{"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22}, {"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6},
                       {"type": "MATCH_TAG_SENDER", "id": 1, "value": 1, "not": true}, {"type": "ACTION_BREAK"}, {"type": "ACTION_ACCEPT"}],
             "capabilities": [{"id": 9, "rules": [{"type": "MATCH_ETHERTYPE", "etherType": 2048}, {"type": "ACTION_ACCEPT"}]}]}""";

    @Test
    void rulesCapabilitiesAndTagDefaultsReachTheIssuedConfig() {
        SecretIdentity a = TestIds.get(0);
        c.updateNetwork(nwid, json(SSH_ADMIN), now);
        authorize(a, ", \"tags\": [[1, 1]], \"capabilities\": [9]");
        ConfigAnswer.Config cfg = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        assertEquals("280400160016" + "240106" + "b1080000000100000001" + "0500" + "0100", cfg.content().rules().hex());
        assertEquals(List.of(new CapabilityDefinition(9, dev.planetary.vl1.Bytes.fromHex("250208000100"))), cfg.content().capabilities());
        assertEquals(List.of(new TagDefinition(1, 0)), cfg.content().tags());
        assertEquals(java.util.Map.of(1L, 1L), cfg.credentialContent().tags());
        assertEquals(java.util.Set.of(9L), cfg.credentialContent().capabilities());
        ObjectNode got = ControllerJson.network(c.network(nwid).orElseThrow());
        assertEquals(ControllerJson.write(json(SSH_ADMIN).get("capabilities").get(0).get("rules").get(1)),
                ControllerJson.write(got.get("capabilities").get(0).get("rules").get(1)));
        assertEquals(5, got.get("rules").size());
        assertEquals("MATCH_TAG_SENDER", got.get("rules").get(2).get("type").asText());
        assertTrue(got.get("rules").get(2).get("not").asBoolean());
    }

    @Test
    void configAnswersAndGathersReuseTheCompiledRules() {
        SecretIdentity a = TestIds.get(0);
        c.updateNetwork(nwid, json(SSH_ADMIN), now);
        authorize(a, ", \"tags\": [[1, 1]], \"capabilities\": [9]");
        assertInstanceOf(ConfigAnswer.Config.class, request(a));
        long compiled = store.settingsCompilations();
        for (int i = 0; i < 20; i++) {
            assertInstanceOf(ConfigAnswer.Config.class, request(a));
            c.onGather(a.fingerprint(), a.address(), nwid, new dev.planetary.vl2.MulticastGroup(dev.planetary.nic.MacAddress.BROADCAST, 0), 8, now);
        }
        assertEquals(compiled, store.settingsCompilations(), "no recompilation for config answers and GATHERs");
        c.updateNetwork(nwid, json("{\"mtu\": 1400}"), now);
        assertInstanceOf(ConfigAnswer.Config.class, request(a));
        assertEquals(compiled + 1, store.settingsCompilations(), "an edit compiles the new settings once");
    }

    @Test
    void aNewNetworkAcceptsEverythingLikeZeroTiers() {
        assertEquals(RuleCompiler.ACCEPT, c.network(nwid).orElseThrow().settings().rules());
        assertEquals("[{\"type\":\"ACTION_ACCEPT\"}]",
                ControllerJson.write(ControllerJson.network(c.network(nwid).orElseThrow()).get("rules")));
    }

    @Test
    void badRuleSetsAreRefusedByIndexAndReasonAndNothingIsStored() {
        c.updateNetwork(nwid, json(SSH_ADMIN), now);
        Network before = c.network(nwid).orElseThrow();
        String[][] bad = {
            {"{\"name\": \"x\", \"rules\": [{\"type\": \"ACTION_ACCEPT\"}, {\"type\": \"ACTION_TEE\"}]}", "rules[1].type"},
            {"{\"rules\": [{\"type\": \"MATCH_ETHERTYPE\", \"etherType\": 1, \"or\": true}]}", "rules[0].or"},
            {"{\"capabilities\": [{\"id\": 1, \"rules\": [{\"type\": \"NOPE\"}]}]}", "capabilities[0].rules[0].type"},
            {"{\"capabilities\": [{\"id\": 1, \"rules\": []}, {\"id\": 1, \"rules\": []}]}", "capabilities[1].id"},
            {"{\"capabilities\": [{\"id\": 1}]}", "capabilities[0].rules"},
            {"{\"capabilities\": [{\"id\": 1, \"rules\": [], \"default\": true}]}", "capabilities[0].default"},
            {"{\"capabilities\": [" + "{\"id\": 1, \"rules\": []},".repeat(129) + "{}]}", "capabilities"},
            {"{\"capabilities\": [{\"id\": 1, \"rules\": [" + "{\"type\": \"ACTION_DROP\"},".repeat(64) + "{\"type\": \"ACTION_DROP\"}]}]}",
                "capabilities[0].rules"},
            {"{\"rules\": [" + "{\"type\": \"ACTION_DROP\"},".repeat(1024) + "{\"type\": \"ACTION_DROP\"}]}", "rules"},
        };
        for (String[] b : bad) {
            FieldException e = assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json(b[0]), now), b[0]);
            assertEquals(b[1], e.field(), e.getMessage());
            FieldException onCreate = assertThrows(FieldException.class, () -> c.createNetwork(OptionalLong.of(77), json(b[0]), now));
            assertEquals(b[1], onCreate.field());
        }
        assertEquals(ControllerJson.network(before), ControllerJson.network(c.network(nwid).orElseThrow()), "nothing stored");
        assertTrue(c.network(NetworkIds.of(SELF, 77)).isEmpty());
    }

    @Test
    void aConfigThatCouldExceedThePsoBodyIsRefused() {
        // 128 capabilities of 64 IPv6 matches: far over MAX_PSO_BODY (§7.4)
        StringBuilder caps = new StringBuilder("{\"capabilities\": [");
        for (int i = 0; i < 40; i++) {
            caps.append(i > 0 ? "," : "").append("{\"id\": ").append(i).append(", \"rules\": [")
                    .append("{\"type\": \"MATCH_IPV6_SOURCE\", \"ip\": \"fd00::/8\"},".repeat(63)).append("{\"type\": \"ACTION_ACCEPT\"}]}");
        }
        FieldException e = assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json(caps.append("]}").toString()), now));
        assertEquals("capabilities", e.field());
        assertTrue(e.getMessage().contains("48960-byte limit"), e.getMessage());
        assertEquals(RuleCompiler.ACCEPT, c.network(nwid).orElseThrow().settings().rules());
        assertTrue(c.network(nwid).orElseThrow().settings().capabilities().isEmpty());
    }

    @Test
    void grantsMustNameDefinedCapabilitiesAndADefinedCapabilityStaysWhileGranted() {
        SecretIdentity a = TestIds.get(0);
        c.updateNetwork(nwid, json(SSH_ADMIN), now);
        FieldException e = assertThrows(FieldException.class,
                () -> c.upsertMember(nwid, a.address(), json("{\"authorized\": true, \"capabilities\": [9, 10]}"), now));
        assertEquals("capabilities[1]", e.field());
        assertTrue(e.getMessage().contains("capability 10 is not defined"), e.getMessage());
        assertTrue(c.member(nwid, a.address()).isEmpty(), "nothing stored");
        authorize(a, ", \"capabilities\": [9]");
        long rev = c.network(nwid).orElseThrow().revision();
        FieldException removal = assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json("{\"capabilities\": []}"), now));
        assertEquals("capabilities", removal.field());
        assertTrue(removal.getMessage().contains("granted to member " + a.address()), removal.getMessage());
        assertEquals(rev, c.network(nwid).orElseThrow().revision());
        c.upsertMember(nwid, a.address(), json("{\"capabilities\": []}"), now);
        assertTrue(c.updateNetwork(nwid, json("{\"capabilities\": []}"), now).value().settings().capabilities().isEmpty());
    }

    @Test
    void aTagChangeReissuesAndPushesTheCredentialWithTheNewTag() {
        SecretIdentity a = TestIds.get(0);
        c.updateNetwork(nwid, json(SSH_ADMIN), now);
        authorize(a, ", \"tags\": [[1, 0]]");
        ConfigAnswer.Config first = assertInstanceOf(ConfigAnswer.Config.class, request(a));
        c.sessionUp(a.fingerprint(), a.address());
        Controller.Change<Member> ch = c.upsertMember(nwid, a.address(), json("{\"tags\": [[1, 1]]}"), now);
        Push.Config p = (Push.Config) ch.pushes().stream().filter(x -> x instanceof Push.Config).findFirst().orElseThrow();
        CredentialContent pushed = issuer.credentials.get(issuer.credentials.size() - 1);
        assertEquals(java.util.Map.of(1L, 1L), pushed.tags());
        assertEquals(first.credentialContent().revision() + 1, pushed.revision());
        assertEquals(pushed.timestamp(), p.content().timestamp());
        assertEquals(pushed.timestamp(), (long) c.revocations(nwid).orElseThrow().entries().get(Revocations.prefix(a.fingerprint())),
                "threshold = ts(new MC): the MC with the old tag is revoked (§7.5)");
    }

    @Test
    void memberTagsAndGrantsAreBoundedAndUnique() {
        SecretIdentity a = TestIds.get(0);
        StringBuilder caps = new StringBuilder("{\"capabilities\": [");
        for (int i = 0; i < 129; i++) caps.append(i > 0 ? "," : "").append("{\"id\": ").append(i).append(", \"rules\": []}");
        FieldException tooManyCaps = assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json(caps + "]}"), now));
        assertEquals("capabilities", tooManyCaps.field());
        StringBuilder defs = new StringBuilder("{\"tags\": [");
        for (int i = 0; i < 129; i++) defs.append(i > 0 ? "," : "").append("{\"id\": ").append(i).append('}');
        assertEquals("tags", assertThrows(FieldException.class, () -> c.updateNetwork(nwid, json(defs + "]}"), now)).field());
        StringBuilder tags = new StringBuilder("{\"tags\": [");
        StringBuilder grants = new StringBuilder("{\"capabilities\": [");
        for (int i = 0; i < 129; i++) {
            tags.append(i > 0 ? "," : "").append("[").append(i).append(", 1]");
            grants.append(i > 0 ? "," : "").append(i);
        }
        assertEquals("tags", assertThrows(FieldException.class, () -> c.upsertMember(nwid, a.address(), json(tags + "]}"), now)).field());
        assertEquals("capabilities", assertThrows(FieldException.class, () -> c.upsertMember(nwid, a.address(), json(grants + "]}"), now)).field());
        FieldException twice = assertThrows(FieldException.class, () -> c.upsertMember(nwid, a.address(), json("{\"tags\": [[1, 1], [1, 2]]}"), now));
        assertEquals("tags[1][0]", twice.field());
        assertTrue(c.member(nwid, a.address()).isEmpty(), "nothing stored");
    }
}

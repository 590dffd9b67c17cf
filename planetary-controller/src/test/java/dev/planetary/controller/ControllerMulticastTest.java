package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.MacAddress;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller engine's multicast side (VL.md §10.2, §10.3, §10.7) against the SQLite store,
 * with real identities: members request their configs (so their identities are on file), then LIKE
 * and GATHER through {@link Controller#onLike} and {@link Controller#onGather}.
 */
class ControllerMulticastTest {
    static final long T0 = 1_800_000_000_000L;
    static final MulticastGroup MDNS = new MulticastGroup(new MacAddress(0x01005e0000fbL), 0);

    @TempDir
    Path home;
    JdbcControllerStore store;
    RecordingIssuer issuer;
    Controller c;
    long nwid;
    long now = T0;
    SecretIdentity a, b, d;
    /** A pending row (made by the API, never authorised). */
    final Address pending = new Address(0x0102030405L);
    final Fingerprint pendingFp = Fingerprint.of(new byte[Fingerprint.SIZE]);

    @BeforeEach
    void open() throws IOException {
        store = JdbcControllerStore.openSqlite(home);
        issuer = new RecordingIssuer();
        c = new Controller(ControllerTest.SELF, store, issuer, IdentityCheck.verifying(ControllerTest.VERIFIER), ControllerEvents.NONE,
                new SplittableRandom(7));
        nwid = c.createNetwork(OptionalLong.of(1), ControllerTest.json("""
                {"routes": [{"target": "10.1.0.0/24"}, {"target": "fd00::/64"}]}"""), now).id();
        a = TestIds.get(0);
        b = TestIds.get(1);
        d = TestIds.get(2);
        join(a, "[\"10.1.0.4\"]");
        join(b, "[\"10.1.0.5\", \"fd00::ab:cdef\"]");
        join(d, "[]");
        c.upsertMember(nwid, pending, ControllerTest.json("{\"fingerprint\": \"" + pendingFp.toBase32() + "\"}"), now);
    }

    @AfterEach
    void close() {
        store.close();
    }

    ConfigAnswer request(SecretIdentity id) {
        now += 1_000;
        return c.onConfigRequest(id.fingerprint(), id.address(), id.identity(), new ConfigRequest(nwid, 0, 0, null, "p"), now);
    }

    void join(SecretIdentity id, String ips) {
        c.upsertMember(nwid, id.address(), ControllerTest.json("{\"authorized\": true, \"noAutoAssignIps\": true, \"ipAssignments\": " + ips + "}"), now);
        assertInstanceOf(ConfigAnswer.Config.class, request(id));
    }

    Optional<GatherReply> gather(SecretIdentity from, MulticastGroup g, int limit) {
        now += 1_000; // budget refilled
        return c.onGather(from.fingerprint(), from.address(), nwid, g, limit, now);
    }

    static MulticastGroup arp(int lastOctet) {
        return new MulticastGroup(MacAddress.BROADCAST, 0x0a010000L | lastOctet);
    }

    static Set<Address> addresses(GatherReply r) {
        Set<Address> out = new HashSet<>();
        for (GatherReply.Member m : r.members()) out.add(m.address());
        return out;
    }

    long counter(String name) {
        return c.counters().getOrDefault(name, 0L);
    }

    @Test
    void arpGatherNamesTheAssignedOwnerAuthoritativelyInFormat1() {
        GatherReply r = gather(a, arp(5), 32).orElseThrow();
        assertTrue(r.authoritative());
        assertTrue(r.withIdentities());
        assertEquals(1, r.members().size());
        assertEquals(1, r.total());
        assertEquals(b.address(), r.members().get(0).address());
        assertArrayEquals(b.identity().encoded(), r.members().get(0).identity().orElseThrow().toArray(), "the identity the controller vouches for");
        assertEquals(nwid, r.networkId().value());
        assertEquals(arp(5), r.group());
        assertEquals(1, counter("gatherAuthoritative"));
    }

    @Test
    void emptyAnswersSendNothing() {
        assertTrue(gather(b, arp(5), 32).isEmpty(), "the requester is excluded: nobody else has 10.1.0.5");
        assertTrue(gather(a, arp(9), 32).isEmpty(), "nobody is assigned 10.1.0.9 or LIKEs it");
        assertTrue(gather(a, MDNS, 32).isEmpty(), "nobody LIKEs the group");
        assertEquals(3, counter("gatherEmpty"));
    }

    @Test
    void solicitedNodeGroupListsTheMemberWithThatIpv6Suffix() {
        GatherReply r = gather(a, new MulticastGroup(new MacAddress(0x3333ffabcdefL), 0), 32).orElseThrow();
        assertEquals(Set.of(b.address()), addresses(r));
        assertTrue(r.withIdentities());
    }

    @Test
    void likesOfAuthorisedMembersAnswerOtherGroups() {
        c.onLike(d.fingerprint(), d.address(), nwid, List.of(MDNS), now);
        c.onLike(b.fingerprint(), b.address(), nwid, List.of(MDNS), now);
        GatherReply r = gather(a, MDNS, 32).orElseThrow();
        assertEquals(Set.of(b.address(), d.address()), addresses(r));
        assertFalse(r.authoritative());
        GatherReply one = gather(a, MDNS, 1).orElseThrow();
        assertEquals(1, one.members().size());
        assertEquals(2, one.total());
        assertEquals(Set.of(b.address()), addresses(gather(d, MDNS, 32).orElseThrow()), "without the requester");
        assertEquals(2, counter("likeRecorded"));
    }

    @Test
    void unauthorisedMembersAreNeverListedAndNeverAnswered() {
        c.onLike(pendingFp, pending, nwid, List.of(MDNS), now);
        assertEquals(1, counter("likeNotMember"));
        assertEquals(0, c.likes(nwid));
        assertTrue(gather(a, MDNS, 32).isEmpty());
        assertTrue(c.onGather(pendingFp, pending, nwid, arp(5), 32, now += 1_000).isEmpty(), "a pending member learns nothing");
        assertTrue(c.onGather(a.fingerprint(), b.address(), nwid, arp(4), 32, now += 1_000).isEmpty(), "a's fingerprint claiming b's address");
        assertTrue(c.onGather(a.fingerprint(), a.address(), nwid + 1, arp(5), 32, now += 1_000).isEmpty(), "another network");
        assertEquals(3, counter("gatherNotMember"));
    }

    @Test
    void deauthorisedMemberDropsOutAtOnce() {
        c.onLike(b.fingerprint(), b.address(), nwid, List.of(MDNS), now);
        assertTrue(gather(a, arp(5), 32).isPresent());
        c.upsertMember(nwid, b.address(), ControllerTest.json("{\"authorized\": false}"), now);
        assertTrue(gather(a, arp(5), 32).isEmpty(), "no longer the owner");
        assertTrue(gather(a, MDNS, 32).isEmpty(), "its LIKEs are gone");
        assertTrue(gather(b, arp(4), 32).isEmpty(), "and it is no longer answered");
        c.upsertMember(nwid, b.address(), ControllerTest.json("{\"authorized\": true}"), now);
        assertTrue(gather(a, arp(5), 32).isPresent(), "re-authorised: listed again");
        c.deleteMember(nwid, b.address(), now);
        assertTrue(gather(a, arp(5), 32).isEmpty(), "deleted");
    }

    @Test
    void gatherFloodIsBudgetedPerMemberAndAbsurdLimitsAreClamped() {
        int answered = 0;
        for (int i = 0; i < 1_000; i++) if (c.onGather(a.fingerprint(), a.address(), nwid, arp(5), 32, now).isPresent()) answered++;
        assertEquals(ControllerLimits.GATHER_BURST, answered, "the burst, then nothing in the same instant");
        assertEquals(1_000 - ControllerLimits.GATHER_BURST, counter("gatherRateLimited"));
        assertTrue(c.onGather(d.fingerprint(), d.address(), nwid, arp(5), 32, now).isPresent(), "another member is not affected");
        now += 1_000;
        answered = 0;
        for (int i = 0; i < 1_000; i++) if (c.onGather(a.fingerprint(), a.address(), nwid, arp(5), 32, now).isPresent()) answered++;
        assertEquals(ControllerLimits.GATHER_RATE, answered, "refilled at the rate");
        now += 60_000;
        assertEquals(1, gather(a, arp(5), 65_535).orElseThrow().members().size());
        assertTrue(gather(a, arp(5), 0).isPresent(), "limit 0 is clamped to 1");
        assertEquals(2, counter("gatherLimitClamped"));
    }

    @Test
    void likeFloodIsBudgetedPerMember() {
        for (int i = 0; i < 100; i++) c.onLike(d.fingerprint(), d.address(), nwid, List.of(new MulticastGroup(new MacAddress(0x01005e000000L + i), 0)), now);
        assertEquals(ControllerLimits.LIKE_BURST, c.likes(nwid));
        assertEquals(100 - ControllerLimits.LIKE_BURST, counter("likeRateLimited"));
        c.onLike(b.fingerprint(), b.address(), nwid, List.of(MDNS), now);
        assertEquals(ControllerLimits.LIKE_BURST + 1, c.likes(nwid), "another member has its own budget");
    }

    @Test
    void replicatorFlagSetsCredentialBit1AndListsTheSpecialistNetworkWide() {
        c.sessionUp(a.fingerprint(), a.address());
        c.sessionUp(d.fingerprint(), d.address());
        long revision = c.network(nwid).orElseThrow().revision();
        Controller.Change<Member> ch = c.upsertMember(nwid, d.address(), ControllerTest.json("{\"multicastReplicator\": true}"), now);
        assertEquals(2, ch.value().credentialFlags());
        assertEquals(revision + 1, c.network(nwid).orElseThrow().revision(), "a network-wide change");
        assertEquals(Set.of(a.fingerprint(), d.fingerprint()), pushedTo(ch.pushes()), "every online member gets the new list");
        ConfigContent cfg = issuer.configs.get(issuer.configs.size() - 1);
        assertEquals(List.of(new Specialist(d.address(), d.fingerprint(), 2)), cfg.specialists());
        CredentialContent mc = issuer.credentials.stream().filter(x -> x.address().equals(d.address())).reduce((x, y) -> y).orElseThrow();
        assertEquals(2, mc.flags(), "MC flag bit1 (§8.1)");
        assertEquals(List.of(new Specialist(d.address(), d.fingerprint(), 2)), c.specialists(nwid));
        // a replicator that is deauthorized leaves the list at once
        Controller.Change<Member> off = c.upsertMember(nwid, d.address(), ControllerTest.json("{\"authorized\": false}"), now);
        assertEquals(List.of(), c.specialists(nwid));
        assertEquals(Set.of(a.fingerprint()), pushedTo(off.pushes()));
        assertEquals(List.of(), issuer.configs.get(issuer.configs.size() - 1).specialists());
        // a flag change on a plain member changes no specialist list: only that member's config is pushed
        Controller.Change<Member> tag = c.upsertMember(nwid, a.address(), ControllerTest.json("{\"ipAssignments\": [\"10.1.0.7\"]}"), now);
        assertEquals(revision + 2, c.network(nwid).orElseThrow().revision());
        assertEquals(Set.of(a.fingerprint()), pushedTo(tag.pushes()));
    }

    @Test
    void replicatorFieldIsValidated() {
        FieldException e = assertThrows(FieldException.class,
                () -> c.upsertMember(nwid, d.address(), ControllerTest.json("{\"multicastReplicator\": \"yes\"}"), now));
        assertEquals("multicastReplicator", e.field());
        assertFalse(c.member(nwid, d.address()).orElseThrow().multicastReplicator(), "the row is unchanged");
        assertEquals(List.of(), c.specialists(nwid));
        // at most 256 specialists (§7.4): rows the API binds by fingerprint count before they ever request
        for (int i = 0; i < ControllerLimits.MAX_SPECIALISTS; i++) {
            byte[] fp = new byte[Fingerprint.SIZE];
            fp[0] = (byte) i;
            fp[1] = 1;
            c.upsertMember(nwid, new Address(0x20_0000_0000L + i), ControllerTest.json("{\"authorized\": true, \"activeBridge\": true, \"fingerprint\": \""
                    + Fingerprint.of(fp).toBase32() + "\"}"), now);
        }
        assertEquals(ControllerLimits.MAX_SPECIALISTS, c.specialists(nwid).size());
        FieldException full = assertThrows(FieldException.class,
                () -> c.upsertMember(nwid, d.address(), ControllerTest.json("{\"multicastReplicator\": true}"), now));
        assertEquals("multicastReplicator", full.field());
        assertFalse(c.member(nwid, d.address()).orElseThrow().multicastReplicator(), "refused: the row is unchanged");
        assertEquals(ControllerLimits.MAX_SPECIALISTS, c.specialists(nwid).size());
        assertTrue(gather(a, arp(5), 32).isPresent(), "the directory survived the rolled-back change");
    }

    static Set<Object> pushedTo(List<Push> pushes) {
        Set<Object> out = new HashSet<>();
        for (Push p : pushes) if (p instanceof Push.Config cfg) out.add(cfg.to());
        return out;
    }

    @Test
    void aRestartedEngineRebuildsTheDirectoryFromTheStore() {
        Controller fresh = new Controller(ControllerTest.SELF, store, issuer, IdentityCheck.verifying(ControllerTest.VERIFIER), ControllerEvents.NONE,
                new SplittableRandom(8));
        GatherReply r = fresh.onGather(a.fingerprint(), a.address(), nwid, arp(5), 32, now).orElseThrow();
        assertEquals(Set.of(b.address()), addresses(r));
        assertTrue(r.authoritative());
    }

    @Test
    void routeChangesReindexTheAssignments() {
        assertTrue(gather(a, arp(5), 32).isPresent());
        c.updateNetwork(nwid, ControllerTest.json("{\"routes\": [{\"target\": \"fd00::/64\"}]}"), now); // 10.1.0.5 is no longer covered (§7.5 step 4)
        assertTrue(gather(a, arp(5), 32).isEmpty());
    }
}

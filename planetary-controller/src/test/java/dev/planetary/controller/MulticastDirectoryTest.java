package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Base32;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.nic.MacAddress;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The controller's multicast directory (VL.md §10.2, §10.3) on synthetic rows (identity texts are
 * taken as stored, so no key generation is needed): sampling, the limit, LIKE bounds and expiry.
 */
class MulticastDirectoryTest {
    static final long NWID = 0x8056c2e21c000001L;
    static final MulticastGroup MDNS = new MulticastGroup(new MacAddress(0x01005e0000fbL), 0);
    static final NetworkSettings SETTINGS = ControllerJson.applyNetwork(NetworkSettings.defaults(), ControllerJson.parseObject(
            "{\"routes\": [{\"target\": \"10.0.0.0/16\"}, {\"target\": \"fd00::/64\"}]}".getBytes(StandardCharsets.UTF_8)));

    /** An authorised row of address {@code 0x1000000000 + i} with a recognisable identity and the given manual addresses. */
    static Member row(int i, String... ips) {
        Address a = new Address(0x10_0000_0000L + i);
        byte[] id = new byte[Identity.SIZE];
        id[0] = 1;
        id[1] = (byte) i;
        id[2] = (byte) (i >> 8);
        byte[] fp = new byte[Fingerprint.SIZE];
        fp[0] = (byte) i;
        fp[1] = (byte) (i >> 8);
        List<Ip> assigned = new ArrayList<>();
        for (String ip : ips) assigned.add(Ip.parse(ip).orElseThrow());
        Member m = Member.fresh(NWID, a, Fingerprint.of(fp), a + ":1:" + Base32.encode(id), 0);
        Member.Builder b = m.edit();
        b.authorized = true;
        b.ipAssignments = assigned;
        return b.build();
    }

    static MulticastDirectory directory(List<Member> rows) {
        MulticastDirectory d = new MulticastDirectory();
        d.load(NWID, SETTINGS, rows);
        return d;
    }

    static List<Member> rows(int n) {
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(row(i));
        return out;
    }

    static Set<Address> addresses(GatherReply r) {
        Set<Address> out = new HashSet<>();
        for (GatherReply.Member m : r.members()) out.add(m.address());
        return out;
    }

    @Test
    void sampleGivesDistinctIndicesInRange() {
        SplittableRandom r = new SplittableRandom(1);
        for (int n = 1; n < 300; n += 7) {
            for (int k : new int[] {1, Math.max(1, n / 3), n}) {
                int[] s = MulticastDirectory.sample(n, k, r);
                assertEquals(k, s.length);
                Set<Integer> seen = new HashSet<>();
                for (int i : s) {
                    assertTrue(i >= 0 && i < n, "index " + i + " in 0.." + (n - 1));
                    assertTrue(seen.add(i), "distinct");
                }
            }
        }
        // every member of a large group is picked sometimes (random, not the first k)
        Set<Integer> ever = new HashSet<>();
        for (int round = 0; round < 200; round++) for (int i : MulticastDirectory.sample(100, 5, r)) ever.add(i);
        assertTrue(ever.size() > 90, "picked " + ever.size() + " of 100");
    }

    @Test
    void likedGroupAnswersLimitedRandomFormat1WithoutTheRequester() {
        List<Member> rows = rows(300);
        MulticastDirectory d = directory(rows);
        for (Member m : rows) d.like(NWID, m.address(), MDNS, 0);
        Address requester = rows.get(7).address();
        SplittableRandom r = new SplittableRandom(2);
        GatherReply reply = d.gather(NWID, requester, MDNS, 240, 1, r).orElseThrow();
        assertEquals(240, reply.members().size());
        assertEquals(299, reply.total(), "total excludes the requester");
        assertFalse(reply.authoritative());
        assertTrue(reply.withIdentities());
        assertFalse(addresses(reply).contains(requester));
        assertEquals(240, addresses(reply).size(), "no record twice");
        for (GatherReply.Member m : reply.members()) {
            int i = (int) (m.address().value() - 0x10_0000_0000L);
            assertEquals((byte) i, m.identity().orElseThrow().get(1), "the member's own identity");
        }
        GatherReply small = d.gather(NWID, requester, MDNS, 3, 1, r).orElseThrow();
        assertEquals(3, small.members().size());
        assertThrows(IllegalArgumentException.class, () -> d.gather(NWID, requester, MDNS, 241, 1, r), "the engine clamps first");
    }

    @Test
    void arpGroupIsAuthoritativeFromAssignmentsAndFallsBackToLikes() {
        Member owner = row(1, "10.0.0.5"), other = row(2, "10.0.0.6"), liker = row(3);
        MulticastDirectory d = directory(List.of(owner, other, liker));
        MulticastGroup arp5 = new MulticastGroup(MacAddress.BROADCAST, 0x0a000005L), arp9 = new MulticastGroup(MacAddress.BROADCAST, 0x0a000009L);
        d.like(NWID, liker.address(), arp5, 0); // a LIKE does not enter an authoritative answer
        d.like(NWID, liker.address(), arp9, 0);
        SplittableRandom r = new SplittableRandom(3);
        GatherReply a = d.gather(NWID, other.address(), arp5, 32, 1, r).orElseThrow();
        assertTrue(a.authoritative());
        assertEquals(Set.of(owner.address()), addresses(a));
        assertTrue(d.gather(NWID, owner.address(), arp5, 32, 1, r).isEmpty(), "the owner asking for itself hears nothing");
        GatherReply b = d.gather(NWID, other.address(), arp9, 32, 1, r).orElseThrow();
        assertFalse(b.authoritative(), "nobody is assigned 10.0.0.9: the LIKEs, not authoritative");
        assertEquals(Set.of(liker.address()), addresses(b));
        assertTrue(d.gather(NWID, other.address(), new MulticastGroup(MacAddress.BROADCAST, 0x0a000010L), 32, 1, r).isEmpty());
    }

    @Test
    void solicitedNodeGroupAddsMembersWithTheIpv6Suffix() {
        Member c = row(1, "fd00::ab:cdef"), e = row(2, "fd00::1:ab:cdef"), far = row(3, "fd00::ab:cde0"), liker = row(4);
        MulticastDirectory d = directory(List.of(c, e, far, liker));
        MulticastGroup solicited = new MulticastGroup(new MacAddress(0x3333ffabcdefL), 0);
        d.like(NWID, liker.address(), solicited, 0);
        d.like(NWID, c.address(), solicited, 0); // liked and assigned: listed once
        GatherReply r = d.gather(NWID, far.address(), solicited, 32, 1, new SplittableRandom(4)).orElseThrow();
        assertEquals(Set.of(c.address(), e.address(), liker.address()), addresses(r));
        assertEquals(3, r.members().size());
        assertEquals(3, r.total());
        assertFalse(r.authoritative());
    }

    @Test
    void deauthorisedOrDeletedMembersDropOutAtOnceWithTheirLikes() {
        Member a = row(1, "10.0.0.5"), b = row(2);
        MulticastDirectory d = directory(List.of(a, b));
        d.like(NWID, a.address(), MDNS, 0);
        assertTrue(d.isMember(NWID, a.address(), a.fingerprint()));
        assertFalse(d.isMember(NWID, a.address(), b.fingerprint()), "another fingerprint claiming the address");
        Member.Builder off = a.edit();
        off.authorized = false;
        d.update(NWID, SETTINGS, off.build());
        assertFalse(d.isMember(NWID, a.address(), a.fingerprint()));
        assertEquals(0, d.likes(NWID));
        assertTrue(d.gather(NWID, b.address(), MDNS, 32, 1, new SplittableRandom(5)).isEmpty());
        assertTrue(d.gather(NWID, b.address(), new MulticastGroup(MacAddress.BROADCAST, 0x0a000005L), 32, 1, new SplittableRandom(5)).isEmpty());
        d.update(NWID, SETTINGS, a);
        d.like(NWID, a.address(), MDNS, 0);
        d.remove(NWID, a.address());
        assertEquals(0, d.likes(NWID));
        assertEquals(0, d.totalLikes());
        assertThrows(IllegalStateException.class, () -> d.like(NWID, a.address(), MDNS, 0), "the engine gates first");
    }

    @Test
    void likeFloodKeepsTheNewest1024PerMemberAndExpires() {
        Member a = row(1), b = row(2);
        MulticastDirectory d = directory(List.of(a, b));
        for (int i = 0; i < 5_000; i++) {
            MulticastDirectory.LikeResult r = d.like(NWID, a.address(), new MulticastGroup(new MacAddress(0x0100_5e00_0000L + i), 0), i);
            assertEquals(i < ControllerLimits.MAX_LIKES_PER_MEMBER ? MulticastDirectory.LikeResult.RECORDED : MulticastDirectory.LikeResult.EVICTED_OLDEST, r);
        }
        assertEquals(ControllerLimits.MAX_LIKES_PER_MEMBER, d.likes(NWID));
        SplittableRandom rnd = new SplittableRandom(6);
        assertTrue(d.gather(NWID, b.address(), new MulticastGroup(new MacAddress(0x0100_5e00_0000L), 0), 1, 5_000, rnd).isEmpty(), "oldest forgotten");
        assertTrue(d.gather(NWID, b.address(), new MulticastGroup(new MacAddress(0x0100_5e00_0000L + 4_999), 0), 1, 5_000, rnd).isPresent());
        // a renewed LIKE survives the expiry of the others
        MulticastGroup kept = new MulticastGroup(new MacAddress(0x0100_5e00_0000L + 4_000), 0);
        assertEquals(MulticastDirectory.LikeResult.REFRESHED, d.like(NWID, a.address(), kept, 500_000));
        assertTrue(d.gather(NWID, b.address(), kept, 1, 4_999 + ControllerLimits.LIKE_EXPIRY_MS, rnd).isPresent());
        assertEquals(1, d.likes(NWID), "all others expired " + ControllerLimits.LIKE_EXPIRY_MS + " ms after their LIKE");
        assertTrue(d.gather(NWID, b.address(), kept, 1, 500_000 + ControllerLimits.LIKE_EXPIRY_MS, rnd).isEmpty());
        assertEquals(0, d.totalLikes());
    }

    @Test
    void networkCapForgetsTheOldestLikeOfAnyMember() {
        int members = ControllerLimits.MAX_LIKES_PER_NETWORK / ControllerLimits.MAX_LIKES_PER_MEMBER + 2;
        List<Member> rows = new ArrayList<>();
        for (int i = 0; i < members; i++) rows.add(row(i));
        MulticastDirectory d = directory(rows);
        long t = 0;
        for (Member m : rows) for (int g = 0; g < ControllerLimits.MAX_LIKES_PER_MEMBER; g++) d.like(NWID, m.address(), new MulticastGroup(new MacAddress(0x0100_5e00_0000L + g), 0), t++);
        assertEquals(ControllerLimits.MAX_LIKES_PER_NETWORK, d.likes(NWID));
        assertEquals(ControllerLimits.MAX_LIKES_PER_NETWORK, d.totalLikes());
        // the first member's oldest LIKEs went first: its first group no longer lists it
        GatherReply r = d.gather(NWID, rows.get(members - 1).address(), new MulticastGroup(new MacAddress(0x0100_5e00_0000L), 0), 240, t, new SplittableRandom(7)).orElseThrow();
        assertFalse(addresses(r).contains(rows.get(0).address()));
        assertTrue(addresses(r).contains(rows.get(members - 2).address()));
    }

    @Test
    void specialistsFollowTheCredentialFlags() {
        Member plain = row(1), replicator = row(2), bridge = row(3);
        Member.Builder rb = replicator.edit();
        rb.multicastReplicator = true;
        Member.Builder bb = bridge.edit();
        bb.activeBridge = true;
        MulticastDirectory d = directory(List.of(plain, rb.build(), bb.build()));
        assertEquals(List.of(new Specialist(replicator.address(), replicator.fingerprint(), 2), new Specialist(bridge.address(), bridge.fingerprint(), 1)),
                d.specialists(NWID));
        d.update(NWID, SETTINGS, replicator);
        assertEquals(1, d.specialists(NWID).size());
        d.drop(NWID);
        assertFalse(d.loaded(NWID));
        assertEquals(List.of(), d.specialists(NWID));
    }
}

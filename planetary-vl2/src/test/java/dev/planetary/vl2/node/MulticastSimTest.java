package dev.planetary.vl2.node;

import static dev.planetary.vl2.node.MulticastWorld.NWID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.PortConfig;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Ok;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastFrame;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.MulticastLike;
import dev.planetary.vl2.node.MulticastWorld.Delivery;
import dev.planetary.vl2.node.MulticastWorld.Member;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** L0: the member's multicast engines (VL.md §10) among 20 members and a controller, in one JVM. */
class MulticastSimTest {
    static final long BROADCAST_ARP = PortConfig.FLAG_BROADCAST | PortConfig.FLAG_ARP_EMULATION;
    static final MulticastGroup BROADCAST = new MulticastGroup(MacAddress.BROADCAST, 0);

    /** A world where everyone has a session with everyone (all LIKEs known). */
    static MulticastWorld meshed(int n, long flags, int limit, long seed) {
        MulticastWorld w = new MulticastWorld(n, flags, limit, seed);
        for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) w.session(w.member(i), w.member(j));
        w.pump();
        return w;
    }

    static byte[] ipv4Broadcast(int size) {
        byte[] p = new byte[size];
        p[0] = 0x45;
        return p;
    }

    @Test
    void aBroadcastReachesExactlyTheMulticastLimitOfMembers() {
        MulticastWorld w = meshed(20, PortConfig.FLAG_BROADCAST, 8, 1);
        Member a = w.member(0);
        a.engine.outbound(NWID, MacAddress.BROADCAST, a.mac(), 0x0800, ipv4Broadcast(60), w.now);
        w.pump();
        List<Delivery> got = w.members.stream().flatMap(m -> m.delivered.stream()).toList();
        assertEquals(8, got.size(), "exactly the multicast limit of members got the broadcast");
        assertEquals(8, got.stream().map(Delivery::to).distinct().count());
        assertTrue(got.stream().allMatch(d -> d.from() == a.address.value() && d.dst().equals(MacAddress.BROADCAST)));
        assertEquals(0, w.count(a.address.value(), -1, Verb.MULTICAST_GATHER), "19 members known ≥ limit: no gather");
    }

    @Test
    void withALimitAboveTheMembersEveryOtherMemberGetsItOnce() {
        MulticastWorld w = meshed(20, PortConfig.FLAG_BROADCAST, 32, 2);
        Member a = w.member(5);
        a.engine.outbound(NWID, MacAddress.BROADCAST, a.mac(), 0x0800, ipv4Broadcast(60), w.now);
        w.pump();
        List<Delivery> got = w.members.stream().flatMap(m -> m.delivered.stream()).toList();
        assertEquals(19, got.size());
        assertEquals(19, got.stream().map(Delivery::to).distinct().count());
        assertTrue(a.delivered.isEmpty(), "never to itself");
    }

    /** Property: whatever the seed, limit, LIKEs and gathered members, one replication reaches each member at most once. */
    @Test
    void noMemberReceivesAFrameTwiceFromOneReplication() {
        SplittableRandom r = new SplittableRandom(77);
        for (int trial = 0; trial < 40; trial++) {
            int n = 3 + r.nextInt(18);
            int limit = 1 + r.nextInt(40);
            MulticastWorld w = new MulticastWorld(n, PortConfig.FLAG_BROADCAST, limit, trial);
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) if (r.nextBoolean()) w.session(w.member(i), w.member(j));
            w.pump();
            Member a = w.member(r.nextInt(n));
            for (int f = 0; f < 3; f++) {
                for (Member m : w.members) m.delivered.clear();
                a.engine.outbound(NWID, MacAddress.BROADCAST, a.mac(), 0x0800, ipv4Broadcast(40 + f), w.now);
                w.pump();
                List<Long> to = w.members.stream().flatMap(m -> m.delivered.stream()).map(Delivery::to).toList();
                assertEquals(new HashSet<>(to).size(), to.size(), "trial " + trial + ": a member got one frame twice");
                assertTrue(to.size() <= limit, "trial " + trial + ": more than the limit");
                assertFalse(to.contains(a.address.value()));
                w.advance(61_000); // the next frame may gather again (gathered members merge with LIKEs held)
            }
        }
    }

    @Test
    void theFirstArpToANewIpCausesExactlyOneGatherToTheController() {
        MulticastWorld w = new MulticastWorld(20, BROADCAST_ARP, 32, 3); // no sessions between members
        Member a = w.member(0), b = w.member(13);
        a.arp(b);
        a.arp(b); // the OS retries before the answer: held, no second gather
        w.pump();
        assertEquals(1, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER));
        assertEquals(2, a.emulated.size(), "both held requests answered locally (ARP emulation, §10.5)");
        ByteBuffer reply = a.emulated.getFirst();
        assertEquals(a.mac(), MacAddress.fromBuffer(reply, 0), "the reply is to the requester");
        assertEquals(b.mac(), MacAddress.fromBuffer(reply, 6), "with the owner's derived MAC");
        assertEquals(2, reply.getShort(14 + 6));
        assertEquals(0, w.count(a.address.value(), b.address.value(), Verb.MULTICAST_FRAME), "emulation sends nothing");
        assertEquals(List.of(b.address), a.vouched, "the controller's format-1 record goes to the identity cache (§2.7)");
        for (int i = 0; i < 5; i++) {
            w.advance(30_000);
            a.arp(b);
            w.pump();
        }
        assertEquals(1, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER), "an authoritative owner is kept");
        assertEquals(7, a.engine.counter("arpEmulated"));
        a.engine.peerAccepted(NWID, b.address, Set.of(MulticastWorld.ipValue(b.index)), w.now); // b's MC still has the address
        a.arp(b);
        assertEquals(8, a.engine.counter("arpEmulated"));
        a.engine.peerAccepted(NWID, b.address, Set.of(), w.now); // b's new MC dropped it: the owner is forgotten
        a.arp(b);
        assertEquals(8, a.engine.counter("arpEmulated"));
        assertEquals(1, a.engine.held(), "held while gathering again");
        w.pump();
        assertEquals(2, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER));
        assertEquals(9, a.engine.counter("arpEmulated"), "answered by the controller's new answer");
    }

    @Test
    void withoutEmulationTheArpGoesToTheOwnerAndIsGatheredOncePer60s() {
        MulticastWorld w = new MulticastWorld(20, PortConfig.FLAG_BROADCAST, 32, 4);
        Member a = w.member(2), b = w.member(9);
        a.arp(b);
        w.pump();
        assertEquals(1, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER));
        assertEquals(1, b.delivered.size(), "the owner's OS gets the request (its group: ff:…:ff + own IPv4)");
        assertEquals(0, a.emulated.size());
        for (int s = 0; s < 50; s += 10) {
            w.advance(10_000);
            a.arp(b);
            w.pump();
        }
        assertEquals(1, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER), "within 60 s: one gather");
        w.advance(10_000);
        a.arp(b);
        w.pump();
        assertEquals(2, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER), "after 60 s: one more");
        assertEquals(7, b.delivered.size());
        for (Member m : w.members) if (m != b) assertTrue(m.delivered.isEmpty(), "nobody else hears the ARP");
    }

    @Test
    void withTheControllerDownArpResolvesThroughACommonPeer() { // E18
        MulticastWorld w = new MulticastWorld(20, BROADCAST_ARP, 32, 5);
        Member a = w.member(0), c = w.member(4), b = w.member(17);
        w.controllerUp = false;
        w.session(b, c); // b LIKEs its groups to c, its N-peer
        w.session(a, c);
        w.pump();
        a.arp(b);
        w.pump();
        assertEquals(1, w.count(a.address.value(), c.address.value(), Verb.MULTICAST_GATHER), "the common peer was asked");
        assertEquals(1, b.delivered.size(), "the request reached the owner");
        assertEquals(MacAddress.BROADCAST, b.delivered.getFirst().dst());
        assertEquals(0, a.emulated.size(), "a peer's answer is not authoritative: no emulation");
        assertTrue(a.vouched.isEmpty(), "a member vouches for nobody");
    }

    @Test
    void aMemberKnowingNobodyRetriesEvery5sAndDropsHeldFramesAfter5s() {
        MulticastWorld w = new MulticastWorld(3, PortConfig.FLAG_BROADCAST, 32, 6);
        w.controllerUp = false;
        Member a = w.member(0);
        a.arp(w.member(1));
        w.pump();
        assertEquals(1, a.engine.held());
        w.advance(5_000);
        assertEquals(0, a.engine.held());
        assertEquals(1, a.engine.drops(Multicaster.Drop.HOLD_DROPPED));
        for (int i = 0; i < 40; i++) a.arp(w.member(1));
        w.pump();
        assertEquals(MulticastSender.MAX_HELD_PER_GROUP, a.engine.held(), "held frames per group bounded");
        assertEquals(2, w.count(a.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER), "again after 5 s while none known");
    }

    @Test
    void likeTablesStayBoundedUnderAFloodOfGroups() {
        MulticastWorld w = new MulticastWorld(2, PortConfig.FLAG_BROADCAST, 32, 7);
        Member target = w.member(0);
        for (long hostile = 1; hostile <= 12; hostile++) {
            long from = 0x0b_0000_0000L + hostile;
            for (int batch = 0; batch < 8; batch++) { // 2,048 groups each
                List<MulticastGroup> groups = new ArrayList<>();
                for (int g = 0; g < 256; g++) groups.add(new MulticastGroup(new MacAddress(0x0100_5e00_0000L + batch * 256 + g), hostile));
                target.receive(from, new MulticastLike(NWID, groups).encode());
            }
        }
        assertEquals(MulticastDirectory.MAX_LIKES, target.engine.likesHeld(NWID), "≤ 10,000 LIKEs per network");
        assertEquals(12 * 2048 - 12 * 1024, target.engine.drops(Multicaster.Drop.LIKE_REFUSED), "≤ 1,024 groups per sender");
        w.advance(MulticastDirectory.LIKE_EXPIRY_MS);
        assertEquals(0, target.engine.likesHeld(NWID), "expired after 600 s");
    }

    @Test
    void aGatherNeverYieldsMoreThanItsLimit() {
        MulticastWorld w = new MulticastWorld(1, PortConfig.FLAG_BROADCAST, 32, 8);
        Member target = w.member(0);
        MulticastGroup g = new MulticastGroup(new MacAddress(0x0100_5e00_0042L), 0);
        for (long i = 1; i <= 300; i++) target.receive(0x0b_0000_0000L + i, new MulticastLike(NWID, List.of(g)).encode());
        long hostile = 0x0b_0000_0001L;
        for (int limit : new int[] {1, 17, 240}) {
            w.log.clear();
            target.receive(hostile, new MulticastGather(99, NWID, g, limit).encode());
            MulticastFrame f = new MulticastFrame(NWID, Optional.of(new MulticastFrame.Gather(98, limit)), Optional.empty(), Optional.empty(), false, g,
                    0x0800, Bytes.of(new byte[20]));
            target.receive(hostile, f.encode());
            List<GatherReply> answers = new ArrayList<>();
            for (MulticastWorld.Message m : w.queue) {
                if (Vl1Codec.decode(m.bytes()) instanceof dev.planetary.vl1.Decoded.Message(Ok.Other o)
                        && GatherReply.decode(o.body().toArray()) instanceof Decoded.Ok<GatherReply>(GatherReply r)) answers.add(r);
            }
            w.queue.clear();
            assertEquals(2, answers.size(), "GATHER and the frame's gather part answered");
            for (GatherReply r : answers) {
                assertEquals(limit, r.members().size());
                assertFalse(r.members().stream().anyMatch(x -> x.address().value() == hostile), "never the requester");
                assertFalse(r.authoritative() || r.withIdentities(), "a member answers format 0, never authoritative");
            }
        }
        byte[] absurd = new MulticastGather(7, NWID, g, 240).encode();
        ByteBuffer.wrap(absurd).putShort(absurd.length - 2, (short) 60_000);
        long before = target.engine.drops(Multicaster.Drop.MALFORMED);
        target.receive(hostile, absurd);
        assertEquals(before + 1, target.engine.drops(Multicaster.Drop.MALFORMED), "a limit over 240 is refused");
        assertTrue(w.queue.isEmpty());
        target.receive(hostile, new MulticastGather(5, NWID, new MulticastGroup(new MacAddress(0x0100_5e00_0043L), 0), 240).encode());
        assertTrue(w.queue.isEmpty(), "no reply when nobody is known");
    }

    @Test
    void aFloodOfGathersFromOneMemberIsBudgeted() {
        MulticastWorld w = meshed(3, PortConfig.FLAG_BROADCAST, 32, 13);
        Member target = w.member(0);
        long hostile = w.member(1).address.value();
        int before = w.queue.size();
        for (int i = 1; i <= 1_000; i++) target.receive(hostile, new MulticastGather(i, NWID, BROADCAST, 240).encode());
        assertEquals(Multicaster.GATHER_ANSWERS_PER_SECOND, w.queue.size() - before, "answers in one second");
        assertEquals(1_000 - Multicaster.GATHER_ANSWERS_PER_SECOND, target.engine.drops(Multicaster.Drop.GATHER_BUDGET));
        w.queue.clear();
        target.receive(w.member(2).address.value(), new MulticastGather(1, NWID, BROADCAST, 240).encode());
        assertEquals(1, w.queue.size(), "another member is not starved");
        w.queue.clear();
        w.now += 1_000;
        target.receive(hostile, new MulticastGather(2_000, NWID, BROADCAST, 240).encode());
        assertEquals(1, w.queue.size(), "the next second, answered again");
    }

    @Test
    void framesTheSenderMayNotSendAreDroppedAndCounted() {
        MulticastWorld w = meshed(3, PortConfig.FLAG_BROADCAST, 32, 9);
        Member b = w.member(1);
        long a = w.member(0).address.value();
        MulticastGroup arpGroup = MulticastGroup.arp(MulticastWorld.ip(1));
        byte[] notArp = ipv4Broadcast(28);
        b.receive(a, MulticastFrame.of(NWID, new MulticastGroup(b.mac(), 0), 0x0800, Bytes.of(notArp)).encode());
        b.receive(a, MulticastFrame.of(NWID, arpGroup, 0x0800, Bytes.of(notArp)).encode());
        b.receive(a, MulticastFrame.of(NWID, new MulticastGroup(new MacAddress(0x3333_0000_0001L), 5), 0x86dd, Bytes.of(notArp)).encode());
        assertEquals(3, b.engine.drops(Multicaster.Drop.BAD_GROUP));
        b.receive(a, MulticastFrame.of(NWID, BROADCAST, 0x0800, Bytes.of(new byte[1501])).encode());
        assertEquals(1, b.engine.drops(Multicaster.Drop.OVERSIZE), "larger than the network MTU");
        w.outsiders.add(a);
        b.receive(a, MulticastFrame.of(NWID, BROADCAST, 0x0800, Bytes.of(notArp)).encode());
        assertEquals(0, b.engine.drops(Multicaster.Drop.NOT_MEMBER), "kept while the credential may be on its way");
        w.advance(CredentialWait.WAIT_MS);
        assertEquals(1, b.engine.drops(Multicaster.Drop.NOT_MEMBER), "the gate, once no credential came");
        w.outsiders.clear();
        MulticastFrame relayed = new MulticastFrame(NWID, Optional.empty(), Optional.of(new Address(w.member(2).address.value())), Optional.empty(), false,
                BROADCAST, 0x0800, Bytes.of(notArp));
        b.receive(a, relayed.encode());
        assertEquals(1, b.engine.drops(Multicaster.Drop.NOT_REPLICATOR));
        assertTrue(b.delivered.isEmpty());
        b.receive(a, MulticastFrame.of(NWID, BROADCAST, 0x0800, Bytes.of(notArp)).encode());
        assertEquals(1, b.delivered.size(), "a well-formed broadcast passes");
    }

    @Test
    void aFrameThatOvertookTheSendersCredentialIsDeliveredOnceItIsAccepted() { // §8.3
        MulticastWorld w = new MulticastWorld(2, PortConfig.FLAG_BROADCAST, 32, 12);
        Member a = w.member(0), b = w.member(1);
        w.outsiders.add(a.address.value());
        for (int i = 0; i < 10; i++) b.receive(a.address.value(), MulticastFrame.of(NWID, BROADCAST, 0x0800, Bytes.of(ipv4Broadcast(28 + i))).encode());
        assertTrue(b.delivered.isEmpty());
        w.outsiders.clear();
        w.session(a, b); // a's MC accepted
        w.pump();
        assertEquals(CredentialWait.PER_PEER, b.delivered.size(), "the last 4 kept, delivered in order");
        assertEquals(28 + 9, b.delivered.getLast().payload().length);
        assertEquals(10 - CredentialWait.PER_PEER, b.engine.drops(Multicaster.Drop.NOT_MEMBER));
        long before = b.engine.drops(Multicaster.Drop.NOT_MEMBER);
        for (long p = 1; p <= 200; p++) w.outsiders.add(0x0b_0000_0000L + p); // 200 non-members, no credential ever
        for (long p = 1; p <= 200; p++) b.receive(0x0b_0000_0000L + p, MulticastFrame.of(NWID, BROADCAST, 0x0800, Bytes.of(ipv4Broadcast(28))).encode());
        assertEquals(before + 200 - CredentialWait.PEERS, b.engine.drops(Multicaster.Drop.NOT_MEMBER), "kept for 64 peers at most");
        w.advance(CredentialWait.WAIT_MS);
        assertEquals(before + 200, b.engine.drops(Multicaster.Drop.NOT_MEMBER));
        assertEquals(CredentialWait.PER_PEER, b.delivered.size());
    }

    @Test
    void anUnwantedGroupIsAnsweredAtMostOncePerSecondAndTheSenderPrunes() {
        MulticastWorld w = meshed(3, PortConfig.FLAG_BROADCAST, 32, 10);
        Member a = w.member(0), b = w.member(1);
        MulticastGroup g = new MulticastGroup(new MacAddress(0x0100_5e7f_0001L), 0);
        // b once LIKEd g (say, before its app left the group); a holds that LIKE
        a.receive(b.address.value(), new MulticastLike(NWID, List.of(g)).encode());
        for (int i = 0; i < 5; i++) {
            a.engine.outbound(NWID, g.mac(), a.mac(), 0x0800, ipv4Broadcast(30), w.now);
            w.pump();
        }
        assertEquals(1, b.engine.counter("unwantedSent"), "at most once per second");
        assertEquals(1, w.count(a.address.value(), b.address.value(), Verb.MULTICAST_FRAME), "after UNWANTED_MULTICAST a sends b no more");
        assertTrue(b.delivered.isEmpty());
    }

    @Test
    void randomBytesNeverThrow() {
        MulticastWorld w = meshed(2, BROADCAST_ARP, 32, 11);
        Member b = w.member(1);
        SplittableRandom r = new SplittableRandom(12);
        int[] verbs = {Verb.MULTICAST_LIKE, Verb.MULTICAST_GATHER, Verb.MULTICAST_FRAME, Verb.OK, Verb.ERROR};
        for (int i = 0; i < 5_000; i++) {
            byte[] m = new byte[1 + r.nextInt(80)];
            r.nextBytes(m);
            m[0] = (byte) verbs[r.nextInt(verbs.length)];
            if (m.length > 1 && (m[0] == Verb.OK || m[0] == Verb.ERROR)) m[1] = (byte) verbs[r.nextInt(3)]; // in re a multicast verb
            b.receive(w.member(0).address.value(), m);
            b.engine.outbound(NWID, new MacAddress(r.nextLong() & 0xffff_ffff_ffffL | 0x0100_0000_0000L), b.mac(), r.nextInt(0x10000), m, w.now);
        }
        assertTrue(b.engine.drops(Multicaster.Drop.MALFORMED) > 0);
        assertTrue(b.engine.likesHeld(NWID) <= MulticastDirectory.MAX_LIKES);
    }
}

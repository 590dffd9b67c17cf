package dev.planetary.vl2.node;

import static dev.planetary.vl2.node.MulticastWorld.NWID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.PortConfig;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.MulticastFrame;
import dev.planetary.vl2.node.MulticastWorld.Delivery;
import dev.planetary.vl2.node.MulticastWorld.Member;
import dev.planetary.vl2.node.MulticastWorld.Message;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** L0: multicast through a replicator (VL.md §10.4 step 3, §10.7) among 20 members and a controller. */
class ReplicatorSimTest {
    static final int N = 20;

    /** Member 0 is the replicator; every other member has a session with it only (a star), so it alone holds the directory. */
    static MulticastWorld star(long seed) {
        MulticastWorld w = new MulticastWorld(N, PortConfig.FLAG_BROADCAST, 32, seed);
        w.replicators.add(w.member(0).address.value());
        for (int i = 1; i < N; i++) w.session(w.member(0), w.member(i));
        w.pump();
        return w;
    }

    static void broadcast(MulticastWorld w, Member from, int size) {
        from.engine.outbound(NWID, MacAddress.BROADCAST, from.mac(), 0x0800, MulticastSimTest.ipv4Broadcast(size), w.now);
    }

    static MulticastFrame decode(Message m) {
        return ((Decoded.Ok<MulticastFrame>) MulticastFrame.decode(m.bytes())).value();
    }

    @Test
    void eachSenderEmitsOneCopyAndEveryMemberReceivesItOnce() {
        MulticastWorld w = star(1);
        Member r = w.member(0);
        for (int s = 1; s < N; s++) {
            Member sender = w.member(s);
            for (Member m : w.members) m.delivered.clear();
            int logged = w.log.size();
            broadcast(w, sender, 60 + s);
            w.pump();
            List<Message> mine = w.log.subList(logged, w.log.size());
            List<Message> out = mine.stream().filter(m -> m.from() == sender.address.value() && (m.bytes()[0] & 0xff) == Verb.MULTICAST_FRAME).toList();
            assertEquals(1, out.size(), "sender " + s + " emits exactly one copy");
            assertEquals(r.address.value(), out.getFirst().to(), "to the replicator");
            assertTrue(decode(out.getFirst()).replicate(), "flag 0x08");
            List<Delivery> got = w.members.stream().flatMap(m -> m.delivered.stream()).toList();
            assertEquals(N - 1, got.size(), "every other member (the replicator included) receives it");
            assertEquals(N - 1, got.stream().map(Delivery::to).distinct().count(), "each exactly once");
            assertTrue(got.stream().allMatch(d -> d.from() == sender.address.value()), "delivered as from the origin");
            assertTrue(sender.delivered.isEmpty());
            assertEquals(0, mine.stream().filter(m -> m.from() == r.address.value() && m.to() == sender.address.value()
                    && (m.bytes()[0] & 0xff) == Verb.MULTICAST_FRAME).count(), "the replicator never sends back to the origin");
            for (Message m : mine) {
                if (m.from() != r.address.value() || (m.bytes()[0] & 0xff) != Verb.MULTICAST_FRAME) continue;
                MulticastFrame f = decode(m);
                assertEquals(Optional.of(sender.address), f.origin(), "flag 0x10 with the origin");
                assertEquals(Optional.of(sender.mac()), f.source(), "flag 0x04 with its source MAC");
            }
        }
        // §10.7: the origin's MC goes to each recipient before the first frame from that origin, once per session
        for (int s = 1; s < N; s++) {
            for (int t = 1; t < N; t++) {
                if (s == t) continue;
                long origin = w.member(s).address.value(), to = w.member(t).address.value();
                int presented = -1, first = -1, count = 0;
                for (int i = 0; i < w.log.size() && first < 0; i++) {
                    Message m = w.log.get(i);
                    if (m.to() != to || m.from() != r.address.value()) continue;
                    if ((m.bytes()[0] & 0xff) == Verb.MULTICAST_FRAME && decode(m).origin().map(a -> a.value() == origin).orElse(false)) first = i;
                }
                for (Message m : w.presentations) if (m.to() == to) count++;
                for (int i = 0; i < w.log.size() && presented < 0; i++) {
                    Message m = w.log.get(i);
                    if (m.to() == to && (m.bytes()[0] & 0xff) == Verb.NETWORK_CREDENTIALS && Address.read(m.bytes(), 1).value() == origin) presented = i;
                }
                assertTrue(presented >= 0 && presented < first, "an MC reached " + t + " before the first frame from " + s);
                assertEquals(N - 2, count, "one presentation per origin for member " + t);
            }
        }
        assertEquals(19 * 18, r.engine.counter("framesReplicated"));
    }

    @Test
    void theOriginsCredentialIsPresentedAgainOnANewSession() {
        MulticastWorld w = star(9);
        Member r = w.member(0), sender = w.member(1), b = w.member(2);
        broadcast(w, sender, 60);
        broadcast(w, sender, 61);
        w.pump();
        assertEquals(1, w.presentations.stream().filter(m -> m.to() == b.address.value()).count(), "once per session");
        r.engine.sessionDown(b.address);
        broadcast(w, sender, 62);
        w.pump();
        assertEquals(2, w.presentations.stream().filter(m -> m.to() == b.address.value()).count(), "again after the session went down");
    }

    @Test
    void aNonReplicatorSendingOriginFramesIsRefused() {
        MulticastWorld w = star(2);
        Member liar = w.member(3), victim = w.member(4), claimed = w.member(5);
        MulticastFrame forged = new MulticastFrame(NWID, Optional.empty(), Optional.of(claimed.address), Optional.empty(), false,
                MulticastSimTest.BROADCAST, 0x0800, Bytes.of(MulticastSimTest.ipv4Broadcast(40)));
        victim.receive(liar.address.value(), forged.encode());
        assertTrue(victim.delivered.isEmpty());
        assertEquals(1, victim.engine.drops(Multicaster.Drop.NOT_REPLICATOR));
        // from the replicator, the same frame is delivered as from the origin
        victim.receive(w.member(0).address.value(), forged.encode());
        assertEquals(List.of(claimed.address.value()), victim.delivered.stream().map(Delivery::from).toList());
        // a frame claiming to come from the receiver itself is a reflection: dropped even from the replicator
        MulticastFrame reflected = new MulticastFrame(NWID, Optional.empty(), Optional.of(victim.address), Optional.empty(), false,
                MulticastSimTest.BROADCAST, 0x0800, Bytes.of(MulticastSimTest.ipv4Broadcast(40)));
        victim.receive(w.member(0).address.value(), reflected.encode());
        assertEquals(1, victim.engine.drops(Multicaster.Drop.BAD_ORIGIN));
        // a please-replicate frame to a member that is no replicator is not forwarded
        MulticastFrame please = new MulticastFrame(NWID, Optional.empty(), Optional.empty(), Optional.empty(), true,
                MulticastSimTest.BROADCAST, 0x0800, Bytes.of(MulticastSimTest.ipv4Broadcast(40)));
        int logged = w.log.size();
        victim.receive(liar.address.value(), please.encode());
        w.pump();
        assertEquals(2, victim.engine.drops(Multicaster.Drop.NOT_REPLICATOR), "counted");
        assertEquals(0, w.log.subList(logged, w.log.size()).stream().filter(m -> m.from() == victim.address.value()).count(), "nothing forwarded");
    }

    @Test
    void aFloodFromOneOriginIsBudgetedAtTheReplicator() {
        MulticastWorld w = star(3);
        Member r = w.member(0), flooder = w.member(1), other = w.member(2);
        for (int i = 0; i < 1_500; i++) broadcast(w, flooder, 40);
        broadcast(w, other, 40); // another origin has its own budget
        w.pump();
        assertEquals(500, r.engine.drops(Multicaster.Drop.REPLICATION_BUDGET), "1,000 frames/s per origin");
        Member victim = w.member(7);
        assertEquals(1_000, victim.delivered.stream().filter(d -> d.from() == flooder.address.value()).count());
        assertEquals(1, victim.delivered.stream().filter(d -> d.from() == other.address.value()).count());
        // 10 Mbit/s: a second later, 1,400-byte frames stop at 1,250,000 bytes (892 frames)
        w.advance(1_000);
        for (Member m : w.members) m.delivered.clear();
        for (int i = 0; i < 1_000; i++) broadcast(w, flooder, 1_400);
        w.pump();
        assertEquals(500 + 108, r.engine.drops(Multicaster.Drop.REPLICATION_BUDGET));
        assertEquals(892, victim.delivered.size());
    }

    @Test
    void theReplicatorAppliesTheOutboundRulesAsTheOrigin() {
        MulticastWorld w = star(6);
        w.refusedOrigins.add(w.member(4).address.value());
        broadcast(w, w.member(4), 60);
        broadcast(w, w.member(5), 60);
        w.pump();
        assertEquals(1, w.member(0).engine.drops(Multicaster.Drop.RULES));
        assertTrue(w.members.stream().flatMap(m -> m.delivered.stream()).noneMatch(d -> d.from() == w.member(4).address.value()));
        assertEquals(N - 1, w.members.stream().flatMap(m -> m.delivered.stream()).filter(d -> d.from() == w.member(5).address.value()).count());
    }

    @Test
    void withTheReplicatorGoneSendersReplicateThemselves() {
        MulticastWorld w = star(4);
        w.down.add(w.member(0).address.value());
        Member sender = w.member(9);
        broadcast(w, sender, 60); // to the members it knows (the replicator only), and a GATHER (§10.4 step 4)
        w.pump();
        assertTrue(w.count(sender.address.value(), MulticastWorld.CONTROLLER, Verb.MULTICAST_GATHER) > 0);
        for (Member m : w.members) m.delivered.clear();
        broadcast(w, sender, 61);
        w.pump();
        List<Delivery> got = w.members.stream().flatMap(m -> m.delivered.stream()).toList();
        assertEquals(N - 2, got.size(), "every member but the gone replicator, once");
        assertEquals(N - 2, got.stream().map(Delivery::to).distinct().count());
        assertTrue(w.log.stream().filter(m -> m.from() == sender.address.value() && (m.bytes()[0] & 0xff) == Verb.MULTICAST_FRAME)
                .noneMatch(m -> decode(m).replicate()), "no 0x08 frame");
    }

    /** Property: hostile frames with random flags, origins and groups never throw, and the replicator forwards only as from the sender, never to it. */
    @Test
    void hostileFramesNeverMakeTheReplicatorReflectOrImpersonate() {
        MulticastWorld w = star(7);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(8);
        Member r = w.member(0);
        for (int i = 0; i < 2_000; i++) {
            Member from = w.member(1 + rnd.nextInt(N - 1));
            Optional<Address> origin = rnd.nextBoolean() ? Optional.of(w.member(rnd.nextInt(N)).address) : Optional.empty();
            MacAddress mac = rnd.nextInt(4) == 0 ? new MacAddress(rnd.nextLong() & 0xffff_ffff_ffffL) : MacAddress.BROADCAST;
            long adi = rnd.nextInt(4) == 0 ? rnd.nextLong() & 0xffff_ffffL : 0;
            MulticastFrame f = new MulticastFrame(NWID, Optional.empty(), origin, rnd.nextBoolean() ? Optional.of(from.mac()) : Optional.empty(),
                    rnd.nextBoolean(), new dev.planetary.vl2.MulticastGroup(mac, adi), 0x0800, Bytes.of(MulticastSimTest.ipv4Broadcast(20 + rnd.nextInt(60))));
            Member to = rnd.nextInt(3) == 0 ? w.member(1 + rnd.nextInt(N - 1)) : r;
            int logged = w.log.size();
            to.receive(from.address.value(), f.encode());
            w.pump();
            for (Message m : w.log.subList(logged, w.log.size())) {
                if (m.from() != r.address.value() || (m.bytes()[0] & 0xff) != Verb.MULTICAST_FRAME) continue;
                assertEquals(Optional.of(from.address), decode(m).origin(), "forwarded only as from the session peer");
                assertTrue(m.to() != from.address.value(), "never back to the origin");
            }
        }
        assertTrue(r.engine.drops(Multicaster.Drop.BAD_ORIGIN) + r.engine.drops(Multicaster.Drop.NOT_REPLICATOR) > 0);
    }

    @Test
    void membersLikeTowardsTheReplicatorWithoutASession() {
        MulticastWorld w = new MulticastWorld(N, PortConfig.FLAG_BROADCAST, 32, 5);
        w.replicators.add(w.member(0).address.value());
        w.advance(Multicaster.ANNOUNCE_INTERVAL_MS);
        for (int i = 1; i < N; i++) assertTrue(w.count(w.member(i).address.value(), w.member(0).address.value(), Verb.MULTICAST_LIKE) > 0);
        assertEquals(N - 1, w.member(0).engine.likesHeld(NWID) / Multicaster.subscriptions(w.member(1).config).size(), "it holds the directory");
    }

    @Test
    void aNewlyDesignatedReplicatorIsLikedAtOnceNotAtTheNextAnnounce() {
        MulticastWorld w = new MulticastWorld(N, PortConfig.FLAG_BROADCAST, 32, 6);
        w.pump();
        long r = w.member(0).address.value();
        for (int i = 1; i < N; i++) assertEquals(0, w.count(w.member(i).address.value(), r, Verb.MULTICAST_LIKE), "no LIKE before the designation");
        w.replicators.add(r); // the controller's new config lists member 0 as replicator (§10.7)
        for (Member m : w.members) m.engine.replicatorsChanged(NWID, w.now);
        w.pump();
        for (int i = 1; i < N; i++) assertEquals(1, w.count(w.member(i).address.value(), r, Verb.MULTICAST_LIKE), "member " + i + " LIKEs it once, at once");
        assertEquals(N - 1, w.member(0).engine.likesHeld(NWID) / Multicaster.subscriptions(w.member(1).config).size(), "it holds the directory");
        for (Member m : w.members) m.engine.replicatorsChanged(NWID, w.now); // the same list again: nothing new
        w.pump();
        for (int i = 1; i < N; i++) assertEquals(1, w.count(w.member(i).address.value(), r, Verb.MULTICAST_LIKE));
    }
}

package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Nop;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl2.PortForward;
import dev.planetary.vl2.Vl2Limits;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Port forwarding over SEQEX channel 3 in L0 (§12.8): two members with a stub membership (the gate
 * and the address owner are {@link MemberNetworks}' business, tested there), the local sockets
 * replaced by in-memory sides. Bytes round-trip in order under loss and reordering; an unexposed
 * port is refused with CLOSE 1, a peer failing the gate with CLOSE 2; the stall rule; the stream
 * limit; a lost session closes the streams.
 */
class PortForwardingSimTest {
    static final LinkProfile CLEAN = LinkProfile.latency(20).withJitter(5);
    static final NetworkId NWID = new NetworkId(0x8056c2e21c000001L);
    static final InetAddress B_IP = ip("10.147.17.2");

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Membership stub: everyone passes the gate unless {@link #gate} is false; B_IP belongs to {@link #owner}. */
    static final class Stub implements PortForwarding.Membership {
        boolean gate = true;
        PortForwarding.Member owner;

        @Override
        public boolean allowed(Fingerprint peer, NetworkId network) {
            return gate && network.equals(NWID);
        }

        @Override
        public boolean sharesNetwork(Fingerprint peer) {
            return true;
        }

        @Override
        public Optional<PortForwarding.Member> owner(NetworkId network, InetAddress target) {
            return target.equals(B_IP) ? Optional.ofNullable(owner) : Optional.empty();
        }
    }

    /** An in-memory local socket side: records what it gets; echoes if asked; writes at once unless {@link #stuck}. */
    static final class Side implements PortForwarding.Local {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<PortForwarding.Stream> opened = new ArrayList<>();
        final List<Integer> closes = new ArrayList<>();
        boolean echo, stuck, refuseConnect;
        byte[] outbound = new byte[0]; // bytes waiting for window room (the "socket" to read from)
        PortForwarding.Stream stream;
        int largestSend;

        @Override
        public void connect(PortForwarding.Stream s, int port) {
            stream = s;
            if (refuseConnect) s.close(PortForward.REASON_ERROR);
            else s.connected();
        }

        @Override
        public void opened(PortForwarding.Stream s) {
            stream = s;
            opened.add(s);
        }

        @Override
        public void deliver(PortForwarding.Stream s, byte[] data) {
            if (stuck) return;
            received.writeBytes(data);
            s.written();
            if (echo) queue(data);
        }

        @Override
        public void closed(PortForwarding.Stream s, int reason) {
            closes.add(reason);
        }

        void queue(byte[] data) {
            byte[] n = Arrays.copyOf(outbound, outbound.length + data.length);
            System.arraycopy(data, 0, n, outbound.length, data.length);
            outbound = n;
        }

        /** The loop's read side: sends what the window takes. */
        void pump() {
            while (stream != null && outbound.length > 0 && stream.canSend()) {
                int n = Math.min(outbound.length, stream.sendChunk());
                largestSend = Math.max(largestSend, n);
                assertTrue(stream.send(Arrays.copyOf(outbound, n)));
                outbound = Arrays.copyOfRange(outbound, n, outbound.length);
            }
        }
    }

    final Stub aMembers = new Stub(), bMembers = new Stub();
    final Side bLocal = new Side();
    PortForwarding aPf, bPf;

    Vl2World world(long seed, LinkProfile profile, Set<Integer> bExposes) {
        return world(seed, profile, bExposes, false);
    }

    /** With {@code direct}, both members consent to rendezvous (§5.5) and the session moves off the root before this returns. */
    Vl2World world(long seed, LinkProfile profile, Set<Integer> bExposes, boolean direct) {
        Vl2World w = new Vl2World(seed, 2, profile);
        Vl2World.Host a = w.member(0), b = w.member(1);
        if (direct) {
            a.node.trusted(f -> true);
            b.node.trusted(f -> true);
        }
        aMembers.owner = new PortForwarding.Member(b.node.fingerprint(), b.node.address());
        aPf = new PortForwarding(a.layer, aMembers, PortForwarding.Rules.ACCEPT_ALL, new Side(), Set.of());
        bPf = new PortForwarding(b.layer, bMembers, PortForwarding.Rules.ACCEPT_ALL, bLocal, bExposes);
        a.extra = now -> aPf.service(now);
        b.extra = now -> bPf.service(now);
        SeqexLinkSimTest.connect(w, a, b);
        if (direct) {
            Fingerprint af = a.node.fingerprint(), bf = b.node.fingerprint();
            assertTrue(w.runUntil(() -> !a.node.relayed(bf) && !b.node.relayed(af), 120_000), "a direct path");
        }
        return w;
    }

    @Test
    void bytesRoundTripInOrderThroughAStreamUnderLossAndReordering() {
        Side aLocal = roundTrip(world(31, CLEAN.withLoss(0.1).withReordering(0.2, 40), Set.of(7)));
        assertEquals(PortForwarding.RELAYED_SEND_CHUNK, aLocal.largestSend, "through the root: one DATA per relayed datagram");
    }

    @Test
    void onADirectPathFullSizeDataRoundTripsUnderLossAndReordering() {
        Side aLocal = roundTrip(world(36, CLEAN.withLoss(0.05).withReordering(0.2, 40), Set.of(7), true));
        assertEquals(PortForwarding.SEND_CHUNK, aLocal.largestSend, "16 KiB DATA, fragmented by ZSSP under one counter each");
        assertEquals(PortForwarding.SEND_CHUNK, bLocal.largestSend, "and the echo too");
    }

    /** Echoes 300,000 random bytes a → b → a through one stream, checks both ends got them in order once, closes it. */
    private Side roundTrip(Vl2World w) {
        Vl2World.Host a = w.member(0), b = w.member(1);
        bLocal.echo = true;
        Side aLocal = new Side();
        byte[] data = new byte[Integer.getInteger("pf.n", 300_000)];
        new Random(31).nextBytes(data);
        aLocal.queue(data);
        a.run(() -> aPf.open(NWID, B_IP, 7, aLocal));
        a.extra = now -> {
            aLocal.pump();
            return Math.min(aPf.service(now), now + 20);
        };
        b.extra = now -> {
            bLocal.pump();
            return Math.min(bPf.service(now), now + 20);
        };
        assertTrue(w.runUntil(() -> aLocal.received.size() >= data.length, 120_000), () -> "echoed " + aLocal.received.size() + " of " + data.length + ", target got " + bLocal.received.size() + " " + aPf.counters() + bPf.counters() + aLocal.opened + aLocal.closes + " now " + w.sim.now() + " bnode " + b.node.counters() + " bseq " + b.layer.seqex().counters());
        assertArrayEquals(data, bLocal.received.toByteArray(), "the target's socket got the bytes in order, once");
        assertArrayEquals(data, aLocal.received.toByteArray(), "and the echo came back in order, once");
        assertEquals(1, aLocal.opened.size());
        assertTrue((aLocal.stream.id() & PortForward.INITIATOR_BIT) != 0 == a.node.initiatedSession(b.node.fingerprint()), "§12.8 top bit");
        a.run(() -> aLocal.stream.close(PortForward.REASON_NORMAL));
        assertTrue(w.runUntil(() -> bLocal.closes.equals(List.of(PortForward.REASON_NORMAL)), 10_000), "the CLOSE reaches the target");
        w.run(1_000);
        assertEquals(0, aPf.streams());
        assertEquals(0, bPf.streams());
        return aLocal;
    }

    @Test
    void aPortNotExposedIsRefusedWithClose1AndAPeerFailingTheGateWithClose2() {
        Vl2World w = world(32, CLEAN, Set.of());
        Vl2World.Host a = w.member(0);
        Side aLocal = new Side();
        a.run(() -> aPf.open(NWID, B_IP, 22, aLocal));
        assertTrue(w.runUntil(() -> !aLocal.closes.isEmpty(), 10_000));
        assertEquals(List.of(PortForward.REASON_NOT_EXPOSED), aLocal.closes);
        assertTrue(aLocal.opened.isEmpty());
        assertEquals(1L, bPf.counters().get("forwardRefusedNotExposed"));
        assertEquals(null, bLocal.stream, "no local connect");

        bPf.expose(Set.of(22));
        bMembers.gate = false; // b holds no valid credential of a for the network
        Side second = new Side();
        a.run(() -> aPf.open(NWID, B_IP, 22, second));
        assertTrue(w.runUntil(() -> !second.closes.isEmpty(), 10_000));
        assertEquals(List.of(PortForward.REASON_DENIED), second.closes);
        assertEquals(0, aPf.streams());
        assertEquals(0, bPf.streams());
    }

    @Test
    void aTargetThatCannotWriteFor20SecondsClosesTheStreamWithReason3AndFreesTheChannel() {
        Vl2World w = world(33, CLEAN, Set.of(7));
        Vl2World.Host a = w.member(0);
        bLocal.stuck = true;
        Side aLocal = new Side();
        aLocal.queue(new byte[2_000_000]); // more than the window: the sender blocks on it
        a.run(() -> aPf.open(NWID, B_IP, 7, aLocal));
        a.extra = now -> {
            aLocal.pump();
            return Math.min(aPf.service(now), now + 20);
        };
        assertTrue(w.runUntil(() -> !aLocal.opened.isEmpty(), 10_000));
        long opened = w.sim.now();
        assertTrue(w.runUntil(() -> !bLocal.closes.isEmpty(), 30_000), () -> "b " + bPf.counters() + " a " + aPf.counters() + aLocal.closes + bLocal.stream);
        assertTrue(w.sim.now() - opened >= Vl2Limits.PORT_FORWARD_STALL_MS - 1_000, "not before the stall time");
        assertEquals(List.of(PortForward.REASON_ERROR), bLocal.closes);
        assertTrue(w.runUntil(() -> aLocal.closes.equals(List.of(PortForward.REASON_ERROR)), 10_000), "the opener hears CLOSE 3");
        assertEquals(1L, bPf.counters().get("forwardStalled"));
        assertTrue(a.node.hasSession(w.member(1).node.fingerprint()), "the channel never reached the SEQEX give-up");
        w.run(2_000);
        assertEquals(0, bPf.streams());
    }

    @Test
    void atMost16StreamsPerSessionAndALostSessionClosesThemAll() {
        Vl2World w = world(34, CLEAN, Set.of(7));
        Vl2World.Host a = w.member(0), b = w.member(1);
        List<Side> sides = new ArrayList<>();
        for (int i = 0; i <= Vl2Limits.PORT_FORWARD_MAX_STREAMS; i++) {
            Side s = new Side();
            sides.add(s);
            a.run(() -> aPf.open(NWID, B_IP, 7, s));
        }
        assertTrue(w.runUntil(() -> sides.stream().allMatch(s -> !s.opened.isEmpty() || !s.closes.isEmpty()), 10_000));
        assertEquals(Vl2Limits.PORT_FORWARD_MAX_STREAMS, sides.stream().filter(s -> !s.opened.isEmpty()).count());
        assertEquals(List.of(PortForward.REASON_ERROR), sides.getLast().closes, "the 17th is refused");
        assertThrows(IllegalArgumentException.class, () -> aPf.open(NWID, ip("10.147.17.99"), 7, new Side()), "no member owns it");

        a.run(() -> a.node.closeSession(b.node.fingerprint(), "test"));
        assertTrue(w.runUntil(() -> sides.stream().limit(16).allMatch(s -> s.closes.equals(List.of(PortForward.REASON_ERROR))), 10_000));
        assertEquals(0, aPf.streams());
        // ZSSP has no close message: b learns when the session is replaced (or dies of silence)
        a.run(() -> a.node.send(b.node.address(), Nop.empty()));
        assertTrue(w.runUntil(() -> bPf.streams() == 0, 30_000), "the target's streams close with the replaced session");
        assertFalse(bLocal.closes.isEmpty());
    }

    @Test
    void hostileChannel3MessagesAreAnsweredOrDroppedAndCountedNeverThrown() {
        Vl2World w = new Vl2World(35, 2, CLEAN);
        Vl2World.Host a = w.member(0), b = w.member(1);
        bPf = new PortForwarding(b.layer, bMembers, PortForwarding.Rules.ACCEPT_ALL, bLocal, Set.of(7));
        b.extra = now -> bPf.service(now);
        a.layer.seqex().handle(SeqexLink.CHANNEL_PORT_FORWARD, new SeqexLink.ChannelHandler() { // a speaks raw channel 3
            @Override
            public boolean accepts(Fingerprint peer) {
                return true;
            }

            @Override
            public void onMessage(SeqexLink.Incoming in) {}
        });
        SeqexLinkSimTest.connect(w, a, b);
        Fingerprint bFp = b.node.fingerprint();
        boolean aInitiated = a.node.initiatedSession(bFp);
        List<byte[]> replies = new ArrayList<>();
        SeqexLink.ReplyHandler collect = new SeqexLink.ReplyHandler() {
            @Override
            public void onReply(byte[] message) {
                replies.add(message);
            }

            @Override
            public void onFailure(String reason) {
                throw new AssertionError(reason);
            }
        };
        int wrongRole = PortForward.streamId(!aInitiated, 1), rightRole = PortForward.streamId(aInitiated, 2);
        a.run(() -> {
            SeqexLink l = a.layer.seqex();
            int ch = SeqexLink.CHANNEL_PORT_FORWARD;
            assertTrue(l.request(bFp, ch, new PortForward.Open(wrongRole, NWID, B_IP, 7).encode(), true, collect)); // top bit of b's half
            assertTrue(l.request(bFp, ch, new byte[] {0x1c, 9, 0, 0, 0, 1}, true, collect)); // unknown op
            assertTrue(l.send(bFp, ch, new PortForward.Data(rightRole, dev.planetary.vl1.Bytes.of(new byte[10])).encode(), true)); // no such stream
            assertTrue(l.send(bFp, ch, new PortForward.Open(rightRole, NWID, B_IP, 7).encode(), true)); // OPEN that is not a request
            assertTrue(l.send(bFp, ch, new PortForward.OpenOk(rightRole).encode(), true)); // OPEN_OK outside a REPLY
            assertTrue(l.request(bFp, ch, new PortForward.Open(rightRole, NWID, B_IP, 7).encode(), true, collect)); // the honest one
        });
        assertTrue(w.runUntil(() -> replies.size() == 3, 10_000));
        assertEquals(new PortForward.Close(wrongRole, PortForward.REASON_ERROR), PortForward.decode(replies.get(0)).orThrow());
        assertEquals(new PortForward.Close(0, PortForward.REASON_ERROR), PortForward.decode(replies.get(1)).orThrow());
        assertEquals(new PortForward.OpenOk(rightRole), PortForward.decode(replies.get(2)).orThrow(), "b still serves honest opens");
        assertEquals(4L, bPf.counters().get("forwardDropped"));
        assertEquals(1, bPf.streams());
        assertTrue(a.node.hasSession(bFp));
    }
}

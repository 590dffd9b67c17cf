package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Nop;
import dev.planetary.vl1.Ok;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.sim.LinkProfile;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * SEQEX over VL1 sessions in the L0 simulator (VL.md §6): config pushes, channel policy, give-up, session loss.
 * Its helpers are public: the daemon's controller-in-L0 tests use them too.
 */
public class SeqexLinkSimTest {
    public static final LinkProfile CLEAN = LinkProfile.latency(20).withJitter(5);
    static final byte[] EMPTY_OK = new Ok.Other(Verb.NETWORK_CONFIG, 0, Bytes.EMPTY).encode();

    /** A channel-0 user that accepts the peers {@code accepts} admits and records what arrives. */
    public static class Control implements SeqexLink.ChannelHandler {
        final Predicate<Fingerprint> accepts;
        public final List<SeqexLink.Incoming> received = new ArrayList<>();
        public boolean answer = true;

        public Control(Predicate<Fingerprint> accepts) {
            this.accepts = accepts;
        }

        @Override
        public boolean accepts(Fingerprint peer) {
            return accepts.test(peer);
        }

        @Override
        public void onMessage(SeqexLink.Incoming m) {
            received.add(m);
            if (answer && m.expectsReply()) m.reply(EMPTY_OK, false);
        }
    }

    /** Records one exchange's outcome. */
    public static final class Outcome implements SeqexLink.ReplyHandler {
        public byte[] reply;
        public String failure;

        @Override
        public void onReply(byte[] message) {
            reply = message;
        }

        @Override
        public void onFailure(String reason) {
            failure = reason;
        }

        public boolean done() {
            return reply != null || failure != null;
        }
    }

    static byte[] push(int revision) {
        return ByteBuffer.allocate(5).put((byte) Verb.NETWORK_CONFIG).putInt(revision).array();
    }

    static int revision(byte[] m) {
        return ByteBuffer.wrap(m, 1, 4).getInt();
    }

    /** Opens a session from {@code from} to {@code to} (a NOP by address, §5.10) and waits for it. */
    public static void connect(Vl2World w, Vl2World.Host from, Vl2World.Host to) {
        assertTrue(w.runUntil(() -> from.node.isOnline() && to.node.isOnline(), 60_000), "members online");
        long[] lastTry = {Long.MIN_VALUE / 2};
        assertTrue(w.runUntil(() -> {
            if (w.sim.now() - lastTry[0] >= 5_000) { // a lookup or an opening lost to the link is tried again
                lastTry[0] = w.sim.now();
                from.run(() -> from.node.send(to.node.address(), Nop.empty()));
            }
            return from.node.hasSession(to.node.fingerprint()) && to.node.hasSession(from.node.fingerprint());
        }, 120_000), () -> "session up: " + from.events);
    }

    @Test
    void configPushesArriveExactlyOnceAndInOrderUnder30PercentLossAndReordering() {
        Vl2World w = new Vl2World(21, 2, CLEAN.withLoss(0.3).withReordering(0.2, 60));
        Vl2World.Host ctl = w.member(0), mem = w.member(1);
        Fingerprint ctlFp = ctl.node.fingerprint(), memFp = mem.node.fingerprint();
        // the member: channel 0 with its controller only; applies a pushed revision iff newer (§7.6 step 4), answers OK either way
        List<Integer> applied = new ArrayList<>();
        List<Integer> deliveredThisSession = new ArrayList<>();
        mem.layer.addSessionListener(new Vl2Layer.SessionListener() {
            @Override
            public void sessionDown(Fingerprint peer, String reason) {
                deliveredThisSession.clear();
            }
        });
        mem.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new Control(ctlFp::equals) {
            @Override
            public void onMessage(SeqexLink.Incoming m) {
                int r = revision(m.message());
                if (!deliveredThisSession.isEmpty()) assertEquals(deliveredThisSession.getLast() + 1, r, "SeqCst within a session: in order, no gap, no repeat");
                deliveredThisSession.add(r);
                if (applied.isEmpty() || r > applied.getLast()) applied.add(r);
                m.reply(EMPTY_OK, false);
            }
        });
        ctl.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new Control(memFp::equals));
        connect(w, ctl, mem);

        // the controller: pushes revisions 1..N as PAYLOAD_SEQCST requests; a failed one ("session lost") is pushed again on the next session
        int n = 150;
        int[] acked = {0}; // highest revision r such that 1..r are all answered
        int[] next = {1};
        boolean[] answered = new boolean[n + 2];
        List<String> failures = new ArrayList<>();
        Runnable pump = () -> ctl.run(() -> {
            if (!ctl.node.hasSession(memFp)) {
                next[0] = acked[0] + 1; // the session went: push again from the first unanswered revision
                ctl.node.send(mem.node.address(), Nop.empty());
                return;
            }
            while (next[0] <= n) {
                int r = next[0];
                boolean sent = ctl.layer.seqex().request(memFp, SeqexLink.CHANNEL_CONTROL, push(r), true, new SeqexLink.ReplyHandler() {
                    @Override
                    public void onReply(byte[] message) {
                        assertEquals(Verb.OK, message[0]);
                        answered[r] = true;
                        while (acked[0] < n && answered[acked[0] + 1]) acked[0]++;
                    }

                    @Override
                    public void onFailure(String reason) {
                        failures.add(reason);
                    }
                });
                if (!sent) break;
                next[0]++;
            }
        });
        assertTrue(w.runUntil(() -> {
            pump.run();
            return acked[0] == n;
        }, 1_200_000), () -> "acked " + acked[0] + " applied " + applied.size() + " ctl " + ctl.layer.seqex().counters() + " mem " + mem.layer.seqex().counters());
        List<Integer> expected = new ArrayList<>();
        for (int r = 1; r <= n; r++) expected.add(r);
        assertEquals(expected, applied, "every revision applied exactly once, in order");
        assertTrue(failures.stream().allMatch("session lost"::equals), failures::toString);
        assertEquals(0, ctl.node.count(dev.planetary.vl1.NodeCounter.INTERNAL_ERROR) + mem.node.count(dev.planetary.vl1.NodeCounter.INTERNAL_ERROR));
    }

    @Test
    void channelsAreOpenOnlyToThePeersThePolicyAdmitsAndForeignInnerVerbsAreRefused() {
        Vl2World w = new Vl2World(22, 2, CLEAN);
        Vl2World.Host a = w.member(0), b = w.member(1);
        Control bControl = new Control(fp -> false); // b uses channel 0 with nobody
        b.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, bControl);
        a.layer.seqex().handle(SeqexLink.CHANNEL_USER, new Control(fp -> true));
        connect(w, a, b);
        Outcome o = new Outcome();
        a.run(() -> assertTrue(a.layer.seqex().request(b.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, push(1), false, o)));
        w.run(2_000);
        assertFalse(b.layer.seqex().hasEndpoint(a.node.fingerprint()), "§6.3: no state for a channel b does not use with a");
        assertTrue(b.layer.seqex().counters().get("seqexDroppedChannel") > 0);
        assertTrue(bControl.received.isEmpty());
        assertFalse(o.done());

        // b's user channel admits everyone, but a USER_MESSAGE channel carries no NETWORK_CONFIG (§6.2): REPLY ERROR UNSUPPORTED_OPERATION
        Vl2World w2 = new Vl2World(23, 2, CLEAN);
        Vl2World.Host c = w2.member(0), d = w2.member(1);
        Control dUser = new Control(fp -> true);
        d.layer.seqex().handle(SeqexLink.CHANNEL_USER, dUser);
        connect(w2, c, d);
        Outcome refused = new Outcome();
        c.run(() -> assertTrue(c.layer.seqex().request(d.node.fingerprint(), SeqexLink.CHANNEL_USER, push(1), false, refused)));
        assertTrue(w2.runUntil(refused::done, 5_000));
        assertEquals(Verb.ERROR, refused.reply[0]);
        assertEquals(ErrorMessage.UNSUPPORTED_OPERATION, refused.reply[6]);
        assertTrue(dUser.received.isEmpty());
        assertEquals(1L, d.layer.seqex().counters().get("seqexUnsupportedInner"));
    }

    @Test
    void anUnansweredPacketClosesTheSessionAfter30SecondsAndPendingExchangesFail() {
        Vl2World w = new Vl2World(24, 2, CLEAN);
        Vl2World.Host a = w.member(0), b = w.member(1);
        Control bControl = new Control(fp -> true);
        bControl.answer = false; // b never answers: a's request stays unanswered (a responder that breaks §6.4's 10 s rule)
        b.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, bControl);
        a.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new Control(fp -> true));
        connect(w, a, b);
        Outcome o = new Outcome();
        long start = w.sim.now();
        a.run(() -> assertTrue(a.layer.seqex().request(b.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, push(7), false, o)));
        assertTrue(w.runUntil(o::done, 40_000), "the give-up fires");
        assertEquals("session lost", o.failure);
        assertTrue(w.sim.now() - start >= SeqexLink.GIVE_UP_MS, "not before T_SEQEX_GIVEUP");
        assertEquals(1, bControl.received.size(), "delivered exactly once despite the resends");
        assertEquals(1L, a.layer.seqex().counters().get("seqexGivenUp"));
        assertFalse(a.layer.seqex().hasEndpoint(b.node.fingerprint()), "the endpoint went with the session");
        assertTrue(a.events.stream().anyMatch(e -> e instanceof dev.planetary.vl1.NodeEvent.SessionDown d && d.reason().equals("SEQEX give-up")), a.events::toString);
    }

    @Test
    void closingTheSessionFailsPendingExchangesAtOnceAndTheNextSessionStartsFresh() {
        Vl2World w = new Vl2World(25, 2, CLEAN);
        Vl2World.Host a = w.member(0), b = w.member(1);
        Control bControl = new Control(fp -> true);
        bControl.answer = false;
        b.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, bControl);
        a.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, new Control(fp -> true));
        connect(w, a, b);
        Outcome o = new Outcome();
        a.run(() -> assertTrue(a.layer.seqex().request(b.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, push(1), false, o)));
        assertTrue(w.runUntil(() -> bControl.received.size() == 1, 5_000));
        a.run(() -> a.node.closeSession(b.node.fingerprint(), "test"));
        assertEquals("session lost", o.failure);
        assertFalse(a.layer.seqex().request(b.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, push(2), false, new Outcome()), "no session: nothing sent");
        // a new session: b (whose old session ends when a's new one replaces it) answers now
        bControl.answer = true;
        connect(w, a, b);
        Outcome again = new Outcome();
        a.run(() -> assertTrue(a.layer.seqex().request(b.node.fingerprint(), SeqexLink.CHANNEL_CONTROL, push(2), false, again)));
        assertTrue(w.runUntil(again::done, 10_000), () -> "a " + a.layer.seqex().counters() + " b " + b.layer.seqex().counters());
        assertEquals(Verb.OK, again.reply[0]);
    }
}

package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The timer queue against the walk it replaced: under random schedules (time passed in), every
 * pass visits exactly the sessions the walk over every session would have serviced — those whose
 * due time has come — in the same order; none is missed and none fired early. Also: the heap stays
 * bounded by the sessions queued, and a timer moved earlier than the caller's next service call is
 * announced through {@link Application#timersChanged()}.
 */
class TimerQueueTest {

    @Test
    void everyPassVisitsExactlyTheSessionsTheWalkWouldHaveServiced() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench(); // only for a Context that numbers sessions
        Context<String> ctx = b.bob.ctx;
        Remote sink = (d, o, l) -> { };
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            TimerQueue q = new TimerQueue();
            List<Session<String>> held = new ArrayList<>();
            long now = rnd.nextLong(-1_000_000, 1_000_000); // any epoch, negative times too
            for (int step = 0; step < 3_000; step++) {
                int op = rnd.nextInt(100);
                if (op < 10 || held.isEmpty()) { // a new session, due at once (as a new Session is)
                    Session<String> s = new Session<>(ctx, ctx.localPublicKey(), null, false, 0, sink);
                    held.add(s);
                    q.schedule(s, s.due);
                } else if (op < 15) { // a session expires (Session.expire: due MAX, forget cancels)
                    Session<String> s = held.remove(rnd.nextInt(held.size()));
                    s.due = Long.MAX_VALUE;
                    q.cancel(s);
                } else if (op < 55) { // a state entry, a wanted rekey or a partial packet moves a visit earlier
                    Session<String> s = held.get(rnd.nextInt(held.size()));
                    long at = rnd.nextInt(10) == 0 ? Long.MIN_VALUE : now + rnd.nextLong(-20, 2_000);
                    if (at < s.due) s.due = at; // Session.visitBy
                    q.schedule(s, at);
                } else if (op < 62) { // visited outside the queue (the walk after the clock went back): due may move later
                    Session<String> s = held.get(rnd.nextInt(held.size()));
                    s.due = now + rnd.nextLong(1, 3_000);
                    q.schedule(s, s.due);
                } else { // a service pass, some time later
                    now += rnd.nextLong(0, 300);
                    long t = now;
                    List<Session<String>> expected = new ArrayList<>();
                    for (Session<String> s : held) if (s.due <= t) expected.add(s);
                    expected.sort(Comparator.comparingLong(s -> s.serial));
                    List<Session<?>> visited = new ArrayList<>();
                    q.runDue(t, (s, at) -> {
                        assertTrue(s.due <= at, "fired early: due " + s.due + " at " + at);
                        visited.add(s);
                        // Timers.service: the next timer, sometimes at once (a rekey wanted while visiting)
                        long next = rnd.nextInt(20) == 0 ? at : at + rnd.nextLong(1, 5_000);
                        s.due = next;
                        return next;
                    });
                    assertEquals(expected, visited, "seed " + seed + " step " + step + ": the walk's sessions, in its order");
                    long earliest = Long.MAX_VALUE;
                    for (Session<String> s : held) earliest = Math.min(earliest, s.due);
                    assertTrue(q.earliest() <= earliest, "the queue's next deadline is not after any session's");
                }
                assertTrue(q.live() <= held.size() + 1, "at most one live entry per session");
                assertTrue(q.size() <= 2 * q.live() + 64, "stale entries bounded: " + q.size() + " entries, " + q.live() + " live");
            }
        }
    }

    /**
     * The engine with the queue against the walk, in simulations (loss, reordering, small MTUs so
     * packets fragment, rekeys every few seconds, clock jumps both ways): after every event no
     * session's due time is before the queue's next deadline (none missed), and after every pass
     * the deadline the pass returns is the one the walk returned, the earliest due time of any
     * session (none early).
     */
    @Test
    void inSimulationsTheQueuesDeadlineIsTheWalks() {
        Settings st = Settings.defaults().withRekeyAfterTime(4_000, 1_000);
        long checks = 0;
        for (long seed = 1; seed <= 6; seed++) {
            SimNetwork net = new SimNetwork(seed);
            net.impairments.loss = 0.05;
            net.impairments.reorder = 0.1;
            net.impairments.duplicate = 0.02;
            SimNetwork.Node a = net.node("alice", st);
            SimNetwork.Node b = net.node("bob", st);
            net.connect(a, b, seed % 2 == 0 ? 300 : 1432);
            SplittableRandom rnd = new SplittableRandom(seed);
            a.open(b);
            for (int round = 0; round < 12; round++) {
                if (rnd.nextInt(4) == 0) a.open(b); // a new session replaces the old
                if (rnd.nextInt(5) == 0) (rnd.nextBoolean() ? a : b).jumpClock(rnd.nextLong(-60_000, 60_000));
                for (Session<String> s : a.ctx.sessions()) { // a few payloads, fragmented at MTU 300
                    if (s.isEstablished()) for (int i = 0; i < 3; i++) s.send(new byte[1 + rnd.nextInt(2_000)]);
                }
                long until = net.now + rnd.nextLong(200, 3_000);
                for (int steps = 0; ; steps++) {
                    assertTrue(steps < 100_000, "seed " + seed + ": the simulation does not advance");
                    long sa = a.services;
                    long sb = b.services;
                    if (!net.step(until)) break;
                    for (SimNetwork.Node n : List.of(a, b)) {
                        long minDue = Long.MAX_VALUE;
                        for (Session<String> s : n.ctx.sessions()) minDue = Math.min(minDue, s.due);
                        long earliest = n.ctx.timers.earliest();
                        assertTrue(earliest <= minDue, n + ": a session due at " + minDue + " but the queue's next is " + earliest);
                        boolean serviced = n == a ? a.services != sa : b.services != sb;
                        if (serviced && minDue > n.time()) {
                            long cap = n.time() + st.resendTime();
                            assertEquals(Math.min(cap, minDue), Math.min(cap, earliest), n + ": woken before any session is due");
                        }
                        checks++;
                    }
                }
            }
            assertEquals(0, a.ctx.internalErrorCount() + b.ctx.internalErrorCount());
        }
        assertTrue(checks > 1_000, "checked " + checks + " events");
    }

    @Test
    void aTimerMovedEarlierThanTheNextServiceCallIsAnnounced() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> a = b.alice.open(b.bob);
        b.settle();
        assertTrue(a.isEstablished());
        b.alice.service(); // promises the next call within the returned delay
        int before = b.alice.timersChanged;
        a.wantRekey(); // the soft key-use limit (§7.7): the rekey should not wait for the next call
        assertEquals(before + 1, b.alice.timersChanged, "announced once");
        a.wantRekey();
        assertEquals(before + 1, b.alice.timersChanged, "already queued: not announced again");
        b.alice.service();
        assertEquals(Session.State.R1, a.state(), "the next pass starts the rekey");
    }

    @Test
    void aServicePassVisitsOnlyDueSessions() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> a = b.alice.open(b.bob);
        b.settle();
        b.alice.service();
        b.bob.service();
        assertTrue(a.isEstablished());
        // Established (S2): the only timer is the rekey, about an hour away; nothing is queued sooner.
        assertEquals(1, b.alice.ctx.timers.live());
        assertTrue(b.alice.ctx.timers.earliest() >= a.timeoutAt - 1, "queued at the rekey time, not polled");
        long wait = b.alice.ctx.service();
        assertEquals(Settings.defaults().resendTime(), wait, "idle: called again at the resend time only for the context's own chores");
    }

    /**
     * A visit asked for while a pass runs (a fragment arriving on the receive thread queues its
     * session at {@code Long.MIN_VALUE}, "at the next pass") makes the pass ask to be called again
     * at once. It used to return {@code MIN_VALUE − now}, an overflow to ~2^63 ms: the Endpoint's
     * timer thread then slept until its next connect deadline and no Hello was ever resent
     * (ResourceLimitsTest stalled). Time is passed in; the arrival is made to happen mid-pass by
     * the resend the pass sends.
     */
    @Test
    void aVisitAskedForDuringAPassIsNotAnOverflowedWait() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> a = b.alice.open(b.bob);
        b.flight.clear(); // the Hello is lost
        b.alice.service();
        b.net.now += Settings.defaults().resendTime(); // the Hello's resend is due
        b.net.tap = d -> a.visitAtNextPass(); // while the pass resends it, a partial packet arrives
        long wait = b.alice.ctx.service();
        b.net.tap = b.flight::add;
        assertTrue(wait >= 0 && wait <= Settings.defaults().resendTime(), "the pass asks to be called again within the resend time, not in " + wait + " ms");
        assertEquals(0, wait, "a session is due at once: the next pass visits it");
        assertTrue(b.alice.ctx.service() <= Settings.defaults().resendTime());
    }
}

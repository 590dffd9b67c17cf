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
}

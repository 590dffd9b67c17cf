package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_COMPLETION;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_KEY_CONFIRM;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_COMPLETE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_INIT;

/**
 * The per-session timer procedure of spec §7.2: on timeout, regenerate (A1, A3), start a rekey
 * (S2) or expire (S1, R1, R2); otherwise on the resend timer, resend the state's packet.
 */
final class Timers {
    private Timers() {}

    /** Runs due timers of {@code s}; returns the earliest remaining timer (absolute ms). */
    static long service(Session<?> s, long now) {
        s.lock.lock();
        try {
            if (s.zeta instanceof Zeta.Expired) return Long.MAX_VALUE;
            clampAfterClockJump(s, now);
            if (s.rekeyWanted && s.zeta instanceof Zeta.S2) { // soft key-use limit (§7.7)
                s.rekeyWanted = false;
                Rekey.start(s, now, Transition.Cause.SOFT_LIMIT);
            } else if (s.timeoutAt <= now) {
                timeout(s, now);
            } else if (s.resendAt <= now) {
                s.resendAt = now + s.context.settings.resendTime();
                resend(s);
            }
            if (s.zeta instanceof Zeta.Expired) return Long.MAX_VALUE;
            long next = Math.min(s.resendAt, s.timeoutAt);
            // Publish the next visit first, then look at what others may ask for without the lock
            // (a wanted rekey, a partial packet): one that races this check writes its own
            // Long.MIN_VALUE after ours, so it is never lost.
            s.due = next;
            Session.Headers h = s.headers;
            if (h != null) {
                h.expire(now);
                if (h.pending() > 0) next = Math.min(next, now + s.context.settings.resendTime());
            }
            if (s.rekeyWanted && s.zeta instanceof Zeta.S2) next = now;
            if (next != s.due) s.due = next;
            return next;
        } catch (RuntimeException e) { // an engine bug (Fault.INTERNAL): counted and logged; the pass goes on
            s.context.errors.report("service", e);
            if (s.zeta instanceof Zeta.Expired) return Long.MAX_VALUE;
            return s.due = now + s.context.settings.resendTime(); // try again a resend interval later
        } finally {
            s.lock.unlock();
        }
    }

    /**
     * Time need not be monotonic (spec §0), but timers are absolute: after the clock jumps back by
     * hours they would not fire for hours (no resends, no timeout: a stuck session). No timer is ever
     * set further ahead than its state's interval, so one that is must have been set before a
     * backwards jump: pull it in to {@code now + interval}. A monotonic clock never triggers this.
     */
    private static void clampAfterClockJump(Session<?> s, long now) {
        Settings st = s.context.settings;
        if (s.resendAt != Long.MAX_VALUE && s.resendAt - now > st.resendTime()) s.resendAt = now + st.resendTime();
        long interval = Zeta.timeoutInterval(s.zeta, st);
        if (s.timeoutAt != Long.MAX_VALUE && s.timeoutAt - now > interval) s.timeoutAt = now + interval;
    }

    /**
     * For a handshake packet arriving at {@code s} (caller holds the lock): if the session's S1/R1/R2
     * timeout has passed but the service has not run yet, expire it now and return true (drop the
     * packet). A dead session must not advance its ratchet: a stale K2 or C1 accepted after the
     * deadline can race with the peer's new Hello, which already chose its PSK from the states the
     * two sides stored before, and leave the stored pairs with no state in common (a permanent
     * lockout in persistent mode, §8). Deadlines therefore take effect on time, not at the next
     * service call. A1/A3 are not cut short: their late packets are harmless and the reference
     * processes them.
     */
    static boolean expireIfOverdue(Session<?> s, long now) {
        Zeta z = s.zeta;
        if ((z instanceof Zeta.S1 || z instanceof Zeta.R1 || z instanceof Zeta.R2) && s.timeoutAt <= now) {
            s.expire(Transition.Cause.TIMEOUT);
            return true;
        }
        return false;
    }

    private static void timeout(Session<?> s, long now) {
        Zeta z = s.zeta;
        if (z instanceof Zeta.Offering o) Hello.create(s, o.identity(), now, Transition.Cause.TIMEOUT); // regenerate
        else if (z instanceof Zeta.S2) Rekey.start(s, now, Transition.Cause.TIMEOUT);
        else s.expire(Transition.Cause.TIMEOUT); // S1, R1, R2
    }

    private static void resend(Session<?> s) {
        switch (s.zeta) {
            case Zeta.A1 a1 -> Hello.send(s, a1.hello());
            case Zeta.A3 a3 -> s.sendPacket(a3.completion(), a3.completion().length, s.keys.other().sendKid(), TYPE_COMPLETION, 0);
            case Zeta.S1 s1 -> {
                KeySlot current = s.keys.current();
                s.sendTagOnly(current.kekSend(), current.sendKid(), TYPE_KEY_CONFIRM);
            }
            case Zeta.R1 r1 -> Rekey.sendWrapped(s, r1.inner(), TYPE_REKEY_INIT);
            case Zeta.R2 r2 -> Rekey.sendWrapped(s, r2.inner(), TYPE_REKEY_COMPLETE);
            case Zeta.S2 s2 -> { }
            case Zeta.Expired x -> { }
        }
    }
}

package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_COMPLETION;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_KEY_CONFIRM;

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
            if (s.state == Session.State.EXPIRED) return Long.MAX_VALUE;
            if (s.rekeyWanted && s.state == Session.State.S2) { // soft key-use limit (§7.7)
                s.rekeyWanted = false;
                Rekey.start(s, now);
            } else if (s.timeoutAt <= now) {
                timeout(s, now);
            } else if (s.resendAt <= now) {
                s.resendAt = now + s.context.settings.resendTime();
                resend(s);
            }
            if (s.headers != null) s.headers.reassembler().expire(now);
            return s.state == Session.State.EXPIRED ? Long.MAX_VALUE : Math.min(s.resendAt, s.timeoutAt);
        } finally {
            s.lock.unlock();
        }
    }

    private static void timeout(Session<?> s, long now) {
        switch (s.state) {
            case A1 -> Hello.create(s, ((Session.HelloOffer) s.offer).identity(), now);
            case A3 -> Hello.create(s, ((Session.CompletionOffer) s.offer).identity(), now);
            case S2 -> Rekey.start(s, now);
            default -> s.expire(); // S1, R1, R2
        }
    }

    private static void resend(Session<?> s) {
        switch (s.state) {
            case A1 -> Hello.send(s, ((Session.HelloOffer) s.offer).hello());
            case A3 -> {
                byte[] x3 = ((Session.CompletionOffer) s.offer).completion();
                s.sendPacket(x3, x3.length, s.keys.other().sendKid(), TYPE_COMPLETION, 0);
            }
            case S1 -> {
                KeySlot current = s.keys.current();
                s.sendTagOnly(current.kekSend(), current.sendKid(), TYPE_KEY_CONFIRM);
            }
            case R1, R2 -> Rekey.resend(s);
            default -> { }
        }
    }
}

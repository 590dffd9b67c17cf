package dev.planetary.zssp;

import java.util.Objects;

/**
 * One transition of a session's Zeta state machine (spec §7.2), reported to
 * {@link Application#stateChanged}: every one, in order, including the regenerations (A1 → A1),
 * the timeouts and the expiry.
 *
 * @param from  the state left; null for the session's first state (A1 at {@link Context#open}, S1
 *              for a responder's new session)
 * @param to    the state entered (the same as {@code from} for a regenerated Hello)
 * @param cause what made the transition
 */
public record Transition<D>(Session<D> session, Session.State from, Session.State to, Cause cause) {

    public Transition {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(cause, "cause");
    }

    /** What made a transition (the "entered when" column of spec §7.2). */
    public enum Cause {
        /** {@link Context#open}: the first Hello (→ A1). */
        OPEN,
        /**
         * A state's timeout (§7.2): A1 or A3 regenerates the Hello (→ A1), S2 starts a rekey (→ R1),
         * S1, R1 and R2 expire. Also a packet that arrives after an S1/R1/R2 deadline the timer
         * pass has not acted on yet (it expires the session first).
         */
        TIMEOUT,
        /** A Response (X2) authenticated and answered with the Completion (A1 → A3). */
        RESPONSE,
        /** A Response failed a check after its header did not (§5.3): the Hello is regenerated (A1 → A1). */
        RESPONSE_FAILED,
        /** Responder: a Completion (X3) accepted; the new session starts in S1. */
        COMPLETION,
        /** A key confirmation (C1) on the other slot's key (A3 → S2, R2 → S2). */
        KEY_CONFIRM,
        /** The acknowledgement (C2) of our key confirmation (S1 → S2). */
        ACK,
        /** A rekey init (K1) answered (S2 → R2, or R1 → R2 when this side was the responder). */
        REKEY_INIT,
        /** A rekey complete (K2) accepted with the new key (R1 → S1). */
        REKEY_COMPLETE,
        /** The soft key-use limit asked for a rekey (S2 → R1, §7.7). */
        SOFT_LIMIT,
        /** Session-Rejected (D) received (A3 → Expired). */
        REJECTED,
        /**
         * An authenticated rekey message failed inside (§6.2, §13 D11) or the ratchet store refused
         * its compare-and-swap (K1, K2, C1): → Expired.
         */
        FAILED,
        /** The hard key-use limit (§7.7): → Expired. */
        HARD_LIMIT,
        /** {@link Session#close()} or {@link Context#close()}: → Expired. */
        CLOSE
    }
}

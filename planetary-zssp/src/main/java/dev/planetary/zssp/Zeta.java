package dev.planetary.zssp;

import dev.planetary.zssp.crypto.KemKeyPair;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.SymmetricState;

/**
 * A state of the Zeta state machine (spec §7.2), carrying its own data: the "per-state data" row of
 * §7.1. A session holds exactly one, and {@link Session#enter} is the only place it changes. The
 * variables every state shares (key slots, ratchet pair, counters, timers) stay on the
 * {@link Session}. {@link Session.State} is the public name of each record.
 */
sealed interface Zeta {

    /** The public name of this state. */
    Session.State state();

    /** Wipes this state's own secrets; called once when the session leaves it. */
    default void destroySecrets() {}

    /** The states in which data may be sent: keys are confirmed in at least one direction (§7.4). */
    sealed interface Established extends Zeta {}

    /** The initiator's handshake states (A1, A3): on timeout the Hello is regenerated with this identity. */
    sealed interface Offering extends Zeta {
        byte[] identity();
    }

    /**
     * The state's timeout interval (spec §7.2): the initial offer's for A1 and A3, the rekey time
     * for S2 (before its jitter), the rekey timeout for S1, R1 and R2; Expired has none.
     */
    static long timeoutInterval(Zeta z, Settings st) {
        if (z instanceof Offering) return st.initialOfferTimeout();
        if (z instanceof S2) return st.rekeyAfterTime();
        return z instanceof Expired ? Long.MAX_VALUE : st.rekeyTimeout();
    }

    /**
     * Initiator: the Hello (X1) is in flight; what consuming its Response needs. The challenge
     * answer (§9.2) is written into {@code hello} in place, so the next resend carries it.
     */
    record A1(SymmetricState noise, P384KeyPair ephemeral, KemKeyPair kem, byte[] identity, byte[] hello) implements Offering {
        @Override
        public Session.State state() {
            return Session.State.A1;
        }

        @Override
        public void destroySecrets() {
            noise.destroy();
            ephemeral.destroy();
            kem.destroy();
        }
    }

    /** Initiator: the Completion (X3) is in flight, waiting for key confirmation. */
    record A3(byte[] identity, byte[] completion) implements Offering {
        @Override
        public Session.State state() {
            return Session.State.A3;
        }
    }

    /** Key confirmation (C1) sent with the current slot's kek, waiting for its acknowledgement C2. */
    record S1() implements Established {
        static final S1 INSTANCE = new S1();

        @Override
        public Session.State state() {
            return Session.State.S1;
        }
    }

    /** Established and idle until the rekey timer (or the soft key-use limit). */
    record S2() implements Established {
        static final S2 INSTANCE = new S2();

        @Override
        public Session.State state() {
            return Session.State.S2;
        }
    }

    /** Rekey initiator: K1 in flight (the inner Noise message, 69 bytes) and its Noise state. */
    record R1(SymmetricState noise, P384KeyPair ephemeral, byte[] inner) implements Established {
        @Override
        public Session.State state() {
            return Session.State.R1;
        }

        @Override
        public void destroySecrets() {
            noise.destroy();
            ephemeral.destroy();
        }
    }

    /** Rekey responder: K2 in flight (the inner Noise message, 69 bytes), resent until C1 arrives. */
    record R2(byte[] inner) implements Established {
        @Override
        public Session.State state() {
            return Session.State.R2;
        }
    }

    /** Closed for good (the whitepaper's ⊥): no key id, no timer, no key. */
    record Expired() implements Zeta {
        static final Expired INSTANCE = new Expired();

        @Override
        public Session.State state() {
            return Session.State.EXPIRED;
        }
    }
}

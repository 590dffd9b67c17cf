package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HARD_KEY_USE_LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Walks every transition of the Zeta state machine (spec §7.2, §7.3) on both sides of a
 * handshake, including the timeouts, and checks the {@link Transition} stream each side reports:
 * every step, in order, with its cause. (Every simulation also checks that the stream has no gap:
 * {@link SimNetwork.Node#stateChanged}.)
 */
class ZetaTransitionTest {
    private static final Settings ST = Settings.defaults();

    @Test
    void everyTransitionIsReportedInOrderWithItsCause() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        b.alice.transitions = new ArrayList<>();
        b.bob.transitions = new ArrayList<>();

        // The handshake, with a lost Hello, a corrupted Response and a lost Completion on the way.
        Session<String> a = b.alice.open(b.bob);
        b.flight.clear(); // the Hello is lost
        b.net.now += ST.initialOfferTimeout();
        b.alice.service(); // A1 timeout: a new Hello
        b.deliverAll(); // Hello → Bob; the Response is in flight
        b.flight.getFirst().bytes()[16 + 100] ^= 1; // inside the Kyber ciphertext: fails authentication
        b.deliverAll(); // Alice regenerates the Hello at once
        b.deliverAll(); // Hello → Bob
        b.deliverAll(); // Response → Alice: A3
        b.flight.clear(); // the Completion is lost
        b.net.now += ST.initialOfferTimeout();
        b.alice.service(); // A3 timeout: a new Hello
        b.settle();
        Session<String> bob = only(b.bob.ctx);
        assertEquals(List.of("null>A1 OPEN", "A1>A1 TIMEOUT", "A1>A1 RESPONSE_FAILED", "A1>A3 RESPONSE", "A3>A1 TIMEOUT",
                "A1>A3 RESPONSE", "A3>S2 KEY_CONFIRM"), of(b.alice, a));
        assertEquals(List.of("null>S1 COMPLETION", "S1>S2 ACK"), of(b.bob, bob));

        // Bob's S2 timer starts a rekey.
        b.net.now = bob.timeoutAt;
        b.bob.service();
        b.settle();
        // The soft key-use limit starts one at Alice (§7.7).
        a.keyCreationCounter = a.counter() - ST.rekeyAfterKeyUses();
        a.send(new byte[] {1});
        b.alice.service();
        b.settle();
        // Both S2 timers at once: Bob, the handshake's responder, yields in R1 (§6.2).
        b.net.now = Math.max(a.timeoutAt, bob.timeoutAt);
        b.alice.service();
        b.bob.service();
        b.settle();
        // A rekey whose K2 is lost: R2 and R1 time out.
        b.net.now = bob.timeoutAt;
        b.bob.service();
        b.deliverAll(); // K1 → Alice: R2
        b.flight.clear(); // K2 lost
        b.net.now += ST.rekeyTimeout();
        b.alice.service();
        b.bob.service();
        assertEquals(List.of("S2>R2 REKEY_INIT", "R2>S2 KEY_CONFIRM", "S2>R1 SOFT_LIMIT", "R1>S1 REKEY_COMPLETE", "S1>S2 ACK",
                "S2>R1 TIMEOUT", "R1>S1 REKEY_COMPLETE", "S1>S2 ACK", "S2>R2 REKEY_INIT", "R2>Expired TIMEOUT"), of(b.alice, a).subList(7, 17));
        assertEquals(List.of("S2>R1 TIMEOUT", "R1>S1 REKEY_COMPLETE", "S1>S2 ACK", "S2>R2 REKEY_INIT", "R2>S2 KEY_CONFIRM",
                "S2>R1 TIMEOUT", "R1>R2 REKEY_INIT", "R2>S2 KEY_CONFIRM", "S2>R1 TIMEOUT", "R1>Expired TIMEOUT"), of(b.bob, bob).subList(2, 12));

        // Bob's S1 times out when his key confirmation is never acknowledged; Alice closes hers.
        Session<String> a2 = b.alice.open(b.bob);
        b.deliverAll(); // Hello
        b.deliverAll(); // Response
        b.deliverAll(); // Completion: Bob in S1, his C1 in flight
        b.flight.clear();
        Session<String> bob2 = only(b.bob.ctx);
        b.net.now += ST.rekeyTimeout();
        b.bob.service();
        a2.close();
        assertEquals(List.of("null>S1 COMPLETION", "S1>Expired TIMEOUT"), of(b.bob, bob2));
        assertEquals(List.of("null>A1 OPEN", "A1>A3 RESPONSE", "A3>Expired CLOSE"), of(b.alice, a2));

        // Bob refuses the session: Session-Rejected (D).
        b.bob.accept = false;
        Session<String> a3 = b.alice.open(b.bob);
        b.settle();
        assertEquals(List.of("null>A1 OPEN", "A1>A3 RESPONSE", "A3>Expired REJECTED"), of(b.alice, a3));
        b.bob.accept = true;

        // Bob's ratchet store refuses the rekey's compare-and-swap; Alice's key reaches its hard limit.
        Session<String> a4 = b.alice.open(b.bob);
        b.settle();
        Session<String> bob4 = only(b.bob.ctx);
        b.bob.store.put(b.alice.keys.publicKey(), new RatchetPair(SecurityFlagTest.otp("not the stored state"), null));
        b.net.now = a4.timeoutAt;
        b.alice.service(); // K1 in flight
        b.deliverAll();
        a4.keyCreationCounter = a4.counter() - HARD_KEY_USE_LIMIT;
        assertThrows(SessionStateException.class, () -> a4.send(new byte[] {1}));
        assertEquals(List.of("null>S1 COMPLETION", "S1>S2 ACK", "S2>Expired FAILED"), of(b.bob, bob4));
        assertEquals(List.of("null>A1 OPEN", "A1>A3 RESPONSE", "A3>S2 KEY_CONFIRM", "S2>R1 TIMEOUT", "R1>Expired HARD_LIMIT"), of(b.alice, a4));

        // Together: every transition of §7.2 and every cause.
        Set<String> edges = new TreeSet<>();
        Set<Transition.Cause> causes = EnumSet.noneOf(Transition.Cause.class);
        for (Transition<String> t : concat(b.alice.transitions, b.bob.transitions)) {
            edges.add(t.from() + ">" + t.to());
            causes.add(t.cause());
        }
        assertEquals(new TreeSet<>(List.of("null>A1", "null>S1", "A1>A1", "A1>A3", "A3>A1", "A3>S2", "A3>EXPIRED", "S1>S2", "S1>EXPIRED",
                "S2>R1", "S2>R2", "S2>EXPIRED", "R1>R2", "R1>S1", "R1>EXPIRED", "R2>S2", "R2>EXPIRED")), edges);
        assertEquals(EnumSet.allOf(Transition.Cause.class), causes);
        assertEquals(0, b.alice.ctx.internalErrorCount() + b.bob.ctx.internalErrorCount());
    }

    @Test
    void enterRefusesACallerWithoutTheLock() {
        SecurityFlagTest.Bench b = new SecurityFlagTest.Bench();
        Session<String> a = b.alice.open(b.bob);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.enter(Zeta.S2.INSTANCE, Transition.Cause.ACK, 0));
        assertTrue(e.getMessage().contains("lock"), e.getMessage());
        assertEquals(Session.State.A1, a.state());
    }

    private static Session<String> only(Context<String> ctx) {
        Set<Session<String>> live = ctx.sessions();
        assertEquals(1, live.size(), live::toString);
        return live.iterator().next();
    }

    /** One session's transitions as "from>to CAUSE" ("Expired" for the end). */
    private static List<String> of(SimNetwork.Node n, Session<String> s) {
        List<String> out = new ArrayList<>();
        for (Transition<String> t : n.transitions) {
            if (t.session() == s) out.add(t.from() + ">" + (t.to() == Session.State.EXPIRED ? "Expired" : t.to()) + " " + t.cause());
        }
        return out;
    }

    private static List<Transition<String>> concat(List<Transition<String>> x, List<Transition<String>> y) {
        List<Transition<String>> all = new ArrayList<>(x);
        all.addAll(y);
        return all;
    }
}

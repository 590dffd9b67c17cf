package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The per-channel congestion window (docs/seqex.md §3: slow start, CUBIC, RFC 9438), in virtual
 * time: ten packets to start, slow start on acknowledgements, one reduction to β = 0.7 per window
 * on a loss found by early retransmit, one packet after a resend timeout, never above {@code window}.
 */
class CongestionControlTest {
    static final SeqexConfig CONFIG = SeqexConfig.defaults().withWindow(64, 64).withCongestionControl(true);

    final List<byte[]> toBob = new ArrayList<>();
    final List<byte[]> toAlice = new ArrayList<>();
    final SeqexCore alice = new SeqexCore(CONFIG, toBob::add, new SeqexCore.Listener() {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    });
    final SeqexCore bob = new SeqexCore(CONFIG, toAlice::add, new SeqexCore.Listener() {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
            bob.consumed(channel, seq, payload.length, 0);
        }

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    });

    private int fill(long now) {
        int n = 0;
        while (alice.canSend(1)) {
            alice.send(1, new byte[] {1}, false, false, null, now);
            n++;
        }
        return n;
    }

    private void roundTrip(long now) {
        for (byte[] d : toBob) bob.receive(d, now);
        toBob.clear();
        for (byte[] a : toAlice) alice.receive(a, now);
        toAlice.clear();
    }

    @Test
    void startsAtTenAndDoublesPerRoundTripInSlowStart() {
        assertEquals(10, fill(0));
        roundTrip(10);
        assertEquals(20.0, alice.congestionWindow(1));
        assertEquals(20, fill(10));
        roundTrip(20);
        assertEquals(40, fill(20));
        roundTrip(30);
        assertEquals(64, fill(30), "never above the window");
    }

    /** RFC 5681 §4.1: after sending nothing for longer than the resend timeout, a channel starts again from ten packets. */
    @Test
    void anIdleChannelRestartsFromTheInitialWindow() {
        fill(0);
        roundTrip(10);
        fill(10);
        roundTrip(20);
        assertEquals(40.0, alice.congestionWindow(1));
        long later = 10 + alice.rto() + 1; // the last new data went out at 10
        assertEquals(10, fill(later), "the initial window, not a burst of 40");
        roundTrip(later + 10);
        assertEquals(20.0, alice.congestionWindow(1), "slow start again (ssthresh was never set)");
    }

    @Test
    void aPauseShorterThanTheResendTimeoutKeepsTheWindow() {
        fill(0);
        roundTrip(10);
        fill(10);
        roundTrip(20);
        assertTrue(alice.rto() > 20, "rto " + alice.rto());
        assertEquals(40, fill(30));
    }

    @Test
    void aLossFoundByEarlyRetransmitReducesTheWindowOncePerWindow() {
        fill(0);
        roundTrip(10); // cwnd 20, srtt 10: reorder window 2 ms
        alice.send(1, new byte[] {1}, false, false, null, 10);
        alice.send(1, new byte[] {1}, false, false, null, 10);
        byte[] lost1 = toBob.remove(0);
        byte[] lost2 = toBob.remove(0);
        assertEquals(18, fill(15));
        // the rest arrive 5 ms later (beyond the reorder window): their acks reveal both losses
        for (byte[] d : toBob) bob.receive(d, 20);
        toBob.clear();
        for (byte[] a : toAlice) alice.receive(a, 25);
        toAlice.clear();
        assertEquals(2, alice.stats().earlyRetransmits());
        assertEquals(14.0, alice.congestionWindow(1), 1e-9, "reduced from 20 to 0.7 x 20 once, not twice");
        bob.receive(lost1, 26);
        bob.receive(lost2, 26);
        toBob.clear(); // the early resends (duplicates now)
        for (byte[] a : toAlice) alice.receive(a, 27);
        toAlice.clear();
        assertEquals(0, alice.inFlight(1));
        assertTrue(alice.congestionWindow(1) > 14 && alice.congestionWindow(1) < 15, "congestion avoidance after recovery: " + alice.congestionWindow(1));
    }

    /**
     * Congestion avoidance on a short-RTT path: CUBIC's Reno-friendly estimate, 3(1 − β)/(1 + β) ≈ 0.53
     * packets per window of acknowledgements (RFC 9438 §4.3), not the cubic curve (K is seconds away).
     */
    @Test
    void congestionAvoidanceGrowsByTheRenoFriendlyRate() {
        fill(0);
        roundTrip(10); // cwnd 20
        alice.send(1, new byte[] {1}, false, false, null, 10);
        toBob.remove(0); // lost
        fill(15);
        roundTrip(20); // the loss is found: cwnd 14; the lost packet is resent
        roundTrip(21); // the resend arrives: recovery ends
        assertEquals(0, alice.inFlight(1));
        double start = alice.congestionWindow(1);
        assertTrue(start >= 14 && start < 15, "after recovery: " + start);
        long now = 22;
        for (int round = 0; round < 10; round++) {
            fill(now);
            roundTrip(now + 1);
            now += 2;
        }
        double grown = alice.congestionWindow(1) - start;
        assertTrue(grown > 10 * 0.4 && grown < 10 * 0.7, "about 0.53 packets per round trip, grew " + grown + " in 10");
    }

    /**
     * Proportional Rate Reduction (RFC 6937): once a loss is found in a full window, the sender keeps
     * sending during the recovery, about ssthresh/RecoverFS packets per acknowledgement (one at a
     * time, never a burst), instead of stalling until what is in flight falls below ssthresh, and the
     * recovery ends at ssthresh with one reduction.
     */
    @Test
    void recoverySendsInProportionToTheAcknowledgementsInsteadOfStalling() {
        fill(0);
        roundTrip(10); // cwnd 20
        assertEquals(20, fill(10));
        List<byte[]> flight = new ArrayList<>(toBob);
        toBob.clear();
        for (int i = 1; i < flight.size(); i++) bob.receive(flight.get(i), 12); // the first is lost
        List<byte[]> acks = new ArrayList<>(toAlice);
        toAlice.clear();
        assertEquals(19, acks.size(), "each packet after the gap acknowledged at once");
        int[] sentAfter = new int[acks.size()];
        for (int i = 0; i < acks.size(); i++) {
            alice.receive(acks.get(i), 12);
            sentAfter[i] = fill(12);
        }
        assertEquals(1, alice.stats().congestionReductions());
        assertEquals(1, alice.stats().earlyRetransmits(), "the third later ACK found the loss (DupThresh)");
        // ACKs 0 and 1 are slow start (two packets each: 22 in flight); ACK 2 finds the loss with 22 in
        // flight (RecoverFS), ssthresh 0.7 x 22 = 15.4. Cutting the window at once would stall the
        // sender until fewer than 15 were in flight (ACK 9); PRR sends on ACK 3 already, one at a time
        assertEquals(2, sentAfter[0]);
        assertEquals(2, sentAfter[1]);
        assertEquals(0, sentAfter[2]);
        assertEquals(1, sentAfter[3], "the first new packet of the recovery");
        int sent = 0;
        for (int i = 2; i < sentAfter.length; i++) {
            assertTrue(sentAfter[i] <= 1, "at most one packet per acknowledgement in recovery, got " + sentAfter[i] + " on ACK " + i);
            sent += sentAfter[i];
        }
        assertEquals(11, sent, "ceil(17 x 15.4 / 22) = 12 sends over the recovery's 17 ACKs, one of them the resend");
        assertEquals(16, alice.inFlight(1), "about ssthresh in flight at the end of the recovery's ACKs");
        roundTrip(14); // the resend fills the gap, everything is acknowledged
        assertEquals(0, alice.inFlight(1));
        double after = alice.congestionWindow(1);
        assertTrue(after >= 15.4 && after < 16.4, "recovery ends at ssthresh (RFC 6937 §3), then congestion avoidance: " + after);
    }

    /**
     * After a reduction CUBIC's Reno-friendly estimate grows by 3(1 − β)/(1 + β) per round trip until
     * it reaches the window before the reduction, then by one packet per round trip (RFC 9438 §4.3:
     * α_cubic = 1 from there), the cubic curve being seconds away on a short-RTT path.
     */
    @Test
    void theRenoFriendlyRateIsOneOnceTheWindowBeforeTheLossIsRegained() {
        fill(0);
        roundTrip(10); // cwnd 20
        alice.send(1, new byte[] {1}, false, false, null, 10);
        toBob.remove(0); // lost
        fill(15);
        roundTrip(20);
        roundTrip(21); // recovery over: cwnd 14, cwnd_prior 20
        long now = 22;
        while (alice.congestionWindow(1) < 20.5) {
            fill(now);
            roundTrip(now + 1);
            now += 2;
            assertTrue(now < 100, "regains 20 in about 11 round trips at 0.53");
        }
        double start = alice.congestionWindow(1);
        for (int round = 0; round < 5; round++) {
            fill(now);
            roundTrip(now + 1);
            now += 2;
        }
        double grown = alice.congestionWindow(1) - start;
        assertTrue(grown > 4 && grown < 6, "about one packet per round trip past cwnd_prior, grew " + grown + " in 5");
    }

    @Test
    void aResendTimeoutFallsBackToOnePacket() {
        fill(0);
        toBob.clear(); // everything lost
        alice.service(alice.nextDeadline());
        assertEquals(1.0, alice.congestionWindow(1));
        assertFalse(alice.canSend(1), "ten in flight, window one");
    }

    /**
     * F-RTO (RFC 5682): after a resend timeout only the oldest packet is resent; if the next ACK is
     * for a packet sent before the timeout, its ACKs were only late: the window is restored and
     * nothing else is resent.
     */
    @Test
    void aSpuriousTimeoutIsUndone() {
        fill(0);
        List<byte[]> flight = new ArrayList<>(toBob);
        toBob.clear(); // the ACKs are late, nothing is lost
        alice.service(alice.nextDeadline());
        assertEquals(1, toBob.size(), "only the oldest resent");
        assertEquals(1.0, alice.congestionWindow(1));
        bob.receive(flight.get(1), 300); // an original, sent before the timeout
        for (byte[] a : toAlice) alice.receive(a, 300);
        toAlice.clear();
        assertEquals(1, alice.stats().spuriousTimeouts());
        assertTrue(alice.congestionWindow(1) >= 10, "restored: " + alice.congestionWindow(1));
        assertEquals(1, alice.stats().retransmits(), "nothing else resent");
    }

    /** F-RTO: if the next ACK is for the resend only, the timeout was real and the rest of the flight is resent at once. */
    @Test
    void aRealTimeoutResendsTheRestAfterTheFirstAck() {
        fill(0);
        toBob.clear(); // everything lost
        alice.service(alice.nextDeadline());
        assertEquals(1, toBob.size());
        roundTrip(300); // the resend arrives and is acknowledged
        assertEquals(0, alice.stats().spuriousTimeouts());
        assertEquals(9, toBob.size(), "the other nine resent on that ACK, not one timeout each");
        assertTrue(alice.congestionWindow(1) < 3, "slow start from one: " + alice.congestionWindow(1));
        roundTrip(301);
        assertEquals(0, alice.inFlight(1));
    }

    /**
     * A resend found early that the receiver then gets twice (the original was only reordered) is
     * spurious, as a D-SACK would say: once every early resend of the recovery proved so, its
     * reduction is undone and the channel's reorder window widens.
     */
    @Test
    void aSpuriousEarlyResendUndoesItsReduction() {
        fill(0);
        List<byte[]> flight = new ArrayList<>(toBob);
        toBob.clear();
        for (int i = 1; i < flight.size(); i++) bob.receive(flight.get(i), 10); // packet 0 is late
        for (byte[] a : toAlice) alice.receive(a, 10);
        toAlice.clear();
        assertEquals(1, alice.stats().earlyRetransmits(), "three later packets acknowledged: presumed lost");
        double reduced = alice.congestionWindow(1);
        byte[] resend = toBob.remove(toBob.size() - 1);
        bob.receive(flight.get(0), 11); // the original arrives after all
        bob.receive(resend, 11); // and the resend: a duplicate, acknowledged again
        for (byte[] a : toAlice) alice.receive(a, 11);
        toAlice.clear();
        assertEquals(1, alice.stats().spuriousRetransmits());
        assertTrue(alice.congestionWindow(1) > reduced, "reduction undone: " + reduced + " -> " + alice.congestionWindow(1));
        assertEquals(0, alice.inFlight(1));
    }

    /** The receive buffer the peer announced caps payloads in flight, below window and cwnd alike. */
    @Test
    void aSendLimitCapsPayloadsInFlight() {
        alice.limitSend(1, 7);
        assertEquals(7, fill(0));
        roundTrip(10);
        assertEquals(7, fill(10), "slow start does not pass the limit");
        assertTrue(alice.congestionWindow(1) <= 7);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> alice.limitSend(1, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> alice.limitSend(1, 65));
    }

    @Test
    void offByDefault() {
        SeqexCore plain = new SeqexCore(SeqexConfig.defaults(), d -> {}, new SeqexCore.Listener() {
            @Override
            public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

            @Override
            public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
        });
        int n = 0;
        while (plain.canSend(1)) {
            plain.send(1, new byte[] {1}, false, false, null, 0);
            n++;
        }
        assertEquals(64, n);
    }
}

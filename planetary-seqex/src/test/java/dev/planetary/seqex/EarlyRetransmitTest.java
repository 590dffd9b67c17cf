package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Time-based early retransmit, in virtual time: a lost packet is resent as soon as a packet sent a
 * reorder window after it is acknowledged, long before its resend timer; mere reordering within
 * the window resends nothing.
 */
class EarlyRetransmitTest {
    /** Alice's sender core; Bob's receiver core; datagrams move only when the test says so. */
    static final class Pair {
        final List<byte[]> toBob = new ArrayList<>();
        final List<byte[]> toAlice = new ArrayList<>();
        final List<Integer> bobGot = new ArrayList<>();
        final SeqexCore alice = new SeqexCore(SeqexConfig.defaults(), toBob::add, new SeqexCore.Listener() {
            @Override
            public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

            @Override
            public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
        });
        SeqexCore bob;

        Pair() {
            bob = new SeqexCore(SeqexConfig.defaults(), toAlice::add, new SeqexCore.Listener() {
                @Override
                public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
                    bobGot.add((int) payload[0]);
                    bob.consumed(channel, seq, payload.length, 0);
                }

                @Override
                public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
            });
        }

        void send(int tag, long now) {
            alice.send(1, new byte[] {(byte) tag}, false, false, null, now);
        }

        /** Delivers Alice's datagram i (in send order) to Bob at {@code now}, and Bob's ack back at {@code ackAt}. */
        void deliver(byte[] datagram, long now, long ackAt) {
            int acks = toAlice.size();
            bob.receive(datagram, now);
            for (int i = acks; i < toAlice.size(); i++) alice.receive(toAlice.get(i), ackAt);
        }

        /** One round trip of 10 ms so that Alice has an RTT sample (srtt 10 ms, reorder window 2 ms). */
        void warmUp() {
            send(0, 0);
            deliver(toBob.remove(0), 5, 10);
            assertEquals(10, alice.srtt());
        }
    }

    @Test
    void aLostPacketIsResentWhenALaterOneIsAcknowledged() {
        Pair p = new Pair();
        p.warmUp();
        for (int i = 1; i <= 4; i++) p.send(i, 99 + i); // sent at 100..103
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        // packet 1 is lost; 2, 3, 4 arrive 5 ms after sending, their acks 5 ms later
        p.deliver(flight.get(1), 106, 111); // 2 was sent 1 ms after 1: within the reorder window
        assertEquals(0, p.alice.stats().earlyRetransmits());
        p.deliver(flight.get(2), 107, 112); // 3 was sent 2 ms after 1: 1 is presumed lost
        assertEquals(1, p.alice.stats().earlyRetransmits());
        assertEquals(1, p.toBob.size(), "packet 1 resent at 112 ms; its timer would have waited until >= 150 ms");
        p.deliver(flight.get(3), 108, 113); // another later ack does not resend 1 again
        assertEquals(1, p.alice.stats().earlyRetransmits());
        p.deliver(p.toBob.remove(0), 117, 122);
        assertEquals(List.of(0, 2, 3, 4, 1), p.bobGot);
        assertEquals(0, p.alice.inFlight(1));
        p.alice.service(1_000);
        assertEquals(1, p.alice.stats().retransmits(), "nothing else was resent");
    }

    /**
     * A flight sent within one millisecond (the clock cannot tell its packets apart): the time rule
     * never fires, three later packets acknowledged do (DupThresh, RFC 5681 §3.2).
     */
    @Test
    void threeLaterPacketsAcknowledgedFindALossWithinOneMillisecond() {
        Pair p = new Pair();
        p.warmUp();
        for (int i = 1; i <= 5; i++) p.send(i, 100); // one flight, one millisecond
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(1), 101, 101);
        p.deliver(flight.get(2), 101, 101);
        assertEquals(0, p.alice.stats().earlyRetransmits(), "two later packets may be reordering");
        p.deliver(flight.get(3), 101, 101);
        assertEquals(1, p.alice.stats().earlyRetransmits(), "the third finds packet 1 lost");
        assertEquals(1, p.toBob.size());
        p.deliver(flight.get(4), 101, 101); // sent before the resend: does not count against it
        assertEquals(1, p.alice.stats().earlyRetransmits());
        p.deliver(p.toBob.remove(0), 102, 102);
        assertEquals(List.of(0, 2, 3, 4, 5, 1), p.bobGot);
        assertEquals(0, p.alice.inFlight(1));
    }

    /** Reordering seen on a channel raises its DupThresh to that extent: later packets overtaking as far again resend nothing. */
    @Test
    void reorderingSeenRaisesTheThreshold() {
        Pair p = new Pair();
        p.warmUp();
        for (int i = 1; i <= 10; i++) p.send(i, 100);
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(4), 101, 101); // 5 first,
        p.deliver(flight.get(0), 101, 101); // then 1: reordering over 5 packets
        for (int i = 5; i <= 7; i++) p.deliver(flight.get(i), 101, 101); // 6, 7, 8: 2..4 have 4 later packets acknowledged
        assertEquals(0, p.alice.stats().earlyRetransmits(), "the threshold is 5 now, not 3");
        p.deliver(flight.get(8), 101, 101); // 9: the fifth
        assertEquals(3, p.alice.stats().earlyRetransmits(), "2, 3 and 4 presumed lost");
    }

    @Test
    void reorderingWithinTheWindowResendsNothing() {
        Pair p = new Pair();
        p.warmUp();
        p.send(1, 100);
        p.send(2, 101);
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(1), 104, 109); // 2 overtakes 1
        p.deliver(flight.get(0), 108, 113);
        assertEquals(0, p.alice.stats().retransmits());
        assertEquals(List.of(0, 2, 1), p.bobGot);
    }

    @Test
    void requestsWaitForTheirTimer() {
        Pair p = new Pair();
        p.warmUp();
        p.alice.send(1, new byte[] {1}, false, true, null, 100); // a request: Bob's application has not answered
        p.send(2, 105);
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(1), 110, 115);
        assertEquals(0, p.alice.stats().earlyRetransmits(), "an unanswered request is not presumed lost");
        assertTrue(p.alice.inFlight(1) == 1);
    }
    /**
     * At a small window no three later ACKs come: RACK's reorder timer (RFC 8985 §6.3) resends a
     * packet a reorder window after a later one was acknowledged, long before its resend timeout, and
     * counts it as a loss found early, not a timeout.
     */
    @Test
    void theReorderTimerFindsALossWithOneLaterPacketAcknowledged() {
        Pair p = new Pair();
        p.warmUp(); // srtt 10 ms: reorder window 2 ms, RTO 50 ms
        p.send(1, 100);
        p.send(2, 100);
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(1), 105, 110); // 1 is lost; 2 is acknowledged at 110
        assertEquals(0, p.alice.stats().earlyRetransmits(), "one later packet, sent in the same millisecond: not yet");
        assertEquals(112, p.alice.nextDeadline(), "the reorder timer: 110 + 2 ms");
        p.alice.service(111);
        assertTrue(p.toBob.isEmpty());
        p.alice.service(112);
        assertEquals(1, p.toBob.size(), "resent at 112 ms instead of 150");
        assertEquals(1, p.alice.stats().earlyRetransmits());
        assertEquals(0, p.alice.stats().timeoutRetransmits());
        p.deliver(p.toBob.remove(0), 117, 122);
        assertEquals(List.of(0, 2, 1), p.bobGot);
        assertEquals(0, p.alice.inFlight(1));
    }

    /**
     * The lost tail of a flight has no later packet to reveal it: the tail loss probe (RFC 8985 §7)
     * resends the newest packet two SRTT after the last ACK instead of waiting for the resend timer.
     */
    @Test
    void aLostTailIsProbedBeforeTheResendTimeout() {
        Pair p = new Pair();
        p.warmUp(); // srtt 10 ms, RTO 50 ms: probe timeout 2 × 10 + 0 (no ACK delay) + 1 = 21 ms
        p.send(1, 100);
        p.send(2, 100);
        List<byte[]> flight = new ArrayList<>(p.toBob);
        p.toBob.clear();
        p.deliver(flight.get(0), 105, 110); // 2, the tail, is lost
        assertEquals(131, p.alice.nextDeadline());
        p.alice.service(131);
        assertEquals(1, p.alice.stats().tailLossProbes());
        assertEquals(1, p.toBob.size(), "the newest packet, probed");
        assertEquals(0, p.alice.stats().timeoutRetransmits());
        p.alice.service(140);
        assertEquals(1, p.toBob.size(), "one probe until an ACK arrives");
        p.deliver(p.toBob.remove(0), 136, 141);
        assertEquals(List.of(0, 1, 2), p.bobGot);
        assertEquals(0, p.alice.inFlight(1));
        assertEquals(Long.MAX_VALUE, p.alice.nextDeadline());
    }
}

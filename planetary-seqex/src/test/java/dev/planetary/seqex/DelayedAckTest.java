package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Delayed cumulative acknowledgements (docs/seqex.md §1, §3), in virtual time: in-order packets cost
 * one ACK per {@code ackEvery}, a gap is reported at once, a cumulative ACK never acknowledges a
 * request, and a hostile cumulative ACK is counted, not obeyed.
 */
class DelayedAckTest {
    static final SeqexConfig CONFIG = SeqexConfig.defaults().withDelayedAcks(4, 5);

    final List<byte[]> toBob = new ArrayList<>();
    final List<byte[]> toAlice = new ArrayList<>();
    final List<Integer> bobGot = new ArrayList<>();
    final SeqexCore alice = new SeqexCore(CONFIG, toBob::add, new SeqexCore.Listener() {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    });
    final SeqexCore bob = new SeqexCore(CONFIG, toAlice::add, new SeqexCore.Listener() {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
            bobGot.add((int) payload[0]);
            if (!expectsReply) bob.consumed(channel, seq, payload.length, 0);
        }

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    });

    private void toBobAll(long now) {
        for (byte[] d : toBob) bob.receive(d, now);
        toBob.clear();
    }

    private void toAliceAll(long now) {
        for (byte[] d : toAlice) alice.receive(d, now);
        toAlice.clear();
    }

    @Test
    void inOrderPacketsShareOneCumulativeAck() {
        for (int i = 0; i < 8; i++) alice.send(1, new byte[] {(byte) i}, true, false, null, 0);
        toBobAll(1);
        assertEquals(2, toAlice.size(), "8 in-order packets, ack every 4: two ACKs");
        for (byte[] a : toAlice) assertTrue(Codec.decode(a, 0, a.length, 64).cumulative());
        toAliceAll(2);
        assertEquals(0, alice.inFlight(1), "the cumulative ACKs freed the whole window");
        assertEquals(0, alice.stats().retransmits());
    }

    /**
     * A duplicate (e.g. a tail loss probe of a packet that was not lost) is acknowledged at once, but
     * after the pending cumulative ACK: otherwise the sender would see a newer packet acknowledged
     * before the delayed ones and take them for lost (RACK).
     */
    @Test
    void aDuplicateIsAcknowledgedAfterThePendingCumulativeAck() {
        for (int i = 0; i < 3; i++) alice.send(1, new byte[] {(byte) i}, false, false, null, 0);
        byte[] newest = toBob.get(2);
        toBobAll(1);
        assertEquals(0, toAlice.size(), "three in-order packets wait for the delay");
        bob.receive(newest, 2); // the newest again
        assertEquals(2, toAlice.size());
        assertTrue(Codec.decode(toAlice.get(0), 0, toAlice.get(0).length, 64).cumulative(), "the cumulative ACK first");
        toAliceAll(2);
        assertEquals(0, alice.inFlight(1));
        assertEquals(0, alice.stats().retransmits());
    }

    @Test
    void theLastPacketsAreAcknowledgedAfterTheDelay() {
        for (int i = 0; i < 3; i++) alice.send(1, new byte[] {(byte) i}, false, false, null, 0);
        toBobAll(1);
        assertEquals(0, toAlice.size(), "three packets wait for a fourth or the delay");
        assertEquals(6, bob.nextDeadline(), "due 5 ms after the first");
        assertTrue(bob.ackDeadline() <= 6);
        bob.service(5);
        assertEquals(0, toAlice.size());
        bob.service(6);
        assertEquals(1, toAlice.size());
        toAliceAll(7);
        assertEquals(0, alice.inFlight(1));
        assertEquals(Long.MAX_VALUE, bob.nextDeadline());
    }

    @Test
    void aGapIsReportedAtOnceAndItsFillingToo() {
        for (int i = 0; i < 4; i++) alice.send(1, new byte[] {(byte) i}, true, false, null, 0);
        byte[] lost = toBob.remove(1);
        toBobAll(1); // 0 (delayed), then 2 and 3 out of order: acknowledged at once, after the pending cumulative one
        assertEquals(List.of(0), bobGot, "SeqCst: 2 and 3 are held");
        assertEquals(3, toAlice.size());
        assertTrue(Codec.decode(toAlice.get(0), 0, 8, 64).cumulative());
        toAliceAll(2);
        assertEquals(1, alice.inFlight(1), "only the lost packet is unacknowledged");
        bob.receive(lost, 3);
        assertEquals(List.of(0, 1, 2, 3), bobGot);
        assertEquals(1, toAlice.size(), "filling the gap is acknowledged without delay");
        toAliceAll(4);
        assertEquals(0, alice.inFlight(1));
    }

    @Test
    void aCumulativeAckNeverAnswersARequest() {
        alice.send(1, new byte[] {0}, false, true, null, 0); // a request
        alice.send(1, new byte[] {1}, false, false, null, 0);
        alice.receive(Codec.cumulativeAck(1, Seq.initial(0, 1) + 2), 1);
        assertEquals(1, alice.inFlight(1), "the request waits for its reply");
        assertEquals(0, alice.stats().malformed());
    }

    @Test
    void hostileCumulativeAcksAreCountedNotObeyed() {
        for (int i = 0; i < 3; i++) alice.send(1, new byte[] {(byte) i}, false, false, null, 0);
        int isn = Seq.initial(0, 1);
        alice.receive(Codec.cumulativeAck(1, isn + 4), 1); // beyond what was sent
        alice.receive(Codec.cumulativeAck(1, isn + 0x4000_0000), 1);
        assertEquals(2, alice.stats().malformed());
        assertEquals(3, alice.inFlight(1));
        alice.receive(Codec.cumulativeAck(1, isn - 5), 1); // before the window: stale
        assertEquals(1, alice.stats().staleAcks());
        assertEquals(3, alice.inFlight(1));
        byte[] both = Codec.cumulativeAck(1, isn + 1);
        both[1] |= Codec.FLAG_WINDOW_OPEN;
        assertNull(Codec.decode(both, 0, both.length, 64), "window-open and cumulative together are malformed");
        alice.receive(both, 1);
        assertEquals(3, alice.stats().malformed());
    }

    @Test
    void cumulativeFlagRoundTrips() {
        byte[] a = Codec.cumulativeAck(7, -2);
        Codec.Packet p = Codec.decode(a, 0, a.length, 64);
        assertNotNull(p);
        assertTrue(p.cumulative() && p.isAck() && !p.windowOpen());
        assertEquals(-2, p.seq());
        assertEquals(7, p.channel());
        assertEquals(List.of((byte) 0x10, (byte) 0x04), List.of(a[0], a[1]));
    }
}

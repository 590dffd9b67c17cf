package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The receive window advertised in ACKs (docs/seqex.md §1 flag WINDOW, §4), in virtual time: a
 * sender that is told the receiver's free bytes never overruns a slow reader; a lost window update
 * is recovered by the zero-window probe; a side that does not advertise sends the original 8-byte
 * ACKs and is sent to as before; the shared receive pool lets one busy channel use it and keeps
 * every channel's own share.
 */
class ReceiveWindowTest {
    static final int PAYLOAD = 1_000;

    /** Sender Alice → receiver Bob over a fixed 1 ms one-way delay; Bob's reader takes one message per {@code readEvery} ms. */
    static final class Link {
        final SeqexConfig config;
        final SeqexCore alice;
        final SeqexCore bob;
        final ArrayDeque<long[]> bobInbox = new ArrayDeque<>(); // {seq, length}
        final List<byte[]> bobAcks = new ArrayList<>();
        final ArrayDeque<Object[]> wire = new ArrayDeque<>(); // {deliverAt, toBob, bytes}
        IntPredicate dropToAlice = i -> false; // by index of Bob's datagram
        int bobSent;
        int sent;
        int delivered;
        long now;

        Link(SeqexConfig config, boolean aliceAdvertises, boolean bobAdvertises) {
            this.config = config;
            alice = new SeqexCore(config, b -> wire.add(new Object[] {now + 1, true, b}), new Quiet());
            bob = new SeqexCore(config, b -> {
                bobAcks.add(b);
                if (!dropToAlice.test(bobSent++)) wire.add(new Object[] {now + 1, false, b});
            }, new Quiet() {
                @Override
                public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
                    bobInbox.add(new long[] {seq, payload.length});
                    delivered++;
                }
            });
            if (aliceAdvertises) alice.advertiseWindow();
            if (bobAdvertises) bob.advertiseWindow();
            alice.limitSend(1, 4); // what an application announces up front (the tunnel's OPEN answer): the first flight fits
        }

        /** Runs until {@code count} payloads in all are delivered and read (or {@code limit} ms pass); Bob reads one per {@code readEvery} ms from {@code readFrom}. */
        void run(int count, long readEvery, long readFrom, long limit) {
            byte[] p = new byte[PAYLOAD];
            while (now < limit && (delivered < count || !bobInbox.isEmpty())) {
                while (sent < count && alice.canSend(1, PAYLOAD)) {
                    alice.send(1, p, true, false, null, now);
                    sent++;
                }
                if (now >= readFrom && now % readEvery == 0 && !bobInbox.isEmpty()) {
                    long[] m = bobInbox.poll();
                    bob.consumed(1, (int) m[0], (int) m[1], now);
                }
                for (int i = wire.size(); i > 0; i--) {
                    Object[] f = wire.poll();
                    if ((Long) f[0] > now) {
                        wire.add(f);
                        continue;
                    }
                    if ((Boolean) f[1]) bob.receive((byte[]) f[2], now);
                    else alice.receive((byte[]) f[2], now);
                }
                alice.service(now);
                bob.service(now);
                now++;
            }
        }
    }

    static class Quiet implements SeqexCore.Listener {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    }

    static SeqexConfig config() {
        return SeqexConfig.defaults().withMaxPacketSize(PAYLOAD + 12).withWindow(64, 64).withRto(100, 20, 4_000, true).withReceiveBuffer(4 * PAYLOAD);
    }

    @Test
    void aSenderToldTheFreeBytesNeverOverrunsASlowReader() {
        Link told = new Link(config(), false, true);
        told.run(100, 5, 0, 60_000);
        assertEquals(100, told.delivered);
        assertEquals(0, told.bob.stats().droppedNoSpace(), "nothing sent beyond the window: " + told.bob.stats());
        assertEquals(0, told.alice.stats().retransmits(), "nothing to resend: " + told.alice.stats());
        assertTrue(told.alice.peerWindow(1) >= 0);
        assertTrue(told.alice.stats().receiverLimitedMillis() > 0, "the sender waited for the reader: " + told.alice.stats());

        // the same without the window: the sender learns the buffer by loss
        Link blind = new Link(config(), false, false);
        blind.run(100, 5, 0, 60_000);
        assertEquals(100, blind.delivered);
        assertTrue(blind.bob.stats().droppedNoSpace() > 0, "overrun without a window: " + blind.bob.stats());
        assertEquals(-1, blind.alice.peerWindow(1));
    }

    @Test
    void aZeroWindowIsProbedWhenTheWindowUpdateIsLost() {
        Link l = new Link(config(), false, true);
        l.run(4, 1, Long.MAX_VALUE, 10); // the reader does not read: four payloads fill the buffer (the persist timer, one 20 ms RTO, has not run)
        assertEquals(4, l.delivered);
        assertEquals(0, l.alice.peerWindow(1), "the last ACK advertised a full buffer");
        assertTrue(!l.alice.canSend(1, PAYLOAD));
        int before = l.bobSent;
        l.dropToAlice = i -> i >= before && i < before + 4; // the reader resumes, and its window updates are lost
        l.run(40, 1, l.now, 60_000);
        assertEquals(40, l.delivered, "no deadlock: " + l.alice.stats() + " / " + l.bob.stats());
        assertTrue(l.bob.stats().windowUpdates() >= 1, "an update was sent (and lost): " + l.bob.stats());
        assertTrue(l.alice.stats().windowProbes() >= 1, "the sender probed: " + l.alice.stats());
        assertEquals(0, l.alice.inFlight(1));
    }

    @Test
    void aReaderThatFreesTheBufferSendsAWindowUpdate() {
        Link l = new Link(config(), false, true);
        l.run(4, 1, Long.MAX_VALUE, 10);
        assertEquals(0, l.alice.peerWindow(1));
        long updates = l.bob.stats().windowUpdates();
        l.run(8, 1, l.now, 1_000); // reads resume: the update reopens the window long before a probe (100 ms RTO)
        assertEquals(8, l.delivered);
        assertTrue(l.bob.stats().windowUpdates() > updates);
        assertEquals(0, l.alice.stats().windowProbes(), l.alice.stats().toString());
        assertTrue(l.now < 30, "reopened by the update, not by the persist timer: " + l.now + " ms");
    }

    @Test
    void aSideThatDoesNotAdvertiseSendsTheOriginalAcksAndIsSentToAsBefore() {
        Link l = new Link(config().withDelayedAcks(2, 2), true, false); // Alice would advertise; Bob, an older peer's stand-in, does not
        l.run(50, 2, 0, 60_000);
        assertEquals(50, l.delivered);
        for (byte[] ack : l.bobAcks) {
            assertEquals(Codec.HEADER, ack.length, "an 8-byte ACK, as every version decodes");
            Codec.Packet p = Codec.decode(ack, 0, ack.length, config().maxPacketSize());
            assertNotNull(p);
            assertTrue(p.flags() == 0 || p.flags() == Codec.FLAG_WINDOW_OPEN || p.flags() == Codec.FLAG_CUMULATIVE, "flags " + p.flags());
        }
        assertEquals(-1, l.alice.peerWindow(1), "no window from Bob: Alice sends as before (learning the buffer by loss)");
    }

    @Test
    void windowAcksRoundTripAndMalformedOnesAreDropped() {
        int max = 16_384;
        for (int flags : new int[] {0, Codec.FLAG_WINDOW_OPEN, Codec.FLAG_CUMULATIVE}) {
            byte[] a = Codec.ack(3, -7, flags, 0xFFFF_FFFFL);
            assertEquals(Codec.WINDOW_ACK, a.length);
            Codec.Packet p = Codec.decode(a, 0, a.length, max);
            assertNotNull(p);
            assertTrue(p.hasWindow());
            assertEquals(0xFFFF_FFFFL, p.window());
            assertEquals(flags | Codec.FLAG_WINDOW, p.flags());
            assertArrayEquals(a, Codec.encode(p));
        }
        assertEquals(0xFFFF_FFFFL, Codec.decode(Codec.ack(1, 1, 0, 1L << 40), 0, 12, max).window(), "saturated");
        byte[] a = Codec.ack(1, 1, 0, 5_000);
        assertNull(Codec.decode(a, 0, Codec.HEADER, max), "the flag without its u32");
        byte[] longPlain = java.util.Arrays.copyOf(Codec.ack(1, 1, 0), Codec.WINDOW_ACK);
        assertNull(Codec.decode(longPlain, 0, longPlain.length, max), "a u32 without the flag");
        byte[] both = a.clone();
        both[1] |= Codec.FLAG_WINDOW_OPEN | Codec.FLAG_CUMULATIVE;
        assertNull(Codec.decode(both, 0, both.length, max), "WINDOW_OPEN and CUMULATIVE together");
        byte[] reserved = a.clone();
        reserved[1] |= 0x10;
        assertNull(Codec.decode(reserved, 0, reserved.length, max));
        byte[] onPayload = Codec.payload(1, 1, false, false, new byte[4]);
        onPayload[1] |= Codec.FLAG_WINDOW;
        assertNull(Codec.decode(onPayload, 0, onPayload.length, max), "WINDOW on a payload");
    }

    @Test
    void theSharedPoolLetsOneChannelUseItAndKeepsEveryChannelsShare() {
        SeqexConfig c = SeqexConfig.defaults().withMaxPacketSize(PAYLOAD + 12).withWindow(64, 64).withMaxChannels(4).withReceiveBuffer(12 * PAYLOAD);
        List<byte[]> acks = new ArrayList<>();
        SeqexCore rx = new SeqexCore(c, acks::add, new Quiet());
        rx.sharePool(2 * PAYLOAD, 8 * PAYLOAD); // 4 channels × 2 + 8 shared = 16 payloads at most
        rx.advertiseWindow();
        byte[] body = new byte[PAYLOAD];
        int[] next = new int[4];
        for (int ch = 0; ch < 4; ch++) next[ch] = Seq.initial(0, ch);
        // channel 1 alone: its share and the whole pool
        for (int i = 0; i < 12; i++) rx.receive(Codec.payload(1, next[1]++, true, false, body), 0);
        assertEquals(10L * PAYLOAD, rx.unconsumedBytes(1), "2 of its own + 8 from the pool; the rest dropped");
        assertEquals(2, rx.stats().droppedNoSpace());
        // channels 2 and 3 still get their own share, not more
        for (int ch = 2; ch <= 3; ch++) {
            for (int i = 0; i < 3; i++) rx.receive(Codec.payload(ch, next[ch]++, true, false, body), 0);
            assertEquals(2L * PAYLOAD, rx.unconsumedBytes(ch));
        }
        long total = 0;
        for (int ch = 0; ch < 4; ch++) total += rx.unconsumedBytes(ch);
        assertTrue(total <= 16L * PAYLOAD, "bounded by shares + pool: " + total);
        // the last ACK on channel 3 advertised nothing free: its share is full and the pool is used up
        byte[] last = acks.get(acks.size() - 1);
        Codec.Packet p = Codec.decode(last, 0, last.length, c.maxPacketSize());
        assertEquals(3, p.channel());
        assertEquals(0, p.window());
    }
}

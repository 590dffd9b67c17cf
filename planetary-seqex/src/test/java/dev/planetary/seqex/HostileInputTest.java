package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * An authenticated but hostile (or buggy) peer: random, mutated and protocol-violating packets.
 * The receive path never throws, counts the garbage, and stays within its memory bounds.
 */
class HostileInputTest {
    static final int SEEDS = SeqexPropertyTest.LONG ? 200 : 20;

    @Test
    void randomAndMutatedPacketsAreDroppedAndCounted() {
        for (int seed = 1; seed <= SEEDS; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            SeqexConfig cfg = SeqexConfig.defaults().withWindow(8, 4).withMaxChannels(4).withMaxPacketSize(64).withInitialSequence(rnd.nextInt());
            int[] delivered = {0};
            long[] out = {0};
            SeqexCore victim = new SeqexCore(cfg, b -> out[0]++, new SeqexCore.Listener() {
                @Override
                public void onMessage(int ch, int seq, byte[] p, boolean seqCst, boolean expectsReply) {
                    delivered[0]++;
                    assertTrue(p.length <= cfg.maxPayload() + 4);
                }

                @Override
                public void onReply(int ch, int requestSeq, Object a, byte[] p, boolean seqCst) {
                    delivered[0]++;
                }
            });
            // Give the victim some requests in flight so replies and acks have something to hit.
            for (int c = 0; c < 4; c++) for (int i = 0; i < 3; i++) victim.send(c, new byte[] {1}, i == 1, i != 0, "att", 0);
            long now = 0;
            int valid = 0;
            for (int i = 0; i < 20_000; i++) {
                now += rnd.nextInt(3);
                byte[] b;
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        b = new byte[rnd.nextInt(100)];
                        rnd.nextBytes(b);
                    }
                    case 1 -> { // well-formed, random fields, near the victim's sequence numbers
                        int ch = rnd.nextInt(6);
                        int seq = Seq.initial(cfg.initialSequence(), ch & 3) + rnd.nextInt(40) - 20;
                        b = switch (rnd.nextInt(4)) {
                            case 0 -> Codec.ack(ch, seq, rnd.nextInt(10) == 0);
                            // an advertised window of any size, with any ACK flavour (docs/seqex.md §4)
                            case 3 -> Codec.ack(ch, seq, new int[] {0, Codec.FLAG_WINDOW_OPEN, Codec.FLAG_CUMULATIVE}[rnd.nextInt(3)], rnd.nextLong(0, 1L << 33));
                            case 1 -> Codec.payload(ch, seq, rnd.nextBoolean(), rnd.nextBoolean(), new byte[rnd.nextInt(60)]);
                            default -> Codec.reply(ch, seq, seq + rnd.nextInt(8) - 4, rnd.nextBoolean(), new byte[rnd.nextInt(60)]);
                        };
                        valid++;
                    }
                    case 2 -> { // mutated valid packet
                        b = Codec.payload(rnd.nextInt(4), rnd.nextInt(), false, false, new byte[rnd.nextInt(80)]);
                        b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                        if (rnd.nextBoolean()) b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                    }
                    default -> b = rnd.nextBoolean() ? new byte[0] : null;
                }
                victim.receive(b, now);
                if (rnd.nextInt(50) == 0) victim.service(now);
                for (int c = 0; c < 4; c++) {
                    assertTrue(victim.held(c) <= 2 * cfg.window() - 1);
                    assertTrue(victim.occupancy(c) <= cfg.receiveCapacity() + 2 * cfg.window() - 1);
                    assertTrue(victim.awaitingReply(c) <= cfg.window());
                    assertTrue(victim.inFlight(c) <= 2 * cfg.window());
                    assertTrue(victim.bytesInFlight(c) >= 0);
                }
                assertTrue(victim.activeChannels() <= cfg.maxChannels());
            }
            Stats s = victim.stats();
            assertEquals(0, s.internalErrors(), "seed " + seed);
            assertTrue(s.malformed() > 1000, "garbage counted: " + s);
            assertTrue(s.packetsIn() == 20_000, s.toString());
            assertTrue(valid > 0 && delivered[0] > 0, "some well-formed packets were delivered");
        }
    }

    @Test
    void protocolViolationsAreCountedNotObeyed() {
        SeqexConfig cfg = SeqexConfig.defaults().withWindow(4, 2).withMaxChannels(2);
        int[] replies = {0};
        SeqexCore core = new SeqexCore(cfg, b -> {}, new SeqexCore.Listener() {
            @Override
            public void onMessage(int ch, int seq, byte[] p, boolean seqCst, boolean expectsReply) {}

            @Override
            public void onReply(int ch, int requestSeq, Object a, byte[] p, boolean seqCst) {
                replies[0]++;
            }
        });
        int req = core.send(0, new byte[] {1}, false, true, "request", 0);
        core.receive(Codec.ack(0, req, false), 1); // a request must be answered, not acked
        assertEquals(1, core.inFlight(0));
        core.receive(Codec.reply(0, 0, req + 1, false, new byte[0]), 2); // reply to nothing
        core.receive(Codec.ack(5, 0, false), 3); // channel beyond maxChannels
        assertEquals(3, core.stats().malformed());
        core.receive(Codec.reply(0, 0, req, false, new byte[] {9}), 4);
        core.receive(Codec.reply(0, 1, req, false, new byte[] {9}), 5); // second reply to the same request
        assertEquals(1, replies[0]);
        assertEquals(4, core.stats().malformed());
        assertEquals(0, core.inFlight(0));
        // more unanswered requests than an honest window allows
        for (int i = 0; i < 10; i++) core.receive(Codec.payload(0, 2 + i, false, true, new byte[0]), 6);
        assertTrue(core.awaitingReply(0) <= cfg.window());
        assertTrue(core.occupancy(0) <= cfg.receiveCapacity());
    }

    @Test
    void dataOnChannelsTheApplicationDidNotOpenIsDroppedAndHeldPacketsAreCapped() {
        SeqexConfig cfg = SeqexConfig.defaults().withWindow(8, 4).withMaxChannels(4);
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        int[] delivered = {0};
        java.util.Set<Integer> open = new java.util.HashSet<>(java.util.Set.of(0));
        SeqexCore core = new SeqexCore(cfg, out::add, new SeqexCore.Listener() {
            @Override
            public void onMessage(int ch, int seq, byte[] p, boolean seqCst, boolean expectsReply) {
                delivered[0]++;
            }

            @Override
            public void onReply(int ch, int requestSeq, Object a, byte[] p, boolean seqCst) {}
        });
        core.restrict(open::contains, 3);
        int isn1 = Seq.initial(0, 1);
        for (int d = 0; d < 8; d++) core.receive(Codec.payload(1, isn1 + d, true, false, new byte[100]), 1);
        assertEquals(0, delivered[0], "nothing delivered on a channel nobody opened");
        assertEquals(8, core.stats().droppedClosedChannel());
        assertTrue(out.isEmpty(), "and nothing acknowledged: an honest sender never sends there");

        // Once open, the channel takes data; then closed again, a resent duplicate is still acknowledged.
        open.add(1);
        core.receive(Codec.payload(1, isn1, true, false, new byte[1]), 2);
        assertEquals(1, delivered[0]);
        open.remove(1);
        out.clear();
        core.receive(Codec.payload(1, isn1, true, false, new byte[1]), 3);
        assertEquals(1, out.size(), "a duplicate on a closed channel is re-acknowledged");
        assertEquals(8, core.stats().droppedClosedChannel());

        // Out-of-order packets held for reordering: at most 3 across all channels.
        open.add(2);
        open.add(3);
        int isn2 = Seq.initial(0, 2);
        int isn3 = Seq.initial(0, 3);
        long noSpace = core.stats().droppedNoSpace();
        for (int d = 1; d < 8; d++) {
            core.receive(Codec.payload(2, isn2 + d, true, false, new byte[1]), 4);
            core.receive(Codec.payload(3, isn3 + d, true, false, new byte[1]), 4);
        }
        assertEquals(14 - 3, core.stats().droppedNoSpace() - noSpace, "only 3 held, the rest dropped unacknowledged");
        core.receive(Codec.payload(2, isn2, true, false, new byte[1]), 5); // fills the gap: the held ones of channel 2 are delivered
        assertTrue(delivered[0] >= 3, "held packets delivered after the gap: " + delivered[0]);
    }

    /** docs/seqex.md §4: the receive buffer counted in bytes, held packets bounded in bytes, oversized packets dropped. */
    @Test
    void receiveBufferAndHeldPacketsAreBoundedInBytes() {
        SeqexConfig cfg = SeqexConfig.defaults().withWindow(16, 16).withMaxChannels(2).withMaxPacketSize(1_012).withReceiveBuffer(3_000);
        assertThrows(IllegalArgumentException.class, () -> cfg.withReceiveBuffer(999), "a buffer smaller than one packet could never take one");
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        java.util.List<int[]> got = new java.util.ArrayList<>();
        SeqexCore core = new SeqexCore(cfg, out::add, new SeqexCore.Listener() {
            @Override
            public void onMessage(int ch, int seq, byte[] p, boolean seqCst, boolean expectsReply) {
                got.add(new int[] {ch, seq, p.length});
            }

            @Override
            public void onReply(int ch, int requestSeq, Object a, byte[] p, boolean seqCst) {}
        });
        assertThrows(IllegalArgumentException.class, () -> core.restrict(c -> true, 4, 999));
        core.restrict(c -> true, 100, 2_500);
        int isn = Seq.initial(0, 0);
        // 16 messages fit by count, but only three 1000-byte payloads by bytes
        for (int d = 0; d < 5; d++) core.receive(Codec.payload(0, isn + d, false, false, new byte[1_000]), 1);
        assertEquals(3, got.size());
        assertEquals(3_000, core.unconsumedBytes(0));
        assertEquals(2, core.stats().droppedNoSpace(), "the fourth and fifth did not fit: dropped unacknowledged");
        // a packet larger than we accept (maxPacketSize) is malformed, never buffered
        core.receive(Codec.payload(0, isn + 3, false, false, new byte[1_005]), 2); // 1,013 bytes with its header
        assertEquals(1, core.stats().malformed());
        assertEquals(3_000, core.unconsumedBytes(0));
        // consuming one frees exactly its bytes and tells the sender there is room again
        out.clear();
        core.consumed(0, got.get(0)[1], 1_000, 3);
        assertEquals(2_000, core.unconsumedBytes(0));
        Codec.Packet open = Codec.decode(out.get(out.size() - 1), 0, out.get(out.size() - 1).length, cfg.maxPacketSize());
        assertTrue(open.isAck() && open.windowOpen(), "WINDOW_OPEN once a largest packet fits again");
        assertThrows(IllegalStateException.class, () -> core.consumed(0, got.get(1)[1], 2_001, 4), "more bytes than are unconsumed");
        // out-of-order SeqCst packets on channel 1: held while their bytes stay within 2,500
        int isn1 = Seq.initial(0, 1);
        long noSpace = core.stats().droppedNoSpace();
        for (int d = 1; d <= 4; d++) core.receive(Codec.payload(1, isn1 + d, true, false, new byte[1_000]), 5);
        assertEquals(2_000, core.heldBytes());
        assertEquals(2, core.stats().droppedNoSpace() - noSpace, "a third 1000-byte held packet would exceed 2,500 bytes");
        core.receive(Codec.payload(1, isn1, true, false, new byte[10]), 6); // fills the gap: the two held are delivered in order
        assertEquals(0, core.heldBytes());
        assertEquals(2_010, core.unconsumedBytes(1));
        assertEquals(0, core.stats().internalErrors());
    }
}

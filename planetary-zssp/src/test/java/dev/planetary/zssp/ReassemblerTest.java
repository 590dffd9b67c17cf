package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ZFP reassembly (spec §10.5, §13 D6): permutations, duplicates, conflicts, bounds, expiry. */
class ReassemblerTest {
    static final long TIMEOUT = 5_000;

    static List<byte[]> fragments(byte[] packet, int mtu, long counter) {
        FragmenterTest.Capture c = new FragmenterTest.Capture();
        Fragmenter.send(c, mtu, packet, packet.length, 7, 8, counter, null);
        return c.datagrams;
    }

    static byte[] add(Reassembler r, byte[] d, long now) {
        return r.add(d, 0, d.length, null, now);
    }

    @Test
    void anyPermutationReassembles() {
        SplittableRandom r = new SplittableRandom(1);
        Random shuffle = new Random(2);
        for (int run = 0; run < 500; run++) {
            int mtu = 128 + r.nextInt(1_400);
            int len = 16 + r.nextInt(Math.min(20_000, 48 * (mtu - 16) - 16));
            byte[] packet = new byte[len];
            r.nextBytes(packet);
            List<byte[]> frags = new ArrayList<>(fragments(packet, mtu, run));
            Collections.shuffle(frags, shuffle);
            Reassembler re = new Reassembler(16, Context.MAX_SESSION_PACKET, TIMEOUT, run);
            for (int i = 0; i < frags.size(); i++) {
                byte[] out = add(re, frags.get(i), 0);
                if (i < frags.size() - 1) {
                    assertNull(out, "run " + run + ": complete before the last fragment");
                } else {
                    assertArrayEquals(packet, out, "run " + run + ": L=" + len + " mtu=" + mtu + " n=" + frags.size());
                }
            }
            assertEquals(0, re.pending(), "completed packets are removed at once (§13 D6)");
            // The same packet again (e.g. an identical resend) reassembles again.
            for (int i = 0; i < frags.size(); i++) {
                byte[] out = add(re, frags.get(i), 1);
                if (i == frags.size() - 1) assertArrayEquals(packet, out);
            }
        }
    }

    @Test
    void duplicatesAndConflictsAreRejected() {
        byte[] packet = new byte[1_000];
        new SplittableRandom(3).nextBytes(packet);
        List<byte[]> f = fragments(packet, 300, 9);
        assertTrue(f.size() >= 3);
        Reassembler re = new Reassembler(16, Context.MAX_SESSION_PACKET, TIMEOUT, 4);
        assertNull(add(re, f.get(0), 0));
        assertSame(Reassembler.CONFLICT, add(re, f.get(0), 0), "duplicate fragment number");
        byte[] wrongCount = f.get(1).clone();
        wrongCount[5] = (byte) (f.size() + 1);
        assertSame(Reassembler.CONFLICT, add(re, wrongCount, 0), "count differs from the first fragment's");
        byte[] tooLong = java.util.Arrays.copyOf(f.get(1), f.get(1).length + 2);
        assertSame(Reassembler.CONFLICT, add(re, tooLong, 0), "size differs from the first fragment's by more than 1");
        for (int i = 1; i < f.size() - 1; i++) assertNull(add(re, f.get(i), 0));
        assertArrayEquals(packet, add(re, f.get(f.size() - 1), 0), "conflicts did not spoil the entry");
    }

    @Test
    void boundedBySlotsAndSize() {
        Reassembler re = new Reassembler(4, 2_000, TIMEOUT, 5);
        SplittableRandom r = new SplittableRandom(6);
        for (int c = 0; c < 200; c++) {
            byte[] packet = new byte[1_500];
            r.nextBytes(packet);
            assertNull(add(re, fragments(packet, 200, c).get(0), 0));
            assertTrue(re.pending() <= 4, "at most as many partial packets as slots");
        }
        // A first fragment claiming more than maxPacket in total is refused outright.
        byte[] big = new byte[3_000];
        assertSame(Reassembler.CONFLICT, add(re, fragments(big, 200, 999).get(0), 0));
        // Shared Hello buffer: a Hello-sized packet passes, anything larger is refused.
        Reassembler hello = new Reassembler(8, 1_749, TIMEOUT, 7);
        List<byte[]> h = fragments(new byte[1_749], 128, 1);
        byte[] out = null;
        for (byte[] d : h) out = hello.add(d, 0, d.length, new byte[] {1}, 0);
        assertEquals(1_749, out.length);
        assertSame(Reassembler.CONFLICT, hello.add(fragments(new byte[1_900], 128, 2).get(0), 0, 128, new byte[] {1}, 0));
    }

    @Test
    void partialPacketsExpire() {
        byte[] packet = new byte[1_000];
        new SplittableRandom(8).nextBytes(packet);
        List<byte[]> f = fragments(packet, 300, 3);
        Reassembler re = new Reassembler(16, Context.MAX_SESSION_PACKET, TIMEOUT, 9);
        assertNull(add(re, f.get(0), 1_000));
        re.expire(1_000 + TIMEOUT - 1);
        assertEquals(1, re.pending());
        re.expire(1_000 + TIMEOUT);
        assertEquals(0, re.pending(), "dropped when its time is up");
        for (int i = 1; i < f.size(); i++) assertNull(add(re, f.get(i), 1_000 + TIMEOUT), "the lost first fragment is not resurrected");

        Reassembler back = new Reassembler(16, Context.MAX_SESSION_PACKET, TIMEOUT, 10);
        assertNull(add(back, f.get(0), 10_000_000));
        back.expire(10_000_000 - 3_600_000); // the clock jumped back an hour
        assertEquals(0, back.pending(), "an entry whose deadline is more than a timeout away cannot be live");
    }
}

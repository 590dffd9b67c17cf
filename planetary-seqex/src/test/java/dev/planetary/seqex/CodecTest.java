package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.seqex.Codec.Packet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CodecTest {
    static final int MAX = 4096;

    @Test
    void roundTripOfEveryKind() {
        byte[] data = {1, 2, 3, (byte) 0xff};
        Packet[] ps = {
            new Packet(Codec.ACK, 0, 0, 0, 0, new byte[0]),
            new Packet(Codec.ACK, Codec.FLAG_WINDOW_OPEN, 65535, -1, 0, new byte[0]),
            new Packet(Codec.PAYLOAD, 0, 7, 0x7fffffff, 0, data),
            new Packet(Codec.PAYLOAD, Codec.FLAG_EXPECT_REPLY, 7, 0x80000000, 0, new byte[0]),
            new Packet(Codec.PAYLOAD_SEQCST, 0, 1, 42, 0, data),
            new Packet(Codec.PAYLOAD_SEQCST, Codec.FLAG_EXPECT_REPLY, 1, 43, 0, data),
            new Packet(Codec.REPLY, 0, 300, 5, 0xfffffffe, data),
            new Packet(Codec.REPLY_SEQCST, 0, 300, 6, 17, new byte[0]),
        };
        for (Packet p : ps) {
            byte[] wire = Codec.encode(p);
            assertEquals(p.isAck() ? 8 : p.isReply() ? 12 + p.payload().length : 8 + p.payload().length, wire.length);
            assertEquals(0x10 | p.kind(), wire[0] & 0xff, "version 1 in the high nibble");
            Packet q = Codec.decode(wire, 0, wire.length, MAX);
            assertNotNull(q, p.toString());
            assertEquals(p.kind(), q.kind());
            assertEquals(p.flags(), q.flags());
            assertEquals(p.channel(), q.channel());
            assertEquals(p.seq(), q.seq());
            assertEquals(p.replyTo(), q.replyTo());
            assertArrayEquals(p.payload(), q.payload());
            assertArrayEquals(wire, Codec.encode(q));
            // at an offset inside a larger buffer
            byte[] big = new byte[wire.length + 10];
            System.arraycopy(wire, 0, big, 5, wire.length);
            assertArrayEquals(wire, Codec.encode(Codec.decode(big, 5, wire.length, MAX)));
        }
    }

    /** A payload decoded without a copy shares the datagram and reads the same as a copied one; replies are still copied. */
    @Test
    void decodingWithoutACopySharesTheDatagram() {
        SplittableRandom rnd = new SplittableRandom(19);
        for (int i = 0; i < 2_000; i++) {
            byte[] data = new byte[rnd.nextInt(64)];
            rnd.nextBytes(data);
            int kind = new int[] {Codec.PAYLOAD, Codec.PAYLOAD_SEQCST, Codec.REPLY, Codec.REPLY_SEQCST}[rnd.nextInt(4)];
            byte[] wire = Codec.encode(new Packet(kind, 0, rnd.nextInt(65536), rnd.nextInt(), rnd.nextInt(), data));
            int off = rnd.nextInt(8);
            byte[] big = new byte[off + wire.length + rnd.nextInt(8)];
            System.arraycopy(wire, 0, big, off, wire.length);
            Packet copied = Codec.decode(big, off, wire.length, MAX, true);
            Packet shared = Codec.decode(big, off, wire.length, MAX, false);
            assertEquals(data.length, shared.length());
            assertArrayEquals(data, shared.payload());
            assertArrayEquals(copied.payload(), shared.payload());
            assertArrayEquals(wire, Codec.encode(shared));
            if (shared.isReply()) assertTrue(shared.bytes() != big, "a reply gets its own array");
            else assertTrue(shared.bytes() == big && shared.payloadOff() == off + Codec.HEADER, "a payload is a view of the datagram");
        }
        // hostile bytes: the no-copy decode never throws either
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = new byte[rnd.nextInt(40)];
            rnd.nextBytes(junk);
            Packet p = Codec.decode(junk, 0, junk.length, MAX, false);
            if (p != null) assertTrue(p.payloadOff() + p.length() <= p.bytes().length);
        }
    }

    @Test
    void fixedLayoutBytes() {
        byte[] reply = Codec.reply(0x0102, 0x03040506, 0x0708090a, true, new byte[] {(byte) 0xee});
        assertArrayEquals(new byte[] {0x14, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, (byte) 0xee}, reply);
        byte[] ack = Codec.ack(9, 1, true);
        assertArrayEquals(new byte[] {0x10, 2, 0, 9, 0, 0, 0, 1}, ack);
        byte[] req = Codec.payload(0, -2, false, true, new byte[0]);
        assertArrayEquals(new byte[] {0x11, 1, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe}, req);
    }

    @Test
    void rejectsTruncatedPackets() {
        byte[] payload = Codec.payload(1, 2, false, false, new byte[5]);
        byte[] reply = Codec.reply(1, 2, 3, false, new byte[5]);
        byte[] ack = Codec.ack(1, 2, false);
        for (int len = 0; len < 8; len++) {
            assertNull(Codec.decode(payload, 0, len, MAX));
            assertNull(Codec.decode(ack, 0, len, MAX));
        }
        for (int len = 8; len < 12; len++) assertNull(Codec.decode(reply, 0, len, MAX), "reply needs 12 header bytes");
        assertNull(Codec.decode(null, 0, 0, MAX));
        assertNull(Codec.decode(payload, 10, payload.length, MAX), "range past the array");
        assertNull(Codec.decode(payload, -1, 8, MAX));
    }

    @Test
    void rejectsOversizedAndUnknownPackets() {
        byte[] p = Codec.payload(1, 2, false, false, new byte[100]);
        assertNull(Codec.decode(p, 0, p.length, 107), "longer than maxPacket");
        assertNotNull(Codec.decode(p, 0, p.length, 108));
        byte[] ackWithBody = new byte[9];
        System.arraycopy(Codec.ack(1, 1, false), 0, ackWithBody, 0, 8);
        assertNull(Codec.decode(ackWithBody, 0, 9, MAX), "ACK with trailing bytes");
        for (int kind = 5; kind < 16; kind++) {
            byte[] b = p.clone();
            b[0] = (byte) (0x10 | kind);
            assertNull(Codec.decode(b, 0, b.length, MAX), "kind " + kind);
        }
        for (int v : new int[] {0, 2, 15}) {
            byte[] b = p.clone();
            b[0] = (byte) ((v << 4) | Codec.PAYLOAD);
            assertNull(Codec.decode(b, 0, b.length, MAX), "version " + v);
        }
        byte[] b = p.clone();
        b[1] = (byte) 0x80;
        assertNull(Codec.decode(b, 0, b.length, MAX), "unknown flag");
        b[1] = Codec.FLAG_WINDOW_OPEN;
        assertNull(Codec.decode(b, 0, b.length, MAX), "window-open only on ACK");
        byte[] r = Codec.reply(1, 2, 3, false, new byte[0]);
        r[1] = Codec.FLAG_EXPECT_REPLY;
        assertNull(Codec.decode(r, 0, r.length, MAX), "replies expect no reply");
        byte[] a = Codec.ack(1, 2, false);
        a[1] = Codec.FLAG_EXPECT_REPLY;
        assertNull(Codec.decode(a, 0, a.length, MAX));
        assertThrows(IllegalArgumentException.class, () -> Codec.ack(65536, 0, false));
    }

    @Test
    void randomBytesNeverThrow() {
        SplittableRandom rnd = new SplittableRandom(7);
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[rnd.nextInt(40)];
            rnd.nextBytes(b);
            if (rnd.nextBoolean() && b.length > 0) b[0] = (byte) (0x10 | rnd.nextInt(6));
            Packet p = Codec.decode(b, 0, b.length, 32);
            if (p != null) {
                accepted++;
                assertArrayEquals(b, Codec.encode(p), "canonical encoding");
            }
        }
        assertTrue(accepted > 100, "some random packets are valid: " + accepted);
    }

    @Test
    void wrappingSequenceArithmetic() {
        assertEquals(1, Seq.diff(0, -1));
        assertEquals(-1, Seq.diff(0xffffffff, 0));
        assertEquals(16, Seq.diff(8, 0xfffffff8));
        assertTrue(Seq.before(0xffffffff, 0));
        assertTrue(Seq.before(0x7fffffff, 0x80000000));
        assertFalse(Seq.before(0, 0xffffffff));
        assertFalse(Seq.before(5, 5));
        assertTrue(Seq.inWindow(0, 0xfffffffc, 8));
        assertTrue(Seq.inWindow(3, 0xfffffffc, 8));
        assertFalse(Seq.inWindow(4, 0xfffffffc, 8));
        assertFalse(Seq.inWindow(0xfffffffb, 0xfffffffc, 8));
        assertTrue(Seq.inWindow(0xfffffffc, 0xfffffffc, 1));
        assertFalse(Seq.inWindow(0xfffffffc, 0xfffffffc, 0));
        assertTrue(Seq.inWindow(0x7fffffff, 0x80000000, 0x80000000) == false);
        assertEquals(0, Seq.initial(0, 0));
        assertEquals(0x9E3779B9, Seq.initial(0, 1));
        assertEquals(0x9E3779B9 * 2 + 5, Seq.initial(5, 2));
    }

    @Test
    void coreAcrossTheWrapBoundary() {
        // One window of traffic straddling 2^32 on a lossless network, both directions.
        SimNet net = new SimNet(1, 0, 0, 1, 1);
        SeqexConfig cfg = SeqexConfig.defaults().withWindow(8, 8).withInitialSequence(-5).withMaxChannels(1);
        java.util.List<Integer> seqs = new java.util.ArrayList<>();
        SeqexCore[] cores = new SeqexCore[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            cores[i] = new SeqexCore(cfg, net.carrier(i), new SeqexCore.Listener() {
                @Override
                public void onMessage(int ch, int seq, byte[] p, boolean seqCst, boolean expectsReply) {
                    seqs.add(seq);
                    cores[me].consumed(ch, seq, p.length, net.now);
                }

                @Override
                public void onReply(int ch, int requestSeq, Object a, byte[] p, boolean seqCst) {}
            });
            net.attach(i, (d, t) -> cores[me].receive(d, t));
        }
        for (int n = 0; n < 12; n++) {
            cores[0].send(0, new byte[] {(byte) n}, n % 2 == 0, false, null, net.now);
            net.advanceTo(net.now + 5);
        }
        assertEquals(java.util.List.of(-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6), seqs);
        assertEquals(0, cores[0].inFlight(0));
    }
}

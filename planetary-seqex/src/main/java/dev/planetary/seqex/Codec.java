package dev.planetary.seqex;

import java.util.Arrays;

/**
 * The SEQEX wire format (docs/seqex.md §Wire format). All integers big-endian.
 *
 * <pre>
 *  0        1        2..3       4..7        8..11              payload
 *  ver|kind flags    channel    seq         reply-to (replies)  ...
 * </pre>
 *
 * byte 0: high nibble version (1), low nibble kind. ACK is exactly 8 bytes. PAYLOAD and
 * PAYLOAD_SEQCST have an 8-byte header, REPLY and REPLY_SEQCST a 12-byte header. Flags:
 * EXPECT_REPLY (payload kinds only), WINDOW_OPEN or CUMULATIVE (ACK only, not both), WINDOW (ACK
 * only, with or without either: the ACK is 12 bytes, a u32 of the receiver's free buffer bytes
 * follows the header); every other bit must be zero.
 */
final class Codec {
    private Codec() {}

    static final int VERSION = 1;
    static final int ACK = 0;
    static final int PAYLOAD = 1;
    static final int PAYLOAD_SEQCST = 2;
    static final int REPLY = 3;
    static final int REPLY_SEQCST = 4;

    static final int FLAG_EXPECT_REPLY = 0x01;
    static final int FLAG_WINDOW_OPEN = 0x02;
    /** ACK only: acknowledges every packet before {@code seq} (docs/seqex.md §1, delayed acks). */
    static final int FLAG_CUMULATIVE = 0x04;
    /** ACK only: a u32 follows, the free bytes of the receiver's buffer for the channel (docs/seqex.md §1, §4). */
    static final int FLAG_WINDOW = 0x08;

    static final int HEADER = 8;
    /** An ACK that carries a window: the header and the u32. */
    static final int WINDOW_ACK = HEADER + 4;
    static final int REPLY_HEADER = 12;

    /**
     * A decoded packet. {@code replyTo} is 0 unless {@link #isReply()}; {@code payload} is empty for
     * ACKs; {@code window} is the advertised free bytes of an ACK with {@link #FLAG_WINDOW}, else 0.
     * The payload is {@code bytes[payloadOff, payloadOff+length)}: a payload decoded without a copy
     * ({@link Codec#decode(byte[], int, int, int, boolean)}) shares the datagram's array.
     */
    record Packet(int kind, int flags, int channel, int seq, int replyTo, byte[] bytes, long window, int payloadOff, int length) {
        Packet(int kind, int flags, int channel, int seq, int replyTo, byte[] payload, long window) {
            this(kind, flags, channel, seq, replyTo, payload, window, 0, payload.length);
        }

        Packet(int kind, int flags, int channel, int seq, int replyTo, byte[] payload) {
            this(kind, flags, channel, seq, replyTo, payload, 0);
        }

        /** The payload as an array of its own length (a copy when it shares the datagram's array). */
        byte[] payload() {
            return exact(bytes, payloadOff, length);
        }

        boolean isAck() {
            return kind == ACK;
        }

        boolean isReply() {
            return kind == REPLY || kind == REPLY_SEQCST;
        }

        boolean seqCst() {
            return kind == PAYLOAD_SEQCST || kind == REPLY_SEQCST;
        }

        boolean expectReply() {
            return (flags & FLAG_EXPECT_REPLY) != 0;
        }

        boolean windowOpen() {
            return (flags & FLAG_WINDOW_OPEN) != 0;
        }

        boolean cumulative() {
            return (flags & FLAG_CUMULATIVE) != 0;
        }

        boolean hasWindow() {
            return (flags & FLAG_WINDOW) != 0;
        }
    }

    static int kind(boolean reply, boolean seqCst) {
        return reply ? (seqCst ? REPLY_SEQCST : REPLY) : (seqCst ? PAYLOAD_SEQCST : PAYLOAD);
    }

    static byte[] ack(int channel, int seq, boolean windowOpen) {
        return ack(channel, seq, windowOpen ? FLAG_WINDOW_OPEN : 0);
    }

    /** A cumulative ACK: every packet before {@code next} (the receiver's next expected sequence number) arrived. */
    static byte[] cumulativeAck(int channel, int next) {
        return ack(channel, next, FLAG_CUMULATIVE);
    }

    /** An ACK with {@code flags} (WINDOW_OPEN, CUMULATIVE or none; not WINDOW: {@link #ack(int, int, int, long)} adds it). */
    static byte[] ack(int channel, int seq, int flags) {
        byte[] b = new byte[HEADER];
        header(b, ACK, flags, channel, seq);
        return b;
    }

    /** An ACK with {@code flags} (which include {@link #FLAG_WINDOW}) advertising {@code window} free bytes (saturated at 2^32 − 1). */
    static byte[] ack(int channel, int seq, int flags, long window) {
        byte[] b = new byte[WINDOW_ACK];
        header(b, ACK, flags | FLAG_WINDOW, channel, seq);
        putInt(b, HEADER, (int) Math.min(0xFFFF_FFFFL, Math.max(0, window)));
        return b;
    }

    static byte[] payload(int channel, int seq, boolean seqCst, boolean expectReply, byte[] payload) {
        return payload(channel, seq, seqCst, expectReply, payload, 0, payload.length);
    }

    /** As {@link #payload(int, int, boolean, boolean, byte[])} for {@code payload[off, off+len)}. */
    static byte[] payload(int channel, int seq, boolean seqCst, boolean expectReply, byte[] payload, int off, int len) {
        byte[] b = new byte[HEADER + len];
        payloadInto(b, channel, seq, seqCst, expectReply, payload, off, len);
        return b;
    }

    /** As {@link #payload(int, int, boolean, boolean, byte[], int, int)} written into {@code b} (a pooled array); returns the packet's length. */
    static int payloadInto(byte[] b, int channel, int seq, boolean seqCst, boolean expectReply, byte[] payload, int off, int len) {
        // the copy first (straight after the allocation when inlined into payload): C2 then zeroes only the header of a new packet
        System.arraycopy(payload, off, b, HEADER, len);
        header(b, seqCst ? PAYLOAD_SEQCST : PAYLOAD, expectReply ? FLAG_EXPECT_REPLY : 0, channel, seq);
        return HEADER + len;
    }

    static byte[] reply(int channel, int seq, int replyTo, boolean seqCst, byte[] payload) {
        byte[] b = new byte[REPLY_HEADER + payload.length];
        header(b, seqCst ? REPLY_SEQCST : REPLY, 0, channel, seq);
        putInt(b, 8, replyTo);
        System.arraycopy(payload, 0, b, REPLY_HEADER, payload.length);
        return b;
    }

    static byte[] encode(Packet p) {
        return switch (p.kind()) {
            case ACK -> p.hasWindow() ? ack(p.channel(), p.seq(), p.flags(), p.window()) : ack(p.channel(), p.seq(), p.flags());
            case PAYLOAD, PAYLOAD_SEQCST -> payload(p.channel(), p.seq(), p.seqCst(), p.expectReply(), p.payload());
            case REPLY, REPLY_SEQCST -> reply(p.channel(), p.seq(), p.replyTo(), p.seqCst(), p.payload());
            default -> throw new IllegalArgumentException("unknown kind " + p.kind());
        };
    }

    /**
     * Decodes {@code b[off, off+len)}; null if malformed (truncated, longer than {@code maxPacket},
     * unknown version, kind or flag, ACK with trailing bytes). Never throws for any input.
     */
    static Packet decode(byte[] b, int off, int len, int maxPacket) {
        return decode(b, off, len, maxPacket, true);
    }

    /**
     * As {@link #decode(byte[], int, int, int)}; with {@code copy} false a payload (not a reply's)
     * shares {@code b}, which the caller then never modifies (the bulk path: one 64 KiB copy less per packet).
     */
    static Packet decode(byte[] b, int off, int len, int maxPacket, boolean copy) {
        if (b == null || off < 0 || len < HEADER || len > maxPacket || off > b.length - len) return null;
        int v = (b[off] >> 4) & 0x0f;
        int kind = b[off] & 0x0f;
        int flags = b[off + 1] & 0xff;
        if (v != VERSION) return null;
        int channel = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
        int seq = getInt(b, off + 4);
        switch (kind) {
            case ACK -> {
                int base = flags & ~FLAG_WINDOW;
                boolean window = base != flags;
                if (len != (window ? WINDOW_ACK : HEADER) || (base != 0 && base != FLAG_WINDOW_OPEN && base != FLAG_CUMULATIVE)) return null;
                return new Packet(ACK, flags, channel, seq, 0, EMPTY, window ? Integer.toUnsignedLong(getInt(b, off + HEADER)) : 0);
            }
            case PAYLOAD, PAYLOAD_SEQCST -> {
                if ((flags & ~FLAG_EXPECT_REPLY) != 0) return null;
                if (!copy) return new Packet(kind, flags, channel, seq, 0, b, 0, off + HEADER, len - HEADER);
                return new Packet(kind, flags, channel, seq, 0, copy(b, off + HEADER, len - HEADER));
            }
            case REPLY, REPLY_SEQCST -> {
                if (len < REPLY_HEADER || flags != 0) return null;
                return new Packet(kind, 0, channel, seq, getInt(b, off + 8), copy(b, off + REPLY_HEADER, len - REPLY_HEADER));
            }
            default -> {
                return null;
            }
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /** {@code b[off, off+len)} as an array of its own length: {@code b} itself when it is exactly that, else a copy. */
    static byte[] exact(byte[] b, int off, int len) {
        return off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len);
    }

    private static byte[] copy(byte[] b, int off, int len) {
        byte[] p = new byte[len];
        System.arraycopy(b, off, p, 0, len);
        return p;
    }

    private static void header(byte[] b, int kind, int flags, int channel, int seq) {
        if (channel < 0 || channel > 0xffff) throw new IllegalArgumentException("channel must be in [0, 65535], got " + channel);
        b[0] = (byte) ((VERSION << 4) | kind);
        b[1] = (byte) flags;
        b[2] = (byte) (channel >>> 8);
        b[3] = (byte) channel;
        putInt(b, 4, seq);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}

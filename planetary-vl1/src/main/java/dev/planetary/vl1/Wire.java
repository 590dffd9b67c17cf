package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.Arrays;

/** Bounds-checked big-endian cursor and growable writer shared by the codecs (package-private). */
final class Wire {

    /** Reads 5 big-endian bytes at {@code off}; {@code null} if they are not a valid address (§2.4). */
    static Address readAddress(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < Address.SIZE; i++) v = (v << 8) | (b[off + i] & 0xff);
        return Address.isValid(v) ? new Address(v) : null;
    }

    private Wire() {}

    /** Thrown inside the decoder only; {@link Vl1Codec#decode} turns it into {@link Decoded.Malformed}. */
    static final class MalformedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedException(String reason) {
            super(reason, null, false, false);
        }
    }

    static MalformedException malformed(String reason) {
        return new MalformedException(reason);
    }

    static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int off, int len) {
            this.b = b;
            this.pos = off;
            this.end = off + len;
        }

        int remaining() {
            return end - pos;
        }

        private void need(int n, String what) {
            if (n > end - pos) throw malformed("truncated " + what);
        }

        int u8(String what) {
            need(1, what);
            return b[pos++] & 0xff;
        }

        int u16(String what) {
            need(2, what);
            int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int u32(String what) {
            need(4, what);
            int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long u64(String what) {
            long hi = u32(what) & 0xffffffffL;
            return (hi << 32) | (u32(what) & 0xffffffffL);
        }

        long u48(String what) {
            long hi = u16(what);
            return (hi << 32) | (u32(what) & 0xffffffffL);
        }

        Address address(String what) {
            need(5, what);
            Address a = readAddress(b, pos);
            if (a == null) throw malformed("invalid address in " + what);
            pos += 5;
            return a;
        }

        Bytes bytes(int n, String what) {
            need(n, what);
            Bytes v = Bytes.of(b, pos, n);
            pos += n;
            return v;
        }

        Bytes rest() {
            return bytes(end - pos, "rest");
        }

        /** A sub-reader over the next {@code n} bytes; this reader skips them. */
        Reader slice(int n, String what) {
            need(n, what);
            Reader r = new Reader(b, pos, n);
            pos += n;
            return r;
        }

        void end(String what) {
            if (pos != end) throw malformed((end - pos) + " trailing bytes after " + what);
        }
    }

    static final class Writer {
        private byte[] b = new byte[64];
        private int len;

        private void room(int n) {
            if (len + n > b.length) b = Arrays.copyOf(b, Math.max(b.length * 2, len + n));
        }

        Writer u8(int v) {
            room(1);
            b[len++] = (byte) v;
            return this;
        }

        Writer u16(int v) {
            room(2);
            b[len++] = (byte) (v >>> 8);
            b[len++] = (byte) v;
            return this;
        }

        Writer u32(int v) {
            room(4);
            for (int s = 24; s >= 0; s -= 8) b[len++] = (byte) (v >>> s);
            return this;
        }

        Writer u48(long v) {
            room(6);
            for (int s = 40; s >= 0; s -= 8) b[len++] = (byte) (v >>> s);
            return this;
        }

        Writer u64(long v) {
            room(8);
            for (int s = 56; s >= 0; s -= 8) b[len++] = (byte) (v >>> s);
            return this;
        }

        Writer address(Address a) {
            room(5);
            a.write(b, len);
            len += 5;
            return this;
        }

        Writer bytes(Bytes v) {
            room(v.length());
            v.copyTo(b, len);
            len += v.length();
            return this;
        }

        int length() {
            return len;
        }

        /** Overwrites a u16 written earlier at {@code at} (length prefixes). */
        void patchU16(int at, int v) {
            b[at] = (byte) (v >>> 8);
            b[at + 1] = (byte) v;
        }

        byte[] toArray() {
            return Arrays.copyOf(b, len);
        }
    }
}

package dev.planetary.vl1;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string with value equality, for the opaque fields of messages (a relayed ZSSP
 * datagram, a root set, a user payload, a TLV value). Copies in and out.
 */
public final class Bytes {
    /** The empty byte string. */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] b;

    private Bytes(byte[] owned) {
        this.b = owned;
    }

    /** A copy of {@code bytes}. */
    public static Bytes of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /** A copy of {@code bytes[off, off+len)}. */
    public static Bytes of(byte[] bytes, int off, int len) {
        return len == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(bytes, off, off + len));
    }

    /** Parses lowercase or uppercase hex. */
    public static Bytes fromHex(String hex) {
        return of(HexFormat.of().parseHex(hex));
    }

    public int length() {
        return b.length;
    }

    public byte get(int i) {
        return b[i];
    }

    /** A fresh copy of the bytes. */
    public byte[] toArray() {
        return b.clone();
    }

    /** Copies the bytes to {@code out} at {@code off}. */
    public void copyTo(byte[] out, int off) {
        System.arraycopy(b, 0, out, off, b.length);
    }

    public String hex() {
        return HexFormat.of().formatHex(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(b, other.b);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(b);
    }

    /** Hex of at most the first 32 bytes and the length (safe to log: hex never carries control characters). */
    @Override
    public String toString() {
        return b.length <= 32 ? hex() : HexFormat.of().formatHex(b, 0, 32) + "…(" + b.length + " bytes)";
    }
}

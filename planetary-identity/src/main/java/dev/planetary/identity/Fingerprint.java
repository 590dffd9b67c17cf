package dev.planetary.identity;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SHA-384 of an identity's public key bytes (spec §2.2): what identifies a node. Equality compares
 * in constant time; ordering is the 48 bytes as an unsigned big-endian integer (glare, spec §3.2).
 */
public final class Fingerprint implements Comparable<Fingerprint> {
    public static final int SIZE = 48;
    /** Length of the base32 text. */
    public static final int TEXT_LENGTH = 77;
    /** Length of the display-only short form. */
    public static final int SHORT_LENGTH = 16;

    private final byte[] bytes;

    private Fingerprint(byte[] bytes) {
        this.bytes = bytes;
    }

    /** From exactly 48 bytes (copied). */
    public static Fingerprint of(byte[] bytes) {
        if (bytes == null || bytes.length != SIZE) throw new IllegalArgumentException("a fingerprint is 48 bytes");
        return new Fingerprint(bytes.clone());
    }

    public static Fingerprint read(byte[] b, int off) {
        return new Fingerprint(Arrays.copyOfRange(b, off, off + SIZE));
    }

    /** Parses the 77-character base32 form. */
    public static Optional<Fingerprint> parse(CharSequence text) {
        return Base32.decode(text, SIZE).map(Fingerprint::new);
    }

    public byte[] toBytes() {
        return bytes.clone();
    }

    public void write(byte[] out, int off) {
        System.arraycopy(bytes, 0, out, off, SIZE);
    }

    /** Constant-time comparison with 48 bytes at {@code b[off]}. */
    public boolean matches(byte[] b, int off) {
        if (b == null || off < 0 || off > b.length - SIZE) return false;
        int diff = 0;
        for (int i = 0; i < SIZE; i++) diff |= bytes[i] ^ b[off + i];
        return diff == 0;
    }

    public String toBase32() {
        return Base32.encode(bytes);
    }

    /** The first 16 base32 characters: display only, never for comparisons. */
    public String toShortString() {
        return toBase32().substring(0, SHORT_LENGTH);
    }

    public String toHex() {
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && MessageDigest.isEqual(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Fingerprint o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** The base32 form. */
    @Override
    public String toString() {
        return toBase32();
    }
}

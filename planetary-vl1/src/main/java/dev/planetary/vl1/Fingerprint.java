package dev.planetary.vl1;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 48-byte identity fingerprint, SHA-384 of the public key bytes (§2.2). Two identities are the same
 * iff their fingerprints are equal; {@link #equals} compares in constant time. Ordering (used for
 * glare, §3.2) is the unsigned big-endian integer order.
 *
 * <p>A small stand-in until the identity module provides the canonical type.
 */
public final class Fingerprint implements Comparable<Fingerprint> {
    private final byte[] fp;

    private Fingerprint(byte[] owned) {
        this.fp = owned;
    }

    /** A copy of 48 bytes. */
    public static Fingerprint of(byte[] bytes) {
        if (bytes.length != Vl1Limits.FINGERPRINT_BYTES) {
            throw new IllegalArgumentException("a fingerprint is 48 bytes, got " + bytes.length);
        }
        return new Fingerprint(bytes.clone());
    }

    public byte[] toBytes() {
        return fp.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint other && MessageDigest.isEqual(fp, other.fp);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fp);
    }

    @Override
    public int compareTo(Fingerprint o) {
        return Arrays.compareUnsigned(fp, o.fp);
    }

    /** Lowercase hex (the canonical text form is base32, §2.9, which the identity module provides). */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(fp);
    }
}

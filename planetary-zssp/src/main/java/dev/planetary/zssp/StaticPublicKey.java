package dev.planetary.zssp;

import dev.planetary.zssp.crypto.P384PublicKey;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A peer's long-term static public key: a validated P-384 point, 49 bytes compressed SEC1 on the
 * wire and in {@code .pub} files (lowercase hex). Immutable; equal when the encodings are equal.
 */
public final class StaticPublicKey {
    public static final int ENCODED_SIZE = 49;

    /** Only the encoding is kept (73 bytes instead of ≈ 400 with the decoded point): a responder may hold a million. */
    private final byte[] encoded;

    StaticPublicKey(P384PublicKey point) {
        this.encoded = point.encoded();
    }

    /** Parses the 49-byte compressed encoding; {@link IllegalArgumentException} if it is not a valid P-384 point. */
    public static StaticPublicKey fromBytes(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length != ENCODED_SIZE) {
            throw new IllegalArgumentException("a static public key is 49 bytes (compressed P-384), got " + encoded.length);
        }
        P384PublicKey p = P384PublicKey.decode(encoded, 0);
        if (p == null) throw new IllegalArgumentException("not a valid compressed P-384 public key");
        return new StaticPublicKey(p);
    }

    /** Parses 98 hex digits (surrounding white space ignored). */
    public static StaticPublicKey fromHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        String s = hex.strip();
        if (s.length() != 2 * ENCODED_SIZE) {
            throw new IllegalArgumentException("a static public key is 98 hex digits, got " + s.length() + " characters");
        }
        try {
            return fromBytes(HexFormat.of().parseHex(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a static public key must be hexadecimal: " + e.getMessage(), e);
        }
    }

    /** Parses an X.509 SubjectPublicKeyInfo DER encoding of a P-384 key. */
    public static StaticPublicKey fromSubjectPublicKeyInfo(byte[] der) {
        return new StaticPublicKey(P384PublicKey.fromSubjectPublicKeyInfo(der));
    }

    /** The 49-byte compressed encoding (a copy). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** Lowercase hex of the 49-byte encoding. */
    public String toHex() {
        return HexFormat.of().formatHex(encoded);
    }

    /** The X.509 SubjectPublicKeyInfo DER encoding. */
    public byte[] toSubjectPublicKeyInfo() {
        return point().toSubjectPublicKeyInfo();
    }

    /** The decoded point, computed on each use (Hello creation and rekeys only; the encoding was validated). */
    P384PublicKey point() {
        return P384PublicKey.decode(encoded, 0);
    }

    byte[] encodedShared() {
        return encoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StaticPublicKey k && java.util.Arrays.equals(encoded, k.encoded);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "StaticPublicKey[" + toHex().substring(0, 16) + "…]";
    }
}

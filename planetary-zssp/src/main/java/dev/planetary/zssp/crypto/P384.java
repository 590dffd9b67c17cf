package dev.planetary.zssp.crypto;

/**
 * NIST P-384 as ZSSP uses it (spec §2.1): 49-byte compressed SEC1 public keys, 48-byte scalars,
 * and ECDH results that are the 48-byte big-endian x-coordinate of the shared point.
 *
 * <p>The arithmetic is Planetary's own (Jacobian coordinates, signed fixed windows, masked table
 * lookups), constant time in every secret scalar; see {@link P384KeyPair}.
 */
public final class P384 {
    /** Size of a compressed public key on the wire: prefix 0x02/0x03 plus 48-byte x. */
    public static final int PUBLIC_KEY_SIZE = 49;
    /** Size of a private scalar (big-endian). */
    public static final int PRIVATE_KEY_SIZE = 48;
    /** Size of an ECDH result (x-coordinate, big-endian, left-padded). */
    public static final int SHARED_SECRET_SIZE = 48;

    private P384() {}

    /**
     * Decodes and validates the 49-byte compressed point at {@code buf[off, off+49)}; returns
     * {@code null} for anything that is not a point of the curve (bad prefix, x ≥ p, no square
     * root, too few bytes, null buffer). Never throws.
     */
    public static P384PublicKey decode(byte[] buf, int off) {
        return P384PublicKey.decode(buf, off);
    }

    /** True iff {@code buf[off, off+49)} is a valid compressed point. Never throws. */
    public static boolean isValidPublicKey(byte[] buf, int off) {
        return P384PublicKey.decode(buf, off) != null;
    }

    /** Writes the 49-byte encoding of {@code key} at {@code out[off]}; returns {@code off + 49}. */
    public static int encode(P384PublicKey key, byte[] out, int off) {
        key.writeTo(out, off);
        return off + PUBLIC_KEY_SIZE;
    }
}

package dev.planetary.zssp.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A validated P-384 public key: a point of the curve other than the identity. Immutable; equality
 * is equality of the 49-byte compressed encoding.
 */
public final class P384PublicKey {
    private final byte[] encoded; // 49 bytes, compressed SEC1
    private final long[] x;       // affine coordinates, field words (package use only)
    private final long[] y;

    private P384PublicKey(byte[] encoded, long[] x, long[] y) {
        this.encoded = encoded;
        this.x = x;
        this.y = y;
    }

    /**
     * Decodes the compressed point at {@code buf[off, off+49)}. Returns {@code null} if the bytes
     * are not a valid point (prefix other than 0x02/0x03, x ≥ p, x³ − 3x + b not a square), if the
     * buffer is null or too short, or if {@code off} is out of range. Never throws.
     */
    public static P384PublicKey decode(byte[] buf, int off) {
        if (buf == null || off < 0 || off > buf.length - P384.PUBLIC_KEY_SIZE) return null;
        long[] x = new long[P384Field.WORDS];
        long[] y = new long[P384Field.WORDS];
        if (!new P384Curve().decompress(x, y, buf, off)) return null;
        return new P384PublicKey(Arrays.copyOfRange(buf, off, off + P384.PUBLIC_KEY_SIZE), x, y);
    }

    /** Decodes an array that must be exactly one 49-byte compressed point; {@code null} if invalid. */
    public static P384PublicKey decode(byte[] encoded) {
        if (encoded == null || encoded.length != P384.PUBLIC_KEY_SIZE) return null;
        return decode(encoded, 0);
    }

    /** From affine coordinates already known to be on the curve (compresses, no square root). */
    static P384PublicKey fromAffine(long[] x, long[] y) {
        byte[] enc = new byte[P384.PUBLIC_KEY_SIZE];
        enc[0] = (byte) (2 | (y[0] & 1));
        P384Field.toBytes(x, enc, 1);
        return new P384PublicKey(enc, x.clone(), y.clone());
    }

    /**
     * Reads an X.509 SubjectPublicKeyInfo (DER) holding a P-384 key.
     *
     * @throws IllegalArgumentException if the DER is malformed, not an EC key, not on P-384, or
     *     the point is invalid
     */
    public static P384PublicKey fromSubjectPublicKeyInfo(byte[] der) {
        if (der == null) throw new IllegalArgumentException("SubjectPublicKeyInfo is null");
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "not a valid EC SubjectPublicKeyInfo (malformed DER or not an EC key): " + e.getMessage(), e);
        }
        if (!(key instanceof ECPublicKey ec)) {
            throw new IllegalArgumentException("SubjectPublicKeyInfo does not hold an EC public key");
        }
        P384Params.requireP384(ec.getParams(), "public key");
        ECPoint w = ec.getW();
        if (w == null || w.equals(ECPoint.POINT_INFINITY)) {
            throw new IllegalArgumentException("public key is the point at infinity");
        }
        BigInteger ax = w.getAffineX(), ay = w.getAffineY();
        if (ax.signum() < 0 || ay.signum() < 0 || ax.bitLength() > 384 || ay.bitLength() > 384) {
            throw new IllegalArgumentException("public key coordinates out of range");
        }
        byte[] xb = P384Params.toFixed48(ax);
        byte[] yb = P384Params.toFixed48(ay);
        long[] x = new long[P384Field.WORDS];
        long[] y = new long[P384Field.WORDS];
        P384Field.fromBytes(x, xb, 0);
        P384Field.fromBytes(y, yb, 0);
        if (P384Field.lessThanPMask(x) == 0 || P384Field.lessThanPMask(y) == 0
                || !new P384Curve().onCurve(x, y)) {
            throw new IllegalArgumentException("public key point is not on P-384");
        }
        return fromAffine(x, y);
    }

    /** This key as a DER X.509 SubjectPublicKeyInfo (uncompressed point, named curve secp384r1). */
    public byte[] toSubjectPublicKeyInfo() {
        byte[] xb = new byte[48], yb = new byte[48];
        P384Field.toBytes(x, xb, 0);
        P384Field.toBytes(y, yb, 0);
        try {
            ECPublicKeySpec spec = new ECPublicKeySpec(
                    new ECPoint(new BigInteger(1, xb), new BigInteger(1, yb)), P384Params.spec());
            return KeyFactory.getInstance("EC").generatePublic(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot encode a P-384 public key", e);
        }
    }

    /**
     * Reads a PEM "PUBLIC KEY" block (X.509 SubjectPublicKeyInfo) holding a P-384 key.
     *
     * @throws IllegalArgumentException if there is no such block or the key is not a valid P-384 key
     */
    public static P384PublicKey fromPem(String pem) {
        return fromSubjectPublicKeyInfo(P384Pem.decode(pem, "PUBLIC KEY"));
    }

    /** This key as a PEM "PUBLIC KEY" block. */
    public String toPem() {
        return P384Pem.encode(toSubjectPublicKeyInfo(), "PUBLIC KEY");
    }

    /** A copy of the 49-byte compressed encoding. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** Writes the 49-byte compressed encoding at {@code out[off]}. */
    public void writeTo(byte[] out, int off) {
        System.arraycopy(encoded, 0, out, off, P384.PUBLIC_KEY_SIZE);
    }

    long[] x() {
        return x;
    }

    long[] y() {
        return y;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof P384PublicKey other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "P384PublicKey[" + HexFormat.of().formatHex(encoded) + "]";
    }
}

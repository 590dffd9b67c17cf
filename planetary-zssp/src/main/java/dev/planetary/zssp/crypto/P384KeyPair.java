package dev.planetary.zssp.crypto;

import dev.planetary.zssp.RandomSource;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * A P-384 private scalar d (1 ≤ d &lt; n) with its public key d·G.
 *
 * <p>All operations on d are constant time: key derivation d·G (fixed-base, signed 5-bit windows,
 * masked lookups in tables of multiples of G) and {@link #agree} (signed 5-bit windows over a
 * 16-entry table read in full for every digit), the inversions (fixed-length divsteps), and the
 * range check 1 ≤ d &lt; n is a branch-free byte comparison; see {@link P384Curve}. Thread-safe for {@link #agree} and {@link #publicKey} until
 * {@link #destroy()}.
 */
public final class P384KeyPair {
    private final byte[] scalar; // 48 bytes big-endian, wiped by destroy()
    private final P384PublicKey publicKey;
    private volatile boolean destroyed;

    private P384KeyPair(byte[] scalar, P384PublicKey publicKey) {
        this.scalar = scalar;
        this.publicKey = publicKey;
    }

    /**
     * The key pair of a 48-byte big-endian scalar d. The array is copied (the caller keeps and
     * wipes its own).
     *
     * @throws IllegalArgumentException if the length is not 48 or d is not in [1, n)
     */
    public static P384KeyPair fromScalar(byte[] scalar) {
        if (scalar == null || scalar.length != P384.PRIVATE_KEY_SIZE) {
            throw new IllegalArgumentException("P-384 private scalar must be 48 bytes");
        }
        if (!isValidScalar(scalar, 0)) {
            throw new IllegalArgumentException("P-384 private scalar out of range (must be 1 <= d < n)");
        }
        return derive(scalar.clone());
    }

    /**
     * Draws a key pair as the reference does: 48 random bytes (one {@code nextBytes} call) read as
     * a big-endian d, accepted iff 1 ≤ d &lt; n, else drawn again.
     */
    public static P384KeyPair generate(RandomSource random) {
        byte[] d = new byte[P384.PRIVATE_KEY_SIZE];
        for (;;) {
            random.nextBytes(d, 0, d.length);
            if (isValidScalar(d, 0)) return derive(d); // d is owned by the key pair now
        }
    }

    private static P384KeyPair derive(byte[] d) {
        P384Curve c = new P384Curve();
        long[] px = new long[P384Field.WORDS], py = new long[P384Field.WORDS], pz = new long[P384Field.WORDS];
        c.mulGenerator(px, py, pz, d);
        long[] x = new long[P384Field.WORDS], y = new long[P384Field.WORDS];
        c.toAffine(x, y, px, py, pz);
        P384Curve.wipe(px, py, pz);
        return new P384KeyPair(d, P384PublicKey.fromAffine(x, y));
    }

    /** Constant-time test 1 ≤ d &lt; n for the 48 bytes at {@code d[off]}. */
    static boolean isValidScalar(byte[] d, int off) {
        byte[] n = P384Curve.N_BYTES;
        // d − n, least significant byte first: a final borrow means d < n
        int borrow = 0;
        int nz = 0;
        for (int i = P384.PRIVATE_KEY_SIZE - 1; i >= 0; i--) {
            int di = d[off + i] & 0xFF;
            nz |= di;
            int v = di - (n[i] & 0xFF) + borrow;
            borrow = v >> 8; // 0 or −1
        }
        int ok = (borrow & 1) & (((nz | -nz) >>> 31));
        return ok == 1;
    }

    /** The public key d·G. */
    public P384PublicKey publicKey() {
        return publicKey;
    }

    /**
     * ECDH: the x-coordinate of d·remote, exactly 48 big-endian bytes.
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public byte[] agree(P384PublicKey remote) {
        byte[] out = new byte[P384.SHARED_SECRET_SIZE];
        agree(remote, out, 0);
        return out;
    }

    /** ECDH into {@code out[off, off+48)}. */
    public void agree(P384PublicKey remote, byte[] out, int off) {
        if (remote == null) throw new NullPointerException("remote public key");
        if (off < 0 || off > out.length - P384.SHARED_SECRET_SIZE) {
            throw new IndexOutOfBoundsException("need 48 bytes at offset " + off);
        }
        if (destroyed) throw new IllegalStateException("P-384 key pair has been destroyed");
        P384Curve c = new P384Curve();
        long[] px = new long[P384Field.WORDS], py = new long[P384Field.WORDS], pz = new long[P384Field.WORDS];
        c.mulVariable(px, py, pz, remote.x(), remote.y(), scalar);
        if (destroyed) throw new IllegalStateException("P-384 key pair has been destroyed");
        // d in [1, n) and remote of prime order n: the product is never the identity.
        if (P384Field.isZeroMask(pz) != 0) throw new IllegalStateException("P-384 ECDH produced the identity");
        long[] x = new long[P384Field.WORDS];
        c.toAffine(x, null, px, py, pz);
        P384Field.toBytes(x, out, off);
        P384Curve.wipe(x, px, py, pz);
    }

    /**
     * Reads a PKCS#8 (DER) EC private key on P-384.
     *
     * @throws IllegalArgumentException if malformed, not EC, not P-384, or the scalar is out of range
     */
    public static P384KeyPair fromPkcs8(byte[] der) {
        if (der == null) throw new IllegalArgumentException("PKCS#8 data is null");
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "not a valid EC PKCS#8 private key (malformed DER or not an EC key)", e);
        }
        if (!(key instanceof ECPrivateKey ec)) {
            throw new IllegalArgumentException("PKCS#8 data does not hold an EC private key");
        }
        P384Params.requireP384(ec.getParams(), "private key");
        BigInteger s = ec.getS();
        if (s.signum() <= 0 || s.compareTo(P384Params.N) >= 0) {
            throw new IllegalArgumentException("P-384 private scalar out of range (must be 1 <= d < n)");
        }
        byte[] d = P384Params.toFixed48(s);
        try {
            return fromScalar(d);
        } finally {
            Secrets.wipe(d);
        }
    }

    /** This private key as PKCS#8 DER (named curve secp384r1). The caller should wipe the result. */
    public byte[] toPkcs8() {
        if (destroyed) throw new IllegalStateException("P-384 key pair has been destroyed");
        try {
            ECPrivateKeySpec spec = new ECPrivateKeySpec(new BigInteger(1, scalar), P384Params.spec());
            return KeyFactory.getInstance("EC").generatePrivate(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot encode a P-384 private key", e);
        }
    }

    /**
     * Reads a PEM "PRIVATE KEY" block (PKCS#8) holding a P-384 key.
     *
     * @throws IllegalArgumentException if there is no such block or the key is not a valid P-384 key
     */
    public static P384KeyPair fromPem(String pem) {
        byte[] der = P384Pem.decode(pem, "PRIVATE KEY");
        try {
            return fromPkcs8(der);
        } finally {
            Secrets.wipe(der);
        }
    }

    /** This private key as a PEM "PRIVATE KEY" block (PKCS#8). */
    public String toPkcs8Pem() {
        byte[] der = toPkcs8();
        try {
            return P384Pem.encode(der, "PRIVATE KEY");
        } finally {
            Secrets.wipe(der);
        }
    }

    /** Wipes the private scalar; later {@link #agree} and {@link #toPkcs8} calls fail. */
    public void destroy() {
        destroyed = true;
        Secrets.wipe(scalar);
    }

    public boolean isDestroyed() {
        return destroyed;
    }

    /** Shows the public key only. */
    @Override
    public String toString() {
        return "P384KeyPair[public=" + publicKey + (destroyed ? ", destroyed" : "") + "]";
    }
}

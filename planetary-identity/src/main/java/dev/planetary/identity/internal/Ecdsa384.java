package dev.planetary.identity.internal;

import dev.planetary.zssp.crypto.P384KeyPair;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * ECDSA P-384 with SHA-384, IEEE P1363 encoding r ‖ s (spec §2.8).
 *
 * <p>Signing uses RFC 6979 deterministic nonces (HMAC-DRBG with HMAC-SHA-384, RFC 6979 §3.2) and
 * touches the secret scalar and the nonce only through constant-time code: k·G is the fixed-base,
 * masked-lookup multiplication of {@link P384KeyPair}; k⁻¹ and s are computed by {@link ScalarN}
 * (Montgomery multiplication, Fermat inversion by a fixed chain). The only data-dependent
 * branch is RFC 6979's retry when a candidate k is ≥ n or gives r = 0 or s = 0 (probability ≈ 2^−190).
 *
 * <p>Verification handles public data only and uses the JDK ({@code SHA384withECDSAinP1363Format}).
 * It accepts any valid (r, s), high s included.
 */
public final class Ecdsa384 {
    public static final int SIGNATURE_SIZE = 96;
    public static final int SCALAR_SIZE = 48;
    public static final int PUBLIC_KEY_SIZE = 49;

    private Ecdsa384() {}

    /** The compressed public key d·G of a valid 48-byte scalar (constant time in d). */
    public static byte[] publicKey(byte[] d) {
        P384KeyPair kp = P384KeyPair.fromScalar(d);
        try {
            return kp.publicKey().encoded();
        } finally {
            kp.destroy();
        }
    }

    /** True iff the 48 bytes at {@code d[off]} are a scalar in [1, n); constant time. */
    public static boolean isValidScalar(byte[] d, int off) {
        long[] a = new long[ScalarN.LIMBS];
        ScalarN.fromBytes(a, d, off);
        boolean ok = ScalarN.validMask(a) != 0;
        Arrays.fill(a, 0L);
        return ok;
    }

    /** Signs {@code message} with the 48-byte scalar {@code d} (valid, checked by the caller's key type). */
    public static byte[] sign(byte[] d, byte[] message) {
        return signDigest(d, sha384(message));
    }

    /** Signs a SHA-384 digest (48 bytes). */
    public static byte[] signDigest(byte[] d, byte[] h) {
        if (d == null || d.length != SCALAR_SIZE) throw new IllegalArgumentException("ECDSA P-384 scalar must be 48 bytes");
        if (h == null || h.length != 48) throw new IllegalArgumentException("SHA-384 digest must be 48 bytes");
        long[] e = new long[ScalarN.LIMBS];
        ScalarN.fromBytes(e, h, 0);
        ScalarN.reduceOnce(e, e); // bits2int(h) mod n (qlen = hlen = 384)
        byte[] h1 = new byte[48];
        ScalarN.toBytes(e, h1, 0); // bits2octets(h)

        long[] dl = new long[ScalarN.LIMBS];
        ScalarN.fromBytes(dl, d, 0);
        if (ScalarN.validMask(dl) == 0) throw new IllegalArgumentException("ECDSA P-384 scalar out of range");
        long[] dm = new long[ScalarN.LIMBS], em = new long[ScalarN.LIMBS];
        ScalarN.toMont(dm, dl);
        ScalarN.toMont(em, e);

        Drbg drbg = new Drbg(d, h1);
        byte[] k = new byte[48];
        long[] kl = new long[ScalarN.LIMBS], km = new long[ScalarN.LIMBS], kinv = new long[ScalarN.LIMBS];
        long[] r = new long[ScalarN.LIMBS], rm = new long[ScalarN.LIMBS], t = new long[ScalarN.LIMBS];
        long[] s = new long[ScalarN.LIMBS];
        byte[] rx = null;
        try {
            for (boolean first = true; ; first = false) {
                if (!first) drbg.reseedAfterReject();
                drbg.generate(k);
                ScalarN.fromBytes(kl, k, 0);
                if (ScalarN.validMask(kl) == 0) continue; // RFC 6979 §3.2 h.3: k outside [1, n−1]
                rx = publicKey(k); // constant-time k·G; bytes 1..48 are x
                ScalarN.fromBytes(r, rx, 1);
                ScalarN.reduceOnce(r, r);
                if (ScalarN.zeroMask(r) != 0) continue;
                ScalarN.toMont(km, kl);
                ScalarN.invMont(kinv, km);            // k⁻¹·R
                ScalarN.toMont(rm, r);
                ScalarN.montMul(t, rm, dm);           // r·d·R
                ScalarN.add(t, t, em);                // (e + r·d)·R
                ScalarN.montMul(s, kinv, t);          // k⁻¹(e + r·d)·R
                ScalarN.fromMont(s, s);
                if (ScalarN.zeroMask(s) != 0) continue;
                byte[] sig = new byte[SIGNATURE_SIZE];
                ScalarN.toBytes(r, sig, 0);
                ScalarN.toBytes(s, sig, 48);
                return sig;
            }
        } finally {
            drbg.wipe();
            Arrays.fill(k, (byte) 0);
            if (rx != null) Arrays.fill(rx, (byte) 0);
            for (long[] a : new long[][] {e, dl, dm, em, kl, km, kinv, r, rm, t, s}) Arrays.fill(a, 0L);
        }
    }

    private static final BigInteger P = new BigInteger(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff", 16);
    private static final BigInteger B = new BigInteger(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef", 16);
    private static final BigInteger SQRT_EXP = P.add(BigInteger.ONE).shiftRight(2);
    private static volatile ECParameterSpec params;

    /**
     * The JDK public key of the compressed point at {@code buf[off, off+49)}, or null if it is not a
     * point of P-384 (prefix, x &lt; p, x³ − 3x + b a square). Public data: BigInteger is fine here.
     */
    public static PublicKey jdkPublicKey(byte[] buf, int off) {
        if (buf == null || off < 0 || off > buf.length - PUBLIC_KEY_SIZE) return null;
        int prefix = buf[off];
        if (prefix != 2 && prefix != 3) return null;
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(buf, off + 1, off + PUBLIC_KEY_SIZE));
        if (x.compareTo(P) >= 0) return null;
        BigInteger rhs = x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(B).mod(P);
        BigInteger y = rhs.modPow(SQRT_EXP, P);
        if (!y.multiply(y).mod(P).equals(rhs)) return null;
        if (y.testBit(0) != (prefix == 3)) y = P.subtract(y).mod(P);
        if (y.testBit(0) != (prefix == 3)) return null; // y = 0 with prefix 3
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), params()));
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private static ECParameterSpec params() throws GeneralSecurityException {
        ECParameterSpec p = params;
        if (p == null) {
            AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
            ap.init(new ECGenParameterSpec("secp384r1"));
            params = p = ap.getParameterSpec(ECParameterSpec.class);
        }
        return p;
    }

    /**
     * Verifies a P1363 signature under a 49-byte compressed public key. Never throws on hostile
     * input: an invalid key, a wrong length or an out-of-range (r, s) give false.
     */
    public static boolean verify(byte[] publicKey, int keyOff, byte[] message, int msgOff, int msgLen,
                                 byte[] signature, int sigOff) {
        PublicKey key = jdkPublicKey(publicKey, keyOff);
        return key != null && verify(key, message, msgOff, msgLen, signature, sigOff);
    }

    /** As {@link #verify(byte[], int, byte[], int, int, byte[], int)} with a prepared JDK key. */
    public static boolean verify(PublicKey key, byte[] message, int msgOff, int msgLen, byte[] signature, int sigOff) {
        if (signature == null || sigOff < 0 || sigOff > signature.length - SIGNATURE_SIZE) return false;
        if (message == null || msgOff < 0 || msgLen < 0 || msgOff > message.length - msgLen) return false;
        try {
            Signature v = Signature.getInstance("SHA384withECDSAinP1363Format");
            v.initVerify(key);
            v.update(message, msgOff, msgLen);
            return v.verify(signature, sigOff, SIGNATURE_SIZE);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // SignatureException for an out-of-range r or s, for instance
        }
    }

    public static byte[] sha384(byte[] message) {
        return sha384(message, 0, message.length);
    }

    public static byte[] sha384(byte[] message, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-384");
            md.update(message, off, len);
            return md.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no SHA-384", e);
        }
    }

    /** RFC 6979 §3.2 HMAC-DRBG with HMAC-SHA-384 (hlen = qlen = 384: one HMAC output per candidate). */
    private static final class Drbg {
        private final byte[] v = new byte[48];
        private byte[] key = new byte[48];
        private final Mac mac;

        Drbg(byte[] x, byte[] h1) {
            try {
                mac = Mac.getInstance("HmacSHA384");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK has no HmacSHA384", e);
            }
            Arrays.fill(v, (byte) 1);                 // b
            // c: K = 0 (already); d, e, f, g
            key = hmac(key, v, new byte[] {0}, x, h1);
            byte[] nv = hmac(key, v);
            System.arraycopy(nv, 0, v, 0, 48);
            key = replace(key, hmac(key, v, new byte[] {1}, x, h1));
            nv = hmac(key, v);
            System.arraycopy(nv, 0, v, 0, 48);
        }

        /** h.1–h.2: V = HMAC_K(V), T = V (one block suffices for 384 bits). */
        void generate(byte[] out) {
            byte[] nv = hmac(key, v);
            System.arraycopy(nv, 0, v, 0, 48);
            System.arraycopy(v, 0, out, 0, 48);
        }

        /** h.3 after a rejected candidate: K = HMAC_K(V ‖ 0x00), V = HMAC_K(V). */
        void reseedAfterReject() {
            key = replace(key, hmac(key, v, new byte[] {0}));
            byte[] nv = hmac(key, v);
            System.arraycopy(nv, 0, v, 0, 48);
        }

        private static byte[] replace(byte[] old, byte[] fresh) {
            Arrays.fill(old, (byte) 0);
            return fresh;
        }

        private byte[] hmac(byte[] k, byte[]... parts) {
            try {
                mac.init(new SecretKeySpec(k, "HmacSHA384"));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA384 refused a 48-byte key", e);
            }
            for (byte[] p : parts) mac.update(p);
            return mac.doFinal();
        }

        void wipe() {
            Arrays.fill(v, (byte) 0);
            Arrays.fill(key, (byte) 0);
        }
    }
}

package dev.planetary.identity.internal;

import java.math.BigInteger;

/**
 * Arithmetic modulo the P-384 group order n, constant time in every operand: 12 limbs of 32 bits
 * (least significant first, in {@code long}s), Montgomery multiplication (CIOS, R = 2^384) with a
 * final subtraction selected by mask, Fermat inversion with the public fixed exponent n − 2. No
 * branch, index or loop bound depends on a value; only the exponent's bits (public) select code.
 *
 * <p>{@link BigInteger} appears only in the class initialiser, on public constants.
 */
public final class ScalarN {
    public static final int LIMBS = 12;
    static final long M32 = 0xFFFF_FFFFL;

    /** n, big-endian. */
    public static final byte[] N_BYTES = java.util.HexFormat.of().parseHex(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");
    static final BigInteger N = new BigInteger(1, N_BYTES);
    static final long[] N_LIMBS = fromBig(N);
    /** −n⁻¹ mod 2^32. */
    static final long N0INV = BigInteger.ONE.shiftLeft(32).subtract(N.modInverse(BigInteger.ONE.shiftLeft(32))).longValueExact();
    /** R² mod n, to enter the Montgomery domain. */
    static final long[] R2 = fromBig(BigInteger.ONE.shiftLeft(768).mod(N));
    /** n − 2, the Fermat exponent (public). */
    static final long[] N_MINUS_2 = fromBig(N.subtract(BigInteger.TWO));

    private ScalarN() {}

    private static long[] fromBig(BigInteger v) {
        long[] out = new long[LIMBS];
        for (int i = 0; i < LIMBS; i++) out[i] = v.shiftRight(32 * i).longValue() & M32;
        return out;
    }

    /** Reads 48 big-endian bytes into limbs (the value may be ≥ n). */
    public static void fromBytes(long[] out, byte[] in, int off) {
        for (int i = 0; i < LIMBS; i++) {
            int p = off + 48 - 4 * (i + 1);
            out[i] = ((in[p] & 0xFFL) << 24) | ((in[p + 1] & 0xFFL) << 16) | ((in[p + 2] & 0xFFL) << 8) | (in[p + 3] & 0xFFL);
        }
    }

    /** Writes limbs as 48 big-endian bytes. */
    public static void toBytes(long[] a, byte[] out, int off) {
        for (int i = 0; i < LIMBS; i++) {
            int p = off + 48 - 4 * (i + 1);
            long w = a[i];
            out[p] = (byte) (w >>> 24);
            out[p + 1] = (byte) (w >>> 16);
            out[p + 2] = (byte) (w >>> 8);
            out[p + 3] = (byte) w;
        }
    }

    /** out = a − n if a ≥ n else a, for any a &lt; 2^384 (&lt; 2n): the reduction of a hash or an x-coordinate. */
    public static void reduceOnce(long[] out, long[] a) {
        long[] d = new long[LIMBS];
        long borrow = 0;
        for (int i = 0; i < LIMBS; i++) {
            long v = a[i] - N_LIMBS[i] - borrow;
            d[i] = v & M32;
            borrow = (v >>> 63); // 1 iff negative
        }
        long keepA = -borrow; // a < n: keep a
        for (int i = 0; i < LIMBS; i++) out[i] = (a[i] & keepA) | (d[i] & ~keepA);
    }

    /** All-ones iff 1 ≤ a &lt; n, else 0; constant time. */
    public static long validMask(long[] a) {
        long borrow = 0;
        long nz = 0;
        for (int i = 0; i < LIMBS; i++) {
            long v = a[i] - N_LIMBS[i] - borrow;
            borrow = v >>> 63;
            nz |= a[i];
        }
        long nonZero = -((nz | -nz) >>> 63);
        return -borrow & nonZero;
    }

    /** All-ones iff a == 0. */
    public static long zeroMask(long[] a) {
        long nz = 0;
        for (int i = 0; i < LIMBS; i++) nz |= a[i];
        return ((nz | -nz) >>> 63) - 1;
    }

    /** out = a·b·R⁻¹ mod n for a, b &lt; n (out may alias either). */
    public static void montMul(long[] out, long[] a, long[] b) {
        long[] t = new long[LIMBS + 2];
        for (int i = 0; i < LIMBS; i++) {
            long bi = b[i];
            long c = 0;
            for (int j = 0; j < LIMBS; j++) {
                long uv = t[j] + a[j] * bi + c; // < 2^64 as an unsigned value
                t[j] = uv & M32;
                c = uv >>> 32;
            }
            long uv = t[LIMBS] + c;
            t[LIMBS] = uv & M32;
            t[LIMBS + 1] = uv >>> 32;
            long m = (t[0] * N0INV) & M32;
            uv = t[0] + m * N_LIMBS[0];
            c = uv >>> 32;
            for (int j = 1; j < LIMBS; j++) {
                uv = t[j] + m * N_LIMBS[j] + c;
                t[j - 1] = uv & M32;
                c = uv >>> 32;
            }
            uv = t[LIMBS] + c;
            t[LIMBS - 1] = uv & M32;
            t[LIMBS] = t[LIMBS + 1] + (uv >>> 32);
        }
        // t < 2n: subtract n once, keep t if that borrows
        long[] d = new long[LIMBS];
        long borrow = 0;
        for (int i = 0; i < LIMBS; i++) {
            long v = t[i] - N_LIMBS[i] - borrow;
            d[i] = v & M32;
            borrow = v >>> 63;
        }
        long keepT = -(borrow & (1 - t[LIMBS])); // t < n iff the subtraction borrows with no carry limb
        for (int i = 0; i < LIMBS; i++) out[i] = (t[i] & keepT) | (d[i] & ~keepT);
        java.util.Arrays.fill(t, 0L);
        java.util.Arrays.fill(d, 0L);
    }

    /** out = (a + b) mod n for a, b &lt; n. */
    public static void add(long[] out, long[] a, long[] b) {
        long[] s = new long[LIMBS];
        long carry = 0;
        for (int i = 0; i < LIMBS; i++) {
            long v = a[i] + b[i] + carry;
            s[i] = v & M32;
            carry = v >>> 32;
        }
        long[] d = new long[LIMBS];
        long borrow = 0;
        for (int i = 0; i < LIMBS; i++) {
            long v = s[i] - N_LIMBS[i] - borrow;
            d[i] = v & M32;
            borrow = v >>> 63;
        }
        long keepS = -(borrow & (1 - carry)); // s < n
        for (int i = 0; i < LIMBS; i++) out[i] = (s[i] & keepS) | (d[i] & ~keepS);
        java.util.Arrays.fill(s, 0L);
        java.util.Arrays.fill(d, 0L);
    }

    /** out = a·R mod n (into the Montgomery domain). */
    public static void toMont(long[] out, long[] a) {
        montMul(out, a, R2);
    }

    /** out = a·R⁻¹ mod n (out of the Montgomery domain). */
    public static void fromMont(long[] out, long[] a) {
        long[] one = new long[LIMBS];
        one[0] = 1;
        montMul(out, a, one);
    }

    /** out = a⁻¹ in the Montgomery domain (a = x·R, out = x⁻¹·R), by a^(n−2); a must be nonzero. */
    public static void invMont(long[] out, long[] a) {
        long[] acc = new long[LIMBS];
        toMont(acc, oneLimbs()); // 1·R
        for (int bit = 383; bit >= 0; bit--) {
            montMul(acc, acc, acc);
            if (((N_MINUS_2[bit >>> 5] >>> (bit & 31)) & 1) != 0) montMul(acc, acc, a); // public exponent
        }
        System.arraycopy(acc, 0, out, 0, LIMBS);
        java.util.Arrays.fill(acc, 0L);
    }

    private static long[] oneLimbs() {
        long[] one = new long[LIMBS];
        one[0] = 1;
        return one;
    }
}

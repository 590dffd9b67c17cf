package dev.planetary.identity.internal;

import java.math.BigInteger;

/**
 * Arithmetic modulo the P-384 group order n, constant time in every operand: 12 limbs of 32 bits
 * (least significant first, in {@code long}s), Montgomery multiplication (CIOS, R = 2^384) with a
 * final subtraction selected by mask, Fermat inversion with the public fixed exponent n − 2
 * (a fixed chain on 56-bit limbs). No branch,
 * index or loop bound depends on a value; only the exponent's bits (public) select code.
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

    // ------------------------------------------------------------------ inversion (56-bit limbs)

    static final long M56 = (1L << 56) - 1;
    /** n in seven 56-bit limbs, least significant first. */
    private static final long[] N56 = limbs56(N);
    /** −n⁻¹ mod 2^56. */
    private static final long N0INV56 =
            BigInteger.ONE.shiftLeft(56).subtract(N.modInverse(BigInteger.ONE.shiftLeft(56))).longValue();
    /** 2^376 mod n = R²/R′ for R = 2^384, R′ = 2^392: one multiplication by it brings a result back to R. */
    private static final long[] R2_OVER_R56 = limbs56(BigInteger.ONE.shiftLeft(376).mod(N));
    /**
     * The 4-bit digits of the low 192 bits of n − 2, most significant first (its high 192 bits are
     * all ones); public constants, they only choose which table entry multiplies in.
     */
    private static final int[] LOW_DIGITS = lowDigits();

    private static int[] lowDigits() {
        BigInteger low = N.subtract(BigInteger.TWO).and(BigInteger.ONE.shiftLeft(192).subtract(BigInteger.ONE));
        int[] d = new int[48];
        for (int i = 0; i < 48; i++) d[i] = low.shiftRight(4 * (47 - i)).intValue() & 0xF;
        return d;
    }

    private static long[] limbs56(BigInteger v) {
        long[] out = new long[7];
        for (int i = 0; i < 7; i++) out[i] = v.shiftRight(56 * i).longValue() & M56;
        return out;
    }

    /** 32-bit limbs to 56-bit limbs (shifts fixed by the positions only). */
    private static void to56(long[] out, long[] a) {
        long[] w = new long[6];
        for (int i = 0; i < 6; i++) w[i] = a[2 * i] | (a[2 * i + 1] << 32);
        for (int i = 0; i < 7; i++) {
            int q = 56 * i / 64, r = 56 * i % 64;
            long v = w[q] >>> r;
            if (r > 8 && q + 1 < 6) v |= w[q + 1] << (64 - r);
            out[i] = v & M56;
        }
        java.util.Arrays.fill(w, 0L);
    }

    /** 56-bit limbs (value &lt; 2^384) to 32-bit limbs. */
    private static void from56(long[] out, long[] l) {
        for (int q = 0; q < 6; q++) {
            int i = 64 * q / 56, r = 64 * q % 56;
            long v = (l[i] >>> r) | (l[i + 1] << (56 - r));
            out[2 * q] = v & M32;
            out[2 * q + 1] = v >>> 32;
        }
    }

    /**
     * out = a·b·R′⁻¹ mod n (R′ = 2^392) on seven 56-bit limbs, a, b &lt; n: each 112-bit product
     * (from {@code *} and {@link Math#unsignedMultiplyHigh}, one MUL instruction with
     * operand-independent timing) is split at bit 56 and both halves are added to their limbs
     * without carrying (each limb gains at most 4 terms &lt; 2^56 per round, 28 in all: below 2^61);
     * carries are propagated once at the end and the final subtraction of n is selected by mask.
     * {@code t} is scratch of 8 longs; out may alias a or b.
     */
    private static void montMul56(long[] out, long[] a, long[] b, long[] t) {
        java.util.Arrays.fill(t, 0L);
        long[] n = N56;
        for (int i = 0; i < 7; i++) {
            long bi = b[i];
            for (int j = 0; j < 7; j++) {
                long lo = a[j] * bi, hi = Math.unsignedMultiplyHigh(a[j], bi);
                t[j] += lo & M56;
                t[j + 1] += (hi << 8) | (lo >>> 56);
            }
            long m = (t[0] * N0INV56) & M56; // t + m·n ≡ 0 mod 2^56
            for (int j = 0; j < 7; j++) {
                long lo = m * n[j], hi = Math.unsignedMultiplyHigh(m, n[j]);
                t[j] += lo & M56;
                t[j + 1] += (hi << 8) | (lo >>> 56);
            }
            long c = t[0] >>> 56;
            for (int j = 0; j < 7; j++) t[j] = t[j + 1];
            t[0] += c;
            t[7] = 0;
        }
        for (int j = 0; j < 6; j++) { // normalise: the value is < 2n < 2^385
            t[j + 1] += t[j] >>> 56;
            t[j] &= M56;
        }
        long borrow = 0;
        long[] d = new long[7];
        for (int j = 0; j < 7; j++) {
            long v = t[j] - n[j] - borrow;
            borrow = v >>> 63;
            d[j] = v & M56;
        }
        long keepT = -borrow; // t < n
        for (int j = 0; j < 7; j++) out[j] = (t[j] & keepT) | (d[j] & ~keepT);
        java.util.Arrays.fill(d, 0L);
    }

    /**
     * out = a⁻¹ in the Montgomery domain (a = x·R, out = x⁻¹·R), by a^(n−2) with a fixed chain (the
     * exponent is public): a^(2^192 − 1) for the 192 leading ones of n − 2 (191 squarings, 7
     * multiplications), then 4-bit fixed windows over its low 192 bits with a table a^1..a^15 (192
     * squarings, at most 48 + 14 multiplications). Runs on 56-bit limbs with R′ = 2^392: raising
     * a (read there as a·R′⁻¹) to n − 2 gives a⁻¹·R′² there, and one multiplication by R²/R′
     * yields a⁻¹·R². a must be nonzero.
     */
    public static void invMont(long[] out, long[] a) {
        long[] t = new long[8];
        long[][] pow = new long[16][]; // pow[i] = a^i in the R′ domain, i = 1..15
        pow[1] = new long[7];
        to56(pow[1], a);
        pow[2] = new long[7];
        montMul56(pow[2], pow[1], pow[1], t);
        for (int i = 3; i < 16; i++) {
            pow[i] = new long[7];
            montMul56(pow[i], pow[i - 1], pow[1], t);
        }
        long[] ones = pow[3].clone(), sq = new long[7], x64 = new long[7], acc = new long[7];
        for (int k = 2; k < 128; k *= 2) { // ones = a^(2^k − 1): 2 → 4 → … → 128
            System.arraycopy(ones, 0, sq, 0, 7);
            for (int i = 0; i < k; i++) montMul56(sq, sq, sq, t);
            montMul56(ones, sq, ones, t);
            if (k == 32) System.arraycopy(ones, 0, x64, 0, 7); // a^(2^64 − 1)
        }
        System.arraycopy(ones, 0, acc, 0, 7);
        for (int i = 0; i < 64; i++) montMul56(acc, acc, acc, t);
        montMul56(acc, acc, x64, t); // a^(2^192 − 1)
        for (int digit : LOW_DIGITS) {
            for (int i = 0; i < 4; i++) montMul56(acc, acc, acc, t);
            if (digit != 0) montMul56(acc, acc, pow[digit], t); // public exponent digit
        }
        montMul56(acc, acc, R2_OVER_R56, t);
        from56(out, acc);
        for (long[] w : pow) if (w != null) java.util.Arrays.fill(w, 0L);
        for (long[] w : new long[][] {t, ones, sq, acc, x64}) java.util.Arrays.fill(w, 0L);
    }
}

package dev.planetary.identity.internal;

import java.math.BigInteger;

/**
 * Arithmetic modulo the P-384 group order n, constant time in every operand: 12 limbs of 32 bits
 * (least significant first, in {@code long}s), Montgomery multiplication (CIOS, R = 2^384) with a
 * final subtraction selected by mask, Fermat inversion with the public fixed exponent n − 2
 * (a fixed chain on 64-bit limbs). No branch,
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

    // ------------------------------------------------------------------ inversion (64-bit limbs)

    /** n in six 64-bit limbs, least significant first. */
    private static final long[] N64 = pack(N_LIMBS);
    /** −n⁻¹ mod 2^64. */
    private static final long N0INV64 = BigInteger.ONE.shiftLeft(64).subtract(N.modInverse(BigInteger.ONE.shiftLeft(64))).longValue();
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

    private static long[] pack(long[] a) {
        long[] w = new long[6];
        for (int i = 0; i < 6; i++) w[i] = a[2 * i] | (a[2 * i + 1] << 32);
        return w;
    }

    /** Carry out of s = x + y (+ carry in), from the top bits only (no branch). */
    private static long carry(long x, long y, long s) {
        return ((x & y) | ((x | y) & ~s)) >>> 63;
    }

    /**
     * out = a·b·R⁻¹ mod n on six 64-bit limbs (CIOS, R = 2^384 as for the 32-bit limbs, so the two
     * Montgomery domains agree), each 128-bit product from {@code *} and
     * {@link Math#unsignedMultiplyHigh} (one MUL instruction, operand-independent timing); carries by
     * bit operations, the final subtraction selected by mask. {@code t} is scratch of 14 longs;
     * out may alias a or b.
     */
    private static void montMul64(long[] out, long[] a, long[] b, long[] t) {
        java.util.Arrays.fill(t, 0L);
        long[] n = N64;
        for (int i = 0; i < 6; i++) {
            long bi = b[i];
            long c = 0;
            for (int j = 0; j < 6; j++) { // t += a·b_i
                long lo = a[j] * bi, hi = Math.unsignedMultiplyHigh(a[j], bi);
                long s = lo + t[j];
                hi += carry(lo, t[j], s);
                long s2 = s + c;
                hi += carry(s, c, s2); // a_j·b_i + t_j + c < 2^128: hi never overflows
                t[j] = s2;
                c = hi;
            }
            long s = t[6] + c;
            t[7] = carry(t[6], c, s);
            t[6] = s;
            long m = t[0] * N0INV64; // t += m·n makes the low limb zero; shift one limb down
            long lo = m * n[0], hi = Math.unsignedMultiplyHigh(m, n[0]);
            c = hi + carry(lo, t[0], lo + t[0]);
            for (int j = 1; j < 6; j++) {
                lo = m * n[j];
                hi = Math.unsignedMultiplyHigh(m, n[j]);
                long s1 = lo + t[j];
                hi += carry(lo, t[j], s1);
                long s2 = s1 + c;
                hi += carry(s1, c, s2);
                t[j - 1] = s2;
                c = hi;
            }
            s = t[6] + c;
            t[5] = s;
            t[6] = t[7] + carry(t[6], c, s);
            t[7] = 0;
        }
        // t < 2n: subtract n once, keep t if that borrows with no carry limb
        long borrow = 0;
        for (int j = 0; j < 6; j++) {
            long x = t[j], y = n[j];
            long d = x - y - borrow;
            borrow = ((~x & y) | (~(x ^ y) & d)) >>> 63;
            t[8 + j] = d;
        }
        long keepT = -(borrow & (1 - t[6]));
        for (int j = 0; j < 6; j++) out[j] = (t[j] & keepT) | (t[8 + j] & ~keepT);
    }

    /**
     * out = a⁻¹ in the Montgomery domain (a = x·R, out = x⁻¹·R), by a^(n−2) with a fixed chain (the
     * exponent is public): a^(2^192 − 1) for the 192 leading ones of n − 2 (191 squarings, 8
     * multiplications), then 4-bit fixed windows over its low 192 bits with a table a^1..a^15 (192
     * squarings, at most 48 + 14 multiplications). Runs on 64-bit limbs; a must be nonzero.
     */
    public static void invMont(long[] out, long[] a) {
        long[] t = new long[14];
        long[][] pow = new long[16][]; // pow[i] = a^i·R, i = 1..15
        pow[1] = pack(a);
        pow[2] = new long[6];
        montMul64(pow[2], pow[1], pow[1], t);
        for (int i = 3; i < 16; i++) {
            pow[i] = new long[6];
            montMul64(pow[i], pow[i - 1], pow[1], t);
        }
        long[] ones = pow[3].clone(), sq = new long[6], x64 = new long[6], acc = new long[6];
        for (int k = 2; k < 128; k *= 2) { // ones = a^(2^k − 1): 2 → 4 → … → 128
            System.arraycopy(ones, 0, sq, 0, 6);
            for (int i = 0; i < k; i++) montMul64(sq, sq, sq, t);
            montMul64(ones, sq, ones, t);
            if (k == 32) System.arraycopy(ones, 0, x64, 0, 6); // a^(2^64 − 1)
        }
        System.arraycopy(ones, 0, acc, 0, 6);
        for (int i = 0; i < 64; i++) montMul64(acc, acc, acc, t);
        montMul64(acc, acc, x64, t); // a^(2^192 − 1)
        for (int digit : LOW_DIGITS) {
            for (int i = 0; i < 4; i++) montMul64(acc, acc, acc, t);
            if (digit != 0) montMul64(acc, acc, pow[digit], t); // public exponent digit
        }
        for (int i = 0; i < 6; i++) {
            out[2 * i] = acc[i] & M32;
            out[2 * i + 1] = acc[i] >>> 32;
        }
        for (long[] w : pow) if (w != null) java.util.Arrays.fill(w, 0L);
        for (long[] w : new long[][] {t, ones, sq, acc, x64}) java.util.Arrays.fill(w, 0L);
    }
}

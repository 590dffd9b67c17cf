package dev.planetary.zssp.crypto;

/**
 * Arithmetic modulo the P-384 prime p = 2^384 − 2^128 − 2^96 + 2^32 − 1.
 *
 * <p>An element is a {@code long[12]} of 32-bit words, least significant first, always fully
 * reduced (0 ≤ value &lt; p) between operations. Multiplication and squaring pair the words into
 * six 64-bit limbs and form each 128-bit limb product with one {@code *} and one
 * {@link Math#unsignedMultiplyHigh} (an intrinsic, a single MUL instruction on x86-64 and AArch64
 * whose timing does not depend on the operands; before the JIT compiles it, the JDK's fallback is
 * branch-free arithmetic too): 36 multiplications per product, 21 per square, instead of the
 * 144 and 78 of 32-bit words. The product halves are summed in 32-bit columns (at most 24 terms
 * below 2^32 each, so a column never overflows a long) and reduced with the special form of p.
 *
 * <p>Constant time: every operation runs the same instruction sequence and touches the same memory
 * whatever the values. No branch, table index or loop bound depends on data; carries are
 * propagated by shifts, the final subtraction of p and every selection use all-ones/all-zeros
 * masks. Only the fixed exponents of {@link #inv} and {@link #sqrtCandidate} (public constants,
 * written out as addition chains) select code paths.
 *
 * <p>An instance holds the scratch space of the exponentiations, so it is not thread-safe; create
 * one per operation (they are small).
 */
final class P384Field {
    static final int WORDS = 12;
    static final long M32 = 0xFFFF_FFFFL;

    /** p, least significant 32-bit word first. */
    static final long[] P = {
        0xFFFF_FFFFL, 0, 0, 0xFFFF_FFFFL, 0xFFFF_FFFEL, 0xFFFF_FFFFL,
        0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL
    };

    // scratch of the exponentiation chains (powers of a possibly secret base)
    private final long[] x2 = new long[WORDS], x3 = new long[WORDS], x15 = new long[WORDS],
            x30 = new long[WORDS], x32 = new long[WORDS], t = new long[WORDS], u = new long[WORDS];

    /** out = a·b mod p ({@code out} may alias {@code a} or {@code b}). */
    void mul(long[] out, long[] a, long[] b) {
        mulUnrolled(out, a, b);
    }

    /** out = a² mod p. */
    void sqr(long[] out, long[] a) {
        sqrUnrolled(out, a);
    }

    // The two methods below are generated (a short Python script writing out the loops):
    // product scanning over 64-bit limbs, each 128-bit product split into four 32-bit pieces summed
    // in the 32-bit columns they belong to (at most 12 pieces < 2^32 and a carry per column, so no
    // overflow),
    // carried into 24 words, then the reduction of the 768-bit product
    // with 2^384 ≡ 2^128 + 2^96 − 2^32 + 1 (mod p) in three folds of fixed shape (value < 2^513,
    // then < 2^384 + 2^259, then < 2^384), and one masked subtraction of p.

    /** out = a·b mod p ({@code out} may alias {@code a} or {@code b}). Generated, fully unrolled. */
    static void mulUnrolled(long[] out, long[] a, long[] b) {
        long a0 = a[0] | (a[1] << 32), a1 = a[2] | (a[3] << 32), a2 = a[4] | (a[5] << 32);
        long a3 = a[6] | (a[7] << 32), a4 = a[8] | (a[9] << 32), a5 = a[10] | (a[11] << 32);
        long b0 = b[0] | (b[1] << 32), b1 = b[2] | (b[3] << 32), b2 = b[4] | (b[5] << 32);
        long b3 = b[6] | (b[7] << 32), b4 = b[8] | (b[9] << 32), b5 = b[10] | (b[11] << 32);
        long t, u, q0, q1, q2, q3, p2 = 0, p3 = 0, acc = 0;
        // 64-bit column 0 (32-bit columns 0, 1)
        t = a0 * b0; u = Math.unsignedMultiplyHigh(a0, b0);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        acc += q0 + p2; long c0 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c1 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 1 (32-bit columns 2, 3)
        t = a0 * b1; u = Math.unsignedMultiplyHigh(a0, b1);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * b0; u = Math.unsignedMultiplyHigh(a1, b0);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c2 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c3 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 2 (32-bit columns 4, 5)
        t = a0 * b2; u = Math.unsignedMultiplyHigh(a0, b2);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * b1; u = Math.unsignedMultiplyHigh(a1, b1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a2 * b0; u = Math.unsignedMultiplyHigh(a2, b0);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c4 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c5 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 3 (32-bit columns 6, 7)
        t = a0 * b3; u = Math.unsignedMultiplyHigh(a0, b3);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * b2; u = Math.unsignedMultiplyHigh(a1, b2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a2 * b1; u = Math.unsignedMultiplyHigh(a2, b1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a3 * b0; u = Math.unsignedMultiplyHigh(a3, b0);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c6 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c7 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 4 (32-bit columns 8, 9)
        t = a0 * b4; u = Math.unsignedMultiplyHigh(a0, b4);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * b3; u = Math.unsignedMultiplyHigh(a1, b3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a2 * b2; u = Math.unsignedMultiplyHigh(a2, b2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a3 * b1; u = Math.unsignedMultiplyHigh(a3, b1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a4 * b0; u = Math.unsignedMultiplyHigh(a4, b0);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c8 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c9 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 5 (32-bit columns 10, 11)
        t = a0 * b5; u = Math.unsignedMultiplyHigh(a0, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * b4; u = Math.unsignedMultiplyHigh(a1, b4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a2 * b3; u = Math.unsignedMultiplyHigh(a2, b3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a3 * b2; u = Math.unsignedMultiplyHigh(a3, b2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a4 * b1; u = Math.unsignedMultiplyHigh(a4, b1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a5 * b0; u = Math.unsignedMultiplyHigh(a5, b0);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c10 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c11 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 6 (32-bit columns 12, 13)
        t = a1 * b5; u = Math.unsignedMultiplyHigh(a1, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a2 * b4; u = Math.unsignedMultiplyHigh(a2, b4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a3 * b3; u = Math.unsignedMultiplyHigh(a3, b3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a4 * b2; u = Math.unsignedMultiplyHigh(a4, b2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a5 * b1; u = Math.unsignedMultiplyHigh(a5, b1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c12 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c13 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 7 (32-bit columns 14, 15)
        t = a2 * b5; u = Math.unsignedMultiplyHigh(a2, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a3 * b4; u = Math.unsignedMultiplyHigh(a3, b4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a4 * b3; u = Math.unsignedMultiplyHigh(a4, b3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a5 * b2; u = Math.unsignedMultiplyHigh(a5, b2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c14 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c15 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 8 (32-bit columns 16, 17)
        t = a3 * b5; u = Math.unsignedMultiplyHigh(a3, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a4 * b4; u = Math.unsignedMultiplyHigh(a4, b4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a5 * b3; u = Math.unsignedMultiplyHigh(a5, b3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c16 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c17 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 9 (32-bit columns 18, 19)
        t = a4 * b5; u = Math.unsignedMultiplyHigh(a4, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a5 * b4; u = Math.unsignedMultiplyHigh(a5, b4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c18 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c19 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 10 (32-bit columns 20, 21)
        t = a5 * b5; u = Math.unsignedMultiplyHigh(a5, b5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        acc += q0 + p2; long c20 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c21 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        acc += p2; long c22 = acc & M32; acc >>>= 32;
        long c23 = (acc + p3) & M32;
        long r0 = c0 +c12;
        long r1 = c1 +c13 -c12;
        long r2 = c2 +c14 -c13;
        long r3 = c3 +c15 +c12 -c14;
        long r4 = c4 +c16 +c13 +c12 -c15;
        long r5 = c5 +c17 +c14 +c13 -c16;
        long r6 = c6 +c18 +c15 +c14 -c17;
        long r7 = c7 +c19 +c16 +c15 -c18;
        long r8 = c8 +c20 +c17 +c16 -c19;
        long r9 = c9 +c21 +c18 +c17 -c20;
        long r10 = c10 +c22 +c19 +c18 -c21;
        long r11 = c11 +c23 +c20 +c19 -c22;
        long r12 = c21 +c20 -c23;
        long r13 = c22 +c21;
        long r14 = c23 +c22;
        long r15 = c23;
        long r16 = 0;
        long v;
        v = r0; r0 = v & M32;
        v = r1 + (v >> 32); r1 = v & M32;
        v = r2 + (v >> 32); r2 = v & M32;
        v = r3 + (v >> 32); r3 = v & M32;
        v = r4 + (v >> 32); r4 = v & M32;
        v = r5 + (v >> 32); r5 = v & M32;
        v = r6 + (v >> 32); r6 = v & M32;
        v = r7 + (v >> 32); r7 = v & M32;
        v = r8 + (v >> 32); r8 = v & M32;
        v = r9 + (v >> 32); r9 = v & M32;
        v = r10 + (v >> 32); r10 = v & M32;
        v = r11 + (v >> 32); r11 = v & M32;
        v = r12 + (v >> 32); r12 = v & M32;
        v = r13 + (v >> 32); r13 = v & M32;
        v = r14 + (v >> 32); r14 = v & M32;
        v = r15 + (v >> 32); r15 = v & M32;
        r16 = v >> 32;
        r0 = r0 + r12;
        r1 = r1 + r13 - r12;
        r2 = r2 + r14 - r13;
        r3 = r3 + r15 + r12 - r14;
        r4 = r4 + r16 + r13 + r12 - r15;
        r5 = r5 + r14 + r13 - r16;
        r6 = r6 + r15 + r14;
        r7 = r7 + r16 + r15;
        r8 = r8 + r16;
        v = r0; r0 = v & M32;
        v = r1 + (v >> 32); r1 = v & M32;
        v = r2 + (v >> 32); r2 = v & M32;
        v = r3 + (v >> 32); r3 = v & M32;
        v = r4 + (v >> 32); r4 = v & M32;
        v = r5 + (v >> 32); r5 = v & M32;
        v = r6 + (v >> 32); r6 = v & M32;
        v = r7 + (v >> 32); r7 = v & M32;
        v = r8 + (v >> 32); r8 = v & M32;
        v = r9 + (v >> 32); r9 = v & M32;
        v = r10 + (v >> 32); r10 = v & M32;
        v = r11 + (v >> 32); r11 = v & M32;
        long top = v >> 32;
        r0 += top; r1 -= top; r3 += top; r4 += top;
        // normalise r and r − p as two independent chains; keep r if r − p borrowed
        long d;
        v = r0; d = r0 - 0xFFFFFFFFL; r0 = v & M32; long s0 = d & M32;
        v = r1 + (v >> 32); d = r1 - 0x0L + (d >> 32); r1 = v & M32; long s1 = d & M32;
        v = r2 + (v >> 32); d = r2 - 0x0L + (d >> 32); r2 = v & M32; long s2 = d & M32;
        v = r3 + (v >> 32); d = r3 - 0xFFFFFFFFL + (d >> 32); r3 = v & M32; long s3 = d & M32;
        v = r4 + (v >> 32); d = r4 - 0xFFFFFFFEL + (d >> 32); r4 = v & M32; long s4 = d & M32;
        v = r5 + (v >> 32); d = r5 - 0xFFFFFFFFL + (d >> 32); r5 = v & M32; long s5 = d & M32;
        v = r6 + (v >> 32); d = r6 - 0xFFFFFFFFL + (d >> 32); r6 = v & M32; long s6 = d & M32;
        v = r7 + (v >> 32); d = r7 - 0xFFFFFFFFL + (d >> 32); r7 = v & M32; long s7 = d & M32;
        v = r8 + (v >> 32); d = r8 - 0xFFFFFFFFL + (d >> 32); r8 = v & M32; long s8 = d & M32;
        v = r9 + (v >> 32); d = r9 - 0xFFFFFFFFL + (d >> 32); r9 = v & M32; long s9 = d & M32;
        v = r10 + (v >> 32); d = r10 - 0xFFFFFFFFL + (d >> 32); r10 = v & M32; long s10 = d & M32;
        v = r11 + (v >> 32); d = r11 - 0xFFFFFFFFL + (d >> 32); r11 = v & M32; long s11 = d & M32;
        long keep = d >> 63; // all ones when r < p
        out[0] = s0 ^ ((s0 ^ r0) & keep);
        out[1] = s1 ^ ((s1 ^ r1) & keep);
        out[2] = s2 ^ ((s2 ^ r2) & keep);
        out[3] = s3 ^ ((s3 ^ r3) & keep);
        out[4] = s4 ^ ((s4 ^ r4) & keep);
        out[5] = s5 ^ ((s5 ^ r5) & keep);
        out[6] = s6 ^ ((s6 ^ r6) & keep);
        out[7] = s7 ^ ((s7 ^ r7) & keep);
        out[8] = s8 ^ ((s8 ^ r8) & keep);
        out[9] = s9 ^ ((s9 ^ r9) & keep);
        out[10] = s10 ^ ((s10 ^ r10) & keep);
        out[11] = s11 ^ ((s11 ^ r11) & keep);
    }

    /** out = a² mod p ({@code out} may alias {@code a}). Generated, fully unrolled. */
    static void sqrUnrolled(long[] out, long[] a) {
        long a0 = a[0] | (a[1] << 32), a1 = a[2] | (a[3] << 32), a2 = a[4] | (a[5] << 32);
        long a3 = a[6] | (a[7] << 32), a4 = a[8] | (a[9] << 32), a5 = a[10] | (a[11] << 32);
        long t, u, q0, q1, q2, q3, p2 = 0, p3 = 0, acc = 0;
        // 64-bit column 0 (32-bit columns 0, 1)
        t = a0 * a0; u = Math.unsignedMultiplyHigh(a0, a0);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        acc += q0 + p2; long c0 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c1 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 1 (32-bit columns 2, 3)
        t = a0 * a1; u = Math.unsignedMultiplyHigh(a0, a1);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        acc += q0 + p2; long c2 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c3 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 2 (32-bit columns 4, 5)
        t = a0 * a2; u = Math.unsignedMultiplyHigh(a0, a2);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        t = a1 * a1; u = Math.unsignedMultiplyHigh(a1, a1);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c4 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c5 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 3 (32-bit columns 6, 7)
        t = a0 * a3; u = Math.unsignedMultiplyHigh(a0, a3);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * a2; u = Math.unsignedMultiplyHigh(a1, a2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        acc += q0 + p2; long c6 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c7 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 4 (32-bit columns 8, 9)
        t = a0 * a4; u = Math.unsignedMultiplyHigh(a0, a4);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * a3; u = Math.unsignedMultiplyHigh(a1, a3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        t = a2 * a2; u = Math.unsignedMultiplyHigh(a2, a2);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c8 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c9 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 5 (32-bit columns 10, 11)
        t = a0 * a5; u = Math.unsignedMultiplyHigh(a0, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a1 * a4; u = Math.unsignedMultiplyHigh(a1, a4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        t = a2 * a3; u = Math.unsignedMultiplyHigh(a2, a3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        acc += q0 + p2; long c10 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c11 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 6 (32-bit columns 12, 13)
        t = a1 * a5; u = Math.unsignedMultiplyHigh(a1, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a2 * a4; u = Math.unsignedMultiplyHigh(a2, a4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        t = a3 * a3; u = Math.unsignedMultiplyHigh(a3, a3);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c12 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c13 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 7 (32-bit columns 14, 15)
        t = a2 * a5; u = Math.unsignedMultiplyHigh(a2, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        t = a3 * a4; u = Math.unsignedMultiplyHigh(a3, a4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        acc += q0 + p2; long c14 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c15 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 8 (32-bit columns 16, 17)
        t = a3 * a5; u = Math.unsignedMultiplyHigh(a3, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        t = a4 * a4; u = Math.unsignedMultiplyHigh(a4, a4);
        q0 += t & M32; q1 += t >>> 32; q2 += u & M32; q3 += u >>> 32;
        acc += q0 + p2; long c16 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c17 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 9 (32-bit columns 18, 19)
        t = a4 * a5; u = Math.unsignedMultiplyHigh(a4, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        q0 <<= 1; q1 <<= 1; q2 <<= 1; q3 <<= 1;
        acc += q0 + p2; long c18 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c19 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        // 64-bit column 10 (32-bit columns 20, 21)
        t = a5 * a5; u = Math.unsignedMultiplyHigh(a5, a5);
        q0 = t & M32; q1 = t >>> 32; q2 = u & M32; q3 = u >>> 32;
        acc += q0 + p2; long c20 = acc & M32; acc >>>= 32;
        acc += q1 + p3; long c21 = acc & M32; acc >>>= 32; p2 = q2; p3 = q3;
        acc += p2; long c22 = acc & M32; acc >>>= 32;
        long c23 = (acc + p3) & M32;
        long r0 = c0 +c12;
        long r1 = c1 +c13 -c12;
        long r2 = c2 +c14 -c13;
        long r3 = c3 +c15 +c12 -c14;
        long r4 = c4 +c16 +c13 +c12 -c15;
        long r5 = c5 +c17 +c14 +c13 -c16;
        long r6 = c6 +c18 +c15 +c14 -c17;
        long r7 = c7 +c19 +c16 +c15 -c18;
        long r8 = c8 +c20 +c17 +c16 -c19;
        long r9 = c9 +c21 +c18 +c17 -c20;
        long r10 = c10 +c22 +c19 +c18 -c21;
        long r11 = c11 +c23 +c20 +c19 -c22;
        long r12 = c21 +c20 -c23;
        long r13 = c22 +c21;
        long r14 = c23 +c22;
        long r15 = c23;
        long r16 = 0;
        long v;
        v = r0; r0 = v & M32;
        v = r1 + (v >> 32); r1 = v & M32;
        v = r2 + (v >> 32); r2 = v & M32;
        v = r3 + (v >> 32); r3 = v & M32;
        v = r4 + (v >> 32); r4 = v & M32;
        v = r5 + (v >> 32); r5 = v & M32;
        v = r6 + (v >> 32); r6 = v & M32;
        v = r7 + (v >> 32); r7 = v & M32;
        v = r8 + (v >> 32); r8 = v & M32;
        v = r9 + (v >> 32); r9 = v & M32;
        v = r10 + (v >> 32); r10 = v & M32;
        v = r11 + (v >> 32); r11 = v & M32;
        v = r12 + (v >> 32); r12 = v & M32;
        v = r13 + (v >> 32); r13 = v & M32;
        v = r14 + (v >> 32); r14 = v & M32;
        v = r15 + (v >> 32); r15 = v & M32;
        r16 = v >> 32;
        r0 = r0 + r12;
        r1 = r1 + r13 - r12;
        r2 = r2 + r14 - r13;
        r3 = r3 + r15 + r12 - r14;
        r4 = r4 + r16 + r13 + r12 - r15;
        r5 = r5 + r14 + r13 - r16;
        r6 = r6 + r15 + r14;
        r7 = r7 + r16 + r15;
        r8 = r8 + r16;
        v = r0; r0 = v & M32;
        v = r1 + (v >> 32); r1 = v & M32;
        v = r2 + (v >> 32); r2 = v & M32;
        v = r3 + (v >> 32); r3 = v & M32;
        v = r4 + (v >> 32); r4 = v & M32;
        v = r5 + (v >> 32); r5 = v & M32;
        v = r6 + (v >> 32); r6 = v & M32;
        v = r7 + (v >> 32); r7 = v & M32;
        v = r8 + (v >> 32); r8 = v & M32;
        v = r9 + (v >> 32); r9 = v & M32;
        v = r10 + (v >> 32); r10 = v & M32;
        v = r11 + (v >> 32); r11 = v & M32;
        long top = v >> 32;
        r0 += top; r1 -= top; r3 += top; r4 += top;
        // normalise r and r − p as two independent chains; keep r if r − p borrowed
        long d;
        v = r0; d = r0 - 0xFFFFFFFFL; r0 = v & M32; long s0 = d & M32;
        v = r1 + (v >> 32); d = r1 - 0x0L + (d >> 32); r1 = v & M32; long s1 = d & M32;
        v = r2 + (v >> 32); d = r2 - 0x0L + (d >> 32); r2 = v & M32; long s2 = d & M32;
        v = r3 + (v >> 32); d = r3 - 0xFFFFFFFFL + (d >> 32); r3 = v & M32; long s3 = d & M32;
        v = r4 + (v >> 32); d = r4 - 0xFFFFFFFEL + (d >> 32); r4 = v & M32; long s4 = d & M32;
        v = r5 + (v >> 32); d = r5 - 0xFFFFFFFFL + (d >> 32); r5 = v & M32; long s5 = d & M32;
        v = r6 + (v >> 32); d = r6 - 0xFFFFFFFFL + (d >> 32); r6 = v & M32; long s6 = d & M32;
        v = r7 + (v >> 32); d = r7 - 0xFFFFFFFFL + (d >> 32); r7 = v & M32; long s7 = d & M32;
        v = r8 + (v >> 32); d = r8 - 0xFFFFFFFFL + (d >> 32); r8 = v & M32; long s8 = d & M32;
        v = r9 + (v >> 32); d = r9 - 0xFFFFFFFFL + (d >> 32); r9 = v & M32; long s9 = d & M32;
        v = r10 + (v >> 32); d = r10 - 0xFFFFFFFFL + (d >> 32); r10 = v & M32; long s10 = d & M32;
        v = r11 + (v >> 32); d = r11 - 0xFFFFFFFFL + (d >> 32); r11 = v & M32; long s11 = d & M32;
        long keep = d >> 63; // all ones when r < p
        out[0] = s0 ^ ((s0 ^ r0) & keep);
        out[1] = s1 ^ ((s1 ^ r1) & keep);
        out[2] = s2 ^ ((s2 ^ r2) & keep);
        out[3] = s3 ^ ((s3 ^ r3) & keep);
        out[4] = s4 ^ ((s4 ^ r4) & keep);
        out[5] = s5 ^ ((s5 ^ r5) & keep);
        out[6] = s6 ^ ((s6 ^ r6) & keep);
        out[7] = s7 ^ ((s7 ^ r7) & keep);
        out[8] = s8 ^ ((s8 ^ r8) & keep);
        out[9] = s9 ^ ((s9 ^ r9) & keep);
        out[10] = s10 ^ ((s10 ^ r10) & keep);
        out[11] = s11 ^ ((s11 ^ r11) & keep);
    }


    /**
     * out = a + b mod p (aliasing allowed). Generated, unrolled: a + b and a + b − p as two
     * independent carry chains (so they run side by side), then the sum kept by mask if the second
     * borrowed.
     */
    static void add(long[] out, long[] a, long[] b) {
        long v, d, x;
        x = a[0] + b[0];
        v = x; long r0 = v & M32;
        d = x - 0xFFFFFFFFL; long s0 = d & M32;
        x = a[1] + b[1];
        v = x + (v >>> 32); long r1 = v & M32;
        d = x - 0x0L + (d >> 32); long s1 = d & M32;
        x = a[2] + b[2];
        v = x + (v >>> 32); long r2 = v & M32;
        d = x - 0x0L + (d >> 32); long s2 = d & M32;
        x = a[3] + b[3];
        v = x + (v >>> 32); long r3 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s3 = d & M32;
        x = a[4] + b[4];
        v = x + (v >>> 32); long r4 = v & M32;
        d = x - 0xFFFFFFFEL + (d >> 32); long s4 = d & M32;
        x = a[5] + b[5];
        v = x + (v >>> 32); long r5 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s5 = d & M32;
        x = a[6] + b[6];
        v = x + (v >>> 32); long r6 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s6 = d & M32;
        x = a[7] + b[7];
        v = x + (v >>> 32); long r7 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s7 = d & M32;
        x = a[8] + b[8];
        v = x + (v >>> 32); long r8 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s8 = d & M32;
        x = a[9] + b[9];
        v = x + (v >>> 32); long r9 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s9 = d & M32;
        x = a[10] + b[10];
        v = x + (v >>> 32); long r10 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s10 = d & M32;
        x = a[11] + b[11];
        v = x + (v >>> 32); long r11 = v & M32;
        d = x - 0xFFFFFFFFL + (d >> 32); long s11 = d & M32;
        long keep = d >> 63; // all ones when a + b < p
        out[0] = s0 ^ ((s0 ^ r0) & keep);
        out[1] = s1 ^ ((s1 ^ r1) & keep);
        out[2] = s2 ^ ((s2 ^ r2) & keep);
        out[3] = s3 ^ ((s3 ^ r3) & keep);
        out[4] = s4 ^ ((s4 ^ r4) & keep);
        out[5] = s5 ^ ((s5 ^ r5) & keep);
        out[6] = s6 ^ ((s6 ^ r6) & keep);
        out[7] = s7 ^ ((s7 ^ r7) & keep);
        out[8] = s8 ^ ((s8 ^ r8) & keep);
        out[9] = s9 ^ ((s9 ^ r9) & keep);
        out[10] = s10 ^ ((s10 ^ r10) & keep);
        out[11] = s11 ^ ((s11 ^ r11) & keep);
    }

    /**
     * out = a − b mod p (aliasing allowed). Generated, unrolled: a − b and a − b + p as two
     * independent carry chains, the second kept by mask if the first borrowed.
     */
    static void sub(long[] out, long[] a, long[] b) {
        long v, d, x;
        x = a[0] - b[0];
        v = x; long r0 = v & M32;
        d = x + 0xFFFFFFFFL; long s0 = d & M32;
        x = a[1] - b[1];
        v = x + (v >> 32); long r1 = v & M32;
        d = x + 0x0L + (d >> 32); long s1 = d & M32;
        x = a[2] - b[2];
        v = x + (v >> 32); long r2 = v & M32;
        d = x + 0x0L + (d >> 32); long s2 = d & M32;
        x = a[3] - b[3];
        v = x + (v >> 32); long r3 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s3 = d & M32;
        x = a[4] - b[4];
        v = x + (v >> 32); long r4 = v & M32;
        d = x + 0xFFFFFFFEL + (d >> 32); long s4 = d & M32;
        x = a[5] - b[5];
        v = x + (v >> 32); long r5 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s5 = d & M32;
        x = a[6] - b[6];
        v = x + (v >> 32); long r6 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s6 = d & M32;
        x = a[7] - b[7];
        v = x + (v >> 32); long r7 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s7 = d & M32;
        x = a[8] - b[8];
        v = x + (v >> 32); long r8 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s8 = d & M32;
        x = a[9] - b[9];
        v = x + (v >> 32); long r9 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s9 = d & M32;
        x = a[10] - b[10];
        v = x + (v >> 32); long r10 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s10 = d & M32;
        x = a[11] - b[11];
        v = x + (v >> 32); long r11 = v & M32;
        d = x + 0xFFFFFFFFL + (d >> 32); long s11 = d & M32;
        long borrow = v >> 63; // all ones when a < b
        out[0] = r0 ^ ((r0 ^ s0) & borrow);
        out[1] = r1 ^ ((r1 ^ s1) & borrow);
        out[2] = r2 ^ ((r2 ^ s2) & borrow);
        out[3] = r3 ^ ((r3 ^ s3) & borrow);
        out[4] = r4 ^ ((r4 ^ s4) & borrow);
        out[5] = r5 ^ ((r5 ^ s5) & borrow);
        out[6] = r6 ^ ((r6 ^ s6) & borrow);
        out[7] = r7 ^ ((r7 ^ s7) & borrow);
        out[8] = r8 ^ ((r8 ^ s8) & borrow);
        out[9] = r9 ^ ((r9 ^ s9) & borrow);
        out[10] = r10 ^ ((r10 ^ s10) & borrow);
        out[11] = r11 ^ ((r11 ^ s11) & borrow);
    }


    /** out = −a mod p. */
    static void neg(long[] out, long[] a) {
        long borrow = 0;
        long nz = 0;
        for (int i = 0; i < WORDS; i++) {
            nz |= a[i];
            long v = P[i] - a[i] + borrow;
            out[i] = v & M32;
            borrow = v >> 32;
        }
        // −0 = 0, not p
        long mask = -((nz | -nz) >>> 63); // all ones iff a != 0
        for (int i = 0; i < WORDS; i++) out[i] &= mask;
    }

    /** out = (mask == −1) ? b : a, for mask ∈ {0, −1}; constant time. */
    static void select(long[] out, long[] a, long[] b, long mask) {
        for (int i = 0; i < WORDS; i++) out[i] = a[i] ^ ((a[i] ^ b[i]) & mask);
    }

    /** −1 if a == 0 else 0; constant time. */
    static long isZeroMask(long[] a) {
        long acc = 0;
        for (int i = 0; i < WORDS; i++) acc |= a[i];
        return ((acc | -acc) >>> 63) - 1;
    }

    /** −1 if a == b else 0; constant time. */
    static long equalMask(long[] a, long[] b) {
        long acc = 0;
        for (int i = 0; i < WORDS; i++) acc |= a[i] ^ b[i];
        return ((acc | -acc) >>> 63) - 1;
    }

    static void copy(long[] out, long[] a) {
        System.arraycopy(a, 0, out, 0, WORDS);
    }

    static void setSmall(long[] out, int v) {
        java.util.Arrays.fill(out, 0, WORDS, 0L);
        out[0] = v & M32;
    }

    /** Zeroes the scratch space of the exponentiations (it held powers of a possibly secret base). */
    void wipe() {
        for (long[] w : new long[][] {x2, x3, x15, x30, x32, t, u}) java.util.Arrays.fill(w, 0L);
    }

    /** out = a^(2^n) (n ≥ 1; out may alias a). */
    private void sqrN(long[] out, long[] a, int n) {
        sqr(out, a);
        for (int i = 1; i < n; i++) sqr(out, out);
    }

    /**
     * x255 = a^(2^255 − 1), leaving a^(2^k − 1) for k = 2, 3, 15, 30, 32 in the scratch arrays:
     * the common head of the two exponents below (their 255 leading one bits). 254 squarings, 11
     * multiplications; the chain is fixed, only the base may be secret.
     */
    private void onesHead(long[] x255, long[] a) {
        long[] t = this.t, u = this.u;
        sqr(x2, a);
        mul(x2, x2, a); // 2^2 − 1
        sqr(x3, x2);
        mul(x3, x3, a); // 2^3 − 1
        sqrN(t, x3, 3);
        mul(t, t, x3); // 2^6 − 1
        sqrN(u, t, 6);
        mul(u, u, t); // 2^12 − 1
        sqrN(x15, u, 3);
        mul(x15, x15, x3); // 2^15 − 1
        sqrN(x30, x15, 15);
        mul(x30, x30, x15); // 2^30 − 1
        sqrN(x32, x30, 2);
        mul(x32, x32, x2); // 2^32 − 1
        sqrN(t, x30, 30);
        mul(t, t, x30); // 2^60 − 1
        sqrN(u, t, 60);
        mul(u, u, t); // 2^120 − 1
        sqrN(t, u, 120);
        mul(t, t, u); // 2^240 − 1
        sqrN(x255, t, 15);
        mul(x255, x255, x15); // 2^255 − 1
    }

    /**
     * out = a^(p−2) = a^−1 mod p (0 maps to 0). p − 2 in bits from the top: 255 ones, a zero, 32
     * ones, 64 zeros, 30 ones, "01"; 383 squarings and 14 multiplications.
     */
    void inv(long[] out, long[] a) {
        long[] r = new long[WORDS];
        onesHead(r, a);
        sqrN(r, r, 1 + 32);
        mul(r, r, x32);
        sqrN(r, r, 64 + 30);
        mul(r, r, x30);
        sqrN(r, r, 2);
        mul(out, r, a);
        java.util.Arrays.fill(r, 0L);
    }

    /**
     * out = a^((p+1)/4), a square root of a if a is a square (p ≡ 3 mod 4). (p + 1)/4 =
     * 2^382 − 2^126 − 2^94 + 2^30 in bits from the top: 255 ones, a zero, 32 ones, 63 zeros, a one,
     * 30 zeros.
     */
    void sqrtCandidate(long[] out, long[] a) {
        long[] r = new long[WORDS];
        onesHead(r, a);
        sqrN(r, r, 1 + 32);
        mul(r, r, x32);
        sqrN(r, r, 64);
        mul(r, r, a);
        sqrN(out, r, 30);
        java.util.Arrays.fill(r, 0L);
    }

    /** Reads 48 big-endian bytes into words (no reduction; see {@link #lessThanPMask}). */
    static void fromBytes(long[] out, byte[] in, int off) {
        for (int i = 0; i < WORDS; i++) {
            int o = off + 44 - 4 * i;
            out[i] = ((in[o] & 0xFFL) << 24) | ((in[o + 1] & 0xFFL) << 16)
                    | ((in[o + 2] & 0xFFL) << 8) | (in[o + 3] & 0xFFL);
        }
    }

    /** Writes a as 48 big-endian bytes. */
    static void toBytes(long[] a, byte[] out, int off) {
        for (int i = 0; i < WORDS; i++) {
            int o = off + 44 - 4 * i;
            long w = a[i];
            out[o] = (byte) (w >>> 24);
            out[o + 1] = (byte) (w >>> 16);
            out[o + 2] = (byte) (w >>> 8);
            out[o + 3] = (byte) w;
        }
    }

    /** −1 if the 12-word value a is &lt; p, else 0; constant time. */
    static long lessThanPMask(long[] a) {
        long borrow = 0;
        for (int i = 0; i < WORDS; i++) {
            long v = a[i] - P[i] + borrow;
            borrow = v >> 32;
        }
        return borrow; // −1 iff a − p < 0
    }
}

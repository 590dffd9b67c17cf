package dev.planetary.zssp.crypto;

/**
 * Test oracle: the P-384 field code as it was before issue 12 §5 (12×32-bit products; commit
 * 772df0b), kept unchanged so that the faster main code can be compared with it on random inputs.
 *
 * <p>Arithmetic modulo the P-384 prime p = 2^384 − 2^128 − 2^96 + 2^32 − 1.
 *
 * <p>An element is a {@code long[12]} of 32-bit words, least significant first, always fully
 * reduced (0 ≤ value &lt; p) between operations. Every operation runs the same instruction
 * sequence and touches the same memory whatever the values: no branch, table index or loop bound
 * depends on data (selections use all-ones/all-zeros masks). Only exponents of {@link #pow} select
 * code paths, and those are public constants.
 *
 * <p>An instance holds the scratch space of multiplication, so it is not thread-safe; create one
 * per operation (they are small).
 */
final class P384FieldRef {
    static final int WORDS = 12;
    static final long M32 = 0xFFFF_FFFFL;

    /** p, least significant 32-bit word first. */
    static final long[] P = {
        0xFFFF_FFFFL, 0, 0, 0xFFFF_FFFFL, 0xFFFF_FFFEL, 0xFFFF_FFFFL,
        0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL
    };

    private final long[] powTable = new long[16 * WORDS];
    private final long[] powAcc = new long[WORDS];

    /** out = a·b mod p ({@code out} may alias {@code a} or {@code b}). */
    void mul(long[] out, long[] a, long[] b) {
        mulUnrolled(out, a, b);
    }

    /** out = a² mod p. */
    void sqr(long[] out, long[] a) {
        sqrUnrolled(out, a);
    }

    // The two methods below are generated (a short Python script writing out the loops):
    // product scanning in 32-bit columns (the 32-bit halves of each product summed separately, at
    // most 12 terms < 2^32 per column, so no overflow), then the reduction of the 768-bit product
    // with 2^384 ≡ 2^128 + 2^96 − 2^32 + 1 (mod p) in three folds of fixed shape (value < 2^513,
    // then < 2^384 + 2^259, then < 2^384), and one masked subtraction of p.

    /** out = a·b mod p ({@code out} may alias {@code a} or {@code b}). Generated, fully unrolled. */
    static void mulUnrolled(long[] out, long[] a, long[] b) {
        long a0 = a[0]; long a1 = a[1]; long a2 = a[2]; long a3 = a[3]; long a4 = a[4]; long a5 = a[5];
        long a6 = a[6]; long a7 = a[7]; long a8 = a[8]; long a9 = a[9]; long a10 = a[10]; long a11 = a[11];
        long b0 = b[0]; long b1 = b[1]; long b2 = b[2]; long b3 = b[3]; long b4 = b[4]; long b5 = b[5];
        long b6 = b[6]; long b7 = b[7]; long b8 = b[8]; long b9 = b[9]; long b10 = b[10]; long b11 = b[11];
        long t, lo, hi, acc, hp = 0;
        // column 0
        t = a0 * b0; lo = t & M32; hi = t >>> 32;
        long c0 = lo & M32; acc = lo >>> 32; hp = hi;
        // column 1
        t = a0 * b1; lo = t & M32; hi = t >>> 32;
        t = a1 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c1 = acc & M32; acc >>>= 32; hp = hi;
        // column 2
        t = a0 * b2; lo = t & M32; hi = t >>> 32;
        t = a1 * b1; lo += t & M32; hi += t >>> 32;
        t = a2 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c2 = acc & M32; acc >>>= 32; hp = hi;
        // column 3
        t = a0 * b3; lo = t & M32; hi = t >>> 32;
        t = a1 * b2; lo += t & M32; hi += t >>> 32;
        t = a2 * b1; lo += t & M32; hi += t >>> 32;
        t = a3 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c3 = acc & M32; acc >>>= 32; hp = hi;
        // column 4
        t = a0 * b4; lo = t & M32; hi = t >>> 32;
        t = a1 * b3; lo += t & M32; hi += t >>> 32;
        t = a2 * b2; lo += t & M32; hi += t >>> 32;
        t = a3 * b1; lo += t & M32; hi += t >>> 32;
        t = a4 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c4 = acc & M32; acc >>>= 32; hp = hi;
        // column 5
        t = a0 * b5; lo = t & M32; hi = t >>> 32;
        t = a1 * b4; lo += t & M32; hi += t >>> 32;
        t = a2 * b3; lo += t & M32; hi += t >>> 32;
        t = a3 * b2; lo += t & M32; hi += t >>> 32;
        t = a4 * b1; lo += t & M32; hi += t >>> 32;
        t = a5 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c5 = acc & M32; acc >>>= 32; hp = hi;
        // column 6
        t = a0 * b6; lo = t & M32; hi = t >>> 32;
        t = a1 * b5; lo += t & M32; hi += t >>> 32;
        t = a2 * b4; lo += t & M32; hi += t >>> 32;
        t = a3 * b3; lo += t & M32; hi += t >>> 32;
        t = a4 * b2; lo += t & M32; hi += t >>> 32;
        t = a5 * b1; lo += t & M32; hi += t >>> 32;
        t = a6 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c6 = acc & M32; acc >>>= 32; hp = hi;
        // column 7
        t = a0 * b7; lo = t & M32; hi = t >>> 32;
        t = a1 * b6; lo += t & M32; hi += t >>> 32;
        t = a2 * b5; lo += t & M32; hi += t >>> 32;
        t = a3 * b4; lo += t & M32; hi += t >>> 32;
        t = a4 * b3; lo += t & M32; hi += t >>> 32;
        t = a5 * b2; lo += t & M32; hi += t >>> 32;
        t = a6 * b1; lo += t & M32; hi += t >>> 32;
        t = a7 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c7 = acc & M32; acc >>>= 32; hp = hi;
        // column 8
        t = a0 * b8; lo = t & M32; hi = t >>> 32;
        t = a1 * b7; lo += t & M32; hi += t >>> 32;
        t = a2 * b6; lo += t & M32; hi += t >>> 32;
        t = a3 * b5; lo += t & M32; hi += t >>> 32;
        t = a4 * b4; lo += t & M32; hi += t >>> 32;
        t = a5 * b3; lo += t & M32; hi += t >>> 32;
        t = a6 * b2; lo += t & M32; hi += t >>> 32;
        t = a7 * b1; lo += t & M32; hi += t >>> 32;
        t = a8 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c8 = acc & M32; acc >>>= 32; hp = hi;
        // column 9
        t = a0 * b9; lo = t & M32; hi = t >>> 32;
        t = a1 * b8; lo += t & M32; hi += t >>> 32;
        t = a2 * b7; lo += t & M32; hi += t >>> 32;
        t = a3 * b6; lo += t & M32; hi += t >>> 32;
        t = a4 * b5; lo += t & M32; hi += t >>> 32;
        t = a5 * b4; lo += t & M32; hi += t >>> 32;
        t = a6 * b3; lo += t & M32; hi += t >>> 32;
        t = a7 * b2; lo += t & M32; hi += t >>> 32;
        t = a8 * b1; lo += t & M32; hi += t >>> 32;
        t = a9 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c9 = acc & M32; acc >>>= 32; hp = hi;
        // column 10
        t = a0 * b10; lo = t & M32; hi = t >>> 32;
        t = a1 * b9; lo += t & M32; hi += t >>> 32;
        t = a2 * b8; lo += t & M32; hi += t >>> 32;
        t = a3 * b7; lo += t & M32; hi += t >>> 32;
        t = a4 * b6; lo += t & M32; hi += t >>> 32;
        t = a5 * b5; lo += t & M32; hi += t >>> 32;
        t = a6 * b4; lo += t & M32; hi += t >>> 32;
        t = a7 * b3; lo += t & M32; hi += t >>> 32;
        t = a8 * b2; lo += t & M32; hi += t >>> 32;
        t = a9 * b1; lo += t & M32; hi += t >>> 32;
        t = a10 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c10 = acc & M32; acc >>>= 32; hp = hi;
        // column 11
        t = a0 * b11; lo = t & M32; hi = t >>> 32;
        t = a1 * b10; lo += t & M32; hi += t >>> 32;
        t = a2 * b9; lo += t & M32; hi += t >>> 32;
        t = a3 * b8; lo += t & M32; hi += t >>> 32;
        t = a4 * b7; lo += t & M32; hi += t >>> 32;
        t = a5 * b6; lo += t & M32; hi += t >>> 32;
        t = a6 * b5; lo += t & M32; hi += t >>> 32;
        t = a7 * b4; lo += t & M32; hi += t >>> 32;
        t = a8 * b3; lo += t & M32; hi += t >>> 32;
        t = a9 * b2; lo += t & M32; hi += t >>> 32;
        t = a10 * b1; lo += t & M32; hi += t >>> 32;
        t = a11 * b0; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c11 = acc & M32; acc >>>= 32; hp = hi;
        // column 12
        t = a1 * b11; lo = t & M32; hi = t >>> 32;
        t = a2 * b10; lo += t & M32; hi += t >>> 32;
        t = a3 * b9; lo += t & M32; hi += t >>> 32;
        t = a4 * b8; lo += t & M32; hi += t >>> 32;
        t = a5 * b7; lo += t & M32; hi += t >>> 32;
        t = a6 * b6; lo += t & M32; hi += t >>> 32;
        t = a7 * b5; lo += t & M32; hi += t >>> 32;
        t = a8 * b4; lo += t & M32; hi += t >>> 32;
        t = a9 * b3; lo += t & M32; hi += t >>> 32;
        t = a10 * b2; lo += t & M32; hi += t >>> 32;
        t = a11 * b1; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c12 = acc & M32; acc >>>= 32; hp = hi;
        // column 13
        t = a2 * b11; lo = t & M32; hi = t >>> 32;
        t = a3 * b10; lo += t & M32; hi += t >>> 32;
        t = a4 * b9; lo += t & M32; hi += t >>> 32;
        t = a5 * b8; lo += t & M32; hi += t >>> 32;
        t = a6 * b7; lo += t & M32; hi += t >>> 32;
        t = a7 * b6; lo += t & M32; hi += t >>> 32;
        t = a8 * b5; lo += t & M32; hi += t >>> 32;
        t = a9 * b4; lo += t & M32; hi += t >>> 32;
        t = a10 * b3; lo += t & M32; hi += t >>> 32;
        t = a11 * b2; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c13 = acc & M32; acc >>>= 32; hp = hi;
        // column 14
        t = a3 * b11; lo = t & M32; hi = t >>> 32;
        t = a4 * b10; lo += t & M32; hi += t >>> 32;
        t = a5 * b9; lo += t & M32; hi += t >>> 32;
        t = a6 * b8; lo += t & M32; hi += t >>> 32;
        t = a7 * b7; lo += t & M32; hi += t >>> 32;
        t = a8 * b6; lo += t & M32; hi += t >>> 32;
        t = a9 * b5; lo += t & M32; hi += t >>> 32;
        t = a10 * b4; lo += t & M32; hi += t >>> 32;
        t = a11 * b3; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c14 = acc & M32; acc >>>= 32; hp = hi;
        // column 15
        t = a4 * b11; lo = t & M32; hi = t >>> 32;
        t = a5 * b10; lo += t & M32; hi += t >>> 32;
        t = a6 * b9; lo += t & M32; hi += t >>> 32;
        t = a7 * b8; lo += t & M32; hi += t >>> 32;
        t = a8 * b7; lo += t & M32; hi += t >>> 32;
        t = a9 * b6; lo += t & M32; hi += t >>> 32;
        t = a10 * b5; lo += t & M32; hi += t >>> 32;
        t = a11 * b4; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c15 = acc & M32; acc >>>= 32; hp = hi;
        // column 16
        t = a5 * b11; lo = t & M32; hi = t >>> 32;
        t = a6 * b10; lo += t & M32; hi += t >>> 32;
        t = a7 * b9; lo += t & M32; hi += t >>> 32;
        t = a8 * b8; lo += t & M32; hi += t >>> 32;
        t = a9 * b7; lo += t & M32; hi += t >>> 32;
        t = a10 * b6; lo += t & M32; hi += t >>> 32;
        t = a11 * b5; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c16 = acc & M32; acc >>>= 32; hp = hi;
        // column 17
        t = a6 * b11; lo = t & M32; hi = t >>> 32;
        t = a7 * b10; lo += t & M32; hi += t >>> 32;
        t = a8 * b9; lo += t & M32; hi += t >>> 32;
        t = a9 * b8; lo += t & M32; hi += t >>> 32;
        t = a10 * b7; lo += t & M32; hi += t >>> 32;
        t = a11 * b6; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c17 = acc & M32; acc >>>= 32; hp = hi;
        // column 18
        t = a7 * b11; lo = t & M32; hi = t >>> 32;
        t = a8 * b10; lo += t & M32; hi += t >>> 32;
        t = a9 * b9; lo += t & M32; hi += t >>> 32;
        t = a10 * b8; lo += t & M32; hi += t >>> 32;
        t = a11 * b7; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c18 = acc & M32; acc >>>= 32; hp = hi;
        // column 19
        t = a8 * b11; lo = t & M32; hi = t >>> 32;
        t = a9 * b10; lo += t & M32; hi += t >>> 32;
        t = a10 * b9; lo += t & M32; hi += t >>> 32;
        t = a11 * b8; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c19 = acc & M32; acc >>>= 32; hp = hi;
        // column 20
        t = a9 * b11; lo = t & M32; hi = t >>> 32;
        t = a10 * b10; lo += t & M32; hi += t >>> 32;
        t = a11 * b9; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c20 = acc & M32; acc >>>= 32; hp = hi;
        // column 21
        t = a10 * b11; lo = t & M32; hi = t >>> 32;
        t = a11 * b10; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c21 = acc & M32; acc >>>= 32; hp = hi;
        // column 22
        t = a11 * b11; lo = t & M32; hi = t >>> 32;
        acc += lo + hp; long c22 = acc & M32; acc >>>= 32; hp = hi;
        long c23 = (acc + hp) & M32;
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
        long d;
        d = r0 - 0xFFFFFFFFL; long s0 = d & M32;
        d = r1 - 0x0L + (d >> 32); long s1 = d & M32;
        d = r2 - 0x0L + (d >> 32); long s2 = d & M32;
        d = r3 - 0xFFFFFFFFL + (d >> 32); long s3 = d & M32;
        d = r4 - 0xFFFFFFFEL + (d >> 32); long s4 = d & M32;
        d = r5 - 0xFFFFFFFFL + (d >> 32); long s5 = d & M32;
        d = r6 - 0xFFFFFFFFL + (d >> 32); long s6 = d & M32;
        d = r7 - 0xFFFFFFFFL + (d >> 32); long s7 = d & M32;
        d = r8 - 0xFFFFFFFFL + (d >> 32); long s8 = d & M32;
        d = r9 - 0xFFFFFFFFL + (d >> 32); long s9 = d & M32;
        d = r10 - 0xFFFFFFFFL + (d >> 32); long s10 = d & M32;
        d = r11 - 0xFFFFFFFFL + (d >> 32); long s11 = d & M32;
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
        long a0 = a[0]; long a1 = a[1]; long a2 = a[2]; long a3 = a[3]; long a4 = a[4]; long a5 = a[5];
        long a6 = a[6]; long a7 = a[7]; long a8 = a[8]; long a9 = a[9]; long a10 = a[10]; long a11 = a[11];
        long t, lo, hi, acc, hp = 0;
        // column 0
        t = a0 * a0; lo = t & M32; hi = t >>> 32;
        long c0 = lo & M32; acc = lo >>> 32; hp = hi;
        // column 1
        t = a0 * a1; lo = t & M32; hi = t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c1 = acc & M32; acc >>>= 32; hp = hi;
        // column 2
        t = a0 * a2; lo = t & M32; hi = t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a1 * a1; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c2 = acc & M32; acc >>>= 32; hp = hi;
        // column 3
        t = a0 * a3; lo = t & M32; hi = t >>> 32;
        t = a1 * a2; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c3 = acc & M32; acc >>>= 32; hp = hi;
        // column 4
        t = a0 * a4; lo = t & M32; hi = t >>> 32;
        t = a1 * a3; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a2 * a2; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c4 = acc & M32; acc >>>= 32; hp = hi;
        // column 5
        t = a0 * a5; lo = t & M32; hi = t >>> 32;
        t = a1 * a4; lo += t & M32; hi += t >>> 32;
        t = a2 * a3; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c5 = acc & M32; acc >>>= 32; hp = hi;
        // column 6
        t = a0 * a6; lo = t & M32; hi = t >>> 32;
        t = a1 * a5; lo += t & M32; hi += t >>> 32;
        t = a2 * a4; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a3 * a3; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c6 = acc & M32; acc >>>= 32; hp = hi;
        // column 7
        t = a0 * a7; lo = t & M32; hi = t >>> 32;
        t = a1 * a6; lo += t & M32; hi += t >>> 32;
        t = a2 * a5; lo += t & M32; hi += t >>> 32;
        t = a3 * a4; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c7 = acc & M32; acc >>>= 32; hp = hi;
        // column 8
        t = a0 * a8; lo = t & M32; hi = t >>> 32;
        t = a1 * a7; lo += t & M32; hi += t >>> 32;
        t = a2 * a6; lo += t & M32; hi += t >>> 32;
        t = a3 * a5; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a4 * a4; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c8 = acc & M32; acc >>>= 32; hp = hi;
        // column 9
        t = a0 * a9; lo = t & M32; hi = t >>> 32;
        t = a1 * a8; lo += t & M32; hi += t >>> 32;
        t = a2 * a7; lo += t & M32; hi += t >>> 32;
        t = a3 * a6; lo += t & M32; hi += t >>> 32;
        t = a4 * a5; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c9 = acc & M32; acc >>>= 32; hp = hi;
        // column 10
        t = a0 * a10; lo = t & M32; hi = t >>> 32;
        t = a1 * a9; lo += t & M32; hi += t >>> 32;
        t = a2 * a8; lo += t & M32; hi += t >>> 32;
        t = a3 * a7; lo += t & M32; hi += t >>> 32;
        t = a4 * a6; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a5 * a5; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c10 = acc & M32; acc >>>= 32; hp = hi;
        // column 11
        t = a0 * a11; lo = t & M32; hi = t >>> 32;
        t = a1 * a10; lo += t & M32; hi += t >>> 32;
        t = a2 * a9; lo += t & M32; hi += t >>> 32;
        t = a3 * a8; lo += t & M32; hi += t >>> 32;
        t = a4 * a7; lo += t & M32; hi += t >>> 32;
        t = a5 * a6; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c11 = acc & M32; acc >>>= 32; hp = hi;
        // column 12
        t = a1 * a11; lo = t & M32; hi = t >>> 32;
        t = a2 * a10; lo += t & M32; hi += t >>> 32;
        t = a3 * a9; lo += t & M32; hi += t >>> 32;
        t = a4 * a8; lo += t & M32; hi += t >>> 32;
        t = a5 * a7; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a6 * a6; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c12 = acc & M32; acc >>>= 32; hp = hi;
        // column 13
        t = a2 * a11; lo = t & M32; hi = t >>> 32;
        t = a3 * a10; lo += t & M32; hi += t >>> 32;
        t = a4 * a9; lo += t & M32; hi += t >>> 32;
        t = a5 * a8; lo += t & M32; hi += t >>> 32;
        t = a6 * a7; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c13 = acc & M32; acc >>>= 32; hp = hi;
        // column 14
        t = a3 * a11; lo = t & M32; hi = t >>> 32;
        t = a4 * a10; lo += t & M32; hi += t >>> 32;
        t = a5 * a9; lo += t & M32; hi += t >>> 32;
        t = a6 * a8; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a7 * a7; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c14 = acc & M32; acc >>>= 32; hp = hi;
        // column 15
        t = a4 * a11; lo = t & M32; hi = t >>> 32;
        t = a5 * a10; lo += t & M32; hi += t >>> 32;
        t = a6 * a9; lo += t & M32; hi += t >>> 32;
        t = a7 * a8; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c15 = acc & M32; acc >>>= 32; hp = hi;
        // column 16
        t = a5 * a11; lo = t & M32; hi = t >>> 32;
        t = a6 * a10; lo += t & M32; hi += t >>> 32;
        t = a7 * a9; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a8 * a8; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c16 = acc & M32; acc >>>= 32; hp = hi;
        // column 17
        t = a6 * a11; lo = t & M32; hi = t >>> 32;
        t = a7 * a10; lo += t & M32; hi += t >>> 32;
        t = a8 * a9; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c17 = acc & M32; acc >>>= 32; hp = hi;
        // column 18
        t = a7 * a11; lo = t & M32; hi = t >>> 32;
        t = a8 * a10; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a9 * a9; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c18 = acc & M32; acc >>>= 32; hp = hi;
        // column 19
        t = a8 * a11; lo = t & M32; hi = t >>> 32;
        t = a9 * a10; lo += t & M32; hi += t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c19 = acc & M32; acc >>>= 32; hp = hi;
        // column 20
        t = a9 * a11; lo = t & M32; hi = t >>> 32;
        lo <<= 1; hi <<= 1;
        t = a10 * a10; lo += t & M32; hi += t >>> 32;
        acc += lo + hp; long c20 = acc & M32; acc >>>= 32; hp = hi;
        // column 21
        t = a10 * a11; lo = t & M32; hi = t >>> 32;
        lo <<= 1; hi <<= 1;
        acc += lo + hp; long c21 = acc & M32; acc >>>= 32; hp = hi;
        // column 22
        t = a11 * a11; lo = t & M32; hi = t >>> 32;
        acc += lo + hp; long c22 = acc & M32; acc >>>= 32; hp = hi;
        long c23 = (acc + hp) & M32;
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
        long d;
        d = r0 - 0xFFFFFFFFL; long s0 = d & M32;
        d = r1 - 0x0L + (d >> 32); long s1 = d & M32;
        d = r2 - 0x0L + (d >> 32); long s2 = d & M32;
        d = r3 - 0xFFFFFFFFL + (d >> 32); long s3 = d & M32;
        d = r4 - 0xFFFFFFFEL + (d >> 32); long s4 = d & M32;
        d = r5 - 0xFFFFFFFFL + (d >> 32); long s5 = d & M32;
        d = r6 - 0xFFFFFFFFL + (d >> 32); long s6 = d & M32;
        d = r7 - 0xFFFFFFFFL + (d >> 32); long s7 = d & M32;
        d = r8 - 0xFFFFFFFFL + (d >> 32); long s8 = d & M32;
        d = r9 - 0xFFFFFFFFL + (d >> 32); long s9 = d & M32;
        d = r10 - 0xFFFFFFFFL + (d >> 32); long s10 = d & M32;
        d = r11 - 0xFFFFFFFFL + (d >> 32); long s11 = d & M32;
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


    /** out = a + b mod p (aliasing allowed). Generated, unrolled: add, subtract p, keep the sum if that borrowed. */
    static void add(long[] out, long[] a, long[] b) {
        long v;
        v = a[0] + b[0]; long r0 = v & M32;
        v = a[1] + b[1] + (v >>> 32); long r1 = v & M32;
        v = a[2] + b[2] + (v >>> 32); long r2 = v & M32;
        v = a[3] + b[3] + (v >>> 32); long r3 = v & M32;
        v = a[4] + b[4] + (v >>> 32); long r4 = v & M32;
        v = a[5] + b[5] + (v >>> 32); long r5 = v & M32;
        v = a[6] + b[6] + (v >>> 32); long r6 = v & M32;
        v = a[7] + b[7] + (v >>> 32); long r7 = v & M32;
        v = a[8] + b[8] + (v >>> 32); long r8 = v & M32;
        v = a[9] + b[9] + (v >>> 32); long r9 = v & M32;
        v = a[10] + b[10] + (v >>> 32); long r10 = v & M32;
        v = a[11] + b[11] + (v >>> 32); long r11 = v & M32;
        long hi = v >>> 32;
        long d = r0 - 0xFFFFFFFFL; long s0 = d & M32;
        d = r1 - 0x0L + (d >> 32); long s1 = d & M32;
        d = r2 - 0x0L + (d >> 32); long s2 = d & M32;
        d = r3 - 0xFFFFFFFFL + (d >> 32); long s3 = d & M32;
        d = r4 - 0xFFFFFFFEL + (d >> 32); long s4 = d & M32;
        d = r5 - 0xFFFFFFFFL + (d >> 32); long s5 = d & M32;
        d = r6 - 0xFFFFFFFFL + (d >> 32); long s6 = d & M32;
        d = r7 - 0xFFFFFFFFL + (d >> 32); long s7 = d & M32;
        d = r8 - 0xFFFFFFFFL + (d >> 32); long s8 = d & M32;
        d = r9 - 0xFFFFFFFFL + (d >> 32); long s9 = d & M32;
        d = r10 - 0xFFFFFFFFL + (d >> 32); long s10 = d & M32;
        d = r11 - 0xFFFFFFFFL + (d >> 32); long s11 = d & M32;
        long keep = (hi + (d >> 32)) >> 63; // all ones when a + b < p
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

    /** out = a − b mod p (aliasing allowed). Generated, unrolled: subtract, add p masked by the borrow. */
    static void sub(long[] out, long[] a, long[] b) {
        long v;
        v = a[0] - b[0]; long r0 = v & M32;
        v = a[1] - b[1] + (v >> 32); long r1 = v & M32;
        v = a[2] - b[2] + (v >> 32); long r2 = v & M32;
        v = a[3] - b[3] + (v >> 32); long r3 = v & M32;
        v = a[4] - b[4] + (v >> 32); long r4 = v & M32;
        v = a[5] - b[5] + (v >> 32); long r5 = v & M32;
        v = a[6] - b[6] + (v >> 32); long r6 = v & M32;
        v = a[7] - b[7] + (v >> 32); long r7 = v & M32;
        v = a[8] - b[8] + (v >> 32); long r8 = v & M32;
        v = a[9] - b[9] + (v >> 32); long r9 = v & M32;
        v = a[10] - b[10] + (v >> 32); long r10 = v & M32;
        v = a[11] - b[11] + (v >> 32); long r11 = v & M32;
        long m = v >> 32; // 0 or −1
        v = r0 + (0xFFFFFFFFL & m); out[0] = v & M32;
        v = r1 + (v >>> 32); out[1] = v & M32;
        v = r2 + (v >>> 32); out[2] = v & M32;
        v = r3 + (0xFFFFFFFFL & m) + (v >>> 32); out[3] = v & M32;
        v = r4 + (0xFFFFFFFEL & m) + (v >>> 32); out[4] = v & M32;
        v = r5 + (0xFFFFFFFFL & m) + (v >>> 32); out[5] = v & M32;
        v = r6 + (0xFFFFFFFFL & m) + (v >>> 32); out[6] = v & M32;
        v = r7 + (0xFFFFFFFFL & m) + (v >>> 32); out[7] = v & M32;
        v = r8 + (0xFFFFFFFFL & m) + (v >>> 32); out[8] = v & M32;
        v = r9 + (0xFFFFFFFFL & m) + (v >>> 32); out[9] = v & M32;
        v = r10 + (0xFFFFFFFFL & m) + (v >>> 32); out[10] = v & M32;
        v = r11 + (0xFFFFFFFFL & m) + (v >>> 32); out[11] = v & M32;
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

    /** Zeroes the scratch space of {@link #pow} (it held powers of a possibly secret base). */
    void wipe() {
        java.util.Arrays.fill(powTable, 0L);
        java.util.Arrays.fill(powAcc, 0L);
    }

    /**
     * out = a^e mod p, e given as 12 words least significant first. Fixed 4-bit windows; the
     * exponent is a public constant, the base may be secret (table reads are by exponent only).
     */
    void pow(long[] out, long[] a, long[] e) {
        long[] t = powTable;
        long[] acc = powAcc;
        long[] tmp = new long[WORDS];
        setSmall(tmp, 1);
        System.arraycopy(tmp, 0, t, 0, WORDS);
        System.arraycopy(a, 0, t, WORDS, WORDS);
        long[] x = new long[WORDS];
        for (int i = 2; i < 16; i++) {
            System.arraycopy(t, (i - 1) * WORDS, x, 0, WORDS);
            mul(x, x, a);
            System.arraycopy(x, 0, t, i * WORDS, WORDS);
        }
        setSmall(acc, 1);
        for (int nib = 95; nib >= 0; nib--) {
            if (nib != 95) {
                sqr(acc, acc);
                sqr(acc, acc);
                sqr(acc, acc);
                sqr(acc, acc);
            }
            int d = (int) (e[nib >>> 3] >>> ((nib & 7) * 4)) & 0xF; // public exponent digit
            if (d != 0) {
                System.arraycopy(t, d * WORDS, x, 0, WORDS);
                mul(acc, acc, x);
            }
        }
        copy(out, acc);
        java.util.Arrays.fill(x, 0L);
    }

    private static final long[] P_MINUS_2 = {
        0xFFFF_FFFDL, 0, 0, 0xFFFF_FFFFL, 0xFFFF_FFFEL, 0xFFFF_FFFFL,
        0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL
    };

    /** (p + 1) / 4 = 0x3fff…ffbfffffffc00000000000000040000000. */
    private static final long[] P_PLUS_1_DIV_4 = {
        0x4000_0000L, 0, 0xC000_0000L, 0xBFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL,
        0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 0x3FFF_FFFFL
    };

    /** out = a^(p−2) = a^−1 mod p (0 maps to 0). */
    void inv(long[] out, long[] a) {
        pow(out, a, P_MINUS_2);
    }

    /** out = a^((p+1)/4), a square root of a if a is a square (p ≡ 3 mod 4). */
    void sqrtCandidate(long[] out, long[] a) {
        pow(out, a, P_PLUS_1_DIV_4);
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

package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The issue 12 §5 field and group code against the code it replaced ({@link P384FieldRef},
 * {@link P384CurveRef}, kept under src/test) and against BigInteger: products of carry-heavy and
 * unreduced inputs, and scalar multiplications on random scalars.
 */
class P384OracleTest {
    static final BigInteger P = P384Params.P;
    static final BigInteger TWO384 = BigInteger.TWO.pow(384);

    private static BigInteger big(long[] a) {
        byte[] b = new byte[48];
        P384Field.toBytes(a, b, 0);
        return new BigInteger(1, b);
    }

    /** 12 words, each all ones, zero, 1, 2^31 or random (any 384-bit value, p..2^384−1 included). */
    private static long[] pattern(Random r) {
        long[] a = new long[12];
        if (r.nextInt(4) == 0) { // p + δ, 0 ≤ δ < 2^384 − p: an unreduced value
            BigInteger v = P.add(new BigInteger(129, r).mod(TWO384.subtract(P)));
            byte[] b = v.toByteArray();
            byte[] b48 = new byte[48];
            System.arraycopy(b, b.length - 48, b48, 0, 48);
            P384Field.fromBytes(a, b48, 0);
            return a;
        }
        for (int k = 0; k < 12; k++) {
            a[k] = switch (r.nextInt(5)) {
                case 0 -> 0xFFFF_FFFFL;
                case 1 -> 0;
                case 2 -> 1;
                case 3 -> 0x8000_0000L;
                default -> r.nextLong() & 0xFFFF_FFFFL;
            };
        }
        return a;
    }

    @Test
    void productsOfCarryHeavyAndUnreducedInputsMatchBigIntegerAndOldCode() {
        Random r = new Random(0x5384);
        P384Field f = new P384Field();
        P384FieldRef ref = new P384FieldRef();
        long[] out = new long[12], old = new long[12];
        long[] allOnes = new long[12];
        java.util.Arrays.fill(allOnes, 0xFFFF_FFFFL);
        long[] pMinus1 = P384Field.P.clone();
        pMinus1[0]--;
        long[][] fixed = {new long[12], allOnes, P384Field.P.clone(), pMinus1};
        int unreduced = 0;
        for (int i = 0; i < 4000; i++) {
            long[] a = i < 16 ? fixed[i & 3].clone() : pattern(r);
            long[] b = i < 16 ? fixed[i >>> 2].clone() : pattern(r);
            BigInteger ba = big(a), bb = big(b);
            if (ba.compareTo(P) >= 0 || bb.compareTo(P) >= 0) unreduced++;
            f.mul(out, a, b);
            assertEquals(ba.multiply(bb).mod(P), big(out), "mul " + ba.toString(16) + " " + bb.toString(16));
            ref.mul(old, a, b);
            assertArrayEquals(old, out, "mul differs from the old code");
            f.sqr(out, a);
            assertEquals(ba.multiply(ba).mod(P), big(out), "sqr " + ba.toString(16));
            ref.sqr(old, a);
            assertArrayEquals(old, out, "sqr differs from the old code");
            for (long w : out) assertEquals(0, w >>> 32, "result word not reduced to 32 bits");
        }
        assertEquals(true, unreduced > 100, "inputs >= p exercised");
    }

    private static byte[] scalar(Random r) {
        byte[] k = new byte[48];
        r.nextBytes(k);
        BigInteger v = new BigInteger(1, k).mod(P384Params.N);
        return P384Params.toFixed48(v);
    }

    @Test
    void scalarMultiplicationsMatchOldCodeOnRandomScalars() {
        Random r = new SecureRandom();
        P384Curve c = new P384Curve();
        P384CurveRef o = new P384CurveRef();
        int W = 12;
        long[] x = new long[W], y = new long[W], z = new long[W], ax = new long[W], ay = new long[W];
        long[] ox = new long[W], oy = new long[W], oz = new long[W], bx = new long[W], by = new long[W];
        for (int i = 0; i < 24; i++) {
            byte[] k = scalar(r);
            c.mulGenerator(x, y, z, k);
            c.toAffine(ax, ay, x, y, z);
            o.mulGenerator(ox, oy, oz, k);
            o.toAffine(bx, by, ox, oy, oz);
            assertArrayEquals(bx, ax, "k·G x");
            assertArrayEquals(by, ay, "k·G y");
            // variable base: k2·(k·G)
            byte[] k2 = scalar(r);
            c.mulVariable(x, y, z, bx, by, k2);
            c.toAffine(ax, ay, x, y, z);
            o.mulVariable(ox, oy, oz, bx, by, k2);
            o.toAffine(bx, by, ox, oy, oz);
            assertArrayEquals(bx, ax, "k2·Q x");
            assertArrayEquals(by, ay, "k2·Q y");
        }
    }

    /** k·G for k in [1, 40], [n − 40, n) and around 2^379, 2^383 (the top Booth window), against the old comb. */
    @Test
    void generatorEdgeScalarsMatchOldCode() {
        P384Curve c = new P384Curve();
        P384CurveRef o = new P384CurveRef();
        int W = 12;
        long[] x = new long[W], y = new long[W], z = new long[W], ax = new long[W], ay = new long[W];
        long[] ox = new long[W], oy = new long[W], oz = new long[W], bx = new long[W], by = new long[W];
        java.util.List<BigInteger> ks = new java.util.ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            ks.add(BigInteger.valueOf(i));
            ks.add(P384Params.N.subtract(BigInteger.valueOf(i)));
        }
        for (int e : new int[] {379, 380, 383}) {
            for (int d = -2; d <= 2; d++) ks.add(BigInteger.ONE.shiftLeft(e).add(BigInteger.valueOf(d)));
        }
        for (BigInteger kv : ks) {
            byte[] k = P384Params.toFixed48(kv);
            c.mulGenerator(x, y, z, k);
            c.toAffine(ax, ay, x, y, z);
            o.mulGenerator(ox, oy, oz, k);
            o.toAffine(bx, by, ox, oy, oz);
            assertArrayEquals(bx, ax, "k·G x for k = " + kv.toString(16));
            assertArrayEquals(by, ay, "k·G y for k = " + kv.toString(16));
        }
    }

    /** k·q for every k in [1, 64] and [n − 64, n): the edges of the Booth recoding's exception analysis. */
    @Test
    void variableBaseEdgeScalarsMatchOldCode() {
        P384Curve c = new P384Curve();
        P384CurveRef o = new P384CurveRef();
        int W = 12;
        long[] x = new long[W], y = new long[W], z = new long[W], ax = new long[W], ay = new long[W];
        long[] ox = new long[W], oy = new long[W], oz = new long[W], bx = new long[W], by = new long[W];
        // q = 7·G, affine
        o.mulGenerator(ox, oy, oz, P384Params.toFixed48(BigInteger.valueOf(7)));
        long[] qx = new long[W], qy = new long[W];
        o.toAffine(qx, qy, ox, oy, oz);
        for (int i = 1; i <= 128; i++) {
            BigInteger kv = i <= 64 ? BigInteger.valueOf(i) : P384Params.N.subtract(BigInteger.valueOf(i - 64));
            byte[] k = P384Params.toFixed48(kv);
            c.mulVariable(x, y, z, qx, qy, k);
            assertEquals(0L, P384Field.isZeroMask(z), "identity for k = " + kv.toString(16));
            c.toAffine(ax, ay, x, y, z);
            o.mulVariable(ox, oy, oz, qx, qy, k);
            o.toAffine(bx, by, ox, oy, oz);
            assertArrayEquals(bx, ax, "x of k·q, k = " + kv.toString(16));
            assertArrayEquals(by, ay, "y of k·q, k = " + kv.toString(16));
        }
    }

    /** Scalar 0 gives the identity (Z = 0) in both scalar multiplications. */
    @Test
    void zeroScalarGivesTheIdentity() {
        P384Curve c = new P384Curve();
        long[] x = new long[12], y = new long[12], z = new long[12];
        c.mulGenerator(x, y, z, new byte[48]);
        assertEquals(-1L, P384Field.isZeroMask(z), "0·G");
        c.mulVariable(x, y, z, P384Curve.GX, P384Curve.GY, new byte[48]);
        assertEquals(-1L, P384Field.isZeroMask(z), "0·G by the variable-base path");
    }

    /**
     * The Jacobian mixed addition against the complete formula on random points with a random Z,
     * P + (−P) = identity, and the doubling against the complete doubling.
     */
    @Test
    void jacobianFormulasMatchCompleteFormulas() {
        Random r = new Random(0xADD);
        P384Curve c = new P384Curve();
        P384Field f = c.field();
        int W = 12;
        long[] px = new long[W], py = new long[W], pz = new long[W], qx = new long[W], qy = new long[W];
        long[] ax = new long[W], ay = new long[W], bx = new long[W], by = new long[W];
        long[] jx = new long[W], jy = new long[W], jz = new long[W], l = new long[W], l2 = new long[W];
        long[] sx = new long[W], sy = new long[W], sz = new long[W], one = new long[W];
        one[0] = 1;
        for (int i = 0; i < 40; i++) {
            c.mulGenerator(px, py, pz, scalar(r));
            c.toAffine(ax, ay, px, py, pz);
            c.mulGenerator(px, py, pz, scalar(r));
            c.toAffine(bx, by, px, py, pz);
            // a in Jacobian coordinates with Z = λ: (λ²x, λ³y, λ)
            P384Field.fromBytes(l, P384Params.toFixed48(new BigInteger(380, r).add(BigInteger.ONE)), 0);
            f.sqr(l2, l);
            f.mul(jx, ax, l2);
            f.mul(jy, ay, l2);
            f.mul(jy, jy, l);
            P384Field.copy(jz, l);
            c.addMixedJacobian(sx, sy, sz, jx, jy, jz, bx, by);
            // expected: the complete homogeneous addition of a and b
            c.add(px, py, pz, ax, ay, one, bx, by, one);
            c.toAffine(qx, qy, px, py, pz);
            assertArrayEquals(qx, jacobianX(f, sx, sz), "x of a + b");
            P384Field.neg(l2, by);
            c.addMixedJacobian(sx, sy, sz, jx, jy, jz, bx, l2);
            assertEquals(0L, P384Field.isZeroMask(sz), "a + (−b) is not the identity");
            P384Field.neg(l2, ay);
            c.addMixedJacobian(sx, sy, sz, jx, jy, jz, ax, l2); // a + (−a)
            assertEquals(-1L, P384Field.isZeroMask(sz), "a + (−a) is the identity");
            c.dblJacobian(jx, jy, jz);
            c.dbl(px, py, pz, ax, ay, one);
            c.toAffine(qx, qy, px, py, pz);
            assertArrayEquals(qx, jacobianX(f, jx, jz), "x of 2a");
        }
    }

    private static long[] jacobianX(P384Field f, long[] x, long[] z) {
        long[] zi = new long[12], out = new long[12];
        f.inv(zi, z);
        f.sqr(zi, zi);
        f.mul(out, x, zi);
        return out;
    }

    /** The Booth digits of random scalars sum back to the scalar. */
    @Test
    void boothDigitsSumToTheScalar() {
        Random r = new Random(0xB007);
        for (int t = 0; t < 2000; t++) {
            byte[] k = t < 2 ? (t == 0 ? new byte[48] : P384Params.toFixed48(TWO384.subtract(BigInteger.ONE))) : scalar(r);
            BigInteger sum = BigInteger.ZERO;
            for (int i = 76; i >= 0; i--) {
                int rec = P384Curve.boothDigit(k, i);
                int d = rec & 0xFF;
                assertEquals(true, d <= 16, "digit magnitude");
                sum = sum.shiftLeft(5).add(BigInteger.valueOf((rec >>> 8) != 0 ? -d : d));
            }
            assertEquals(new BigInteger(1, k), sum);
        }
    }
}

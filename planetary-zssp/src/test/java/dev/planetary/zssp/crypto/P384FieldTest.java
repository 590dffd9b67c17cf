package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Field arithmetic mod p against BigInteger, on edge values and random values. */
class P384FieldTest {
    static final BigInteger P = P384Params.P;

    static long[] w(BigInteger v) {
        byte[] b = P384Params.toFixed48(v);
        long[] out = new long[12];
        P384Field.fromBytes(out, b, 0);
        return out;
    }

    static BigInteger big(long[] a) {
        byte[] b = new byte[48];
        P384Field.toBytes(a, b, 0);
        return new BigInteger(1, b);
    }

    static List<BigInteger> samples(Random r, int count) {
        List<BigInteger> s = new ArrayList<>();
        BigInteger two = BigInteger.TWO;
        for (BigInteger v : new BigInteger[] {
                BigInteger.ZERO, BigInteger.ONE, two, BigInteger.valueOf(3), P.subtract(BigInteger.ONE),
                P.subtract(two), P.shiftRight(1), two.pow(383), two.pow(383).subtract(BigInteger.ONE),
                two.pow(256), two.pow(128).add(two.pow(96)).subtract(two.pow(32)).add(BigInteger.ONE),
                two.pow(32).subtract(BigInteger.ONE), two.pow(384).subtract(P).subtract(BigInteger.ONE)}) {
            s.add(v.mod(P));
        }
        for (int i = 0; i < count; i++) {
            // mix of uniform values and values with long runs of 0/1 bits
            BigInteger v = new BigInteger(384, r);
            if (i % 3 == 1) v = v.or(two.pow(384).subtract(BigInteger.ONE).shiftRight(r.nextInt(384)));
            if (i % 3 == 2) v = v.shiftRight(r.nextInt(384));
            s.add(v.mod(P));
        }
        return s;
    }

    private static void checkAll(List<BigInteger> vals) {
        P384Field f = new P384Field();
        long[] out = new long[12];
        for (int i = 0; i < vals.size(); i++) {
            BigInteger a = vals.get(i);
            BigInteger b = vals.get((i * 7 + 3) % vals.size());
            long[] wa = w(a), wb = w(b);
            f.mul(out, wa, wb);
            assertEquals(a.multiply(b).mod(P), big(out), "mul " + a.toString(16) + " " + b.toString(16));
            f.sqr(out, wa);
            assertEquals(a.multiply(a).mod(P), big(out), "sqr " + a.toString(16));
            P384Field.add(out, wa, wb);
            assertEquals(a.add(b).mod(P), big(out), "add");
            P384Field.sub(out, wa, wb);
            assertEquals(a.subtract(b).mod(P), big(out), "sub");
            P384Field.neg(out, wa);
            assertEquals(a.negate().mod(P), big(out), "neg");
            // aliasing
            long[] alias = wa.clone();
            f.mul(alias, alias, alias);
            assertEquals(a.multiply(a).mod(P), big(alias), "mul aliased");
        }
    }

    @Test
    void arithmeticMatchesBigIntegerSeeded() {
        checkAll(samples(new Random(0x384), 600));
    }

    @Test
    void arithmeticMatchesBigIntegerSecureRandom() {
        checkAll(samples(new SecureRandom(), 600));
    }

    @Test
    void allWordPatternsInMultiplication() {
        // every product of "each word all-ones or zero" patterns of small weight
        P384Field f = new P384Field();
        long[] out = new long[12];
        Random r = new Random(7);
        for (int i = 0; i < 300; i++) {
            long[] a = new long[12], b = new long[12];
            for (int k = 0; k < 12; k++) {
                a[k] = r.nextInt(3) == 0 ? 0 : 0xFFFF_FFFFL;
                b[k] = r.nextInt(3) == 0 ? 0 : 0xFFFF_FFFFL;
            }
            BigInteger ba = big(a).mod(P), bb = big(b).mod(P);
            a = w(ba);
            b = w(bb);
            f.mul(out, a, b);
            assertEquals(ba.multiply(bb).mod(P), big(out));
        }
    }

    /** lin = ka·a + kb·b mod p for every coefficient pair, on edge and unreduced inputs (up to 2^384 − 1). */
    @Test
    void linearCombinationsMatchBigInteger() {
        BigInteger top = BigInteger.TWO.pow(384).subtract(BigInteger.ONE);
        List<BigInteger> vals = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE, P.subtract(BigInteger.ONE),
                P, P.add(BigInteger.ONE), top, top.shiftRight(1), BigInteger.TWO.pow(352)));
        vals.addAll(samples(new Random(0x11), 12));
        long[] out = new long[12];
        for (int ka = 0; ka <= 8; ka++) {
            for (int kb = -8; kb <= 8; kb++) {
                for (int i = 0; i < vals.size(); i++) {
                    BigInteger a = vals.get(i), b = vals.get((i * 5 + ka + kb + 9) % vals.size());
                    long[] wa = wRaw(a), wb = wRaw(b);
                    P384Field.lin(out, wa, ka, wb, kb);
                    BigInteger expect = a.multiply(BigInteger.valueOf(ka)).add(b.multiply(BigInteger.valueOf(kb))).mod(P);
                    assertEquals(expect, big(out), "lin " + ka + "·" + a.toString(16) + " + " + kb + "·" + b.toString(16));
                    P384Field.lin(wa, wa, ka, wa, kb); // aliasing
                    assertEquals(a.multiply(BigInteger.valueOf(ka + kb)).mod(P), big(wa), "lin aliased");
                }
            }
        }
    }

    @Test
    void inverseAndSquareRoot() {
        P384Field f = new P384Field();
        long[] out = new long[12];
        long[] chk = new long[12];
        int squares = 0, nonSquares = 0;
        for (BigInteger a : samples(new Random(99), 60)) {
            f.inv(out, w(a));
            BigInteger expect = a.signum() == 0 ? BigInteger.ZERO : a.modInverse(P);
            assertEquals(expect, big(out), "inv");
            f.sqrtCandidate(out, w(a));
            f.sqr(chk, out);
            boolean isSquare = a.signum() == 0 || a.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
            assertEquals(isSquare, big(chk).equals(a), "sqrt of " + a.toString(16));
            if (isSquare) squares++; else nonSquares++;
        }
        // both branches exercised
        assertEquals(true, squares > 5 && nonSquares > 5);
    }

    @Test
    void lessThanPAndMasks() {
        assertEquals(-1L, P384Field.lessThanPMask(w(P.subtract(BigInteger.ONE))));
        assertEquals(0L, P384Field.lessThanPMask(wRaw(P)));
        assertEquals(0L, P384Field.lessThanPMask(wRaw(P.add(BigInteger.ONE))));
        assertEquals(0L, P384Field.lessThanPMask(wRaw(BigInteger.TWO.pow(384).subtract(BigInteger.ONE))));
        assertEquals(-1L, P384Field.isZeroMask(new long[12]));
        assertEquals(0L, P384Field.isZeroMask(w(BigInteger.ONE)));
        for (int a = 0; a < 16; a++) {
            for (int b = 0; b < 16; b++) assertEquals(a == b ? -1L : 0L, P384Curve.eqMask(a, b));
        }
    }

    private static long[] wRaw(BigInteger v) {
        byte[] b = new byte[48];
        byte[] m = v.toByteArray();
        int len = Math.min(48, m.length);
        System.arraycopy(m, m.length - len, b, 48 - len, len);
        long[] out = new long[12];
        P384Field.fromBytes(out, b, 0);
        return out;
    }
}

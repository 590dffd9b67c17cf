package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The divstep inversion against BigInteger and against the Fermat chain it replaced (P384FieldRef). */
class P384InverseTest {
    static final BigInteger P = P384Params.P;

    @Test
    void inverseMatchesBigIntegerAndFermat() {
        List<BigInteger> vals = new ArrayList<>(P384FieldTest.samples(new Random(0x1D1), 1000));
        vals.addAll(P384FieldTest.samples(new SecureRandom(), 300));
        BigInteger two = BigInteger.TWO;
        for (int k = 0; k < 384; k++) { // powers of two and their neighbours: long runs of equal bits
            vals.add(two.pow(k).mod(P));
            vals.add(two.pow(k).subtract(BigInteger.ONE).mod(P));
            vals.add(P.subtract(two.pow(k)).mod(P));
        }
        P384FieldRef ref = new P384FieldRef();
        long[] out = new long[12], fermat = new long[12];
        for (BigInteger a : vals) {
            long[] w = P384FieldTest.w(a);
            P384Inverse.inverse(out, w);
            BigInteger expect = a.signum() == 0 ? BigInteger.ZERO : a.modInverse(P);
            assertEquals(expect, P384FieldTest.big(out), "inverse of " + a.toString(16));
            ref.inv(fermat, w);
            assertEquals(P384FieldTest.big(fermat), P384FieldTest.big(out), "Fermat differs for " + a.toString(16));
            long[] alias = w.clone();
            P384Inverse.inverse(alias, alias);
            assertEquals(expect, P384FieldTest.big(alias), "aliased");
        }
    }

    @Test
    void limbConversionsRoundTrip() {
        Random r = new Random(30);
        long[] back = new long[12];
        for (BigInteger a : P384FieldTest.samples(r, 200)) {
            long[] w = P384FieldTest.w(a);
            long[] limbs = P384Inverse.toSigned30(w);
            BigInteger sum = BigInteger.ZERO;
            for (int i = limbs.length - 1; i >= 0; i--) {
                assertEquals(0, limbs[i] >>> 30, "limb below 2^30");
                sum = sum.shiftLeft(30).add(BigInteger.valueOf(limbs[i]));
            }
            assertEquals(a, sum);
            P384Inverse.fromSigned30(back, limbs);
            assertEquals(a, P384FieldTest.big(back));
        }
    }
}

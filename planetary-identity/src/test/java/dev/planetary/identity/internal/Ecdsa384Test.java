package dev.planetary.identity.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.asn1.sec.SECNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.junit.jupiter.api.Test;

/** RFC 6979 ECDSA P-384/SHA-384 on Planetary's constant-time arithmetic, against BouncyCastle and RFC 6979 A.2.6. */
class Ecdsa384Test {
    static final HexFormat HEX = HexFormat.of();
    static final BigInteger N = new BigInteger(1, ScalarN.N_BYTES);
    static final X9ECParameters P384 = SECNamedCurves.getByName("secp384r1");
    static final ECDomainParameters DOMAIN = new ECDomainParameters(P384.getCurve(), P384.getG(), P384.getN(), P384.getH());

    static byte[] fixed48(BigInteger v) {
        byte[] m = v.toByteArray();
        byte[] out = new byte[48];
        int len = Math.min(48, m.length);
        System.arraycopy(m, m.length - len, out, 48 - len, len);
        return out;
    }

    static byte[] bouncy(byte[] d, byte[] message) {
        ECDSASigner s = new ECDSASigner(new HMacDSAKCalculator(new SHA384Digest()));
        s.init(true, new ECPrivateKeyParameters(new BigInteger(1, d), DOMAIN));
        BigInteger[] rs = s.generateSignature(Ecdsa384.sha384(message));
        byte[] out = new byte[96];
        System.arraycopy(fixed48(rs[0]), 0, out, 0, 48);
        System.arraycopy(fixed48(rs[1]), 0, out, 48, 48);
        return out;
    }

    @Test
    void rfc6979AppendixA26Sample() {
        byte[] d = HEX.parseHex("6b9d3dad2e1b8c1c05b19875b6659f4de23c3b667bf297ba9aa47740787137d896d5724e4c70a825f872c9ea60d2edf5");
        byte[] sig = Ecdsa384.sign(d, "sample".getBytes(StandardCharsets.US_ASCII));
        assertEquals("94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46"
                + "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
                HEX.formatHex(sig));
    }

    @Test
    void sameAsBouncyCastleOnRandomKeysAndMessages() {
        Random rnd = new Random(6979);
        for (int i = 0; i < 40; i++) {
            byte[] d = fixed48(new BigInteger(384, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
            byte[] msg = new byte[rnd.nextInt(200)];
            rnd.nextBytes(msg);
            byte[] ours = Ecdsa384.sign(d, msg);
            assertArrayEquals(bouncy(d, msg), ours, "iteration " + i);
            byte[] pub = Ecdsa384.publicKey(d);
            assertTrue(Ecdsa384.verify(pub, 0, msg, 0, msg.length, ours, 0));
            // a malleated (r, n - s) verifies too: verifiers must not require low s
            byte[] mal = ours.clone();
            System.arraycopy(fixed48(N.subtract(new BigInteger(1, java.util.Arrays.copyOfRange(ours, 48, 96)))), 0, mal, 48, 48);
            assertTrue(Ecdsa384.verify(pub, 0, msg, 0, msg.length, mal, 0));
            msg = java.util.Arrays.copyOf(msg, msg.length + 1);
            assertFalse(Ecdsa384.verify(pub, 0, msg, 0, msg.length, ours, 0));
        }
    }

    @Test
    void edgeScalarsMatchBouncyCastle() {
        byte[] msg = "edge".getBytes(StandardCharsets.US_ASCII);
        for (BigInteger d : new BigInteger[] {BigInteger.ONE, BigInteger.TWO, N.subtract(BigInteger.ONE), N.subtract(BigInteger.TWO)}) {
            assertArrayEquals(bouncy(fixed48(d), msg), Ecdsa384.sign(fixed48(d), msg));
        }
    }

    @Test
    void verifyRefusesHostileInputWithoutThrowing() {
        byte[] d = fixed48(BigInteger.valueOf(12345));
        byte[] pub = Ecdsa384.publicKey(d);
        byte[] msg = {1, 2, 3};
        byte[] zero = new byte[96];
        assertFalse(Ecdsa384.verify(pub, 0, msg, 0, 3, zero, 0));
        byte[] big = new byte[96];
        java.util.Arrays.fill(big, (byte) 0xff); // r, s >= n
        assertFalse(Ecdsa384.verify(pub, 0, msg, 0, 3, big, 0));
        assertFalse(Ecdsa384.verify(new byte[49], 0, msg, 0, 3, Ecdsa384.sign(d, msg), 0));
        assertFalse(Ecdsa384.verify(pub, 0, msg, 0, 3, new byte[95], 0));
    }

    @Test
    void jdkKeyDecompressionAgreesWithTheConstantTimeDecoder() {
        Random rnd = new Random(49);
        for (int i = 0; i < 300; i++) {
            byte[] b = new byte[49];
            rnd.nextBytes(b);
            b[0] = (byte) (i % 5 == 0 ? rnd.nextInt(256) : 2 + (i & 1));
            if (i % 7 == 0) java.util.Arrays.fill(b, 1, 49, (byte) 0xff); // x >= p
            var ours = dev.planetary.zssp.crypto.P384PublicKey.decode(b, 0);
            var jdk = (java.security.interfaces.ECPublicKey) Ecdsa384.jdkPublicKey(b, 0);
            assertEquals(ours != null, jdk != null, "input " + HEX.formatHex(b));
            if (jdk != null) {
                byte[] y = fixed48(jdk.getW().getAffineY());
                assertEquals(b[0] & 1, y[47] & 1);
                assertArrayEquals(java.util.Arrays.copyOfRange(b, 1, 49), fixed48(jdk.getW().getAffineX()));
            }
        }
        for (int i = 0; i < 20; i++) {
            byte[] d = fixed48(new BigInteger(384, rnd).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE));
            byte[] pub = Ecdsa384.publicKey(d);
            assertTrue(Ecdsa384.jdkPublicKey(pub, 0) != null);
        }
    }

    @Test
    void scalarArithmeticMatchesBigInteger() {
        Random rnd = new Random(7);
        BigInteger r = BigInteger.ONE.shiftLeft(384).mod(N);
        BigInteger rInv = r.modInverse(N);
        for (int i = 0; i < 200; i++) {
            BigInteger a = new BigInteger(384, rnd).mod(N), b = new BigInteger(384, rnd).mod(N);
            if (i == 0) a = N.subtract(BigInteger.ONE);
            if (i == 1) b = N.subtract(BigInteger.ONE);
            if (i == 2) a = BigInteger.ONE; // inverse chain edge: 1⁻¹ = 1
            long[] al = new long[12], bl = new long[12], out = new long[12];
            ScalarN.fromBytes(al, fixed48(a), 0);
            ScalarN.fromBytes(bl, fixed48(b), 0);
            ScalarN.montMul(out, al, bl);
            assertEquals(a.multiply(b).multiply(rInv).mod(N), big(out));
            ScalarN.add(out, al, bl);
            assertEquals(a.add(b).mod(N), big(out));
            if (a.signum() != 0) {
                long[] am = new long[12];
                ScalarN.toMont(am, al);
                ScalarN.invMont(out, am);
                ScalarN.fromMont(out, out);
                assertEquals(a.modInverse(N), big(out));
            }
            BigInteger x = new BigInteger(384, rnd);
            long[] xl = new long[12];
            ScalarN.fromBytes(xl, fixed48(x), 0);
            ScalarN.reduceOnce(xl, xl);
            assertEquals(x.mod(N), big(xl));
        }
        long[] nl = new long[12];
        ScalarN.fromBytes(nl, ScalarN.N_BYTES, 0);
        assertEquals(0, ScalarN.validMask(nl));
        assertEquals(0, ScalarN.validMask(new long[12]));
        assertFalse(Ecdsa384.isValidScalar(new byte[48], 0));
        assertFalse(Ecdsa384.isValidScalar(ScalarN.N_BYTES, 0));
        assertTrue(Ecdsa384.isValidScalar(fixed48(N.subtract(BigInteger.ONE)), 0));
    }

    /** Inverses at the limb and chain edges of ScalarN.invMont (56-bit limbs, R′ = 2^392). */
    @Test
    void scalarInverseEdgeValues() {
        BigInteger one = BigInteger.ONE;
        java.util.List<BigInteger> vs = new java.util.ArrayList<>(java.util.List.of(one, BigInteger.TWO,
                N.subtract(one), N.subtract(BigInteger.TWO), N.shiftRight(1), N.shiftRight(1).add(one)));
        for (int e : new int[] {32, 55, 56, 57, 64, 112, 192, 336, 383}) {
            vs.add(one.shiftLeft(e).mod(N));
            vs.add(one.shiftLeft(e).subtract(one).mod(N));
            vs.add(N.subtract(one.shiftLeft(e).mod(N)));
        }
        vs.add(one.shiftLeft(384).subtract(one).mod(N));
        for (BigInteger a : vs) {
            long[] al = new long[12], am = new long[12], out = new long[12];
            ScalarN.fromBytes(al, fixed48(a), 0);
            ScalarN.toMont(am, al);
            ScalarN.invMont(out, am);
            ScalarN.fromMont(out, out);
            assertEquals(a.modInverse(N), big(out), "inverse of " + a.toString(16));
        }
    }

    static BigInteger big(long[] l) {
        byte[] b = new byte[48];
        ScalarN.toBytes(l, b, 0);
        return new BigInteger(1, b);
    }
}

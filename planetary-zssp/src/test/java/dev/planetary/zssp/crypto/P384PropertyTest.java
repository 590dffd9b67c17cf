package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** Randomised and edge-case properties of the P-384 implementation, BouncyCastle as the oracle. */
class P384PropertyTest {
    static final X9ECParameters BC = CustomNamedCurves.getByName("secp384r1");
    static final BigInteger P = P384Params.P;
    static final BigInteger N = P384Params.N;
    static final BigInteger B = new BigInteger(1, HexFormat.of().parseHex(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"));

    static byte[] fixed48(BigInteger v) {
        return P384Params.toFixed48(v);
    }

    /** A uniformly random valid scalar from {@code r}. */
    static BigInteger randomScalar(Random r) {
        BigInteger d;
        do {
            d = new BigInteger(384, r);
        } while (d.signum() == 0 || d.compareTo(N) >= 0);
        return d;
    }

    static byte[] bcCompressed(ECPoint p) {
        return p.normalize().getEncoded(true);
    }

    // ------------------------------------------------------------ key derivation and encoding

    private static void checkKeyDerivation(Random r, int count) {
        for (int i = 0; i < count; i++) {
            BigInteger d = randomScalar(r);
            P384KeyPair kp = P384KeyPair.fromScalar(fixed48(d));
            byte[] expect = bcCompressed(BC.getG().multiply(d));
            assertArrayEquals(expect, kp.publicKey().encoded(), "d·G for d = " + i);
            // round trip through the wire encoding, also at an offset inside a bigger buffer
            byte[] buf = new byte[49 + 2 * i + 3];
            kp.publicKey().writeTo(buf, i + 1);
            P384PublicKey back = P384PublicKey.decode(buf, i + 1);
            assertEquals(kp.publicKey(), back);
            assertEquals(kp.publicKey().hashCode(), back.hashCode());
            assertArrayEquals(expect, back.encoded());
            byte[] viaP384 = new byte[60];
            assertEquals(53, P384.encode(back, viaP384, 4));
            assertEquals(back, P384.decode(viaP384, 4));
        }
    }

    @Test
    void keyDerivationMatchesBouncyCastleSeeded() {
        checkKeyDerivation(new Random(384), 60);
    }

    @Test
    void keyDerivationMatchesBouncyCastleSecureRandom() {
        checkKeyDerivation(new SecureRandom(), 60);
    }

    @Test
    void edgeScalars() {
        // d = 1 → G, d = n − 1 → −G, d = 2 and small powers of two, d with 47 leading zero bytes
        BigInteger[] ds = {BigInteger.ONE, BigInteger.TWO, BigInteger.valueOf(15), BigInteger.valueOf(16),
            BigInteger.valueOf(255), N.subtract(BigInteger.ONE), N.subtract(BigInteger.TWO),
            BigInteger.TWO.pow(383), BigInteger.TWO.pow(380).subtract(BigInteger.ONE), N.shiftRight(1)};
        for (BigInteger d : ds) {
            P384KeyPair kp = P384KeyPair.fromScalar(fixed48(d));
            assertArrayEquals(bcCompressed(BC.getG().multiply(d)), kp.publicKey().encoded(), d.toString(16));
        }
        P384KeyPair one = P384KeyPair.fromScalar(fixed48(BigInteger.ONE));
        P384KeyPair minusOne = P384KeyPair.fromScalar(fixed48(N.subtract(BigInteger.ONE)));
        byte[] g = one.publicKey().encoded();
        byte[] mg = minusOne.publicKey().encoded();
        assertEquals(g[0] ^ 1, mg[0]); // same x, opposite parity
        assertArrayEquals(java.util.Arrays.copyOfRange(g, 1, 49), java.util.Arrays.copyOfRange(mg, 1, 49));
    }

    // ------------------------------------------------------------ decoding rejects

    @Test
    void decodeRejectsBadPrefixes() {
        byte[] good = P384KeyPair.fromScalar(fixed48(BigInteger.valueOf(12345))).publicKey().encoded();
        assertNotNull(P384PublicKey.decode(good));
        for (int prefix : new int[] {0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0x82, 0x83, 0xff}) {
            byte[] bad = good.clone();
            bad[0] = (byte) prefix;
            assertNull(P384PublicKey.decode(bad), "prefix " + prefix);
            assertFalse(P384.isValidPublicKey(bad, 0));
        }
        // the other parity is valid too, and is the negated point
        byte[] other = good.clone();
        other[0] ^= 1;
        P384PublicKey neg = P384PublicKey.decode(other);
        assertNotNull(neg);
        assertNotEquals(P384PublicKey.decode(good), neg);
    }

    @Test
    void decodeRejectsXNotBelowP() {
        BigInteger two384 = BigInteger.TWO.pow(384);
        for (BigInteger x : new BigInteger[] {P, P.add(BigInteger.ONE), P.add(BigInteger.TWO), P.add(BigInteger.valueOf(3)),
                two384.subtract(BigInteger.ONE), two384.subtract(BigInteger.TWO)}) {
            for (int prefix = 2; prefix <= 3; prefix++) {
                byte[] enc = new byte[49];
                enc[0] = (byte) prefix;
                System.arraycopy(fixed48(x), 0, enc, 1, 48);
                assertNull(P384PublicKey.decode(enc), "x = " + x.toString(16));
            }
        }
        // x values ≡ a valid x (mod p) but ≥ p are rejected although x mod p is on the curve:
        // find a small valid x, then test x + p if it fits in 384 bits
        for (int x = 0; x < 50; x++) {
            BigInteger bx = BigInteger.valueOf(x);
            if (!isSquare(rhs(bx))) continue;
            byte[] enc = new byte[49];
            enc[0] = 2;
            System.arraycopy(fixed48(bx), 0, enc, 1, 48);
            assertNotNull(P384PublicKey.decode(enc), "x = " + x);
            BigInteger wrapped = bx.add(P);
            if (wrapped.bitLength() <= 384) {
                System.arraycopy(fixed48(wrapped), 0, enc, 1, 48);
                assertNull(P384PublicKey.decode(enc), "x = " + x + " + p");
            }
        }
    }

    static BigInteger rhs(BigInteger x) {
        return x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(B).mod(P);
    }

    static boolean isSquare(BigInteger a) {
        return a.signum() == 0 || a.modPow(P.subtract(BigInteger.ONE).shiftRight(1), P).equals(BigInteger.ONE);
    }

    private static void checkDecodeAgainstLegendre(Random r, int count) {
        int valid = 0, invalid = 0;
        for (int i = 0; i < count; i++) {
            BigInteger x = new BigInteger(384, r).mod(P);
            boolean onCurve = isSquare(rhs(x));
            byte[] enc = new byte[49];
            enc[0] = (byte) (2 + r.nextInt(2));
            System.arraycopy(fixed48(x), 0, enc, 1, 48);
            P384PublicKey k = P384PublicKey.decode(enc);
            assertEquals(onCurve, k != null, "x = " + x.toString(16));
            if (onCurve) {
                valid++;
                // matches BouncyCastle's decompression
                assertArrayEquals(bcCompressed(BC.getCurve().decodePoint(enc)), k.encoded());
                assertArrayEquals(enc, k.encoded());
            } else {
                invalid++;
            }
        }
        assertTrue(valid > count / 4 && invalid > count / 4, "both cases exercised: " + valid + "/" + invalid);
    }

    @Test
    void decodeValidityIsQuadraticResiduositySeeded() {
        checkDecodeAgainstLegendre(new Random(0xdec0de), 400);
    }

    @Test
    void decodeValidityIsQuadraticResiduositySecureRandom() {
        checkDecodeAgainstLegendre(new SecureRandom(), 400);
    }

    @Test
    void decodeRejectsTruncatedAndOutOfRange() {
        byte[] good = P384KeyPair.fromScalar(fixed48(BigInteger.valueOf(777))).publicKey().encoded();
        for (int len = 0; len < 49; len++) {
            byte[] shorter = java.util.Arrays.copyOf(good, len);
            assertNull(P384PublicKey.decode(shorter), "length " + len);
            assertNull(P384PublicKey.decode(shorter, 0), "length " + len);
            assertFalse(P384.isValidPublicKey(shorter, 0));
        }
        byte[] longer = java.util.Arrays.copyOf(good, 50);
        assertNull(P384PublicKey.decode(longer)); // exact-length variant
        assertNotNull(P384PublicKey.decode(longer, 0)); // offset variant reads 49 bytes
        assertNull(P384PublicKey.decode(longer, 2)); // only 48 bytes left
        assertNull(P384PublicKey.decode(good, -1));
        assertNull(P384PublicKey.decode(good, 1));
        assertNull(P384PublicKey.decode(good, Integer.MAX_VALUE));
        assertNull(P384PublicKey.decode(good, Integer.MIN_VALUE));
        assertNull(P384PublicKey.decode(null, 0));
        assertNull(P384PublicKey.decode(null));
        assertNull(P384.decode(null, 0));
        // the SEC1 encoding of the point at infinity (a single 0x00, or 0x00 padded) is rejected
        assertNull(P384PublicKey.decode(new byte[49]));
        assertNull(P384PublicKey.decode(new byte[] {0}, 0));
    }

    @Test
    void decodeNeverThrowsOnRandomBytes() {
        Random r = new Random(5);
        int accepted = 0;
        for (int i = 0; i < 300; i++) {
            byte[] buf = new byte[r.nextInt(120)];
            r.nextBytes(buf);
            if (buf.length > 0 && r.nextBoolean()) buf[0] = (byte) (2 + r.nextInt(2));
            int off = r.nextInt(buf.length + 3) - 1;
            P384PublicKey k = P384PublicKey.decode(buf, off); // must not throw
            if (k != null) {
                accepted++;
                assertArrayEquals(java.util.Arrays.copyOfRange(buf, off, off + 49), k.encoded());
                assertTrue(BC.getCurve().decodePoint(k.encoded()).isValid());
            }
        }
        assertTrue(accepted > 0);
    }

    // ------------------------------------------------------------ ECDH

    private static void checkEcdh(Random r, int count) {
        for (int i = 0; i < count; i++) {
            BigInteger a = randomScalar(r), b = randomScalar(r);
            P384KeyPair ka = P384KeyPair.fromScalar(fixed48(a));
            P384KeyPair kb = P384KeyPair.fromScalar(fixed48(b));
            byte[] ab = ka.agree(kb.publicKey());
            byte[] ba = kb.agree(ka.publicKey());
            assertEquals(48, ab.length);
            assertArrayEquals(ab, ba, "a·B == b·A");
            BigInteger oracle = BC.getG().multiply(a.multiply(b).mod(N)).normalize().getAffineXCoord().toBigInteger();
            assertArrayEquals(fixed48(oracle), ab, "against BouncyCastle");
        }
    }

    @Test
    void ecdhSymmetricAndMatchesBouncyCastleSeeded() {
        checkEcdh(new Random(0xecd4), 40);
    }

    @Test
    void ecdhSymmetricAndMatchesBouncyCastleSecureRandom() {
        checkEcdh(new SecureRandom(), 40);
    }

    @Test
    void ecdhWithEdgeScalarsAndPeers() {
        BigInteger[] ds = {BigInteger.ONE, BigInteger.TWO, N.subtract(BigInteger.ONE), BigInteger.valueOf(16),
            BigInteger.TWO.pow(383), N.subtract(BigInteger.valueOf(16))};
        Random r = new Random(1);
        for (BigInteger d : ds) {
            for (BigInteger e : ds) {
                P384KeyPair kd = P384KeyPair.fromScalar(fixed48(d));
                P384PublicKey pe = P384KeyPair.fromScalar(fixed48(e)).publicKey();
                BigInteger oracle = BC.getG().multiply(d.multiply(e).mod(N)).normalize().getAffineXCoord().toBigInteger();
                assertArrayEquals(fixed48(oracle), kd.agree(pe));
            }
            // d = 1 gives the peer's own x
            P384PublicKey peer = P384KeyPair.fromScalar(fixed48(randomScalar(r))).publicKey();
            if (d.equals(BigInteger.ONE)) {
                assertArrayEquals(java.util.Arrays.copyOfRange(peer.encoded(), 1, 49),
                        P384KeyPair.fromScalar(fixed48(d)).agree(peer));
            }
        }
    }

    @Test
    void sharedSecretWithLeadingZerosConstructed() {
        // Pick the curve point with the smallest x (many leading zero bytes), then a peer key
        // B = a⁻¹·P so that a·B = P: the shared x must still be 48 bytes, zero-padded.
        BigInteger x = BigInteger.ZERO;
        while (!isSquare(rhs(x))) x = x.add(BigInteger.ONE);
        byte[] enc = new byte[49];
        enc[0] = 2;
        System.arraycopy(fixed48(x), 0, enc, 1, 48);
        ECPoint target = BC.getCurve().decodePoint(enc);
        Random r = new Random(42);
        for (int i = 0; i < 5; i++) {
            BigInteger a = randomScalar(r);
            ECPoint peer = target.multiply(a.modInverse(N)).normalize();
            P384PublicKey peerKey = P384PublicKey.decode(peer.getEncoded(true));
            assertNotNull(peerKey);
            byte[] shared = P384KeyPair.fromScalar(fixed48(a)).agree(peerKey);
            assertEquals(48, shared.length);
            assertArrayEquals(fixed48(x), shared);
            assertEquals(0, shared[0]);
            assertEquals(0, shared[46]); // x is tiny: 47 leading zero bytes
        }
    }

    @Test
    void sharedSecretWithLeadingZeroFoundBySearch() {
        // about 1 pair in 256 has a zero first byte; the seed makes the search deterministic
        Random r = new Random(2024);
        P384KeyPair a = P384KeyPair.fromScalar(fixed48(randomScalar(r)));
        int found = 0;
        for (int i = 0; i < 4000 && found < 2; i++) {
            P384KeyPair b = P384KeyPair.fromScalar(fixed48(randomScalar(r)));
            byte[] s = a.agree(b.publicKey());
            assertEquals(48, s.length);
            if (s[0] == 0) {
                found++;
                assertArrayEquals(s, b.agree(a.publicKey()));
                BigInteger oracle = BC.getCurve().decodePoint(b.publicKey().encoded())
                        .multiply(new BigInteger(1, scalarOf(a))).normalize().getAffineXCoord().toBigInteger();
                assertTrue(oracle.bitLength() <= 376);
                assertArrayEquals(fixed48(oracle), s);
            }
        }
        assertEquals(2, found);
    }

    /** The scalar of a key pair via its PKCS#8 form (test only). */
    private static byte[] scalarOf(P384KeyPair kp) {
        java.security.interfaces.ECPrivateKey k;
        try {
            k = (java.security.interfaces.ECPrivateKey) java.security.KeyFactory.getInstance("EC")
                    .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(kp.toPkcs8()));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return fixed48(k.getS());
    }

    @Test
    void agreeIsThreadSafe() throws Exception {
        Random r = new Random(77);
        P384KeyPair a = P384KeyPair.fromScalar(fixed48(randomScalar(r)));
        List<P384PublicKey> peers = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            P384PublicKey p = P384KeyPair.fromScalar(fixed48(randomScalar(r))).publicKey();
            peers.add(p);
            expected.add(a.agree(p));
        }
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<byte[]>> fs = new ArrayList<>();
            for (int rep = 0; rep < 3; rep++) {
                for (P384PublicKey p : peers) fs.add(ex.submit(() -> a.agree(p)));
            }
            for (int i = 0; i < fs.size(); i++) assertArrayEquals(expected.get(i % 8), fs.get(i).get());
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void agreeIntoBufferChecksBounds() {
        P384KeyPair a = P384KeyPair.fromScalar(fixed48(BigInteger.valueOf(99)));
        P384PublicKey b = P384KeyPair.fromScalar(fixed48(BigInteger.valueOf(101))).publicKey();
        assertThrows(IndexOutOfBoundsException.class, () -> a.agree(b, new byte[47], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> a.agree(b, new byte[60], 13));
        assertThrows(IndexOutOfBoundsException.class, () -> a.agree(b, new byte[60], -1));
        assertThrows(NullPointerException.class, () -> a.agree(null));
        byte[] out = new byte[60];
        a.agree(b, out, 12);
        assertArrayEquals(a.agree(b), java.util.Arrays.copyOfRange(out, 12, 60));
    }

    // ------------------------------------------------------------ scalars and key generation

    @Test
    void fromScalarRejectsOutOfRange() {
        BigInteger two384 = BigInteger.TWO.pow(384);
        for (BigInteger d : new BigInteger[] {BigInteger.ZERO, N, N.add(BigInteger.ONE), two384.subtract(BigInteger.ONE),
                P, two384.subtract(BigInteger.TWO)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> P384KeyPair.fromScalar(fixed48(d)));
            assertTrue(e.getMessage().contains("range"), e.getMessage());
            assertFalse(P384KeyPair.isValidScalar(fixed48(d), 0));
        }
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromScalar(new byte[47]));
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromScalar(new byte[49]));
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromScalar(null));
        assertTrue(P384KeyPair.isValidScalar(fixed48(BigInteger.ONE), 0));
        assertTrue(P384KeyPair.isValidScalar(fixed48(N.subtract(BigInteger.ONE)), 0));
        // range check against BigInteger on random and near-n values
        Random r = new Random(3);
        for (int i = 0; i < 2000; i++) {
            BigInteger d = i % 2 == 0 ? new BigInteger(384, r) : N.add(BigInteger.valueOf(r.nextInt(2001) - 1000));
            boolean expect = d.signum() > 0 && d.compareTo(N) < 0;
            assertEquals(expect, P384KeyPair.isValidScalar(fixed48(d), 0), d.toString(16));
        }
    }

    @Test
    void fromScalarCopiesInput() {
        byte[] d = fixed48(BigInteger.valueOf(4242));
        P384KeyPair kp = P384KeyPair.fromScalar(d);
        P384PublicKey before = kp.publicKey();
        byte[] peer = P384KeyPair.fromScalar(fixed48(BigInteger.valueOf(7))).publicKey().encoded();
        byte[] s1 = kp.agree(P384PublicKey.decode(peer));
        java.util.Arrays.fill(d, (byte) 0x55); // caller mutates/wipes its array
        assertArrayEquals(s1, kp.agree(P384PublicKey.decode(peer)));
        assertEquals(before, kp.publicKey());
    }

    @Test
    void generateRejectionLoop() {
        BigInteger two384 = BigInteger.TWO.pow(384);
        BigInteger valid = N.subtract(BigInteger.valueOf(12345));
        ScriptedBytes rs = new ScriptedBytes(
                fixed48(BigInteger.ZERO), fixed48(N), fixed48(N.add(BigInteger.ONE)),
                fixed48(two384.subtract(BigInteger.ONE)), fixed48(valid), fixed48(BigInteger.ONE));
        P384KeyPair kp = P384KeyPair.generate(rs);
        assertEquals(5, rs.calls, "four rejected draws, then the accepted one");
        assertArrayEquals(P384KeyPair.fromScalar(fixed48(valid)).publicKey().encoded(), kp.publicKey().encoded());
        assertArrayEquals(bcCompressed(BC.getG().multiply(valid)), kp.publicKey().encoded());
        // the next call takes the next draw (d = 1 → G)
        P384KeyPair g = P384KeyPair.generate(rs);
        assertEquals(6, rs.calls);
        assertArrayEquals(bcCompressed(BC.getG()), g.publicKey().encoded());
    }

    @Test
    void generateWithSecureRandomGivesDistinctValidKeys() {
        RandomSource rs = RandomSource.secure();
        P384KeyPair a = P384KeyPair.generate(rs);
        P384KeyPair b = P384KeyPair.generate(rs);
        assertNotEquals(a.publicKey(), b.publicKey());
        assertTrue(BC.getCurve().decodePoint(a.publicKey().encoded()).isValid());
        assertArrayEquals(a.agree(b.publicKey()), b.agree(a.publicKey()));
    }

    @Test
    void destroyWipesAndBlocksUse() {
        byte[] d = fixed48(new BigInteger("1234567890abcdef1234567890abcdef", 16));
        P384KeyPair kp = P384KeyPair.fromScalar(d);
        String hex = Vectors.hex(d);
        String shown = kp.toString();
        assertFalse(shown.contains(hex.substring(hex.length() - 20)), "toString must not show the scalar");
        assertTrue(shown.contains(Vectors.hex(kp.publicKey().encoded())));
        P384PublicKey peer = P384KeyPair.fromScalar(fixed48(BigInteger.TEN)).publicKey();
        kp.agree(peer);
        assertFalse(kp.isDestroyed());
        kp.destroy();
        assertTrue(kp.isDestroyed());
        assertThrows(IllegalStateException.class, () -> kp.agree(peer));
        assertThrows(IllegalStateException.class, kp::toPkcs8);
        assertNotNull(kp.publicKey()); // the public part stays usable
        assertTrue(kp.toString().contains("destroyed"));
    }

    /** A RandomSource returning scripted 48-byte draws. */
    static final class ScriptedBytes implements RandomSource {
        private final byte[][] draws;
        int calls;

        ScriptedBytes(byte[]... draws) {
            this.draws = draws;
        }

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            assertEquals(48, len, "one 48-byte draw per attempt");
            System.arraycopy(draws[calls++], 0, out, off, len);
        }

        @Override
        public int nextInt() {
            throw new AssertionError("unexpected nextInt");
        }

        @Override
        public long nextLong() {
            throw new AssertionError("unexpected nextLong");
        }
    }
}

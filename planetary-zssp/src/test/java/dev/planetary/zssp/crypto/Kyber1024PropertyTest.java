package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of {@link Kyber1024} and of its arithmetic building blocks. */
class Kyber1024PropertyTest {
    private static final Kyber1024 KYBER = Kyber1024.instance();
    private static final int Q = Kyber1024.Q;
    private static final boolean LONG = Boolean.getBoolean("planetary.long");

    /** Deterministic, seeded RandomSource for reproducible property runs. */
    static RandomSource seeded(long seed) {
        try {
            SecureRandom sr = SecureRandom.getInstance("SHA1PRNG");
            sr.setSeed(seed);
            return RandomSource.of(sr);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] rejectionSecret(KemKeyPair kp, byte[] ct) throws Exception {
        byte[] sk = Kyber1024.exportPrivateKey(kp.privateKey());
        byte[] z = Arrays.copyOfRange(sk, 3136, 3168);
        return Keccak.shake256(32, z, MessageDigest.getInstance("SHA3-256").digest(ct));
    }

    // ------------------------------------------------------------------ KEM properties

    @Test
    void encapsulateDecapsulateAgreeOverManyKeys() {
        RandomSource rng = seeded(1);
        int n = LONG ? 2000 : 200;
        byte[] previous = null;
        for (int i = 0; i < n; i++) {
            KemKeyPair kp = KYBER.generateKeyPair(rng);
            assertEquals(Kyber1024.PUBLIC_KEY_SIZE, kp.publicKeyLength());
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), rng);
            assertEquals(Kyber1024.CIPHERTEXT_SIZE, enc.ciphertext().length);
            assertEquals(Kyber1024.SHARED_SECRET_SIZE, enc.sharedSecret().length);
            assertArrayEquals(enc.sharedSecret(), KYBER.decapsulate(kp, enc.ciphertext()), "key " + i);
            assertFalse(Arrays.equals(previous, enc.sharedSecret()), "fresh secret " + i);
            previous = enc.sharedSecret();
        }
    }

    @Test
    void secureRandomSourceWorks() {
        RandomSource rng = RandomSource.secure();
        KemKeyPair kp = KYBER.generateKeyPair(rng);
        KemEncapsulation a = KYBER.encapsulate(kp.publicKey(), rng);
        KemEncapsulation b = KYBER.encapsulate(kp.publicKey(), rng);
        assertFalse(Arrays.equals(a.ciphertext(), b.ciphertext()));
        assertArrayEquals(a.sharedSecret(), KYBER.decapsulate(kp, a.ciphertext()));
        assertArrayEquals(b.sharedSecret(), KYBER.decapsulate(kp, b.ciphertext()));
    }

    @Test
    void tamperedCiphertextsGiveTheImplicitRejectionSecret() throws Exception {
        RandomSource rng = seeded(2);
        Random r = new Random(3);
        int keys = LONG ? 100 : 20;
        for (int k = 0; k < keys; k++) {
            KemKeyPair kp = KYBER.generateKeyPair(rng);
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), rng);
            for (int t = 0; t < 10; t++) {
                byte[] bad = enc.ciphertext().clone();
                switch (t % 4) {
                    case 0 -> bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8)); // one bit
                    case 1 -> bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255)); // one byte
                    case 2 -> bad[1408 + r.nextInt(160)] ^= (byte) (1 + r.nextInt(255)); // in the v part
                    default -> { // several random bytes
                        for (int j = 0; j < 1 + r.nextInt(20); j++) bad[r.nextInt(bad.length)] = (byte) r.nextInt();
                    }
                }
                if (Arrays.equals(bad, enc.ciphertext())) continue;
                byte[] ss = KYBER.decapsulate(kp, bad);
                assertArrayEquals(rejectionSecret(kp, bad), ss, "key " + k + " tamper " + t);
                assertFalse(Arrays.equals(enc.sharedSecret(), ss));
            }
        }
    }

    @Test
    void arbitraryCiphertextsNeverThrow() throws Exception {
        KemKeyPair kp = KYBER.generateKeyPair(seeded(4));
        byte[][] cts = {new byte[1568], new byte[1568], new byte[1568]};
        Arrays.fill(cts[1], (byte) 0xff);
        new Random(5).nextBytes(cts[2]);
        for (byte[] ct : cts) {
            assertArrayEquals(rejectionSecret(kp, ct), KYBER.decapsulate(kp, ct));
        }
    }

    @Test
    void offsetFormsReadFromInsideLargerBuffers() {
        RandomSource rng = seeded(6);
        KemKeyPair kp = KYBER.generateKeyPair(rng);
        byte[] packet = new byte[49 + 1568 + 16];
        kp.copyPublicKey(packet, 49);
        byte[] m = new byte[32];
        new Random(7).nextBytes(m);
        Kyber1024KatTest.ReplayRandom replay = new Kyber1024KatTest.ReplayRandom();
        replay.add(m);
        KemEncapsulation viaOffset = KYBER.encapsulate(packet, 49, replay);
        KemEncapsulation direct = KYBER.encapsulate(kp.publicKey(), m);
        assertArrayEquals(direct.ciphertext(), viaOffset.ciphertext());
        assertArrayEquals(direct.sharedSecret(), viaOffset.sharedSecret());

        byte[] reply = new byte[7 + 1568 + 20];
        System.arraycopy(direct.ciphertext(), 0, reply, 7, 1568);
        assertArrayEquals(direct.sharedSecret(), KYBER.decapsulate(kp, reply, 7));
        assertArrayEquals(direct.sharedSecret(), KYBER.decapsulate(kp.privateKey(), reply, 7));
    }

    @Test
    void wrongSizesAndKeysAreRejected() {
        RandomSource rng = seeded(8);
        KemKeyPair kp = KYBER.generateKeyPair(rng);
        byte[] ct = KYBER.encapsulate(kp.publicKey(), rng).ciphertext();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KYBER.encapsulate(new byte[1567], rng));
        assertTrue(e.getMessage().contains("public key") && e.getMessage().contains("1568"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate(new byte[1569], rng));
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate((byte[]) null, rng));
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate(new byte[2000], 500, rng));
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate(new byte[2000], -1, rng));
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate(new byte[1568], new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> KYBER.encapsulate(new byte[1567], new byte[32]));

        e = assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(kp, Arrays.copyOf(ct, 1567)));
        assertTrue(e.getMessage().contains("ciphertext") && e.getMessage().contains("1568"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(kp, Arrays.copyOf(ct, 1569)));
        assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(kp, (byte[]) null));
        assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(kp, ct, 1));
        assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(kp, new byte[1600], 33));
        assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate((KemPrivateKey) null, ct));

        KemPrivateKey foreign = new KemPrivateKey() {
            @Override public String algorithm() { return "Other"; }
            @Override public void destroy() { }
            @Override public boolean isDestroyed() { return false; }
        };
        e = assertThrows(IllegalArgumentException.class, () -> KYBER.decapsulate(foreign, ct));
        assertTrue(e.getMessage().contains("Other"), e.getMessage());

        assertThrows(IllegalArgumentException.class, () -> KYBER.generateKeyPair(new byte[32], new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> KYBER.generateKeyPair(null, new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> Kyber1024.importPrivateKey(new byte[3167]));
    }

    @Test
    void destroyedKeysCannotDecapsulateAndSecretsAreNotPrinted() {
        RandomSource rng = seeded(9);
        KemKeyPair kp = KYBER.generateKeyPair(rng);
        KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), rng);
        byte[] sk = Kyber1024.exportPrivateKey(kp.privateKey());
        String ssHex = Vectors.hex(enc.sharedSecret());
        String skPrefix = Vectors.hex(Arrays.copyOf(sk, 16));
        for (String s : new String[] {enc.toString(), kp.toString(), kp.privateKey().toString()}) {
            assertFalse(s.contains(ssHex) || s.contains(skPrefix), s);
            assertFalse(s.contains(Arrays.toString(enc.sharedSecret())), s);
        }
        assertFalse(kp.isDestroyed());
        kp.destroy();
        assertTrue(kp.isDestroyed());
        assertThrows(IllegalStateException.class, () -> KYBER.decapsulate(kp, enc.ciphertext()));
        assertThrows(IllegalStateException.class, () -> Kyber1024.exportPrivateKey(kp.privateKey()));
        assertTrue(kp.toString().contains("destroyed"));

        enc.destroy();
        assertTrue(Secrets.isZero(enc.sharedSecret()));
    }

    @Test
    void publicKeyAccessorsCopy() {
        KemKeyPair kp = KYBER.generateKeyPair(seeded(10));
        byte[] pk = kp.publicKey();
        pk[0] ^= 1;
        assertFalse(Arrays.equals(pk, kp.publicKey()));
        assertThrows(IllegalArgumentException.class, () -> kp.copyPublicKey(new byte[1568], 1));
    }

    // ------------------------------------------------------------------ arithmetic

    @Test
    void zetasAreThePublishedMontgomeryPowersOf17() {
        short[] first = {-1044, -758, -359, -1517, 1493, 1422, 287, 202};
        for (int i = 0; i < first.length; i++) assertEquals(first[i], Kyber1024.ZETAS[i], "zeta " + i);
        // ζ_i² · R^-1 ... check the defining property: ζ_i = 17^bitrev7(i) · 2^16 mod q
        for (int i = 0; i < 128; i++) {
            int e = Integer.reverse(i) >>> 25;
            long v = 1;
            for (int j = 0; j < e; j++) v = v * 17 % Q;
            assertEquals(v * 65536 % Q, Math.floorMod(Kyber1024.ZETAS[i], Q), "zeta " + i);
        }
    }

    @Test
    void divisionByQIsExactOnTheWholeRangeUsed() {
        for (int x = 0; x < (1 << 24); x++) {
            long got = (x * Kyber1024.DIV_Q_M) >>> 40;
            if (got != x / Q) throw new AssertionError("x=" + x + " got " + got);
        }
    }

    @Test
    void reductionsAreCorrectModQ() {
        for (int a = Short.MIN_VALUE; a <= Short.MAX_VALUE; a++) {
            int c = Kyber1024.canonical(a);
            assertEquals(Math.floorMod(a, Q), c, "canonical " + a);
            int b = Kyber1024.barrett(a);
            assertEquals(Math.floorMod(a, Q), Math.floorMod(b, Q));
            assertTrue(Math.abs(b) <= Q / 2, "barrett range " + a);
        }
        Random r = new Random(11);
        for (int i = 0; i < 100000; i++) {
            int a = r.nextInt(2 * 32768 * Q) - 32768 * Q;
            int m = Kyber1024.montgomery(a);
            assertTrue(Math.abs(m) < Q);
            assertEquals(Math.floorMod(a, Q), Math.floorMod((long) m * 65536, Q), "montgomery " + a);
        }
    }

    private static short[] randomPoly(Random r) {
        short[] p = new short[256];
        for (int i = 0; i < 256; i++) p[i] = (short) r.nextInt(Q);
        return p;
    }

    @Test
    void nttRoundTripAndNegacyclicProduct() {
        Random r = new Random(12);
        for (int trial = 0; trial < 20; trial++) {
            short[] a = randomPoly(r), b = randomPoly(r);
            short[] x = a.clone();
            Kyber1024.ntt(x);
            Kyber1024.invNtt(x);
            for (int i = 0; i < 256; i++) {
                assertEquals(Math.floorMod(a[i] * 65536L, Q), Math.floorMod(x[i], Q), "NTT⁻¹(NTT(a)) = aR, " + i);
            }
            // product in Z_q[X]/(X^256 + 1), schoolbook
            long[] ref = new long[256];
            for (int i = 0; i < 256; i++) {
                for (int j = 0; j < 256; j++) {
                    long p = (long) a[i] * b[j];
                    if (i + j < 256) ref[i + j] += p;
                    else ref[i + j - 256] -= p;
                }
            }
            short[] na = a.clone(), nb = b.clone(), acc = new short[256];
            Kyber1024.ntt(na);
            Kyber1024.ntt(nb);
            Kyber1024.basemulAccumulate(acc, na, nb);
            Kyber1024.invNtt(acc);
            for (int i = 0; i < 256; i++) {
                assertEquals(Math.floorMod(ref[i], Q), Math.floorMod(acc[i], Q), "product coefficient " + i);
            }
        }
    }

    @Test
    void packUnpackRoundTrip() {
        Random r = new Random(13);
        for (int bits : new int[] {1, 4, 5, 10, 11, 12}) {
            short[] p = new short[256];
            for (int i = 0; i < 256; i++) p[i] = (short) r.nextInt(1 << bits);
            byte[] out = new byte[32 * bits + 2];
            Kyber1024.pack(p, bits, out, 1);
            assertEquals(0, out[0]);
            assertEquals(0, out[out.length - 1]);
            short[] back = new short[256];
            Kyber1024.unpack(out, 1, bits, back);
            assertArrayEquals(p, back, bits + " bits");
        }
    }

    @Test
    void centredBinomialDistribution() {
        byte[] buf = new byte[128];
        short[] r = new short[256];
        Kyber1024.cbd2(buf, r);
        for (short s : r) assertEquals(0, s);
        Arrays.fill(buf, (byte) 0x03); // bits 1,1,0,0 → 2 - 0 in the low nibble, 0 - 0 in the high one
        Kyber1024.cbd2(buf, r);
        for (int i = 0; i < 256; i++) assertEquals(i % 2 == 0 ? 2 : 0, r[i], "coefficient " + i);
        Arrays.fill(buf, (byte) 0xc0); // high nibble 0,0,1,1 → 0 - 2
        Kyber1024.cbd2(buf, r);
        for (int i = 0; i < 256; i++) assertEquals(i % 2 == 0 ? 0 : -2, r[i], "coefficient " + i);
        // distribution over many random bytes: values in [-2, 2] with mean ≈ 0
        Random rnd = new Random(14);
        long sum = 0;
        int[] hist = new int[5];
        for (int t = 0; t < 200; t++) {
            rnd.nextBytes(buf);
            Kyber1024.cbd2(buf, r);
            for (short s : r) {
                hist[s + 2]++;
                sum += s;
            }
        }
        int total = 200 * 256;
        assertTrue(Math.abs(sum) < total / 50, "mean near 0: " + sum);
        // expected probabilities 1/16, 4/16, 6/16, 4/16, 1/16
        assertTrue(Math.abs(hist[2] - total * 6 / 16) < total / 50, Arrays.toString(hist));
        assertTrue(Math.abs(hist[0] - total / 16) < total / 50, Arrays.toString(hist));
    }
}

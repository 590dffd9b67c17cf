package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link MlKem1024} over the JDK's ML-KEM (the build runs on JDK 25). */
class MlKem1024Test {
    private static final MlKem1024 MLKEM = MlKem1024.instance();

    @Test
    void availableOnTheBuildJdk() {
        assertTrue(Runtime.version().feature() >= 24, "the build JDK has ML-KEM");
        assertTrue(MlKem1024.isAvailable());
        assertEquals("ML-KEM-1024", MLKEM.name());
        assertEquals(1568, MLKEM.publicKeySize());
        assertEquals(1568, MLKEM.ciphertextSize());
        assertEquals(32, MLKEM.sharedSecretSize());
    }

    @Test
    void roundTrip() {
        RandomSource rng = RandomSource.secure();
        for (int i = 0; i < 20; i++) {
            KemKeyPair kp = MLKEM.generateKeyPair(rng);
            assertEquals(1568, kp.publicKeyLength());
            KemEncapsulation enc = MLKEM.encapsulate(kp.publicKey(), rng);
            assertEquals(1568, enc.ciphertext().length);
            assertEquals(32, enc.sharedSecret().length);
            assertArrayEquals(enc.sharedSecret(), MLKEM.decapsulate(kp, enc.ciphertext()));

            byte[] buf = new byte[1568 + 9];
            System.arraycopy(enc.ciphertext(), 0, buf, 9, 1568);
            assertArrayEquals(enc.sharedSecret(), MLKEM.decapsulate(kp, buf, 9));

            byte[] bad = enc.ciphertext().clone();
            bad[i * 50] ^= 4;
            byte[] rejected = MLKEM.decapsulate(kp, bad);
            assertEquals(32, rejected.length);
            assertFalse(Arrays.equals(enc.sharedSecret(), rejected), "implicit rejection");
        }
    }

    @Test
    void rawPublicKeyIsTheJdkKeyWithoutItsX509Wrapper() throws Exception {
        KemKeyPair kp = MLKEM.generateKeyPair(RandomSource.secure());
        // our raw key wrapped again must be accepted by the JDK and give a working encapsulation
        KemEncapsulation enc = MLKEM.encapsulate(kp.publicKey(), RandomSource.secure());
        assertArrayEquals(enc.sharedSecret(), MLKEM.decapsulate(kp.privateKey(), enc.ciphertext()));
        // and it is the same byte string the JDK calls the key (X.509 = 22-byte prefix ‖ raw)
        var jdk = KeyPairGenerator.getInstance("ML-KEM-1024").generateKeyPair().getPublic().getEncoded();
        assertEquals(22 + 1568, jdk.length);
    }

    @Test
    void usesOnlyTheGivenRandomness() {
        // the same draws give the same key pair and the same encapsulation
        KemKeyPair a = MLKEM.generateKeyPair(Kyber1024PropertyTest.seeded(42));
        KemKeyPair b = MLKEM.generateKeyPair(Kyber1024PropertyTest.seeded(42));
        assertArrayEquals(a.publicKey(), b.publicKey());
        KemEncapsulation ea = MLKEM.encapsulate(a.publicKey(), Kyber1024PropertyTest.seeded(7));
        KemEncapsulation eb = MLKEM.encapsulate(a.publicKey(), Kyber1024PropertyTest.seeded(7));
        assertArrayEquals(ea.ciphertext(), eb.ciphertext());
        assertArrayEquals(ea.sharedSecret(), eb.sharedSecret());
        KemKeyPair c = MLKEM.generateKeyPair(Kyber1024PropertyTest.seeded(43));
        assertFalse(Arrays.equals(a.publicKey(), c.publicKey()));
    }

    @Test
    void notInteroperableWithRound3Kyber() {
        // the same coins d, z, m: ML-KEM and round-3 Kyber must differ (FIPS 203 changed key
        // generation and the final key derivation)
        byte[] coins = new byte[96];
        Arrays.fill(coins, (byte) 0x5a);
        Kyber1024KatTest.ReplayRandom r = new Kyber1024KatTest.ReplayRandom();
        r.add(Arrays.copyOfRange(coins, 0, 32));
        r.add(Arrays.copyOfRange(coins, 32, 64));
        KemKeyPair ml = MLKEM.generateKeyPair(new FixedBytes(coins));
        KemKeyPair ky = Kyber1024.instance().generateKeyPair(r);
        assertFalse(Arrays.equals(ml.publicKey(), ky.publicKey()));
    }

    @Test
    void badInputs() {
        RandomSource rng = RandomSource.secure();
        KemKeyPair kp = MLKEM.generateKeyPair(rng);
        byte[] ct = MLKEM.encapsulate(kp.publicKey(), rng).ciphertext();
        assertThrows(IllegalArgumentException.class, () -> MLKEM.encapsulate(new byte[1567], rng));
        assertThrows(IllegalArgumentException.class, () -> MLKEM.decapsulate(kp, new byte[1569]));
        assertThrows(IllegalArgumentException.class, () -> MLKEM.decapsulate(kp, ct, 2));
        // FIPS 203 modulus check: a coefficient ≥ q in the encapsulation key
        byte[] badPk = kp.publicKey();
        badPk[0] = (byte) 0xff;
        badPk[1] = (byte) 0xff;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MLKEM.encapsulate(badPk, rng));
        assertTrue(e.getMessage().contains("public key"), e.getMessage());
        // keys of another KEM
        KemKeyPair kyber = Kyber1024.instance().generateKeyPair(rng);
        assertThrows(IllegalArgumentException.class, () -> MLKEM.decapsulate(kyber, ct));
        assertThrows(IllegalArgumentException.class, () -> Kyber1024.instance().decapsulate(kp, ct));
    }

    @Test
    void destroyAndToString() {
        RandomSource rng = RandomSource.secure();
        KemKeyPair kp = MLKEM.generateKeyPair(rng);
        KemEncapsulation enc = MLKEM.encapsulate(kp.publicKey(), rng);
        assertFalse(enc.toString().contains(Vectors.hex(enc.sharedSecret())));
        assertTrue(kp.privateKey().toString().startsWith("ML-KEM-1024"));
        kp.destroy();
        assertTrue(kp.isDestroyed());
        assertThrows(IllegalStateException.class, () -> MLKEM.decapsulate(kp, enc.ciphertext()));
    }

    /** Hands out consecutive bytes of a fixed buffer. */
    private static final class FixedBytes implements RandomSource {
        private final byte[] data;
        private int pos;

        FixedBytes(byte[] data) { this.data = data; }

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            System.arraycopy(data, pos, out, off, len);
            pos += len;
        }

        @Override public int nextInt() { throw new UnsupportedOperationException(); }

        @Override public long nextLong() { throw new UnsupportedOperationException(); }
    }
}

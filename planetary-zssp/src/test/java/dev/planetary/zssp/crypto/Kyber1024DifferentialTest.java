package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.testing.Vectors;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberKEMExtractor;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberKEMGenerator;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberKeyPairGenerator;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberParameters;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.crystals.kyber.KyberPublicKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * Differential test against BouncyCastle 1.76's round-3 Kyber1024 (test oracle only): the same
 * coins must give the same pk, sk, ciphertext and shared secrets, also for tampered ciphertexts.
 */
class Kyber1024DifferentialTest {
    private static final Kyber1024 KYBER = Kyber1024.instance();
    private static final int ROUNDS = Boolean.getBoolean("planetary.long") ? 3000 : 300;

    /** Hands BouncyCastle exactly the recorded coins, one nextBytes call per coin. */
    static final class CoinRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final transient Deque<byte[]> coins = new ArrayDeque<>();

        CoinRandom(byte[]... c) {
            for (byte[] b : c) coins.add(b.clone());
        }

        @Override
        public void nextBytes(byte[] bytes) {
            byte[] next = coins.poll();
            if (next == null || next.length != bytes.length) {
                throw new AssertionError("BouncyCastle asked for " + bytes.length + " unexpected bytes");
            }
            System.arraycopy(next, 0, bytes, 0, bytes.length);
        }

        boolean drained() { return coins.isEmpty(); }
    }

    private static AsymmetricCipherKeyPair bcKeyPair(byte[] d, byte[] z) {
        CoinRandom rnd = new CoinRandom(d, z);
        KyberKeyPairGenerator g = new KyberKeyPairGenerator();
        g.init(new KyberKeyGenerationParameters(rnd, KyberParameters.kyber1024));
        AsymmetricCipherKeyPair kp = g.generateKeyPair();
        assertTrue(rnd.drained(), "BC keygen used d and z");
        return kp;
    }

    @Test
    void bouncyCastleOracleMatchesTheZsspKat() {
        // the oracle itself must reproduce the reference KAT, or the comparison proves nothing
        for (var c : Vectors.kyberKat().get("cases")) {
            byte[] d = Vectors.hex(c.at("/keypair_coins/d_first_draw"));
            byte[] z = Vectors.hex(c.at("/keypair_coins/z_second_draw"));
            byte[] m = Vectors.hex(c.get("encapsulation_coins_m"));
            AsymmetricCipherKeyPair kp = bcKeyPair(d, z);
            byte[] pk = ((KyberPublicKeyParameters) kp.getPublic()).getEncoded();
            assertEquals(c.get("public_key_sha256").asText(), Vectors.hex(Kyber1024KatTest.sha256(pk)));
            SecretWithEncapsulation enc = new KyberKEMGenerator(new CoinRandom(m))
                    .generateEncapsulated(kp.getPublic());
            assertArrayEquals(Vectors.hex(c.get("ciphertext")), enc.getEncapsulation());
            assertArrayEquals(Vectors.hex(c.get("shared_secret")), enc.getSecret());
        }
    }

    @Test
    void randomCoinsAgreeWithBouncyCastle() {
        Random r = new Random(0x4b594245L);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] d = new byte[32], z = new byte[32], m = new byte[32];
            r.nextBytes(d);
            r.nextBytes(z);
            r.nextBytes(m);
            String id = "round " + i;

            AsymmetricCipherKeyPair bc = bcKeyPair(d, z);
            byte[] bcPk = ((KyberPublicKeyParameters) bc.getPublic()).getEncoded();
            byte[] bcSk = ((KyberPrivateKeyParameters) bc.getPrivate()).getEncoded();

            KemKeyPair kp = KYBER.generateKeyPair(d, z);
            assertArrayEquals(bcPk, kp.publicKey(), id + " pk");
            assertArrayEquals(bcSk, Kyber1024.exportPrivateKey(kp.privateKey()), id + " sk");

            SecretWithEncapsulation bcEnc = new KyberKEMGenerator(new CoinRandom(m))
                    .generateEncapsulated(bc.getPublic());
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), m);
            assertArrayEquals(bcEnc.getEncapsulation(), enc.ciphertext(), id + " ct");
            assertArrayEquals(bcEnc.getSecret(), enc.sharedSecret(), id + " ss");

            KyberKEMExtractor ex = new KyberKEMExtractor((KyberPrivateKeyParameters) bc.getPrivate());
            assertArrayEquals(ex.extractSecret(enc.ciphertext()), KYBER.decapsulate(kp, enc.ciphertext()),
                    id + " decaps");

            // a tampered ciphertext: both must agree on the implicit-rejection secret
            byte[] bad = enc.ciphertext().clone();
            bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
            assertArrayEquals(ex.extractSecret(bad), KYBER.decapsulate(kp, bad), id + " tampered decaps");
        }
    }
}

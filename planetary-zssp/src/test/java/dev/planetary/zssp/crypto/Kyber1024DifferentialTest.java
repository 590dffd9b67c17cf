package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.testing.Vectors;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Differential test against BouncyCastle 1.76's round-3 Kyber1024 (test oracle only): the same
 * coins must give the same pk, sk, ciphertext and shared secrets, also for tampered ciphertexts.
 * The first source of truth is the official NIST round-3 KAT ({@link Kyber1024KatTest}); this
 * oracle adds random coins. BouncyCastle 1.76 is the last release with round-3 Kyber and has
 * published CVEs, so it never joins a class path: {@link KyberRound3Oracle} loads it in a class
 * loader of its own, and everything else uses the current release.
 */
class Kyber1024DifferentialTest {
    private static final Kyber1024 KYBER = Kyber1024.instance();
    private static final int ROUNDS = Boolean.getBoolean("planetary.long") ? 3000 : 300;
    private static final KyberRound3Oracle BC = KyberRound3Oracle.load();

    @AfterAll
    static void close() throws Exception {
        BC.close();
    }

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

    private static KyberRound3Oracle.KeyPair bcKeyPair(byte[] d, byte[] z) {
        CoinRandom rnd = new CoinRandom(d, z);
        KyberRound3Oracle.KeyPair kp = BC.generateKeyPair(rnd);
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
            KyberRound3Oracle.KeyPair kp = bcKeyPair(d, z);
            assertEquals(c.get("public_key_sha256").asText(), Vectors.hex(Kyber1024KatTest.sha256(kp.publicKey())));
            KyberRound3Oracle.Encapsulation enc = BC.encapsulate(kp, new CoinRandom(m));
            assertArrayEquals(Vectors.hex(c.get("ciphertext")), enc.ciphertext());
            assertArrayEquals(Vectors.hex(c.get("shared_secret")), enc.secret());
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

            KyberRound3Oracle.KeyPair bc = bcKeyPair(d, z);
            byte[] bcPk = bc.publicKey();
            byte[] bcSk = bc.privateKey();

            KemKeyPair kp = KYBER.generateKeyPair(d, z);
            assertArrayEquals(bcPk, kp.publicKey(), id + " pk");
            assertArrayEquals(bcSk, Kyber1024.exportPrivateKey(kp.privateKey()), id + " sk");

            KyberRound3Oracle.Encapsulation bcEnc = BC.encapsulate(bc, new CoinRandom(m));
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), m);
            assertArrayEquals(bcEnc.ciphertext(), enc.ciphertext(), id + " ct");
            assertArrayEquals(bcEnc.secret(), enc.sharedSecret(), id + " ss");

            assertArrayEquals(BC.decapsulate(bc, enc.ciphertext()), KYBER.decapsulate(kp, enc.ciphertext()),
                    id + " decaps");

            // a tampered ciphertext: both must agree on the implicit-rejection secret
            byte[] bad = enc.ciphertext().clone();
            bad[r.nextInt(bad.length)] ^= (byte) (1 + r.nextInt(255));
            assertArrayEquals(BC.decapsulate(bc, bad), KYBER.decapsulate(kp, bad), id + " tampered decaps");
        }
    }
}

package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.planetary.zssp.testing.Vectors;
import java.security.MessageDigest;
import java.util.Random;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.junit.jupiter.api.Test;

/** {@link Keccak} against the JDK's SHA3 digests, FIPS 202 test values and BouncyCastle's SHAKE. */
class KeccakTest {

    private static byte[] jdk(String alg, byte[] in) throws Exception {
        return MessageDigest.getInstance(alg).digest(in);
    }

    private static byte[] bcShake(int bits, byte[] in, int outLen) {
        SHAKEDigest d = new SHAKEDigest(bits);
        d.update(in, 0, in.length);
        byte[] out = new byte[outLen];
        d.doFinal(out, 0, outLen);
        return out;
    }

    @Test
    void knownAnswersForEmptyAndAbc() {
        byte[] abc = {'a', 'b', 'c'};
        assertEquals("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a",
                Vectors.hex(Keccak.sha3_256(new byte[0])));
        assertEquals("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
                Vectors.hex(Keccak.sha3_256(abc)));
        assertEquals("b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                + "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
                Vectors.hex(Keccak.sha3_512(abc)));
        assertEquals("7f9c2ba4e88f827d616045507605853ed73b8093f6efbc88eb1a6eacfa66ef26",
                Vectors.hex(Keccak.shake128(32)));
        assertEquals("46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f",
                Vectors.hex(Keccak.shake256(32)));
    }

    @Test
    void sha3MatchesJdkForAllLengthsAroundTheRate() throws Exception {
        Random r = new Random(1);
        for (int len = 0; len <= 3 * 168 + 1; len++) {
            byte[] in = new byte[len];
            r.nextBytes(in);
            assertArrayEquals(jdk("SHA3-256", in), Keccak.sha3_256(in), "SHA3-256 len " + len);
            assertArrayEquals(jdk("SHA3-512", in), Keccak.sha3_512(in), "SHA3-512 len " + len);
        }
    }

    @Test
    void shakeMatchesBouncyCastle() {
        Random r = new Random(2);
        for (int len = 0; len <= 2 * 168 + 3; len += 7) {
            byte[] in = new byte[len];
            r.nextBytes(in);
            int outLen = 1 + r.nextInt(600);
            assertArrayEquals(bcShake(128, in, outLen), Keccak.shake128(outLen, in), "SHAKE128 len " + len);
            assertArrayEquals(bcShake(256, in, outLen), Keccak.shake256(outLen, in), "SHAKE256 len " + len);
        }
    }

    @Test
    void incrementalAbsorbAndSqueezeEqualOneShot() {
        Random r = new Random(3);
        byte[] in = new byte[1000];
        r.nextBytes(in);
        byte[] expected = bcShake(128, in, 1000);
        for (int trial = 0; trial < 50; trial++) {
            Keccak k = Keccak.newShake128();
            int pos = 0;
            while (pos < in.length) {
                int n = Math.min(in.length - pos, r.nextInt(200));
                if (n == 1) k.absorb(in[pos]);
                else k.absorb(in, pos, n);
                pos += n;
            }
            byte[] out = new byte[1000];
            int o = 0;
            while (o < out.length) {
                int n = Math.min(out.length - o, r.nextInt(300));
                k.squeeze(out, o, n);
                o += n;
            }
            assertArrayEquals(expected, out, "trial " + trial);
        }
    }

    @Test
    void resetWipesAndRestarts() {
        Keccak k = Keccak.newSha3_256();
        k.absorb(new byte[] {1, 2, 3});
        k.squeeze(new byte[32], 0, 32);
        assertThrows(IllegalStateException.class, () -> k.absorb(new byte[1]));
        k.reset();
        assertArrayEquals(Keccak.sha3_256(new byte[] {'a', 'b', 'c'}),
                k.absorb(new byte[] {'a', 'b', 'c'}).squeeze(32));
    }
}

package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kyber1024 round 3 against {@code kyber1024_round3_kat.json} and the Kyber calls of {@code primitive_trace.json}. */
class Kyber1024KatTest {
    private static final Kyber1024 KYBER = Kyber1024.instance();

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] sha3_256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA3-256").digest(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void katFileDescribesRound3() {
        JsonNode kat = Vectors.kyberKat();
        assertEquals(1568, kat.at("/sizes/public_key").asInt());
        assertEquals(3168, kat.at("/sizes/secret_key").asInt());
        assertEquals(1568, kat.at("/sizes/ciphertext").asInt());
        assertEquals(32, kat.at("/sizes/shared_secret").asInt());
        assertEquals(6, kat.get("cases").size());
    }

    @Test
    void everyKatCase() {
        int checked = 0;
        for (JsonNode c : Vectors.kyberKat().get("cases")) {
            String id = "case " + c.get("case").asText();
            byte[] d = Vectors.hex(c.at("/keypair_coins/d_first_draw"));
            byte[] z = Vectors.hex(c.at("/keypair_coins/z_second_draw"));
            byte[] m = Vectors.hex(c.get("encapsulation_coins_m"));

            KemKeyPair kp = KYBER.generateKeyPair(d, z);
            byte[] pk = kp.publicKey();
            byte[] sk = Kyber1024.exportPrivateKey(kp.privateKey());
            assertEquals(c.get("public_key_sha256").asText(), Vectors.hex(sha256(pk)), id + " pk sha256");
            byte[] expectedPk = Vectors.hex(c.get("public_key"));
            if (expectedPk != null) assertArrayEquals(expectedPk, pk, id + " pk");
            assertEquals(c.get("secret_key_sha256").asText(), Vectors.hex(sha256(sk)), id + " sk sha256");
            byte[] expectedSk = c.get("secret_key").isTextual() ? Vectors.hex(c.get("secret_key")) : null;
            if (expectedSk != null) assertArrayEquals(expectedSk, sk, id + " sk");
            byte[] tail = Vectors.hex(c.get("secret_key_tail_H_pk_z"));
            assertArrayEquals(tail, java.util.Arrays.copyOfRange(sk, 3104, 3168), id + " sk tail");
            // layout: ŝ ‖ pk ‖ H(pk) ‖ z
            assertArrayEquals(pk, java.util.Arrays.copyOfRange(sk, 1536, 3104), id + " sk embeds pk");
            assertArrayEquals(sha3_256(pk), java.util.Arrays.copyOfRange(sk, 3104, 3136), id + " H(pk)");
            assertArrayEquals(z, java.util.Arrays.copyOfRange(sk, 3136, 3168), id + " z");

            KemEncapsulation enc = KYBER.encapsulate(pk, m);
            assertArrayEquals(Vectors.hex(c.get("ciphertext")), enc.ciphertext(), id + " ct");
            assertEquals(c.get("ciphertext_sha256").asText(), Vectors.hex(sha256(enc.ciphertext())), id + " ct sha256");
            assertArrayEquals(Vectors.hex(c.get("shared_secret")), enc.sharedSecret(), id + " ss");

            assertArrayEquals(enc.sharedSecret(), KYBER.decapsulate(kp, enc.ciphertext()), id + " decaps");

            // implicit rejection: bit 0 of the ciphertext flipped
            byte[] bad = enc.ciphertext().clone();
            bad[0] ^= 1;
            JsonNode rej = c.get("decapsulate_ciphertext_with_bit0_flipped");
            assertEquals(rej.get("ciphertext_sha256").asText(), Vectors.hex(sha256(bad)), id + " flipped ct");
            byte[] rejected = KYBER.decapsulate(kp, bad);
            assertArrayEquals(Vectors.hex(rej.get("shared_secret")), rejected, id + " implicit rejection");
            assertArrayEquals(Keccak.shake256(32, z, sha3_256(bad)), rejected, id + " rejection = KDF(z ‖ H(c'))");

            // the same through the RandomSource entry points, consuming d, z, then m
            ReplayRandom rng = new ReplayRandom();
            rng.add(d);
            rng.add(z);
            rng.add(m);
            KemKeyPair kp2 = KYBER.generateKeyPair(rng);
            assertArrayEquals(pk, kp2.publicKey(), id + " rng keygen");
            KemEncapsulation enc2 = KYBER.encapsulate(kp2.publicKey(), rng);
            assertArrayEquals(enc.ciphertext(), enc2.ciphertext(), id + " rng encaps");
            assertTrue(rng.isEmpty(), id + " consumed exactly three 32-byte draws");
            checked++;
        }
        assertEquals(6, checked);
    }

    @Test
    void primitiveTraceKyberEvents() {
        Map<String, KemKeyPair> keysByPkHash = new HashMap<>();
        Map<String, byte[]> ciphertextsByHash = new HashMap<>();
        Map<String, String> pkHashByCtHash = new HashMap<>();
        int keypairs = 0, encaps = 0, decaps = 0;
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            Deque<byte[]> draws = new ArrayDeque<>();
            for (JsonNode e : step.get("events")) {
                String op = e.get("op").asText();
                String where = step.get("step").asText() + " " + op;
                switch (op) {
                    case "rng" -> {
                        String label = e.path("label").asText("");
                        if (label.startsWith("kyber1024_")) {
                            assertEquals(32, e.get("len").asInt(), where);
                            draws.add(Vectors.hex(e.get("bytes")));
                        }
                    }
                    case "kyber1024_keypair" -> {
                        assertEquals(2, draws.size(), where + ": two draws d, z");
                        KemKeyPair kp = KYBER.generateKeyPair(draws.poll(), draws.poll());
                        String pkHash = Vectors.hex(sha256(kp.publicKey()));
                        assertEquals(e.get("public_key_sha256").asText(), pkHash, where);
                        assertEquals(e.get("secret_key_sha256").asText(),
                                Vectors.hex(sha256(Kyber1024.exportPrivateKey(kp.privateKey()))), where);
                        keysByPkHash.put(pkHash, kp);
                        keypairs++;
                    }
                    case "kyber1024_encapsulate" -> {
                        assertEquals(1, draws.size(), where + ": one draw m");
                        KemKeyPair kp = keysByPkHash.get(e.get("public_key_sha256").asText());
                        assertNotNull(kp, where + ": public key of an earlier keypair");
                        KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), draws.poll());
                        String ctHash = Vectors.hex(sha256(enc.ciphertext()));
                        assertEquals(e.get("ciphertext_sha256").asText(), ctHash, where);
                        assertEquals(e.get("shared_secret").asText(), Vectors.hex(enc.sharedSecret()), where);
                        ciphertextsByHash.put(ctHash, enc.ciphertext());
                        pkHashByCtHash.put(ctHash, e.get("public_key_sha256").asText());
                        encaps++;
                    }
                    case "kyber1024_decapsulate" -> {
                        String ctHash = e.get("ciphertext_sha256").asText();
                        byte[] ct = ciphertextsByHash.get(ctHash);
                        assertNotNull(ct, where + ": ciphertext of an earlier encapsulation");
                        KemKeyPair kp = keysByPkHash.get(pkHashByCtHash.get(ctHash));
                        assertEquals(e.get("shared_secret").asText(), Vectors.hex(KYBER.decapsulate(kp, ct)), where);
                        decaps++;
                    }
                    default -> { }
                }
            }
            assertTrue(draws.isEmpty(), step.get("step").asText() + ": every Kyber draw used");
        }
        assertTrue(keypairs >= 6 && encaps >= 6 && decaps >= 6,
                "trace has Kyber calls: " + keypairs + "/" + encaps + "/" + decaps);
    }

    /** A RandomSource that hands out queued byte strings, one per nextBytes call of the same length. */
    static final class ReplayRandom implements RandomSource {
        private final Deque<byte[]> queue = new ArrayDeque<>();

        void add(byte[] b) { queue.add(b.clone()); }

        boolean isEmpty() { return queue.isEmpty(); }

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            byte[] next = queue.poll();
            if (next == null || next.length != len) {
                throw new AssertionError("unexpected draw of " + len + " bytes");
            }
            System.arraycopy(next, 0, out, off, len);
        }

        @Override public int nextInt() { throw new AssertionError("unexpected nextInt"); }

        @Override public long nextLong() { throw new AssertionError("unexpected nextLong"); }
    }
}

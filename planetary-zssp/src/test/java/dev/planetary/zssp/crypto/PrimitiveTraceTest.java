package dev.planetary.zssp.crypto;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.testing.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every SHA-512, HMAC/KBKDF, AES-256-GCM and AES block call the Rust reference made (in every
 * scenario, {@code primitive_trace.json}), and every key it derived ({@code derived_keys.json}),
 * recomputed with Planetary's primitives.
 */
class PrimitiveTraceTest {

    private static List<JsonNode> events(String op) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) if (op.equals(e.get("op").asText())) out.add(e);
        }
        return out;
    }

    private static String where(JsonNode e) {
        return e.get("step").asText() + " (" + e.get("actor").asText() + ")";
    }

    @Test
    void sha512() {
        List<JsonNode> all = events("sha512");
        assertTrue(all.size() > 100);
        for (JsonNode e : all) {
            assertArrayEquals(hex(e.get("out")), Sha512.hash(hex(e.get("in"))), where(e));
        }
    }

    @Test
    void hmacAndKbkdfBlocks() {
        List<JsonNode> all = events("hmac_sha512");
        assertTrue(all.size() > 100);
        int kbkdf = 0;
        for (JsonNode e : all) {
            byte[] key = hex(e.get("key"));
            byte[] out = hex(e.get("out"));
            assertArrayEquals(out, Kbkdf.hmac(key, hex(e.get("data"))), where(e));
            JsonNode k = e.get("kbkdf");
            if (k != null && !k.isNull()) {
                // Recompute through the KBKDF itself: the message layout must come out identical.
                int n = k.get("L_bits").asInt() / 512;
                int counter = k.get("counter").asInt();
                byte[] label = k.get("label").asText().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] context = hex(k.get("context_ck"));
                byte[][] blocks = Kbkdf.derive(key, label, context == null ? new byte[0] : context, n);
                assertArrayEquals(out, blocks[counter - 1], "KBKDF block " + counter + " at " + where(e));
                kbkdf++;
            }
        }
        assertTrue(kbkdf > 100, "KBKDF-decoded HMAC calls: " + kbkdf);
    }

    @Test
    void aesGcm() {
        int enc = 0;
        int dec = 0;
        for (JsonNode e : events("aes256gcm_encrypt")) {
            byte[] pt = hex(e.get("plaintext"));
            byte[] out = new byte[pt.length + 16];
            sealZssp(new AesGcm(hex(e.get("key"))), hex(e.get("nonce")), aad(e), pt, out);
            assertArrayEquals(Bytes.concat(hex(e.get("ciphertext")), hex(e.get("tag"))), out, where(e));
            enc++;
        }
        for (JsonNode e : events("aes256gcm_decrypt")) {
            byte[] sealed = Bytes.concat(hex(e.get("ciphertext")), hex(e.get("tag")));
            byte[] out = new byte[sealed.length];
            boolean ok = new AesGcm(hex(e.get("key"))).open(hex(e.get("nonce")), aad(e), sealed, 0, sealed.length, out, 0);
            boolean expected = Boolean.parseBoolean(e.get("ok").asText().toLowerCase());
            assertEquals(expected, ok, where(e));
            if (ok) assertArrayEquals(hex(e.get("plaintext")), Arrays.copyOf(out, sealed.length - 16), where(e));
            dec++;
        }
        assertTrue(enc > 50 && dec > 50, enc + " encryptions, " + dec + " decryptions");
    }

    @Test
    void aesBlocks() {
        for (String op : new String[] {"aes256_block_encrypt", "aes256_block_decrypt"}) {
            List<JsonNode> all = events(op);
            assertTrue(all.size() > 50, op);
            for (JsonNode e : all) {
                byte[] block = hex(e.get("in"));
                HeaderCipher hc = new HeaderCipher(hex(e.get("key")));
                if (op.endsWith("encrypt")) hc.encryptBlock(block, 0); else hc.decryptBlock(block, 0);
                assertArrayEquals(hex(e.get("out")), block, op + " at " + where(e));
            }
        }
    }

    @Test
    void derivedAsksAndSplits() {
        JsonNode all = Vectors.derivedKeys().get("asks_and_splits");
        assertTrue(all.size() > 30);
        for (JsonNode e : all) {
            String kind = e.get("kind").asText();
            byte[] kIn = hex(e.get("K_IN"));
            byte[] ck = hex(e.get("context_ck"));
            byte[][] blocks = Kbkdf.derive(kIn == null ? new byte[0] : kIn,
                    e.get("label").asText().getBytes(java.nio.charset.StandardCharsets.US_ASCII), ck, e.get("num_outputs").asInt());
            for (int i = 0; i < blocks.length; i++) {
                assertArrayEquals(hex(e.get("outputs").get(i)), blocks[i], kind + " at " + where(e));
                assertArrayEquals(hex(e.get("keys_32").get(i)), Arrays.copyOf(blocks[i], 32), kind + " at " + where(e));
            }
        }
    }

    @Test
    void derivedAesOperationsAndHeaderBlocks() {
        JsonNode ops = Vectors.derivedKeys().get("aes_gcm_operations");
        for (JsonNode e : ops) {
            byte[] sealed = Bytes.concat(hex(e.get("ciphertext")), hex(e.get("tag")));
            AesGcm k = new AesGcm(hex(e.get("key")));
            if (e.get("op").asText().endsWith("encrypt")) {
                byte[] pt = hex(e.get("plaintext"));
                byte[] out = new byte[pt.length + 16];
                sealZssp(k, hex(e.get("nonce")), aad(e), pt, out);
                assertArrayEquals(sealed, out, where(e));
            } else {
                byte[] out = new byte[sealed.length];
                assertEquals(e.get("ok").asBoolean(), k.open(hex(e.get("nonce")), aad(e), sealed, 0, sealed.length, out, 0), where(e));
            }
        }
        for (JsonNode e : Vectors.derivedKeys().get("header_block_encryptions")) {
            byte[] block = hex(e.get("plain_block"));
            new HeaderCipher(hex(e.get("key"))).encryptBlock(block, 0);
            assertArrayEquals(hex(e.get("encrypted_block")), block, where(e));
        }
    }

    private static byte[] aad(JsonNode e) {
        byte[] a = hex(e.get("aad"));
        return a == null || a.length == 0 ? null : a;
    }

    /** Every recorded nonce has ZSSP's form {@code 00 00 00 ‖ type ‖ BE64(counter)}, the only one seal accepts. */
    private static void sealZssp(AesGcm k, byte[] nonce, byte[] aad, byte[] pt, byte[] out) {
        assertArrayEquals(AesGcm.nonce(nonce[3] & 0xff, Bytes.getLong(nonce, 4)), nonce, "a ZSSP nonce");
        k.seal(nonce[3] & 0xff, Bytes.getLong(nonce, 4), aad, pt, 0, pt.length, out, 0);
    }
}

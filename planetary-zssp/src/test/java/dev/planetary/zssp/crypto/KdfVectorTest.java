package dev.planetary.zssp.crypto;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.testing.Vectors;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** KBKDF, OTP→ratchet and protocol-name constants against {@code kdf_vectors.json} (spec §2.6, §3, §8.2). */
class KdfVectorTest {

    @Test
    void everyKbkdfVector() {
        JsonNode all = Vectors.kdf().get("kbkdf");
        assertEquals(6, all.size(), "vector count");
        for (JsonNode v : all) {
            byte[][] out = Kbkdf.derive(hex(v.get("K_IN")), v.get("label").asText().getBytes(StandardCharsets.US_ASCII),
                    hex(v.get("context")), v.get("num_outputs").asInt());
            JsonNode expected = v.get("outputs");
            assertEquals(expected.size(), out.length);
            for (int i = 0; i < out.length; i++) {
                assertArrayEquals(hex(expected.get(i)), out[i], "KBKDF " + v.get("label") + " block " + (i + 1));
            }
        }
    }

    @Test
    void otpToRatchet() {
        JsonNode v = Vectors.kdf().get("otp_ratchet");
        byte[][] r = RatchetKdf.fromOtp(hex(v.get("otp_hex")));
        assertArrayEquals(hex(v.get("ratchet_key")), r[0]);
        assertArrayEquals(hex(v.get("ratchet_fingerprint")), r[1]);
    }

    @Test
    void otpToRatchetSpecAppendixA() {
        byte[][] r = RatchetKdf.fromOtp("ZSSP test one-time password".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(hex("5a7d058f7efe0267cab401831253705e2de4d15d1ef9ceff6b51460d39cb5321"), r[0]);
        assertArrayEquals(hex("ea39b8456fbb72b2b00a3d91968d863d3dfe0f70a741f8d7be8d83d125e52790"), r[1]);
    }

    @Test
    void protocolNames() {
        JsonNode v = Vectors.kdf().get("protocol_names");
        assertArrayEquals(hex(v.get("noise_xk_64")), ZsspConstants.xkName());
        assertArrayEquals(hex(v.get("noise_kk_64")), ZsspConstants.kkName());
    }

    @Test
    void emptyHmacKeyEqualsBlockOfZeros() {
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(Kbkdf.hmac(new byte[128], data), Kbkdf.hmac(new byte[0], data));
        assertArrayEquals(Kbkdf.hmac(new byte[1], data), Kbkdf.hmac(new byte[0], data));
        assertTrue(!Arrays.equals(Kbkdf.hmac(new byte[] {1}, data), Kbkdf.hmac(new byte[0], data)));
    }
}

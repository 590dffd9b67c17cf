package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/** Every P-384 event recorded from the Rust reference, replayed. */
class P384VectorsTest {

    private static int count(String op) {
        int n = 0;
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) if (op.equals(e.get("op").asText())) n++;
        }
        return n;
    }

    @Test
    void traceHasP384Events() {
        // guards against silently testing nothing if the trace format changed
        assertEquals(18, count("p384_generate"));
        assertEquals(57, count("p384_ecdh"));
        assertEquals(30, count("p384_decode_public"));
    }

    @Test
    void generateFromRecordedScalar() {
        int n = 0;
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) {
                if (!"p384_generate".equals(e.get("op").asText())) continue;
                byte[] d = Vectors.hex(e.get("private_scalar"));
                P384KeyPair kp = P384KeyPair.fromScalar(d);
                assertArrayEquals(Vectors.hex(e.get("public")), kp.publicKey().encoded(),
                        "public key of " + step.get("step").asText());
                n++;
            }
        }
        assertEquals(18, n);
    }

    @Test
    void generateThroughRandomSourceReplaysRecordedScalar() {
        // the same events, but through generate(): one 48-byte draw becomes the scalar
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) {
                if (!"p384_generate".equals(e.get("op").asText())) continue;
                byte[] d = Vectors.hex(e.get("private_scalar"));
                ScriptedRandom rs = new ScriptedRandom();
                rs.draws.add(d);
                P384KeyPair kp = P384KeyPair.generate(rs);
                assertTrue(rs.draws.isEmpty());
                assertArrayEquals(Vectors.hex(e.get("public")), kp.publicKey().encoded());
            }
        }
    }

    @Test
    void ecdhEvents() {
        int n = 0;
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) {
                if (!"p384_ecdh".equals(e.get("op").asText())) continue;
                P384KeyPair kp = P384KeyPair.fromScalar(Vectors.hex(e.get("private_scalar")));
                assertArrayEquals(Vectors.hex(e.get("local_public")), kp.publicKey().encoded());
                P384PublicKey remote = P384PublicKey.decode(Vectors.hex(e.get("remote_public")));
                assertNotNull(remote);
                byte[] shared = kp.agree(remote);
                assertEquals(48, shared.length);
                assertArrayEquals(Vectors.hex(e.get("shared_x")), shared, "ECDH in " + step.get("step").asText());
                byte[] into = new byte[60];
                kp.agree(remote, into, 7);
                for (int i = 0; i < 48; i++) assertEquals(shared[i], into[7 + i]);
                n++;
            }
        }
        assertEquals(57, n);
    }

    @Test
    void decodeEvents() {
        int n = 0;
        for (JsonNode step : Vectors.primitiveTrace().get("steps")) {
            for (JsonNode e : step.get("events")) {
                if (!"p384_decode_public".equals(e.get("op").asText())) continue;
                byte[] in = Vectors.hex(e.get("in"));
                boolean valid = e.get("valid").asBoolean();
                P384PublicKey k = P384PublicKey.decode(in);
                assertEquals(valid, k != null, "decode validity in " + step.get("step").asText());
                assertEquals(valid, P384.isValidPublicKey(in, 0));
                if (valid) assertArrayEquals(in, k.encoded());
                // and from inside a larger buffer
                byte[] buf = new byte[in.length + 13];
                System.arraycopy(in, 0, buf, 5, in.length);
                assertEquals(valid, P384PublicKey.decode(buf, 5) != null);
                n++;
            }
        }
        assertEquals(30, n);
    }

    @Test
    void staticKeys() {
        JsonNode keys = Vectors.sessions().get("static_keys");
        assertTrue(keys.size() >= 2);
        for (JsonNode k : keys) {
            P384KeyPair kp = P384KeyPair.fromScalar(Vectors.hex(k.get("private_scalar")));
            byte[] pub = Vectors.hex(k.get("public_compressed"));
            assertArrayEquals(pub, kp.publicKey().encoded(), "static key of " + k.get("who").asText());
            assertEquals(kp.publicKey(), P384PublicKey.decode(pub));
        }
    }

    @Test
    void staticKeysFromRecordedRng() {
        // the *_static RNG streams: every draw labelled p384_private_scalar, in order; the last
        // accepted one must give the listed public key
        JsonNode sessions = Vectors.sessions();
        for (JsonNode k : sessions.get("static_keys")) {
            String rng = k.get("generated_with").get("rng").asText();
            JsonNode draws = sessions.get("rng").get(rng);
            assertNotNull(draws, rng);
            ScriptedRandom rs = new ScriptedRandom();
            for (JsonNode d : draws) {
                if ("p384_private_scalar".equals(d.path("label").asText())) rs.draws.add(Vectors.hex(d.get("bytes")));
            }
            assertTrue(!rs.draws.isEmpty());
            P384KeyPair kp = P384KeyPair.generate(rs);
            assertTrue(rs.draws.isEmpty(), "all recorded scalar draws consumed");
            assertArrayEquals(Vectors.hex(k.get("public_compressed")), kp.publicKey().encoded());
        }
    }

    @Test
    void noRejectEventsExpectedButHandled() {
        // the reference records p384_generate_reject for a rejected draw; none occur in these runs
        // (probability ~2^-190), the loop itself is tested in P384PropertyTest
        assertEquals(0, count("p384_generate_reject"));
        assertNull(P384PublicKey.decode(new byte[48]));
    }

    /** Plays back byte draws; other draw kinds are not expected. */
    static final class ScriptedRandom implements RandomSource {
        final Deque<byte[]> draws = new ArrayDeque<>();
        int calls;

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            calls++;
            byte[] d = draws.removeFirst();
            assertEquals(d.length, len, "draw length");
            System.arraycopy(d, 0, out, off, len);
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

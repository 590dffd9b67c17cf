package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.vl1.Verb;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-derives the committed VL2 vectors ({@code vl2_vectors.json}) byte for byte: the signed objects
 * (deterministic RFC 6979 signatures by the B.1 key) and every message layout; each committed hex
 * decodes, verifies (signed objects) and re-encodes to itself. With {@code -Dplanetary.writeVectors=true}
 * the file is rewritten first ({@link Vl2VectorGenerator}).
 */
class Vl2VectorTest {
    static JsonNode committed;

    @BeforeAll
    static void load() throws Exception {
        if (Boolean.getBoolean("planetary.writeVectors")) {
            Path src = Path.of("src/test/resources/vl2_vectors.json");
            Vl2VectorGenerator.main(new String[] {src.toString()});
            committed = Vl2Vectors.JSON.readTree(Files.readString(src));
            return;
        }
        try (InputStream in = Vl2VectorTest.class.getResourceAsStream(Vl2Vectors.RESOURCE)) {
            assertNotNull(in, "vl2_vectors.json on the test class path");
            committed = Vl2Vectors.JSON.readTree(in);
        }
    }

    @Test
    void generatorOutputMatchesTheCommittedFile() {
        // compared as text of the same tree shape (numbers read back from JSON are not typed like the generator's)
        String expected = committed.toPrettyString(), actual;
        try {
            actual = Vl2Vectors.JSON.readTree(Vl2Vectors.JSON.writeValueAsString(Vl2Vectors.document())).toPrettyString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        if (!expected.equals(actual)) {
            // name the first differing line only: the objects are long hex strings
            String[] a = expected.split("\n"), b = actual.split("\n");
            int i = 0;
            while (i < Math.min(a.length, b.length) && a[i].equals(b[i])) i++;
            throw new AssertionError("vl2_vectors.json drifted from the code at line " + (i + 1) + " (regenerate with "
                    + "-Dplanetary.writeVectors=true if the change is intended): " + (i < a.length ? abbreviate(a[i]) : "<end>"));
        }
    }

    @Test
    void signedObjectsVerifyAndDecodeToTheirFields() {
        Vl2Vectors.Objects o = Vl2Vectors.objects();
        PsoVerifier v = new PsoVerifier();
        var controller = Fixtures.controller().identity();
        for (JsonNode obj : committed.get("signed_objects")) {
            byte[] b = Fixtures.HEX.parseHex(obj.get("encoded").asText());
            assertEquals(obj.get("length").asInt(), b.length);
            Signed<?> s = switch (obj.get("name").asText()) {
                case "member_credential" -> MemberCredential.verify(v, b, controller).orThrow();
                case "revocation_list" -> RevocationList.verify(v, b, controller).orThrow();
                case "network_config" -> NetworkConfig.verify(v, b, controller).orThrow();
                default -> throw new AssertionError("unknown object " + obj.get("name"));
            };
            assertEquals(obj.get("timestamp").asLong(), s.timestamp());
            assertEquals(obj.get("digest_sha384").asText(), Fixtures.HEX.formatHex(s.digest()));
            Signed<?> expected = switch (s.pso().type()) {
                case MemberCredential.TYPE -> o.mc();
                case RevocationList.TYPE -> o.list();
                default -> o.config();
            };
            assertEquals(expected.value(), s.value());
            assertArrayEquals(expected.encoded(), b);
        }
        assertEquals(3, committed.get("signed_objects").size());
    }

    @Test
    void everyMessageDecodesAndReencodes() {
        Map<String, Vl2Message> built = Vl2Vectors.messages(Vl2Vectors.objects());
        Set<String> verbs = new HashSet<>();
        int n = 0;
        for (JsonNode m : committed.get("messages")) {
            String name = m.get("name").asText();
            byte[] b = Fixtures.HEX.parseHex(m.get("hex").asText());
            Vl2Message msg = Vl2Codec.decode(b).orThrow();
            assertEquals(built.get(name), msg, name);
            assertArrayEquals(b, msg.encode(), name);
            assertEquals(m.get("verb").asText(), Verb.name(msg.verb()));
            verbs.add(Verb.name(msg.verb()));
            n++;
        }
        assertEquals(built.size(), n);
        assertEquals(Set.of("NETWORK_CONFIG_REQUEST", "NETWORK_CONFIG", "NETWORK_CREDENTIALS", "FRAME", "EXT_FRAME", "MULTICAST_LIKE",
                "MULTICAST_GATHER", "MULTICAST_FRAME"), verbs);
        Map<String, GatherReply> replies = Vl2Vectors.gatherReplies();
        for (JsonNode r : committed.get("ok_gather_bodies")) {
            byte[] b = Fixtures.HEX.parseHex(r.get("hex").asText());
            GatherReply reply = GatherReply.decode(b).orThrow();
            assertEquals(replies.get(r.get("name").asText()), reply);
            assertArrayEquals(b, reply.body());
        }
        assertEquals(replies.size(), committed.get("ok_gather_bodies").size());
    }

    @Test
    void layoutsSpelledOutAgainstTheSpecTables() {
        // §9.2 FRAME: 0x06 ‖ u64 nwid ‖ u16 ethertype ‖ payload
        assertEquals("06f3da19d0f4000001" + "0806" + "0001080006040001", hex("frame_arp"));
        // §9.2 EXT_FRAME: verb ‖ nwid ‖ flags 0 ‖ dst ‖ src ‖ ethertype ‖ payload
        assertEquals("07f3da19d0f4000001" + "00" + "02f3daed00ed" + "525400123456" + "0800" + "4500001c", hex("ext_frame_bridged"));
        // §10.2 MULTICAST_LIKE: verb ‖ nwid ‖ u16 n ‖ n × (MAC ‖ u32 ADI)
        assertEquals("09f3da19d0f4000001" + "0002" + "ffffffffffff0a931105" + "3333ff00000100000000", hex("multicast_like"));
        // §8.3 query by address: verb ‖ nwid ‖ n = 1 ‖ type 3 ‖ length 6 ‖ kind 0 ‖ Address
        assertEquals("0af3da19d0f4000001" + "01" + "03" + "0006" + "00" + "89e92ceee5", hex("network_credentials_query_address"));
        assertEquals("0af3da19d0f4000001" + "01" + "03" + "0001" + "02", hex("network_credentials_query_list"));
        // §7.3 refresh: verb ‖ nwid ‖ held config revision ‖ held list revision ‖ T = 0
        assertEquals("0bf3da19d0f4000001" + "0000000200000007" + "0000000000000003" + "0000", hex("network_config_request_refresh"));
        // §10.3 MULTICAST_GATHER: verb ‖ u32 request id ‖ nwid ‖ MAC ‖ ADI ‖ u16 limit
        assertEquals("0d" + "00000031" + "f3da19d0f4000001" + "ffffffffffff0a931106" + "0020", hex("multicast_gather"));
        // §10.4 MULTICAST_FRAME with gather: verb ‖ nwid ‖ flags 0x01 ‖ request id ‖ limit ‖ group ‖ ethertype ‖ payload
        assertTrue(hex("multicast_frame_gathering").startsWith("0ef3da19d0f4000001" + "01" + "00000032" + "001f" + "ffffffffffff0a931106" + "0806"));
        // origin (0x10) before source MAC (0x04), replicate 0x08: flags 0x1c
        assertEquals("0ef3da19d0f4000001" + "1c" + "89e92ceee5" + "525400123456" + "ffffffffffff00000000" + "0800" + "45",
                hex("multicast_frame_replicated"));
        String push = hex("network_config_push");
        assertTrue(push.startsWith("0cf3da19d0f4000001" + "01"), "push flag bit0");
        assertEquals((push.length() / 2 - 14), Integer.parseInt(push.substring(20, 28), 16), "u32 L = the PSO length");
    }

    static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }

    static String hex(String name) {
        for (JsonNode m : committed.get("messages")) if (m.get("name").asText().equals(name)) return m.get("hex").asText();
        throw new AssertionError("no vector " + name);
    }
}

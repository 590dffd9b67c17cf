package dev.planetary.vl1;

import dev.planetary.identity.Address;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Replays the committed B.4 vectors ({@code vectors/vl1_messages.json}): each hex decodes to a message
 * whose fields equal the recorded ones, re-encodes to the same bytes, and the generator's messages still
 * encode to the committed bytes (so the file and the code cannot drift apart). A few layouts are also
 * spelled out byte by byte against the spec tables.
 */
class Vl1MessageVectorTest {

    static JsonNode load() throws Exception {
        try (InputStream in = Vl1MessageVectorTest.class.getResourceAsStream("/vectors/vl1_messages.json")) {
            assertNotNull(in, "vectors/vl1_messages.json on the test class path");
            return Vl1Vectors.JSON.readTree(in);
        }
    }

    @Test
    void everyVectorDecodesToItsFieldsAndReencodes() throws Exception {
        JsonNode doc = load();
        Set<String> verbs = new HashSet<>();
        int n = 0;
        for (JsonNode v : doc.get("vectors")) {
            String name = v.get("name").asText();
            byte[] bytes = HexFormat.of().parseHex(v.get("hex").asText());
            assertEquals(v.get("length").asInt(), bytes.length, name);
            Decoded d = Vl1Codec.decode(bytes);
            Vl1Message m = assertInstanceOf(Decoded.Message.class, d, () -> name + ": " + d).message();
            assertEquals(v.get("verb").asText(), Verb.name(m.verb()), name);
            assertEquals(v.get("fields").toString(), Vl1Vectors.normalized(Vl1Vectors.fields(m)).toString(), name + ": decoded fields");
            assertArrayEquals(bytes, m.encode(), name + ": re-encoding");
            verbs.add(Verb.name(m.verb()));
            n++;
        }
        assertEquals(Vl1Vectors.messages().size(), n);
        assertEquals(Set.of("NOP", "HELLO", "OK", "ERROR", "WHOIS", "ECHO", "RELAY", "RELAY_BLOCK", "USER_MESSAGE", "ROOT_SET",
                "RENDEZVOUS", "RENDEZVOUS_REQUEST", "PUSH_DIRECT_PATHS"), verbs);
    }

    @Test
    void generatorOutputMatchesTheCommittedFile() throws Exception {
        JsonNode doc = load();
        Map<String, Vl1Message> built = Vl1Vectors.messages();
        int i = 0;
        for (Map.Entry<String, Vl1Message> e : built.entrySet()) {
            JsonNode v = doc.get("vectors").get(i++);
            assertEquals(e.getKey(), v.get("name").asText());
            assertEquals(v.get("hex").asText(), HexFormat.of().formatHex(e.getValue().encode()), e.getKey());
        }
        assertEquals(doc.get("vectors").size(), built.size());
        for (int k = 0; k < built.size(); k++) {
            assertEquals(doc.get("vectors").get(k).toString(), Vl1Vectors.normalized(Vl1Vectors.document()).get("vectors").get(k).toString(),
                    "regenerate with Vl1VectorGenerator after an intended change");
        }
    }

    @Test
    void layoutsByTheTables() {
        Map<String, Vl1Message> m = Vl1Vectors.messages();
        // §3.7: verb, request id, version, role flags, software, instance id, T = 0
        assertEquals("01" + "10000001" + "0001" + "00" + "000100" + "0102030405060708" + "0000", hex(m.get("hello_member")));
        // §3.8
        assertEquals("08" + "00000010" + "02" + "00000000075bcd15", hex(m.get("echo_heartbeat")));
        // §3.8 OK(ECHO): OK header, echoed timestamp, Endpoint 0x04 L=6 203.0.113.20:41641
        assertEquals("03" + "08" + "00000010" + "00000000075bcd15" + "0406" + "cb007114" + "a2a9", hex(m.get("ok_echo_ipv4")));
        // §3.9
        assertEquals("04" + "00000021" + "03" + "89e92ceee5" + "0123456789" + "fe00000001", hex(m.get("whois_three")));
        String okWhois = hex(m.get("ok_whois"));
        assertEquals(1 + 1 + 4 + 1 + 200, okWhois.length() / 2);
        assertTrue(okWhois.startsWith("03" + "04" + "00000020" + "01" + "f3da19d0f4" + "01" + "03299dad"));
        // §3.4 ERROR RATE_LIMITED: in-re HELLO, request id, code 0x0a, u16 10
        assertEquals("02" + "01" + "10000001" + "0a" + "000a", hex(m.get("error_hello_rate_limited")));
        // §3.4 ERROR OBJ_NOT_FOUND (WHOIS): u8 n ‖ n × Address
        assertEquals("02" + "04" + "00000021" + "03" + "02" + "89e92ceee5" + "fe00000001", hex(m.get("error_whois_not_found")));
        // §3.4 RELAY_DENIED: in-re RELAY, request id 0, code 0x0b, dest, reason 6
        assertEquals("02" + "18" + "00000000" + "0b" + "0123456789" + "06", hex(m.get("error_relay_denied_blocked")));
        // §5.3 RELAY header
        assertTrue(hex(m.get("relay_from_member")).startsWith("18" + "01" + "0123456789" + "89e92ceee5"));
        assertEquals(12 + 48, m.get("relay_from_member").encode().length);
        // §5.4
        assertEquals("1b" + "89e92ceee5" + "003c", hex(m.get("relay_block")));
        // §5.5
        assertEquals("1a" + "0123456789", hex(m.get("rendezvous_request")));
        assertEquals("05" + "00" + "0123456789" + "02" + "0406cb007114a2a9" + "0612" + "20010db8000000000000000000000001" + "2709", hex(m.get("rendezvous")));
        // §5.7
        assertEquals("10" + "03" + "01" + "0406c0a801172709" + "04" + "0406cb007114a2a9" + "02" + "061220010db80000000000000000000000012709", hex(m.get("push_direct_paths")));
        // §3.10
        assertEquals("14" + "0000000000010000" + "68656c6c6f2c20706c616e6574617279", hex(m.get("user_message")));
        // §4.2
        assertEquals("19" + "504c525401", hex(m.get("root_set_opaque")));
    }

    static String hex(Vl1Message m) {
        return HexFormat.of().formatHex(m.encode());
    }
}

package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.RuleList;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** ZeroTier's JSON rules compiled to §11.2 entries (VL.md §11.3, §11.8): every type, every refusal, and the round trip. */
class RuleCompilerTest {
    static JsonNode json(String text) {
        try {
            return ControllerJson.MAPPER.readTree(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static String hex(String rules) {
        return RuleCompiler.compile(json(rules), "rules", ControllerLimits.MAX_RULES).hex();
    }

    /** One rule object → its entry {@code t ‖ len ‖ value} in hex. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{'type':'ACTION_DROP'}                                                   | 0000",
        "{'type':'ACTION_ACCEPT','not':false,'or':false}                          | 0100",
        "{'type':'ACTION_BREAK'}                                                  | 0500",
        "{'type':'MATCH_SOURCE_ZEROTIER_ADDRESS','zt':'89e92ceee5'}               | 180589e92ceee5",
        "{'type':'MATCH_SOURCE_ADDRESS','zt':'89E92CEEE5'}                        | 180589e92ceee5",
        "{'type':'MATCH_DEST_ZEROTIER_ADDRESS','zt':'0123456789','not':true}      | 99050123456789",
        "{'type':'MATCH_DEST_ADDRESS','zt':'0123456789'}                          | 19050123456789",
        "{'type':'MATCH_VLAN_ID','vlanId':4094}                                   | 1a020ffe",
        "{'type':'MATCH_MAC_SOURCE','mac':'32:a1:7e:00:11:22'}                    | 1d0632a17e001122",
        "{'type':'MATCH_MAC_DEST','mac':'32A17E001122'}                           | 1e0632a17e001122",
        "{'type':'MATCH_IPV4_SOURCE','ip':'10.147.17.0/24'}                       | 1f050a93110018",
        "{'type':'MATCH_IPV4_DEST','ip':'10.0.0.1/32'}                            | 20050a00000120",
        "{'type':'MATCH_IPV6_SOURCE','ip':'fd00::/8'}                             | 2111fd00000000000000000000000000000008",
        "{'type':'MATCH_IPV6_DEST','ip':'fd00::1/128'}                            | 2211fd00000000000000000000000000000180",
        "{'type':'MATCH_TAGS_SAMENESS','id':1,'value':2}                          | 2c080000000100000002",
        "{'type':'MATCH_IP_TOS','mask':252,'start':8,'end':16}                     | 2303fc0810",
        "{'type':'MATCH_IP_PROTOCOL','ipProtocol':6}                              | 240106",
        "{'type':'MATCH_ETHERTYPE','etherType':2048,'not':true}                   | a5020800",
        "{'type':'MATCH_ICMP','icmpType':8,'icmpCode':null}                       | 2603080000",
        "{'type':'MATCH_ICMP','icmpType':3,'icmpCode':4}                          | 2603030401",
        "{'type':'MATCH_IP_SOURCE_PORT_RANGE','start':1024,'end':65535}           | 27040400ffff",
        "{'type':'MATCH_IP_DEST_PORT_RANGE','start':22}                           | 280400160016",
        "{'type':'MATCH_CHARACTERISTICS','mask':'8000000000000002'}                | 29088000000000000002",
        "{'type':'MATCH_CHARACTERISTICS','mask':2}                                | 29080000000000000002",
        "{'type':'MATCH_FRAME_SIZE_RANGE','start':0,'end':1500}                   | 2a04000005dc",
        "{'type':'MATCH_TAGS_DIFFERENCE','id':1,'value':2}                        | 2c080000000100000002",
        "{'type':'MATCH_TAGS_BITWISE_AND','id':1,'value':2}                       | 2d080000000100000002",
        "{'type':'MATCH_TAGS_BITWISE_OR','id':1,'value':2}                        | 2e080000000100000002",
        "{'type':'MATCH_TAGS_BITWISE_XOR','id':1,'value':2}                       | 2f080000000100000002",
        "{'type':'MATCH_TAGS_EQUAL','id':4294967295,'value':4294967295}           | 3008ffffffffffffffff",
        "{'type':'MATCH_TAG_SENDER','id':1,'value':2}                             | 31080000000100000002",
        "{'type':'MATCH_TAG_RECEIVER','id':1,'value':2,'not':true}                | b2080000000100000002",
    })
    void everyTypeCompilesToItsEntry(String rule, String entry) {
        String rules = "[" + rule.replace('\'', '"') + "]";
        assertEquals(entry, hex(rules));
        Bytes b = Bytes.fromHex(entry);
        assertTrue(new RuleList(b).allTypesKnown(), "the member's codec knows the entry");
        assertEquals(b, RuleCompiler.compile(RuleCompiler.toJson(b), "rules", 1), "GET renders what compiles back");
    }

    /** A bad rule set → the field that names the rule (index) and the reason. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{'type':'ACTION_ACCEPT'}                                   | rules                  | must be an array",
        "[1]                                                        | rules[0]               | must be a rule object",
        "[{'not':true}]                                             | rules[0].type          | missing",
        "[{'type':7}]                                               | rules[0].type          | missing",
        "[{'type':'ACTION_ACCEPT'},{'type':'MATCH_FOO'}]            | rules[1].type          | unknown rule type \"MATCH_FOO\"",
        "[{'type':'ACTION_TEE','address':'0123456789'}]             | rules[0].type          | ACTION_TEE is not supported (reserved",
        "[{'type':'ACTION_WATCH'}]                                  | rules[0].type          | reserved",
        "[{'type':'ACTION_REDIRECT'}]                               | rules[0].type          | reserved",
        "[{'type':'ACTION_PRIORITY'}]                               | rules[0].type          | reserved",
        "[{'type':'MATCH_VLAN_PCP','vlanPcp':1}]                    | rules[0].type          | reserved",
        "[{'type':'MATCH_VLAN_DEI','vlanDei':1}]                    | rules[0].type          | reserved",
        "[{'type':'MATCH_RANDOM','probability':5}]                  | rules[0].type          | reserved",
        "[{'type':'MATCH_INTEGER_RANGE'}]                           | rules[0].type          | reserved",
        "[{'type':'INTEGER_RANGE','start':'0','end':'1'}]           | rules[0].type          | reserved",
        "[{'type':'MATCH_IPV4_DEST','ip':'10.0.0.1'}]               | rules[0].ip            | one address: /32",
        "[{'type':'MATCH_ETHERTYPE','etherType':1,'or':true}]       | rules[0].or            | OR is not supported",
        "[{'type':'MATCH_ETHERTYPE','etherType':1,'or':1}]          | rules[0].or            | must be true or false",
        "[{'type':'ACTION_DROP','not':true}]                        | rules[0].not           | an action cannot be negated",
        "[{'type':'MATCH_ETHERTYPE','etherType':1,'not':'yes'}]     | rules[0].not           | must be true or false",
        "[{'type':'ACTION_DROP','etherType':1}]                     | rules[0].etherType     | not a field of ACTION_DROP (it takes none)",
        "[{'type':'MATCH_ETHERTYPE','ethertype':1}]                 | rules[0].ethertype     | its fields: etherType",
        "[{'type':'MATCH_ETHERTYPE'}]                               | rules[0].etherType     | missing",
        "[{'type':'MATCH_ETHERTYPE','etherType':65536}]             | rules[0].etherType     | 0..65535",
        "[{'type':'MATCH_ETHERTYPE','etherType':'2048'}]            | rules[0].etherType     | must be an integer",
        "[{'type':'MATCH_VLAN_ID','vlanId':4096}]                   | rules[0].vlanId        | 0..4095",
        "[{'type':'MATCH_IP_PROTOCOL','ipProtocol':-1}]             | rules[0].ipProtocol    | 0..255",
        "[{'type':'MATCH_IP_DEST_PORT_RANGE','start':23,'end':22}]  | rules[0].end           | must be ≥ start (23)",
        "[{'type':'MATCH_IP_DEST_PORT_RANGE','start':70000}]        | rules[0].start         | 0..65535",
        "[{'type':'MATCH_IP_TOS','mask':1,'start':1,'end':256}]     | rules[0].end           | 0..255",
        "[{'type':'MATCH_ICMP','icmpType':8,'icmpCode':300}]        | rules[0].icmpCode      | 0..255",
        "[{'type':'MATCH_TAG_SENDER','id':4294967296,'value':0}]    | rules[0].id            | 0..4294967295",
        "[{'type':'MATCH_TAG_SENDER','id':1}]                       | rules[0].value         | missing",
        "[{'type':'MATCH_SOURCE_ZEROTIER_ADDRESS','zt':'xyz'}]      | rules[0].zt            | 10-hex-digit",
        "[{'type':'MATCH_SOURCE_ZEROTIER_ADDRESS','zt':'ff00000000'}] | rules[0].zt          | reserved",
        "[{'type':'MATCH_MAC_DEST','mac':'32:a1:7e:00:11'}]         | rules[0].mac           | MAC address",
        "[{'type':'MATCH_IPV4_SOURCE','ip':'fd00::/8'}]             | rules[0].ip            | IPv4 address/prefix",
        "[{'type':'MATCH_IPV4_SOURCE','ip':'10.0.0.0/33'}]          | rules[0].ip            | IPv4",
        "[{'type':'MATCH_IPV6_DEST','ip':'10.0.0.0/8'}]             | rules[0].ip            | IPv6",
        "[{'type':'MATCH_CHARACTERISTICS','mask':'0x1ffffffffffffffff'}] | rules[0].mask     | u64",
        "[{'type':'MATCH_CHARACTERISTICS','mask':-1}]               | rules[0].mask          | u64",
    })
    void badRulesNameTheRuleAndTheReason(String rules, String field, String reason) {
        FieldException e = assertThrows(FieldException.class, () -> hex(rules.replace('\'', '"')));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    /** The rule set ZeroTier's web console gives new networks (IPv4, ARP and IPv6 only), as ZeroTier stores it. */
    @Test
    void zeroTiersDefaultRuleSetCompilesAndRendersBackAsZeroTierWritesIt() {
        String zt = """
                [{"type":"MATCH_ETHERTYPE","etherType":2048,"not":true,"or":false},{"type":"MATCH_ETHERTYPE","etherType":2054,"not":true,"or":false},
                 {"type":"MATCH_ETHERTYPE","etherType":34525,"not":true,"or":false},{"type":"ACTION_DROP"},{"type":"ACTION_ACCEPT"}]""";
        Bytes wire = RuleCompiler.compile(json(zt), "rules", ControllerLimits.MAX_RULES);
        assertEquals("a5020800" + "a5020806" + "a50286dd" + "0000" + "0100", wire.hex());
        assertEquals(json(zt), json(ControllerJson.write(RuleCompiler.toJson(wire))));
    }

    @Test
    void limitsOfSection11_7() {
        String accept = "{\"type\":\"ACTION_ACCEPT\"},";
        String max = "[" + accept.repeat(ControllerLimits.MAX_RULES - 1) + "{\"type\":\"ACTION_DROP\"}]";
        assertEquals(2 * ControllerLimits.MAX_RULES, RuleCompiler.compile(json(max), "rules", ControllerLimits.MAX_RULES).length());
        FieldException e = assertThrows(FieldException.class,
                () -> RuleCompiler.compile(json("[" + accept.repeat(ControllerLimits.MAX_RULES) + "{\"type\":\"ACTION_DROP\"}]"), "rules", ControllerLimits.MAX_RULES));
        assertEquals("rules", e.field());
        assertTrue(e.getMessage().contains("at most 1024 rule entries"), e.getMessage());
        assertThrows(FieldException.class, () -> RuleCompiler.compile(json("[" + accept.repeat(65).replaceAll(",$", "") + "]"),
                "capabilities[0].rules", ControllerLimits.MAX_CAPABILITY_RULES));
    }

    @Test
    void renderedJsonUsesZeroTiersFieldNames() {
        var back = RuleCompiler.toJson(Bytes.fromHex("a5020800" + "0000" + "280400160016" + "2603080000" + "29088000000000000002"));
        assertEquals(json("""
                [{"type":"MATCH_ETHERTYPE","etherType":2048,"not":true,"or":false},{"type":"ACTION_DROP"},
                 {"type":"MATCH_IP_DEST_PORT_RANGE","start":22,"end":22,"not":false,"or":false},
                 {"type":"MATCH_ICMP","icmpType":8,"icmpCode":null,"not":false,"or":false},
                 {"type":"MATCH_CHARACTERISTICS","mask":"8000000000000002","not":false,"or":false}]"""), json(ControllerJson.write(back)));
    }

    @Test
    void toJsonRefusesWhatIsNotAVersion1Entry() {
        for (String bad : new String[] {"02", "0200", "0201ff", "8000", "4100", "250108", "1b00"}) {
            assertThrows(IllegalArgumentException.class, () -> RuleCompiler.toJson(Bytes.fromHex(bad)), bad);
        }
    }

    // ---------------------------------------------------------------- property: random valid rule sets

    /** A random valid rule object of every kind (JSON text). */
    static String randomRule(SplittableRandom r) {
        String not = r.nextBoolean() ? ", \"not\": true" : "";
        String or = r.nextInt(4) == 0 ? ", \"or\": false" : "";
        long lo = r.nextInt(65536), hi = lo + r.nextInt((int) (65536 - lo));
        String rule = switch (r.nextInt(16)) {
            case 0 -> "{\"type\": \"" + new String[] {"ACTION_DROP", "ACTION_ACCEPT", "ACTION_BREAK"}[r.nextInt(3)] + "\"" + or + "}";
            case 1 -> {
                long a;
                do a = r.nextLong(1L << 40); while (!dev.planetary.identity.Address.isValid(a));
                yield "{\"type\": \"MATCH_" + (r.nextBoolean() ? "SOURCE" : "DEST") + "_ZEROTIER_ADDRESS\", \"zt\": \"" + String.format("%010x", a) + "\"" + not + "}";
            }
            case 2 -> "{\"type\": \"MATCH_VLAN_ID\", \"vlanId\": " + r.nextInt(4096) + not + "}";
            case 3 -> {
                byte[] mac = new byte[6];
                r.nextBytes(mac);
                yield "{\"type\": \"MATCH_MAC_" + (r.nextBoolean() ? "SOURCE" : "DEST") + "\", \"mac\": \"" + HexFormat.ofDelimiter(":").formatHex(mac) + "\"" + not + "}";
            }
            case 4 -> "{\"type\": \"MATCH_IPV4_" + (r.nextBoolean() ? "SOURCE" : "DEST") + "\", \"ip\": \"" + r.nextInt(256) + "." + r.nextInt(256)
                    + "." + r.nextInt(256) + "." + r.nextInt(256) + "/" + r.nextInt(33) + "\"" + not + "}";
            case 5 -> "{\"type\": \"MATCH_IPV6_" + (r.nextBoolean() ? "SOURCE" : "DEST") + "\", \"ip\": \"fd" + String.format("%02x", r.nextInt(256))
                    + ":" + Integer.toHexString(r.nextInt(65536)) + "::" + Integer.toHexString(r.nextInt(65536)) + "/" + r.nextInt(129) + "\"" + not + "}";
            case 6 -> "{\"type\": \"MATCH_IP_TOS\", \"mask\": " + r.nextInt(256) + ", \"start\": " + lo / 256 + ", \"end\": " + hi / 256 + not + "}";
            case 7 -> "{\"type\": \"MATCH_IP_PROTOCOL\", \"ipProtocol\": " + r.nextInt(256) + not + "}";
            case 8 -> "{\"type\": \"MATCH_ETHERTYPE\", \"etherType\": " + r.nextInt(65536) + not + "}";
            case 9 -> "{\"type\": \"MATCH_ICMP\", \"icmpType\": " + r.nextInt(256) + (r.nextBoolean() ? ", \"icmpCode\": " + r.nextInt(256) : "") + not + "}";
            case 10, 11 -> "{\"type\": \"" + new String[] {"MATCH_IP_SOURCE_PORT_RANGE", "MATCH_IP_DEST_PORT_RANGE", "MATCH_FRAME_SIZE_RANGE"}[r.nextInt(3)]
                    + "\", \"start\": " + lo + (r.nextBoolean() ? ", \"end\": " + hi : "") + not + "}";
            case 12 -> "{\"type\": \"MATCH_CHARACTERISTICS\", \"mask\": \"" + Long.toHexString(r.nextLong()) + "\"" + not + "}";
            default -> "{\"type\": \"" + new String[] {"MATCH_TAGS_DIFFERENCE", "MATCH_TAGS_BITWISE_AND", "MATCH_TAGS_BITWISE_OR",
                    "MATCH_TAGS_BITWISE_XOR", "MATCH_TAGS_EQUAL", "MATCH_TAG_SENDER", "MATCH_TAG_RECEIVER"}[r.nextInt(7)]
                    + "\", \"id\": " + r.nextLong(1L << 32) + ", \"value\": " + r.nextLong(1L << 32) + not + "}";
        };
        return rule;
    }

    static String randomRules(SplittableRandom r, int max) {
        StringBuilder b = new StringBuilder("[");
        int n = r.nextInt(max + 1);
        for (int i = 0; i < n; i++) b.append(i > 0 ? ", " : "").append(randomRule(r));
        return b.append(']').toString();
    }

    @Test
    void randomValidRuleSetsCompileDecodeAndReencodeIdentically() {
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 1000; i++) {
            String rules = randomRules(r, 40);
            Bytes wire = RuleCompiler.compile(json(rules), "rules", ControllerLimits.MAX_RULES);
            RuleList decoded = new RuleList(Bytes.of(wire.toArray())); // the member's codec: framing and every type known
            assertTrue(decoded.allTypesKnown(), rules);
            assertEquals(json(rules).size(), decoded.size(), rules);
            JsonNode back = RuleCompiler.toJson(decoded.encoded());
            assertEquals(wire, RuleCompiler.compile(back, "rules", ControllerLimits.MAX_RULES), rules);
            assertEquals(back, RuleCompiler.toJson(RuleCompiler.compile(back, "rules", ControllerLimits.MAX_RULES)), "GET is a fixed point");
        }
    }

    /** Hostile JSON (random mutations of valid rule sets) only ever gives a FieldException. */
    @Test
    void mutatedRuleSetsGiveOnlyFieldExceptions() {
        SplittableRandom r = new SplittableRandom(5);
        String[] junk = {"-1", "1e3", "null", "\"\"", "[]", "{}", "true", "99999999999999999999", "\"MATCH_\"", "0.5"};
        for (int i = 0; i < 2000; i++) {
            String rules = randomRules(r, 6);
            StringBuilder b = new StringBuilder(rules);
            int at = r.nextInt(b.length());
            b.insert(at, r.nextBoolean() ? junk[r.nextInt(junk.length)] : String.valueOf((char) (0x20 + r.nextInt(95))));
            JsonNode n;
            try {
                n = ControllerJson.MAPPER.readTree(b.toString());
            } catch (java.io.IOException e) {
                continue; // not JSON: the API refuses the body before the compiler
            }
            try {
                RuleCompiler.compile(n, "rules", ControllerLimits.MAX_RULES);
            } catch (FieldException expected) {
                assertTrue(expected.field().startsWith("rules"), expected.field());
            }
        }
    }
}

package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The controller API's JSON (VL.md §13.3): settings round-trip, and hostile bodies only ever give a {@link FieldException}. */
class ControllerJsonPropertyTest {
    static String ip4(SplittableRandom r) {
        return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
    }

    static String randomNetwork(SplittableRandom r) {
        StringBuilder b = new StringBuilder("{\"name\": \"n").append(r.nextInt(1000)).append("\", \"private\": ").append(r.nextBoolean())
                .append(", \"mtu\": ").append(1280 + r.nextInt(8721)).append(", \"multicastLimit\": ").append(1 + r.nextInt(240))
                .append(", \"v4AssignMode\": {\"zt\": ").append(r.nextBoolean()).append("}, \"v6AssignMode\": {\"zt\": ").append(r.nextBoolean())
                .append(", \"rfc4193\": ").append(r.nextBoolean()).append("}, \"routes\": [");
        int routes = r.nextInt(5);
        for (int i = 0; i < routes; i++) {
            b.append(i > 0 ? "," : "").append("{\"target\": \"").append(ip4(r)).append('/').append(r.nextInt(33)).append("\", \"via\": ")
                    .append(r.nextBoolean() ? "null" : "\"" + ip4(r) + "\"").append(", \"metric\": ").append(r.nextInt(65536)).append('}');
        }
        b.append("], \"ipAssignmentPools\": [");
        int pools = r.nextInt(3);
        for (int i = 0; i < pools; i++) b.append(i > 0 ? "," : "").append("{\"ipRangeStart\": \"10.0.0.1\", \"ipRangeEnd\": \"10.0.").append(r.nextInt(256)).append(".9\"}");
        b.append("], \"tags\": [{\"id\": ").append(r.nextInt(100)).append(", \"default\": ").append(r.nextLong(1L << 32)).append("}]")
                .append(", \"credentialMaxDelta\": ").append(300_000 + r.nextInt(6_900_001))
                .append(", \"rules\": ").append(RuleCompilerTest.randomRules(r, 8)).append(", \"capabilities\": [");
        int caps = r.nextInt(3);
        for (int i = 0; i < caps; i++) {
            b.append(i > 0 ? "," : "").append("{\"id\": ").append(i * 7 + r.nextInt(7)).append(", \"rules\": ").append(RuleCompilerTest.randomRules(r, 4)).append('}');
        }
        return b.append("]}").toString();
    }

    @Test
    void settingsRoundTripThroughTheirJson() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 500; i++) {
            String body = randomNetwork(r);
            NetworkSettings s = ControllerJson.applyNetwork(NetworkSettings.defaults(), ControllerJson.parseObject(body.getBytes(StandardCharsets.UTF_8)));
            ObjectNode json = ControllerJson.settings(s);
            NetworkSettings back = ControllerJson.applyNetwork(NetworkSettings.defaults(), json);
            assertEquals(json, ControllerJson.settings(back), body);
            assertEquals(s.routes(), back.routes());
            assertEquals(s.pools(), back.pools());
            assertEquals(s.rules(), back.rules());
            assertEquals(s.capabilities(), back.capabilities());
        }
    }

    @Test
    void mutatedBodiesGiveAFieldExceptionOrValidSettings() {
        SplittableRandom r = new SplittableRandom(7);
        String alphabet = "{}[]\":,0123456789-.eE truefalsnul/abcdefxyz\\u";
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            StringBuilder b = new StringBuilder(randomNetwork(r));
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                int at = r.nextInt(b.length());
                switch (r.nextInt(3)) {
                    case 0 -> b.deleteCharAt(at);
                    case 1 -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                    default -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            try {
                NetworkSettings s = ControllerJson.applyNetwork(NetworkSettings.defaults(), ControllerJson.parseObject(b.toString().getBytes(StandardCharsets.UTF_8)));
                assertTrue(s.mtu() >= ControllerLimits.MTU_MIN && s.mtu() <= ControllerLimits.MTU_MAX);
                assertTrue(s.routes().size() <= ControllerLimits.MAX_ROUTES);
                assertTrue(new dev.planetary.vl2.RuleList(s.rules()).allTypesKnown(), "only valid rules are ever kept");
                s.capabilities().forEach(c -> assertTrue(new dev.planetary.vl2.RuleList(c.rules()).allTypesKnown()));
            } catch (FieldException e) {
                refused++;
                assertTrue(!e.field().isEmpty());
            }
        }
        assertTrue(refused > 1000, "most mutations are refused: " + refused);
    }
}

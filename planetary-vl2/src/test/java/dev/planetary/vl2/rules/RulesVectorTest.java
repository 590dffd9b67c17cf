package dev.planetary.vl2.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays the rules vectors ({@link RulesVectors}, format in docs/vl2.md): each case's outbound and
 * inbound verdicts are recomputed, sender and receiver agree wherever §11.4 says they must, the
 * committed file is what the seeded generator writes, and the cases cover every verdict.
 */
class RulesVectorTest {
    static JsonNode load() throws Exception {
        if (Boolean.getBoolean("planetary.writeVectors")) RulesVectorGenerator.main(new String[0]);
        try (InputStream in = RulesVectorTest.class.getResourceAsStream(RulesVectors.RESOURCE)) {
            assertNotNull(in, RulesVectors.RESOURCE + " missing");
            return RulesVectors.JSON.readTree(in);
        }
    }

    @Test
    void replayedVerdictsMatchAndBothEndsAgree() throws Exception {
        JsonNode doc = load();
        int agreeing = 0;
        Map<Verdict, Integer> seen = new EnumMap<>(Verdict.class);
        for (JsonNode c : doc.get("cases")) {
            RulesVectors.Case k = RulesVectors.read(c);
            FrameFields f = k.frame();
            Verdict out = Rules.decide(k.rules(), f, false, k.sender(), k.multicast() ? null : k.receiver());
            Verdict in = Rules.decide(k.rules(), f, true, k.sender(), k.receiver());
            assertEquals(k.outbound(), out.name(), k.name() + " outbound");
            assertEquals(k.inbound(), in.name(), k.name() + " inbound");
            assertEquals(RulesVectors.mustAgree(k), k.mustAgree(), k.name() + " mustAgree");
            if (k.mustAgree()) {
                assertEquals(out.accepted(), in.accepted(), k.name() + ": §11.4 sender and receiver decide alike");
                agreeing++;
            }
            seen.merge(out, 1, Integer::sum);
            seen.merge(in, 1, Integer::sum);
        }
        assertTrue(agreeing >= 200, "at least 200 cases where both ends must agree, got " + agreeing);
        for (Verdict v : Verdict.values()) assertTrue(seen.getOrDefault(v, 0) >= 10, "verdict " + v + " seen " + seen);
    }

    @Test
    void theCommittedFileIsTheGeneratorsOutput() throws Exception {
        JsonNode generated = RulesVectors.JSON.readTree(RulesVectors.JSON.writeValueAsString(RulesVectors.document()));
        assertTrue(generated.equals(load()), "the committed vectors drifted from the generator: regenerate with -Dplanetary.writeVectors=true (see RulesVectorGenerator)");
    }
}

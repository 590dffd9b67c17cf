package dev.planetary.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The committed Appendix B.4 vectors equal a fresh in-memory generation, and each verifies as stated. */
class VectorsB4Test {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void committedVectorsMatchAFreshGeneration() throws Exception {
        String fresh = VectorsB4.json();
        if (Boolean.getBoolean("planetary.writeVectors")) {
            Files.writeString(VectorsB4.SOURCE, fresh);
        }
        String committed;
        try (InputStream in = VectorsB4Test.class.getResourceAsStream(VectorsB4.RESOURCE)) {
            committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(new ObjectMapper().readTree(committed), new ObjectMapper().readTree(fresh));
    }

    @Test
    void vectorsVerifyAsStated() throws Exception {
        JsonNode v = VectorFiles.read(VectorsB4.RESOURCE);
        Identity issuer = Identity.decode(HEX.parseHex(v.get("issuer").get("identity_195").asText())).orThrow();
        for (JsonNode o : v.get("pso").get("objects")) {
            byte[] e = HEX.parseHex(o.get("encoded").asText());
            Pso p = new PsoVerifier().verify(e, o.get("type").asInt(), issuer, VectorsB4.PLACEHOLDER, PsoVerifier.Semantics.NONE).orThrow();
            assertArrayEquals(HEX.parseHex(o.get("digest_sha384").asText()), p.digest());
        }
        JsonNode rs = v.get("root_sets");
        IdentityVerifier ver = new IdentityVerifier();
        RootSet.Valid r1 = RootSet.decode(HEX.parseHex(rs.get("revision_1").get("encoded").asText())).orThrow().validate(ver).orThrow();
        RootSet byK1 = RootSet.decode(HEX.parseHex(rs.get("revision_2_signed_by_key_1").get("encoded").asText())).orThrow();
        RootSet byK2 = RootSet.decode(HEX.parseHex(rs.get("revision_2_signed_by_key_2").get("encoded").asText())).orThrow();
        assertTrue(RootSet.update(r1, byK1, ver).isOk());
        assertTrue(byK2.validate(ver).isOk());
        assertEquals(Rejection.UPDATE_RULE, assertInstanceOf(Decoded.Invalid.class, RootSet.update(r1, byK2, ver)).reason());
    }
}

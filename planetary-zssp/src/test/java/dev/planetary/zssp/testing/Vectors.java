package dev.planetary.zssp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loads the reference transcripts bundled under {@code src/test/resources/vectors} (a copy of
 * {@code shared/vectors}; {@code BundledVectorsTest} checks the copy is current).
 */
public final class Vectors {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();
    private static final HexFormat HEX = HexFormat.of();

    private Vectors() {}

    /** Parsed JSON of {@code vectors/NAME} (cached; do not mutate). */
    public static JsonNode load(String name) {
        return CACHE.computeIfAbsent(name, n -> {
            try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + n)) {
                if (in == null) throw new IllegalStateException("missing test resource vectors/" + n);
                return MAPPER.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static JsonNode kdf() { return load("kdf_vectors.json"); }
    public static JsonNode kyberKat() { return load("kyber1024_round3_kat.json"); }
    public static JsonNode sessions() { return load("session_vectors.json"); }
    public static JsonNode derivedKeys() { return load("derived_keys.json"); }
    public static JsonNode primitiveTrace() { return load("primitive_trace.json"); }

    /** Decodes lowercase hex; a JSON null or missing node gives {@code null}. */
    public static byte[] hex(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        return HEX.parseHex(node.asText());
    }

    public static byte[] hex(String s) {
        return HEX.parseHex(s);
    }

    public static String hex(byte[] b) {
        return HEX.formatHex(b);
    }
}

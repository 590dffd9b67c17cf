package dev.planetary.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/** The committed vector files under {@code src/test/resources/vectors/}. */
final class VectorFiles {
    private VectorFiles() {}

    /** Spec Appendix B.1, as published with the specification (a verbatim copy). */
    static JsonNode identityVectors() throws IOException {
        return read("/vectors/identity_vectors_b1.json");
    }

    static JsonNode read(String resource) throws IOException {
        try (InputStream in = VectorFiles.class.getResourceAsStream(resource)) {
            if (in == null) throw new IOException("missing test resource " + resource);
            return new ObjectMapper().readTree(in);
        }
    }
}

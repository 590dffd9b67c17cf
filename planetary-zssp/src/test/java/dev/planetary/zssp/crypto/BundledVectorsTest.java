package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The tests read a bundled copy of {@code shared/vectors} so the repository is self-contained.
 * Where the shared folder sits beside the checkout (developers, CI), the copy must be identical.
 */
class BundledVectorsTest {
    private static final String[] FILES = {
        "derived_keys.json", "kdf_vectors.json", "kyber1024_round3_kat.json", "primitive_trace.json", "session_vectors.json"
    };

    @Test
    void bundledCopyMatchesSharedVectors() throws IOException {
        String shared = System.getProperty("planetary.shared");
        Path dir = shared == null ? null : Path.of(shared, "vectors");
        Assumptions.assumeTrue(dir != null && Files.isDirectory(dir), "no shared/vectors beside the checkout");
        for (String f : FILES) {
            try (InputStream in = getClass().getResourceAsStream("/vectors/" + f)) {
                assertNotNull(in, f);
                assertArrayEquals(Files.readAllBytes(dir.resolve(f)), in.readAllBytes(),
                        f + " differs from shared/vectors: copy the new vectors into src/test/resources/vectors");
            }
        }
    }
}

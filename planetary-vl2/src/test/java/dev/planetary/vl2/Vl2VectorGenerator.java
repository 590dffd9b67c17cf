package dev.planetary.vl2;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the VL2 vectors ({@link Vl2Vectors}) as JSON. The simplest way to run it, from the repository
 * root: {@code ./build mvn -q -o test -pl planetary-vl2 -am -Dtest=Vl2VectorTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dplanetary.writeVectors=true} ({@link Vl2VectorTest} then
 * calls {@link #main} before checking). Argument: the output file (default
 * {@code src/test/resources/vl2_vectors.json}, relative to the module). The file is committed;
 * {@link Vl2VectorTest} fails if the code's output drifts from it.
 */
public final class Vl2VectorGenerator {
    private Vl2VectorGenerator() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources/vl2_vectors.json");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Vl2Vectors.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Vl2Vectors.document()) + "\n");
        System.out.println("wrote the VL2 vectors to " + out);
    }
}

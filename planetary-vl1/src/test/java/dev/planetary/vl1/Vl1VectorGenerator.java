package dev.planetary.vl1;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the B.4 VL1 message-layout vectors ({@link Vl1Vectors}) as JSON. Run from the repository
 * root after {@code ./build mvn -q -pl planetary-vl1 -am test-compile}, with any JDK 21+ and the
 * test class path (the module's classes, its test classes and Jackson):
 *
 * <pre>
 * J=$(ls ~/.m2/repository/com/fasterxml/jackson/core/jackson-{databind,core,annotations}/2.18.2/*.jar | tr '\n' :)
 * java -cp planetary-vl1/target/test-classes:planetary-vl1/target/classes:planetary-zssp/target/classes:$J \
 *     dev.planetary.vl1.Vl1VectorGenerator
 * </pre>
 * Argument: the output file (default
 * {@code planetary-vl1/src/test/resources/vectors/vl1_messages.json}). The file is committed;
 * {@link Vl1MessageVectorTest} fails if the codec's output drifts from it.
 */
public final class Vl1VectorGenerator {
    private Vl1VectorGenerator() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "planetary-vl1/src/test/resources/vectors/vl1_messages.json");
        Files.createDirectories(out.toAbsolutePath().getParent());
        String json = Vl1Vectors.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Vl1Vectors.document()) + "\n";
        Files.writeString(out, json);
        System.out.println("wrote " + Vl1Vectors.messages().size() + " vectors to " + out);
    }
}

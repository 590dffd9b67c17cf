package dev.planetary.vl2.rules;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the rules vectors ({@link RulesVectors}) as JSON. From the repository root:
 * {@code ./build mvn -q -o test -pl planetary-vl2 -am -Dtest=RulesVectorTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dplanetary.writeVectors=true} ({@link RulesVectorTest} then
 * calls {@link #main} before replaying). Argument: the output file (default
 * {@code src/test/resources/vectors/rules/rules_vectors.json}, relative to the module). The file is
 * committed; {@link RulesVectorTest} fails if the generator's output drifts from it.
 */
public final class RulesVectorGenerator {
    private RulesVectorGenerator() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "src/test/resources" + RulesVectors.RESOURCE);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, RulesVectors.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(RulesVectors.document()) + "\n");
        System.out.println("wrote the rules vectors to " + out);
    }
}

package dev.planetary.cli;

/**
 * A {@code planetary} verb that lives in another jar: a picocli {@code @Command} class with a public
 * no-argument constructor, listed in {@code META-INF/services/dev.planetary.cli.PluginCommand}.
 * {@link Main} adds every one found on the class path. The {@value #BENCH} verb is one (in
 * planetary-bench, so that the benchmark code stays out of the production jar; {@code ./planetary bench}
 * runs it from the bench jar).
 */
public interface PluginCommand {
    /** The bench verb's name: {@code planetary bench} names its jar when that jar is not on the class path. */
    String BENCH = "bench";
}

/**
 * The {@code planetary} command line (docs/cli.md). Not a library: it runs as the shaded
 * {@code planetary.jar} on the class path ({@code ./planetary}), so this descriptor is the
 * compile-time boundary of what the command line may use.
 *
 * <p>picocli reflects on the commands' annotated fields and methods: {@code dev.planetary.cli} is
 * opened to it, and to nothing else (Jackson only reads and writes trees here). The package is
 * exported to the benchmark module only, whose {@code bench} verb is a {@link dev.planetary.cli.PluginCommand}.
 */
module dev.planetary.cli {
    requires dev.planetary.transport;
    requires dev.planetary.seqex;
    requires dev.planetary.tunnel;
    requires dev.planetary.identity;
    requires dev.planetary.vl1;
    requires dev.planetary.vl2;
    requires dev.planetary.controller;
    requires dev.planetary.daemon;
    // the store-url option's durable stores; RatchetStores finds them with ServiceLoader
    requires dev.planetary.store.sqlite;
    requires dev.planetary.store.postgres;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires java.management; // the tunnel verb's start-up timing
    requires jdk.unsupported; // sun.misc.Signal: SIGINT/SIGTERM handling

    exports dev.planetary.cli to dev.planetary.bench;
    opens dev.planetary.cli to info.picocli;

    uses dev.planetary.cli.PluginCommand;
}

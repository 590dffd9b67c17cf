/**
 * Planetary's benchmarks (BENCHMARKS.md): the JMH suite ({@code ./build bench}), the scale and
 * receive-plane harnesses ({@code ./build sessions}, {@code ReceivePlanesBench}) and the
 * {@code bench} verb of the command line ({@code ./planetary bench}). Not a library: it runs as the
 * shaded {@code planetary-bench.jar} on the class path, so this descriptor is the compile-time
 * boundary of what the benchmarks may use. The engine internals they measure are exported to this
 * module by name (the crypto and internal packages of the engine, identity's internals, VL1's engine
 * package); nothing is exported from here.
 *
 * <p>picocli reflects on the {@code bench} verb's options: {@code dev.planetary.bench.cli} is opened to it.
 * JMH's runner only ever loads the benchmarks from the class path (its jar has no module name of its
 * own: {@code jmh.core} is the name derived from the file name).
 */
module dev.planetary.bench {
    requires dev.planetary.cli;
    requires dev.planetary.transport;
    requires dev.planetary.identity;
    requires dev.planetary.vl1;
    requires dev.planetary.vl2;
    requires dev.planetary.controller;
    requires info.picocli;
    requires jmh.core;
    requires org.bouncycastle.provider; // the P-384 comparison only
    requires jdk.management; // heap, CPU time and allocation figures (java.lang.management, com.sun.management)

    opens dev.planetary.bench.cli to info.picocli;

    provides dev.planetary.cli.PluginCommand with dev.planetary.bench.cli.BenchCommand;
}

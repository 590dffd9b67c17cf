/**
 * The root and node daemons (docs/operations.md): the home directory, the UDP driver of the VL1
 * engine, the local HTTP API, the controller service and its console's files, Micrometer metrics.
 *
 * <p>Not a library: {@code dev.planetary.daemon} is exported to the command line only. Jackson reads
 * and writes trees, maps and lists here, never this module's classes, so nothing is opened to it.
 */
module dev.planetary.daemon {
    requires transitive dev.planetary.vl1;
    requires transitive dev.planetary.vl2;
    requires transitive dev.planetary.controller;
    requires transitive dev.planetary.store.sqlite; // DaemonHome.ratchets: a member's ratchets in node.db
    requires com.fasterxml.jackson.databind;
    requires micrometer.core;
    requires micrometer.registry.prometheus;
    requires org.slf4j;

    exports dev.planetary.daemon to dev.planetary.cli;
}

/**
 * Planetary's UDP transport: an {@link dev.planetary.transport.Endpoint} that runs ZSSP sessions
 * over DatagramChannel sockets.
 */
module dev.planetary.transport {
    requires transitive dev.planetary.zssp;
    requires transitive dev.planetary.store;
    requires org.slf4j;
    exports dev.planetary.transport;
}

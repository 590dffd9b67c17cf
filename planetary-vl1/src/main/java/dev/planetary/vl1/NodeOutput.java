package dev.planetary.vl1;

import java.net.InetSocketAddress;

/**
 * Where a {@link Node} puts its outputs: datagrams for the driver to send and events for the
 * application. Called synchronously from the thread inside {@link Node#receive} or
 * {@link Node#service}; must not call back into the node.
 */
public interface NodeOutput {

    /** Sends {@code datagram} (owned by the callee) from {@code localSocket} to {@code to}; must not throw. */
    void transmit(java.net.InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram);

    /** An event for the application. */
    void event(NodeEvent event);
}

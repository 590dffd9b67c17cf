package dev.planetary.vl1.sim;

import java.net.InetSocketAddress;

/**
 * The translation and filtering policy of one simulated NAT (one instance per NAT: it holds that
 * NAT's state). The simulator calls {@link #outbound} when a host behind the NAT sends to the WAN and
 * {@link #inbound} when a datagram for the NAT's public address arrives. {@link NatModel} implements
 * the RFC 4787 mapping × filtering classes (full cone, address-restricted, port-restricted,
 * symmetric); paths work can plug in other behaviours (port prediction, clashing state, rebinding).
 */
public interface NatBehaviour {

    /**
     * A host inside sends from {@code inside} to {@code destination}: returns the public port the
     * datagram leaves from, creating or refreshing state. -1 drops the datagram (e.g. no ports left).
     */
    int outbound(InetSocketAddress inside, InetSocketAddress destination, long now);

    /**
     * A datagram from {@code source} arrives at public port {@code publicPort}: returns the inside
     * socket to deliver it to, or {@code null} to filter it.
     */
    InetSocketAddress inbound(int publicPort, InetSocketAddress source, long now);
}

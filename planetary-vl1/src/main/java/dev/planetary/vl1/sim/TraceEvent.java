package dev.planetary.vl1.sim;

import java.net.InetSocketAddress;

/**
 * One thing that happened on the simulated network, in virtual-time order. {@code from} is the source
 * as the wire carries it (after outbound NAT translation); {@code to} the destination the sender used.
 */
public record TraceEvent(long time, Kind kind, InetSocketAddress from, InetSocketAddress to, int length) {

    public enum Kind {
        /** A host handed a datagram to the network. */
        SENT,
        /** A copy reached a bound socket. */
        DELIVERED,
        /** Lost on the link. */
        LOST,
        /** A second copy was scheduled. */
        DUPLICATED,
        /** A copy was held back by the reorder impairment. */
        REORDERED,
        /** Sender and receiver were in different partitions when the copy arrived. */
        PARTITIONED,
        /** The receiving NAT had no mapping or its filter refused the source. */
        NAT_FILTERED,
        /** The sending NAT could not map the flow (ports exhausted) or refused a hairpin. */
        NAT_DROPPED,
        /** No host or NAT owns the destination address. */
        NO_ROUTE,
        /** The destination host has no socket bound on that port. */
        PORT_CLOSED
    }
}

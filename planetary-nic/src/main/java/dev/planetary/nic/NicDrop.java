package dev.planetary.nic;

/** Why the userspace NIC dropped a frame it was given (VL.md §12.7); each reason is counted. */
public enum NicDrop {
    /** Shorter than an Ethernet header, or a header field pointing past the frame. */
    TRUNCATED,
    /** Unicast to another MAC. */
    NOT_OUR_MAC,
    /** An ethertype or IP protocol the stack does not speak (e.g. TCP: no userspace TCP in version 1). */
    UNSUPPORTED,
    /** Malformed ARP (hardware/protocol types or lengths). */
    BAD_ARP,
    /** IPv4/IPv6 header wrong: version, header length, total length, header checksum. */
    BAD_IP_HEADER,
    /** IPv4 fragments are not reassembled. */
    FRAGMENT,
    /** Addressed to another IP. */
    NOT_OUR_IP,
    /** ICMP, ICMPv6 or UDP checksum wrong. */
    BAD_CHECKSUM,
    /** ICMP/NDP message malformed or of an unhandled type. */
    BAD_ICMP,
    /** UDP to a port nobody listens on. */
    NO_LISTENER,
    /** A bounded table (ARP waiters, pending pings) was full. */
    TABLE_FULL,
    /** A frame emitted before {@link VirtualNic#start}, or whose frame handler threw. */
    NO_HANDLER,
    /** A UDP handler threw on a datagram; the receive path goes on. */
    HANDLER_FAULT
}

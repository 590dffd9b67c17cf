package dev.planetary.nic;

/** Why a {@link NetworkPort} dropped a frame (VL.md §9.3, §9.4, §9.5); each reason is counted. */
public enum PortDrop {
    /** Outbound: shorter than an Ethernet header. */
    MALFORMED,
    /** Payload longer than the network MTU (§9.2, §9.3 step 1), either way. */
    OVERSIZE,
    /** Outbound: source MAC not the own derived MAC, and the own MC lacks the bridge flag (§9.3 step 2). */
    FOREIGN_SOURCE,
    /** Broadcast while config flag bit0 is clear (§10.1), either way. */
    BROADCAST_DISABLED,
    /** Outbound multicast/broadcast with no known member to send it to (§10.4). */
    NO_RECIPIENTS,
    /** Outbound unicast to a MAC not derived for the network: bridging is not enabled (§9.3 step 4). */
    UNKNOWN_DESTINATION,
    /** Outbound unicast to the own MAC. */
    SELF,
    /** Inbound from a peer without a valid MC for the network (§9.4 step 2). */
    NOT_MEMBER,
    /** Inbound EXT_FRAME with a reserved flag bit set (§9.2). */
    BAD_FLAGS,
    /** Inbound EXT_FRAME with a source MAC not derived from the sender, which is not a bridge (§9.4 step 3). */
    SPOOFED_MAC,
    /** Inbound EXT_FRAME to a unicast MAC other than the own one; this node is not a bridge (§9.4 step 3). */
    NOT_OUR_MAC,
    /** Inbound frame refused by anti-spoofing (§9.5); {@link NetworkPort#spoofs} counts the verdicts. */
    SPOOFED_IP,
    /** Refused by the network's rules (§11.4; §9.3 step 5, §9.4 step 5, §10.4 step 2), either way. */
    RULES,
    /** The uplink (VL1 side) threw while sending; the NIC's reader goes on. */
    UPLINK_FAULT,
    /** The port is closed. */
    CLOSED
}

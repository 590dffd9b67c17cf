package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What an operator sets on a network (VL.md §13.3 network object), typed where the controller acts
 * on it; {@code stored} keeps the fields that are only stored and returned (rules, capabilities,
 * names, and ZeroTier fields Planetary ignores), as the operator sent them.
 */
public record NetworkSettings(String name, boolean isPrivate, boolean enableBroadcast, int mtu, int multicastLimit,
        boolean v4AssignZt, boolean v6AssignZt, boolean v6Rfc4193, List<Pool> pools, List<Route> routes,
        List<TagDefinition> tags, boolean arpEmulation, long credentialMaxDelta, boolean allowUnownedSourceIps, ObjectNode stored) {
    public NetworkSettings {
        pools = List.copyOf(pools);
        routes = List.copyOf(routes);
        tags = List.copyOf(tags);
        stored = stored.deepCopy();
    }

    /** A new network's settings: ZeroTier's defaults (private, broadcast on, MTU 2800, multicast limit 32). */
    public static NetworkSettings defaults() {
        return new NetworkSettings("", true, true, ControllerLimits.MTU_DEFAULT, ControllerLimits.MULTICAST_LIMIT_DEFAULT,
                false, false, false, List.of(), List.of(), List.of(), false, ControllerLimits.MAX_DELTA_DEFAULT, false,
                ControllerJson.MAPPER.createObjectNode());
    }

    /** NetworkConfig flags (§7.4 field 0x04): bit0 broadcast, bit1 ARP emulation, bit2 rfc4193 NDP emulation, bit3 unowned source IPs. */
    public long configFlags() {
        return (enableBroadcast ? 1 : 0) | (arpEmulation ? 2 : 0) | (v6Rfc4193 ? 4 : 0) | (allowUnownedSourceIps ? 8 : 0);
    }
}

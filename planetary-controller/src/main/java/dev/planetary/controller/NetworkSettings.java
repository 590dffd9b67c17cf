package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.vl1.Bytes;
import java.util.List;

/**
 * What an operator sets on a network (VL.md §13.3 network object), typed where the controller acts
 * on it; {@code stored} keeps the fields that are only stored and returned (rule source, names,
 * and ZeroTier fields Planetary ignores), as the operator sent them. {@code rules} are the compiled
 * base rule entries (§11.2; a new network's are one ACCEPT, ZeroTier's default) and
 * {@code capabilities} the compiled capabilities, ascending by id (§7.4 0x0b, 0x0c).
 */
public record NetworkSettings(String name, boolean isPrivate, boolean enableBroadcast, int mtu, int multicastLimit,
        boolean v4AssignZt, boolean v6AssignZt, boolean v6Rfc4193, List<Pool> pools, List<Route> routes,
        List<TagDefinition> tags, boolean arpEmulation, long credentialMaxDelta, boolean allowUnownedSourceIps, Bytes rules,
        List<CapabilityDefinition> capabilities, ObjectNode stored) {
    public NetworkSettings {
        if (rules == null) throw new IllegalArgumentException("base rules are required (one ACCEPT entry by default)");
        capabilities = List.copyOf(capabilities);
        pools = List.copyOf(pools);
        routes = List.copyOf(routes);
        tags = List.copyOf(tags);
        stored = stored.deepCopy();
    }

    /** Equal settings with a {@code stored} of their own (the constructor copies it): for a cache to hand out. */
    NetworkSettings copy() {
        return new NetworkSettings(name, isPrivate, enableBroadcast, mtu, multicastLimit, v4AssignZt, v6AssignZt, v6Rfc4193, pools, routes,
                tags, arpEmulation, credentialMaxDelta, allowUnownedSourceIps, rules, capabilities, stored);
    }

    /** A new network's settings: ZeroTier's defaults (private, broadcast on, MTU 2800, multicast limit 32). */
    public static NetworkSettings defaults() {
        return new NetworkSettings("", true, true, ControllerLimits.MTU_DEFAULT, ControllerLimits.MULTICAST_LIMIT_DEFAULT,
                false, false, false, List.of(), List.of(), List.of(), false, ControllerLimits.MAX_DELTA_DEFAULT, false,
                RuleCompiler.ACCEPT, List.of(), ControllerJson.MAPPER.createObjectNode());
    }

    /** NetworkConfig flags (§7.4 field 0x04): bit0 broadcast, bit1 ARP emulation, bit2 rfc4193 NDP emulation, bit3 unowned source IPs. */
    public long configFlags() {
        return (enableBroadcast ? 1 : 0) | (arpEmulation ? 2 : 0) | (v6Rfc4193 ? 4 : 0) | (allowUnownedSourceIps ? 8 : 0);
    }

    /**
     * An upper bound of the NetworkConfig body these settings give (§7.4: TLVs of 3 bytes beside the
     * value; the largest embedded credential), which must stay within {@code MAX_PSO_BODY}.
     */
    public int configBodyBound() {
        int tlv = 3;
        int n = tlv + 8 + tlv + 48 + tlv + 8 + tlv + 8 + tlv + 2 + tlv + (8 + 48) + tlv + 2; // network … multicast limit
        n += name.isEmpty() ? 0 : tlv + name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        for (Route r : routes) n += tlv + 1 + r.target().ip().bits() / 8 + 1 + 1 + (r.via() == null ? 0 : r.via().bits() / 8) + 2;
        n += rules.equals(RuleCompiler.ACCEPT) ? 0 : tlv + rules.length();
        for (CapabilityDefinition c : capabilities) n += tlv + 4 + c.rules().length();
        n += tags.size() * (tlv + 8);
        return n + tlv + ControllerLimits.MEMBER_CREDENTIAL_MAX_BYTES;
    }
}

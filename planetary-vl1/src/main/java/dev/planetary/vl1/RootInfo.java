package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.Identity;
import dev.planetary.identity.RootSets;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One root as a member uses it: the identity, its address (checked once when the root set was
 * accepted, §2.7) and its UDP endpoints.
 */
public record RootInfo(Identity identity, Address address, List<InetSocketAddress> endpoints) {
    public RootInfo {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(address, "address");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) throw new IllegalArgumentException("root " + address + " has no endpoint");
    }

    /** The effective roots of the accepted root sets (§4.1), with their UDP endpoints. */
    public static List<RootInfo> of(List<RootSets.EffectiveRoot> roots) {
        List<RootInfo> out = new ArrayList<>();
        for (RootSets.EffectiveRoot r : roots) {
            List<InetSocketAddress> eps = new ArrayList<>();
            r.root().endpoints().forEach(e -> e.socketAddress().ifPresent(eps::add));
            if (!eps.isEmpty()) out.add(new RootInfo(r.root().identity(), r.address(), eps));
        }
        return out;
    }
}

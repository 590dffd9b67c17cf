package dev.planetary.vl1.sim;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A NAT box: one public address on the WAN, a LAN of hosts behind it, and a {@link NatBehaviour}.
 * Hosts on one LAN reach each other directly (LAN profile); a datagram from the LAN to the NAT's own
 * public address is hairpinned only if {@link #hairpin} is set.
 */
public final class SimNat implements SimSite {
    private final String name;
    private final InetAddress publicIp;
    private final NatBehaviour behaviour;
    final Map<InetAddress, SimHost> lan = new LinkedHashMap<>();
    private boolean hairpin;

    SimNat(String name, InetAddress publicIp, NatBehaviour behaviour) {
        this.name = name;
        this.publicIp = publicIp;
        this.behaviour = Objects.requireNonNull(behaviour, "behaviour");
    }

    @Override
    public String name() {
        return name;
    }

    public InetAddress publicIp() {
        return publicIp;
    }

    public NatBehaviour behaviour() {
        return behaviour;
    }

    /** Whether LAN hosts can reach each other through the NAT's public address (hairpinning). Default off. */
    public SimNat hairpin(boolean on) {
        this.hairpin = on;
        return this;
    }

    public boolean hairpin() {
        return hairpin;
    }

    @Override
    public String toString() {
        return name + "(" + publicIp.getHostAddress() + ", " + behaviour + ")";
    }
}

package dev.planetary.nic;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link NetworkPort} needs of a member's NetworkConfig (VL.md §7.4) and its own Member
 * Credential (§8.1): the network, the own address (hence the MAC, §9.1), MTU, config flags,
 * multicast limit, the MC's IP assignments and bridge flag, and the config routes; plus the local
 * per-network route policy (§12.4).
 */
public record PortConfig(NetworkId nwid, long ownAddress, int mtu, long flags, int multicastLimit,
                         List<IpAssignment> assignments, List<LinkConfigurator.Route> routes, boolean bridge,
                         RoutePolicy policy) {
    /** §7.4 flags bit0: broadcast enabled. */
    public static final long FLAG_BROADCAST = 1;
    /** §7.4 flags bit1: ARP emulation (§10.5). */
    public static final long FLAG_ARP_EMULATION = 1 << 1;
    /** §7.4 flags bit2: rfc4193 NDP emulation (§10.6). */
    public static final long FLAG_NDP_EMULATION = 1 << 2;
    /** §7.4 flags bit3: allow unowned source IPs (disables §9.5). */
    public static final long FLAG_ALLOW_UNOWNED = 1 << 3;
    /** §7.4 MTU bounds and default (V1's). */
    public static final int MIN_MTU = 1280;
    public static final int MAX_MTU = 10_000;
    public static final int DEFAULT_MTU = 2800;
    /** §7.4 multicast limit bounds and default (V1's). */
    public static final int MAX_MULTICAST_LIMIT = 240;
    public static final int DEFAULT_MULTICAST_LIMIT = 32;
    /** §7.4: at most 128 routes; §8.1: at most 32 IP assignments. */
    public static final int MAX_ROUTES = 128;
    public static final int MAX_ASSIGNMENTS = 32;

    private static final Inet4Address ANY4 = any4();

    /** The local per-network route settings of §12.4 (ZeroTier One's names). */
    public record RoutePolicy(boolean allowManaged, boolean allowGlobal, boolean allowDefault) {
        /** §12.4 defaults: managed routes on, global and default routes off. */
        public static final RoutePolicy DEFAULT = new RoutePolicy(true, false, false);
    }

    public PortConfig {
        NetworkId.checkAddress(ownAddress);
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("a network MTU is " + MIN_MTU + ".." + MAX_MTU + ", got " + mtu);
        }
        if (multicastLimit < 1 || multicastLimit > MAX_MULTICAST_LIMIT) {
            throw new IllegalArgumentException("a multicast limit is 1.." + MAX_MULTICAST_LIMIT + ", got " + multicastLimit);
        }
        if (assignments.size() > MAX_ASSIGNMENTS || routes.size() > MAX_ROUTES) {
            throw new IllegalArgumentException("at most " + MAX_ASSIGNMENTS + " IP assignments and " + MAX_ROUTES
                    + " routes, got " + assignments.size() + " and " + routes.size());
        }
        assignments = List.copyOf(assignments);
        routes = List.copyOf(routes);
        if (policy == null) {
            throw new IllegalArgumentException("a route policy is required (RoutePolicy.DEFAULT)");
        }
    }

    /** A config with the §7.4 defaults: MTU 2800, multicast limit 32, no routes, not a bridge. */
    public static PortConfig of(NetworkId nwid, long ownAddress, long flags, List<IpAssignment> assignments) {
        return new PortConfig(nwid, ownAddress, DEFAULT_MTU, flags, DEFAULT_MULTICAST_LIMIT, assignments, List.of(), false,
                RoutePolicy.DEFAULT);
    }

    /** §9.1: the own derived MAC. */
    public MacAddress mac() {
        return MacAddress.derive(nwid, ownAddress);
    }

    public boolean has(long flag) {
        return (flags & flag) != 0;
    }

    /**
     * §12.3 step 6 under the §12.4 policy: nothing without {@code allowManaged}; a route without a
     * gateway whose target lies inside an assigned prefix is the kernel's prefix route already; default
     * routes need {@code allowDefault}, global (non-private) targets {@code allowGlobal}.
     */
    public List<LinkConfigurator.Route> installedRoutes() {
        List<LinkConfigurator.Route> out = new ArrayList<>();
        if (!policy.allowManaged()) {
            return out;
        }
        for (LinkConfigurator.Route r : routes) {
            if (r.via() == null && insideAssigned(r)) {
                continue;
            }
            if (r.prefix() == 0 ? !policy.allowDefault() : !isPrivate(r.target()) && !policy.allowGlobal()) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    /** A userspace NIC (§12.7) with the own MAC, the first IPv4 assignment (or 0.0.0.0/0) and every IPv6 one. */
    public UserspaceNic userspaceNic() {
        return userspaceNic(null);
    }

    /** As {@link #userspaceNic()}, its random identifiers from {@code random} (null: thread-local; a seeded one in simulations). */
    public UserspaceNic userspaceNic(java.util.random.RandomGenerator random) {
        IpAssignment v4 = assignments.stream().filter(a -> a.address() instanceof Inet4Address).findFirst().orElse(null);
        UserspaceNic nic = v4 == null
                ? new UserspaceNic(mac(), ANY4, 0, random)
                : new UserspaceNic(mac(), (Inet4Address) v4.address(), v4.prefix(), random);
        for (IpAssignment a : assignments) {
            if (a.address() instanceof Inet6Address v6) {
                nic.addIpv6(v6);
            }
        }
        return nic;
    }

    /** §12.3 steps 1–6 on a TAP: MAC, MTU, sysctls, up, the assignments, the routes {@link #installedRoutes} keeps. */
    public void applyTo(Tap tap, LinkConfigurator link) {
        link.apply(tap, mac(), mtu, assignments, installedRoutes());
    }

    private boolean insideAssigned(LinkConfigurator.Route r) {
        for (IpAssignment a : assignments) {
            if (a.prefix() <= r.prefix() && a.contains(r.target())) {
                return true;
            }
        }
        return false;
    }

    private static Inet4Address any4() {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 bytes are an IPv4 address", e);
        }
    }

    /** RFC 1918, RFC 6598 shared space, link-local, and IPv6 unique-local (fc00::/7) targets are private. */
    static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) {
            return (b[0] & 0xfe) == 0xfc || a.isLinkLocalAddress();
        }
        return a.isSiteLocalAddress() || a.isLinkLocalAddress() || (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
}

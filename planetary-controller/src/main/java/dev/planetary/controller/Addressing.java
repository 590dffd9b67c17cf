package dev.planetary.controller;

import dev.planetary.identity.Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** IP address assignment (VL.md §7.5 step 4, §10.6): prefixes from covering routes, pools, rfc4193. */
public final class Addressing {
    private Addressing() {}

    /** The rfc4193 address of {@code member} on {@code nwid}: {@code fd ‖ nwid ‖ 99 93 ‖ address} (§10.6). */
    public static Ip rfc4193(long nwid, Address member) {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfd;
        for (int i = 0; i < 8; i++) b[1 + i] = (byte) (nwid >>> (56 - 8 * i));
        b[9] = (byte) 0x99;
        b[10] = (byte) 0x93;
        member.write(b, 11);
        return new Ip(b);
    }

    /** The prefix length of the longest-prefix route without {@code via} whose target contains {@code ip}; empty if none (§7.5 step 4). */
    public static Optional<Integer> prefixOf(Ip ip, List<Route> routes) {
        int best = -1;
        for (Route r : routes) {
            if (r.via() == null && r.target().prefix() > best && ip.within(r.target().ip(), r.target().prefix())) best = r.target().prefix();
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }

    /** True if {@code ip} may be assigned: covered, and not the network or broadcast address of an IPv4 prefix ≤ /30. */
    public static boolean assignable(Ip ip, List<Route> routes) {
        Optional<Integer> prefix = prefixOf(ip, routes);
        if (prefix.isEmpty()) return false;
        int p = prefix.get();
        if (ip.family() == 4 && p <= 30) return !ip.equals(ip.network(p)) && !ip.equals(ip.last(p));
        return true;
    }

    /**
     * The lowest free assignable address of the pools of {@code family}, or empty. Walks the pools
     * in address order, jumping over spans no route covers, so the work is bounded by the number of
     * used addresses, routes and pools, not by the pools' sizes.
     */
    public static Optional<Ip> lowestFree(int family, List<Pool> pools, List<Route> routes, Set<Ip> used) {
        List<Pool> mine = new ArrayList<>();
        for (Pool p : pools) if (p.start().family() == family) mine.add(p);
        mine.sort((a, b) -> a.start().compareTo(b.start()));
        for (Pool pool : mine) {
            BigInteger a = pool.start().value(), end = pool.end().value();
            while (a.compareTo(end) <= 0) {
                Ip ip = Ip.of(family, a);
                if (prefixOf(ip, routes).isEmpty()) {
                    Optional<BigInteger> next = nextCoveredStart(family, a, routes);
                    if (next.isEmpty()) break;
                    a = next.get();
                    continue;
                }
                if (assignable(ip, routes) && !used.contains(ip)) return Optional.of(ip);
                a = a.add(BigInteger.ONE);
            }
        }
        return Optional.empty();
    }

    private static Optional<BigInteger> nextCoveredStart(int family, BigInteger after, Collection<Route> routes) {
        BigInteger best = null;
        for (Route r : routes) {
            if (r.via() != null || r.target().ip().family() != family) continue;
            BigInteger s = r.target().ip().value();
            if (s.compareTo(after) > 0 && (best == null || s.compareTo(best) < 0)) best = s;
        }
        return Optional.ofNullable(best);
    }

    /** The member's assignments with their prefixes, as its MC carries them: uncovered ones left out (§7.5 step 4), rfc4193 /88 added. */
    public static List<Ip.Prefixed> credentialAssignments(long nwid, Member m, NetworkSettings s) {
        List<Ip.Prefixed> out = new ArrayList<>();
        for (Ip ip : m.ipAssignments()) {
            Optional<Integer> p = prefixOf(ip, s.routes());
            if (p.isPresent() && assignable(ip, s.routes())) out.add(new Ip.Prefixed(ip, p.get()));
        }
        if (s.v6Rfc4193()) out.add(new Ip.Prefixed(rfc4193(nwid, m.address()), ControllerLimits.RFC4193_PREFIX));
        return out.size() > ControllerLimits.MAX_IPS ? out.subList(0, ControllerLimits.MAX_IPS) : out;
    }
}

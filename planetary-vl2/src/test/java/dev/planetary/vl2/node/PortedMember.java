package dev.planetary.vl2.node;

import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl2.rules.Verdict;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One L0 member with its member table and ports ({@link MemberPorts}, userspace NICs), driven by the
 * world's loop: a queue stands for the node's thread the NICs hand their frames to, and the loop
 * runs the member table's and the multicast engine's timers. {@link MemberPortsSimTest},
 * {@link MulticastSimTest} and {@link RulesSimTest} run it.
 */
final class PortedMember {
    final Vl2World.Host host;
    final MemberNetworks networks;
    final MemberPorts ports;
    final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    PortedMember(Vl2World.Host host) {
        this(host, config -> config.userspaceNic(new java.util.SplittableRandom(host.host.random().nextLong()))); // seeded: frames repeat per seed
    }

    /** A member whose ports get their NICs from {@code nics} (e.g. a bridge's LAN). */
    PortedMember(Vl2World.Host host, MemberPorts.NicFactory nics) {
        this.host = host;
        // the member engine's and the multicaster's randomness from the simulated host: the run depends on the seed only
        this.networks = new MemberNetworks(host.layer, NetworkStore.NONE, host.seededRandom(),
                "planetary-test");
        this.ports = new MemberPorts(host.layer, networks, r -> {
            queue.add(r);
            host.host.wake(host.host.now());
        }, nics, PortConfig.RoutePolicy.DEFAULT, new java.util.SplittableRandom(host.host.random().nextLong()));
        host.extra = now -> {
            for (Runnable r; (r = queue.poll()) != null; ) {
                r.run();
            }
            return Math.min(networks.service(now), ports.service(now));
        };
    }

    NetworkPort port(MemberNetwork n) {
        return port(n.id());
    }

    NetworkPort port(NetworkId nwid) {
        return ports.port(nwid).orElseThrow();
    }

    UserspaceNic nic(MemberNetwork n) {
        return nic(n.id());
    }

    UserspaceNic nic(NetworkId nwid) {
        return (UserspaceNic) port(nwid).nic();
    }

    PortRules rules(NetworkId nwid) {
        return ports.rules(nwid).orElseThrow();
    }

    /**
     * Pings until a reply, at most 3 tries of 3 s (simulated) each, as ping(8) would: a frame may
     * overtake the credential presented before it (UDP reorders) and be dropped, answered with
     * NEED_MEMBERSHIP_CERTIFICATE (§8.3). Returns the requests lost.
     */
    static int ping(Vl2World w, UserspaceNic from, java.net.InetAddress to, String what, PortedMember... ms) {
        for (int lost = 0; lost < 3; lost++) {
            CompletableFuture<Duration> f = from.ping(to, Duration.ofSeconds(60));
            if (w.runUntil(f::isDone, 3_000) && !f.isCompletedExceptionally()) {
                return lost;
            }
        }
        throw new AssertionError(what + ": no reply in 3 tries: " + describe(ms));
    }

    static String describe(PortedMember... ms) {
        StringBuilder b = new StringBuilder();
        for (PortedMember m : ms) {
            b.append(m.host.name).append(' ').append(m.networks.counters()).append(" sendFailures=").append(m.ports.sendFailures())
                    .append(" plane=").append(java.util.Arrays.stream(DataPlane.Drop.values()).map(d -> d + "=" + m.ports.plane().drops(d)).toList())
                    .append(" multicast=").append(m.ports.multicaster().counters())
                    .append(java.util.Arrays.stream(Multicaster.Drop.values()).filter(d -> m.ports.multicaster().drops(d) > 0)
                            .map(d -> d + "=" + m.ports.multicaster().drops(d)).toList());
            for (NetworkPort p : m.ports.plane().ports()) {
                b.append(" port sent=").append(p.sent()).append(" delivered=").append(p.delivered()).append(" emulated=").append(p.emulated())
                        .append(' ').append(java.util.Arrays.stream(PortDrop.values()).filter(d -> p.drops(d) > 0).map(d -> d + "=" + p.drops(d)).toList())
                        .append(" nicDrops=").append(p.nic() instanceof UserspaceNic u ? u.drops() : -1);
                m.ports.rules(p.nwid()).ifPresent(r -> b.append(" rules out=")
                        .append(java.util.Arrays.stream(Verdict.values()).map(v -> v + "=" + r.decisions(false, v)).toList())
                        .append(" in=").append(java.util.Arrays.stream(Verdict.values()).map(v -> v + "=" + r.decisions(true, v)).toList()));
            }
            b.append("; ");
        }
        return b.toString();
    }
}

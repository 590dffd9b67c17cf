package dev.planetary.vl2.node;

import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl2.rules.Verdict;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * One member in L0 with its member table and ports on userspace NICs, driven by the world's loop (a
 * queue for the NIC's frames): what {@link MemberPortsSimTest} and {@link RulesSimTest} run.
 */
final class PortMember {
    final Vl2World.Host host;
    final MemberNetworks networks;
    final MemberPorts ports;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();

    PortMember(Vl2World.Host host) {
        this.host = host;
        this.networks = new MemberNetworks(host.layer, NetworkStore.NONE, dev.planetary.zssp.RandomSource.secure(), "planetary-test");
        this.ports = new MemberPorts(host.layer, networks, r -> {
            queue.add(r);
            host.host.wake(host.host.now());
        }, PortConfig::userspaceNic, PortConfig.RoutePolicy.DEFAULT);
        host.extra = now -> {
            for (Runnable r; (r = queue.poll()) != null; ) r.run();
            return networks.service(now);
        };
    }

    NetworkPort port(NetworkId nwid) {
        return ports.port(nwid).orElseThrow();
    }

    UserspaceNic nic(NetworkId nwid) {
        return (UserspaceNic) port(nwid).nic();
    }

    PortRules rules(NetworkId nwid) {
        return ports.rules(nwid).orElseThrow();
    }

    /** Counters of the members' planes, ports, rules and NICs, for failure messages. */
    static String describe(PortMember... ms) {
        StringBuilder b = new StringBuilder();
        for (PortMember m : ms) {
            b.append(m.host.name).append(' ').append(m.networks.counters()).append(" sendFailures=").append(m.ports.sendFailures())
                    .append(" plane=").append(Arrays.stream(DataPlane.Drop.values()).map(d -> d + "=" + m.ports.plane().drops(d)).toList());
            for (NetworkPort p : m.ports.plane().ports()) {
                b.append(" port sent=").append(p.sent()).append(" delivered=").append(p.delivered()).append(" emulated=").append(p.emulated())
                        .append(' ').append(Arrays.stream(PortDrop.values()).filter(d -> p.drops(d) > 0).map(d -> d + "=" + p.drops(d)).toList())
                        .append(" nicDrops=").append(((UserspaceNic) p.nic()).drops());
                m.ports.rules(p.nwid()).ifPresent(r -> b.append(" rules out=")
                        .append(Arrays.stream(Verdict.values()).map(v -> v + "=" + r.decisions(false, v)).toList())
                        .append(" in=").append(Arrays.stream(Verdict.values()).map(v -> v + "=" + r.decisions(true, v)).toList()));
            }
            b.append("; ");
        }
        return b.toString();
    }

    /**
     * Pings until a reply, at most 3 tries of 3 s (simulated) each, as ping(8) would: a frame may
     * overtake the credential presented before it (UDP reorders) and be dropped, answered with
     * NEED_MEMBERSHIP_CERTIFICATE (§8.3). Returns the requests lost.
     */
    static int ping(Vl2World w, UserspaceNic from, java.net.InetAddress to, String what, PortMember... ms) {
        for (int lost = 0; lost < 3; lost++) {
            java.util.concurrent.CompletableFuture<java.time.Duration> f = from.ping(to, java.time.Duration.ofSeconds(60));
            if (w.runUntil(f::isDone, 3_000) && !f.isCompletedExceptionally()) {
                return lost;
            }
        }
        throw new AssertionError(what + ": no reply in 3 tries: " + PortMember.describe(ms));
    }
}

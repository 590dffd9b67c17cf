package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.nic.IpAssignment;
import dev.planetary.vl1.sim.SimHost;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.NetworkConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * L0 measurement (issue 16 targets; BENCHMARKS.md): the first IPv4 ping to a member never talked
 * to, in simulated time over links of 20 ± 5 ms one way — ARP through the controller's GATHER
 * answer (§10.3), then the WHOIS, the handshake and the credential presentation with the owner —
 * and the same with the controller cut off, the owner found through a common N-peer's LIKEs
 * (E18, §10.5). 20 worlds each. Long: {@code -Dplanetary.long=true}.
 */
@EnabledIfSystemProperty(named = "planetary.long", matches = "true")
class FirstPingSimTest {
    static final int TRIES = 20;

    @Test
    void firstPingToANewIpControllerUpAndDown() {
        // the figures also go to target/first-ping.txt (BENCHMARKS.md)
        List<Long> up = new ArrayList<>(), down = new ArrayList<>();
        for (int t = 0; t < TRIES; t++) {
            up.add(firstPing(100 + t, false));
            down.add(firstPing(200 + t, true));
        }
        String report = "first ping to a new IP (ms, simulated, 20±5 ms links): controller up " + stats(up) + "; controller down " + stats(down);
        System.out.println(report);
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target", "first-ping.txt"), report + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // issue 16 targets: ≤ 500 ms p95 (up), ≤ 2 s (down); at 20 ms links the WHOIS and the handshake with the
        // owner take ≈ 265 ms of the ≈ 500 (BENCHMARKS.md), so the guard here is looser than the target for up
        assertTrue(percentile(up, 95) <= 1_000, report);
        assertTrue(percentile(down, 95) <= 2_000, report);
    }

    private static PortedMember[] a0(List<PortedMember> ms) {
        return ms.toArray(PortedMember[]::new);
    }

    static String stats(List<Long> xs) {
        return "p50 " + percentile(xs, 50) + " p95 " + percentile(xs, 95) + " max " + percentile(xs, 100) + " (n=" + xs.size() + ")";
    }

    static long percentile(List<Long> xs, int p) {
        List<Long> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(Math.max(0, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    /** One world: controller, a, b, c; returns the simulated ms from a's first ping to b's reply. */
    static long firstPing(long seed, boolean controllerDown) {
        return run(seed, controllerDown).ms();
    }

    /** One world's outcome: the first ping's simulated ms and the digest of every datagram delivered. */
    record Run(long ms, String traceHash) {}

    /** As {@link #firstPing}, with the world's trace digest. */
    static Run run(long seed, boolean controllerDown) {
        Vl2World w = new Vl2World(seed, 4, SeqexLinkSimTest.CLEAN);
        FakeController ctl = new FakeController(w.member(0), Vl2World.identity(1));
        ctl.token = "join-me";
        ctl.flags = NetworkConfig.FLAG_BROADCAST;
        Map<Address, Integer> hosts = new HashMap<>();
        ctl.addresses = x -> List.of(AssignedAddress.of(new IpAssignment(FakeController.ip("10.147.17." + hosts.computeIfAbsent(x, k -> 10 + hosts.size())), 24)));
        ctl.answerGathers();
        List<PortedMember> ms = List.of(new PortedMember(w.member(1)), new PortedMember(w.member(2)), new PortedMember(w.member(3)));
        assertTrue(w.runUntil(() -> w.members.stream().allMatch(h -> h.node.isOnline()), 30_000));
        List<MemberNetwork> ns = new ArrayList<>();
        for (PortedMember m : ms) { // one after the other: the fake controller answers only members whose address it has bound
            m.host.run(() -> ns.add(m.networks.join(ctl.nwid, null, "join-me")));
            assertTrue(w.runUntil(() -> m.ports.port(ctl.nwid).isPresent(), 30_000), () -> ns + " " + PortedMember.describe(a0(ms)));
        }
        PortedMember a = ms.get(0), b = ms.get(1), c = ms.get(2);
        if (controllerDown) { // c, the common peer, talked to both; then the controller is cut off
            PortedMember.ping(w, c.nic(ns.get(2)), a.nic(ns.get(0)).ipv4(), "c → a", c, a);
            PortedMember.ping(w, c.nic(ns.get(2)), b.nic(ns.get(1)).ipv4(), "c → b", c, b);
            w.run(1_000);
            List<SimHost> rest = new ArrayList<>(List.of(w.root.host));
            for (PortedMember m : ms) rest.add(m.host.host);
            w.sim.partition(List.of(w.member(0).host), rest);
        }
        long t0 = w.sim.now();
        for (int i = 0; i < 10; i++) { // ping -W 1: a request unanswered in 1 s is given up (its ARP too) and sent again
            java.util.concurrent.CompletableFuture<java.time.Duration> f = a.nic(ns.get(0)).ping(b.nic(ns.get(1)).ipv4(), java.time.Duration.ofSeconds(1));
            w.runUntil(f::isDone, 1_100);
            if (f.isDone() && !f.isCompletedExceptionally()) return new Run(w.sim.now() - t0, w.sim.traceHash());
        }
        throw new AssertionError("a → b" + (controllerDown ? " (controller down)" : "") + ": no reply in 10 s: " + PortedMember.describe(a, b, c));
    }
}

package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.Simulator;
import dev.planetary.vl1.sim.TraceEvent;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The measurements of BENCHMARKS.md "Paths" in L0 (virtual clock, so the numbers do not depend on
 * the machine): heartbeat bytes of an idle node with 4 roots per hour, and the time from session
 * establishment to a direct path at 100 ms RTT over many seeds ({@code -Dplanetary.long=true}: 50,
 * else 10). Both assert issue 14's targets: ≤ 170 KB/h, and time to direct ≤ 3·RTT + 1 s at the
 * 95th percentile (and for the slowest run).
 */
class PathsMeasurementTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    /** IPv4 (20) + UDP (8) header bytes per datagram. */
    static final int UDP_IP_OVERHEAD = 28;

    @Test
    void idleNodeWithFourRootsSendsAndReceivesAtMost170KBPerHour() {
        Simulator sim = new Simulator(14);
        sim.defaultProfile(LinkProfile.latency(20).withJitter(2));
        List<RootInfo> infos = new ArrayList<>();
        List<SimNode> roots = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            SimNode r = new SimNode("r" + i, sim.publicHost("r" + i, "198.51.100." + (i + 1)), 9993, Pool.get(i), NodeConfig::root);
            roots.add(r);
            infos.add(r.rootInfo(Pool.get(i)));
        }
        SimNode a = new SimNode("a", sim.publicHost("a", "203.0.113.10"), 9993, Pool.get(4), l -> NodeConfig.member(l, infos));
        assertTrue(sim.runUntil(() -> a.node.liveRoots().size() == 4, sim.now() + 15_000));
        sim.runUntil(() -> false, sim.now() + 60_000); // settle
        InetAddress me = a.local.getAddress();
        long[] up = new long[2], down = new long[2]; // datagrams, bytes incl. UDP/IP
        sim.onEvent(e -> {
            if (e.kind() == TraceEvent.Kind.SENT && e.from().getAddress().equals(me)) {
                up[0]++;
                up[1] += e.length() + UDP_IP_OVERHEAD;
            } else if (e.kind() == TraceEvent.Kind.DELIVERED && e.to().getAddress().equals(me)) {
                down[0]++;
                down[1] += e.length() + UDP_IP_OVERHEAD;
            }
        });
        sim.runUntil(() -> false, sim.now() + 3_600_000);
        System.out.printf("idle node, 4 roots, 1 h (L0): sent %d datagrams %d B, received %d datagrams %d B, total %.1f KB/h%n",
                up[0], up[1], down[0], down[1], (up[1] + down[1]) / 1000.0);
        assertTrue(a.node.liveRoots().size() == 4, "still online");
        assertTrue(up[1] + down[1] <= 170_000, "heartbeat traffic " + (up[1] + down[1]) + " B/h");
    }

    @Test
    void timeToDirectAt100msRttWithinThreeRttPlusOneSecond() {
        int runs = LONG ? 50 : 10; // seeds 1005–1008 are among the ten whose HELLO overtook the Established (once 1.31 s)
        long[] ms = new long[runs];
        for (int i = 0; i < runs; i++) {
            PathsSimTest.Net n = new PathsSimTest.Net(1000 + i, 50);
            SimNode a = n.member(PathsSimTest.Kind.PORT_RESTRICTED), b = n.member(PathsSimTest.Kind.PORT_RESTRICTED);
            n.trustAll();
            assertTrue(n.run(n::ready, 15_000));
            a.userMessage(b.node.address(), "hi");
            assertTrue(n.run(() -> a.node.hasSession(b.node.fingerprint()), 10_000));
            long established = n.sim.now();
            assertTrue(n.run(() -> PathsSimTest.direct(a, b) && PathsSimTest.direct(b, a), 10_000), "seed " + (1000 + i));
            ms[i] = n.sim.now() - established;
        }
        Arrays.sort(ms);
        long p50 = ms[(runs - 1) / 2], p95 = ms[(int) Math.ceil(0.95 * runs) - 1];
        System.out.printf("time to direct at 100 ms RTT (L0), %d seeds: p50 %d ms, p95 %d ms, max %d ms; all %s%n", runs, p50, p95, ms[runs - 1], Arrays.toString(ms));
        // a responder's HELLO that overtook the initiator's Established once cost one HELLO retry (1 s) in 40 % of the seeds
        assertTrue(p95 <= 3 * 100 + 1_000, "p95 " + p95 + " ms");
        assertTrue(ms[runs - 1] <= 3 * 100 + 1_000, "max " + ms[runs - 1] + " ms");
    }
}

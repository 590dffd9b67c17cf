package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.NatModel;
import dev.planetary.vl1.sim.SimHost;
import dev.planetary.vl1.sim.SimNat;
import dev.planetary.vl1.sim.Simulator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Paths and NAT traversal in L0 (VL.md §5, §17 WP2): two roots, members behind simulated NATs. */
class PathsSimTest {

    /** The NAT kinds of the §17 WP2 matrix; NONE is a public host. */
    enum Kind {
        NONE(null), FULL_CONE(NatModel::fullCone), ADDRESS_RESTRICTED(NatModel::addressRestricted),
        PORT_RESTRICTED(NatModel::portRestricted), SYMMETRIC(NatModel::symmetric);

        final Supplier<NatModel> nat;

        Kind(Supplier<NatModel> nat) {
            this.nat = nat;
        }
    }

    /** Two roots and members; every member trusts every other (the consent hook). */
    static final class Net {
        final Simulator sim;
        final List<SimNode> roots = new ArrayList<>();
        final List<RootInfo> infos = new ArrayList<>();
        final List<SimNode> members = new ArrayList<>();
        final List<SimNat> nats = new ArrayList<>();

        Net(long seed, long latencyMs) {
            sim = new Simulator(seed);
            sim.defaultProfile(LinkProfile.latency(latencyMs).withJitter(latencyMs / 10));
            for (int i = 0; i < 2; i++) {
                SimNode r = new SimNode("r" + (i + 1), sim.publicHost("r" + (i + 1), "198.51.100." + (i + 1)), 9993, Pool.get(i), NodeConfig::root);
                roots.add(r);
                infos.add(r.rootInfo(Pool.get(i)));
            }
        }

        SimNode member(Kind kind) {
            int i = members.size();
            String name = String.valueOf((char) ('a' + i));
            SimHost h;
            if (kind == Kind.NONE) {
                h = sim.publicHost(name, "203.0." + (113 + i) + ".10");
            } else {
                SimNat nat = sim.nat("nat-" + name, "192.0.2." + (10 + i), kind.nat.get());
                nats.add(nat);
                h = sim.privateHost(name, nat, "10.0." + i + ".2");
            }
            return add(name, h);
        }

        SimNode memberBehind(SimNat nat, String ip) {
            String name = String.valueOf((char) ('a' + members.size()));
            return add(name, sim.privateHost(name, nat, ip));
        }

        private SimNode add(String name, SimHost h) {
            SimNode m = new SimNode(name, h, 9993, Pool.get(2 + members.size()), l -> NodeConfig.member(l, infos));
            members.add(m);
            return m;
        }

        void trustAll() {
            for (SimNode m : members) {
                List<Fingerprint> others = members.stream().filter(o -> o != m).map(o -> o.node.fingerprint()).toList();
                m.node.trusted(others::contains);
            }
        }

        boolean ready() {
            for (SimNode m : members) if (m.node.liveRoots().size() != roots.size()) return false;
            return true;
        }

        boolean run(Supplier<Boolean> done, long forMs) {
            return sim.runUntil(done::get, sim.now() + forMs);
        }

        void run(long forMs) {
            sim.runUntil(sim.now() + forMs);
        }
    }

    static boolean direct(SimNode from, SimNode to) {
        Fingerprint fp = to.node.fingerprint();
        return from.node.hasSession(fp) && !from.node.relayed(fp);
    }

    /** Sends "x→y #n" both ways and checks both arrive. */
    static void trafficBothWays(Net n, SimNode a, SimNode b, String tag) {
        a.userMessage(b.node.address(), tag + " a→b");
        b.userMessage(a.node.address(), tag + " b→a");
        assertTrue(n.run(() -> b.texts().contains(tag + " a→b") && a.texts().contains(tag + " b→a"), 10_000),
                () -> tag + ": a " + a.node.counters() + "\nb " + b.node.counters());
    }

    static Net pair(long seed, Kind ka, Kind kb) {
        Net n = new Net(seed, 20);
        n.member(ka);
        n.member(kb);
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000), "members reach both roots");
        return n;
    }

    static boolean expectDirect(Kind a, Kind b) { // §17 WP2
        if (a == Kind.SYMMETRIC && (b == Kind.SYMMETRIC || b == Kind.PORT_RESTRICTED)) return false;
        return !(b == Kind.SYMMETRIC && a == Kind.PORT_RESTRICTED);
    }

    static List<Arguments> matrix() {
        List<Arguments> l = new ArrayList<>();
        for (Kind a : Kind.values()) for (Kind b : Kind.values()) l.add(Arguments.of(a, b));
        return l;
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("matrix")
    void natMatrix(Kind ka, Kind kb) {
        Net n = pair(100 + ka.ordinal() * 5 + kb.ordinal(), ka, kb);
        SimNode a = n.members.get(0), b = n.members.get(1);
        trafficBothWays(n, a, b, "first");
        long up = n.sim.now();
        boolean direct = n.run(() -> direct(a, b) && direct(b, a), 5_000);
        assertEquals(expectDirect(ka, kb), direct, () -> ka + " × " + kb + " after " + (n.sim.now() - up) + " ms: a " + a.node.paths(b.node.fingerprint())
                + " " + a.node.counters() + "\nb " + b.node.paths(a.node.fingerprint()) + " " + b.node.counters());
        n.run(30_000);
        assertEquals(expectDirect(ka, kb), direct(a, b) && direct(b, a), "stable after 30 s");
        trafficBothWays(n, a, b, "later");
        assertEquals(1, a.node.liveSessions(b.node.fingerprint()), "one session throughout");
        assertEquals(0, a.node.count(NodeCounter.INTERNAL_ERROR) + b.node.count(NodeCounter.INTERNAL_ERROR));
        if (!expectDirect(ka, kb) && ka == Kind.SYMMETRIC && kb == Kind.SYMMETRIC) {
            assertTrue(a.node.behindSymmetricNat() && b.node.behindSymmetricNat(), "two roots saw different ports (§5.6)");
            assertTrue(a.node.count(NodeCounter.RENDEZVOUS_SYMMETRIC) + b.node.count(NodeCounter.RENDEZVOUS_SYMMETRIC) > 0, "both symmetric: relay only");
        }
    }

    @Test
    void timeToDirectAt100msRttIsWithinThreeRttPlusOneSecond() {
        Net n = new Net(41, 50); // 50 ms each way: 100 ms RTT
        SimNode a = n.member(Kind.PORT_RESTRICTED), b = n.member(Kind.PORT_RESTRICTED);
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000));
        a.userMessage(b.node.address(), "hi");
        assertTrue(n.run(() -> a.node.hasSession(b.node.fingerprint()), 10_000));
        long established = n.sim.now();
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 5_000), () -> "a " + a.node.counters());
        long ms = n.sim.now() - established;
        System.out.println("time to direct at 100 ms RTT (L0, virtual clock): " + ms + " ms");
        assertTrue(ms <= 3 * 100 + 1_000, "took " + ms + " ms");
        assertFalse(a.events(NodeEvent.RendezvousReceived.class).isEmpty());
        assertFalse(b.events(NodeEvent.PathConfirmed.class).isEmpty());
        assertFalse(a.events(NodeEvent.PathPreferred.class).isEmpty());
        long sent = n.roots.stream().mapToLong(r -> r.events(NodeEvent.RendezvousSent.class).size()).sum();
        assertEquals(1, sent, "one RENDEZVOUS pair from the common relay root");
    }

    /**
     * §5.1: a's relay root carries a's traffic to a peer that crashed (the root still forwards, nobody
     * answers), so a sends to the root every 3 s and hears nothing: a still asks it with a heartbeat
     * once nothing came for T_HEARTBEAT. (It did not: the root lapsed past T_PATH_ALIVE, and with one
     * root the node went offline and could not even look up a controller to reconnect to.)
     */
    @Test
    void aRootThatOnlyRelaysTowardsADeadPeerIsStillHeartbeatedAndStaysAlive() {
        Net n = new Net(47, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE); // no consent: relayed only
        assertTrue(n.run(n::ready, 15_000));
        a.userMessage(b.node.address(), "hi");
        assertTrue(n.run(() -> a.node.hasSession(b.node.fingerprint()) && b.node.hasSession(a.node.fingerprint()), 10_000));
        b.stop();
        for (int i = 0; i < 20; i++) { // 60 s: past T_PATH_ALIVE (19 s) three times
            a.userMessage(b.node.address(), "tick " + i);
            n.run(() -> false, 3_000);
            assertEquals(2, a.node.liveRoots().size(), "a root lapsed after " + (3 * (i + 1)) + " s of relaying to a dead peer");
        }
    }

    /**
     * §5.7 blacklist: b refuses every direct path to a's address (as a node refuses the subnets of its
     * own virtual networks): nothing learned from a's pushes, rendezvous or packets becomes a path of
     * b's, each refusal is counted, and b's messages still reach a through a root.
     */
    @Test
    void aBlacklistedAddressIsNeverAPath() {
        Net n = new Net(48, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE);
        java.net.InetAddress aIp = a.local.getAddress();
        b.node.pathBlacklist(aIp::equals);
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000));
        a.userMessage(b.node.address(), "hi");
        assertTrue(n.run(() -> a.node.hasSession(b.node.fingerprint()) && b.node.hasSession(a.node.fingerprint()), 10_000));
        n.run(() -> false, 10_000); // pushes, a rendezvous, a's probes
        assertTrue(b.node.count(NodeCounter.PATH_BLACKLISTED) > 0, () -> b.node.counters().toString());
        for (PathInfo p : b.node.paths(a.node.fingerprint())) assertTrue(p.relayed(), "b has a direct path to a: " + p);
        assertTrue(b.node.relayed(a.node.fingerprint()), "b sends to a through a root");
        b.userMessage(a.node.address(), "through a root");
        assertTrue(n.run(() -> a.events.stream().anyMatch(e -> e instanceof NodeEvent.UserMessageReceived u
                && new String(u.payload(), java.nio.charset.StandardCharsets.UTF_8).equals("through a root")), 5_000));
    }

    @Test
    void membersBehindOneNatFindTheLanPathThroughPushDirectPaths() {
        Net n = new Net(42, 20);
        SimNat nat = n.sim.nat("office", "192.0.2.50", NatModel.portRestricted()); // no hairpinning
        SimNode a = n.memberBehind(nat, "10.1.0.2"), b = n.memberBehind(nat, "10.1.0.3");
        n.trustAll();
        for (SimNode m : n.members) m.run(() -> m.node.localEndpoints(List.of(m.local)));
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "first");
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 20_000), () -> "a " + a.node.paths(b.node.fingerprint()) + " " + a.node.counters());
        InetSocketAddress lan = a.node.paths(b.node.fingerprint()).stream().filter(PathInfo::preferred).findFirst().orElseThrow().endpoint();
        assertEquals(b.local, lan, "the LAN endpoint, not the NAT's");
        trafficBothWays(n, a, b, "lan");
    }

    @Test
    void aPortMappedEndpointGoesDirectBetweenTwoSymmetricNats() {
        Net n = new Net(46, 20);
        SimNode a = n.member(Kind.SYMMETRIC), b = n.member(Kind.SYMMETRIC);
        SimNat natA = n.nats.getFirst();
        ((NatModel) natA.behaviour()).withForward(40_000, a.local); // what the gateway granted (§5.9)
        InetSocketAddress mapped = new InetSocketAddress(natA.publicIp(), 40_000);
        a.run(() -> a.node.mappedEndpoint(mapped));
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "first");
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 20_000), () -> "b " + b.node.paths(a.node.fingerprint()) + " " + b.node.counters());
        assertEquals(mapped, preferred(b, a), "b reaches a through the mapping");
        trafficBothWays(n, a, b, "mapped");
        assertThrows(IllegalArgumentException.class, () -> a.node.mappedEndpoint(new InetSocketAddress("127.0.0.1", 1)));
    }

    @Test
    void natRebindingKeepsTheSessionAndMovesToTheNewPathWithin20s() {
        Net n = new Net(43, 20);
        SimNode a = n.member(Kind.PORT_RESTRICTED), b = n.member(Kind.NONE);
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "before");
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 10_000));
        InetSocketAddress before = preferred(b, a);
        int sessionsUp = b.events(NodeEvent.SessionUp.class).size();
        ((NatModel) n.nats.getFirst().behaviour()).flush(); // conntrack -F
        long flushed = n.sim.now();
        for (int i = 0; i < 20; i++) { // steady traffic a → b meanwhile
            a.userMessage(b.node.address(), "during " + i);
            n.run(1_000);
            if (!before.equals(preferred(b, a))) break;
        }
        assertTrue(n.run(() -> !before.equals(preferred(b, a)), 20_000 - (n.sim.now() - flushed)), () -> "b " + b.node.paths(a.node.fingerprint()));
        assertTrue(n.sim.now() - flushed <= 20_000, "new path after " + (n.sim.now() - flushed) + " ms");
        assertEquals(sessionsUp, b.events(NodeEvent.SessionUp.class).size(), "no new session");
        assertEquals(1, b.node.liveSessions(a.node.fingerprint()));
        trafficBothWays(n, a, b, "after");
    }

    static InetSocketAddress preferred(SimNode at, SimNode peer) {
        return at.node.paths(peer.node.fingerprint()).stream().filter(PathInfo::preferred).findFirst().map(PathInfo::endpoint).orElse(null);
    }

    @Test
    void withoutConsentThePeerNeverLearnsTheEndpoint() {
        Net n = new Net(44, 20);
        SimNode a = n.member(Kind.FULL_CONE), b = n.member(Kind.FULL_CONE);
        a.node.trusted(fp -> true); // a consents, b does not
        assertTrue(n.run(n::ready, 15_000));
        for (int i = 0; i < 5; i++) {
            trafficBothWays(n, a, b, "m" + i);
            n.run(20_000);
        }
        assertTrue(a.node.relayed(b.node.fingerprint()) && b.node.relayed(a.node.fingerprint()));
        assertFalse(a.events(NodeEvent.RendezvousRequested.class).isEmpty(), "a asked");
        assertEquals(List.of(), b.events(NodeEvent.RendezvousRequested.class));
        for (SimNode r : n.roots) assertEquals(List.of(), r.events(NodeEvent.RendezvousSent.class));
        assertEquals(List.of(), a.events(NodeEvent.RendezvousReceived.class));
        assertEquals(List.of(), b.events(NodeEvent.RendezvousReceived.class));
        assertEquals(List.of(), a.events(NodeEvent.PathCandidate.class).stream().filter(e -> e.peer().equals(b.node.fingerprint())).toList());
    }

    @Test
    void noPreferredPathFlapInTenMinutesOfSteadyTraffic() {
        Net n = new Net(45, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.FULL_CONE);
        n.trustAll();
        for (SimNode m : n.members) m.run(() -> m.node.localEndpoints(List.of(m.local)));
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "start");
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 10_000));
        n.run(5_000);
        int before = a.events(NodeEvent.PathPreferred.class).size() + b.events(NodeEvent.PathPreferred.class).size();
        for (int s = 0; s < 600; s += 2) {
            a.userMessage(b.node.address(), "t" + s);
            b.userMessage(a.node.address(), "u" + s);
            n.run(2_000);
        }
        int after = a.events(NodeEvent.PathPreferred.class).size() + b.events(NodeEvent.PathPreferred.class).size();
        assertEquals(before, after, "0 preferred-path changes");
        assertTrue(b.texts().contains("t598") && a.texts().contains("u598"));
    }

    @Test
    void heartbeatEvery14sOnAnIdleRootPath() {
        Net n = new Net(46, 20);
        SimNode a = n.member(Kind.NONE);
        assertTrue(n.run(n::ready, 15_000));
        Fingerprint r1 = n.roots.getFirst().node.fingerprint();
        n.run(30_000); // settle: HELLOs done, idle
        long first = rootLastSend(a, r1);
        assertTrue(n.run(() -> rootLastSend(a, r1) != first, 15_000));
        long second = rootLastSend(a, r1);
        assertTrue(n.run(() -> rootLastSend(a, r1) != second, 15_000));
        assertEquals(Vl1Limits.T_HEARTBEAT, rootLastSend(a, r1) - second, "ECHO exactly T_HEARTBEAT after the last send");
        assertTrue(a.node.paths(r1).getFirst().state().equals("alive"));
    }

    @Test
    void aLocalAddressChangeEchoesEveryRootAndReprobesActivePeers() {
        Net n = new Net(48, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE);
        n.trustAll();
        a.run(() -> a.node.localEndpoints(List.of(a.local)));
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "x");
        assertTrue(n.run(() -> direct(a, b), 10_000));
        n.run(5_000);
        long t = n.sim.now();
        a.run(() -> a.node.localEndpoints(List.of(a.local))); // unchanged: nothing happens
        for (SimNode r : n.roots) assertTrue(rootLastSend(a, r.node.fingerprint()) < t);
        a.run(() -> a.node.localEndpoints(List.of(a.local, new InetSocketAddress("10.44.0.2", a.local.getPort())))); // §5.8
        for (SimNode r : n.roots) assertEquals(t, rootLastSend(a, r.node.fingerprint()), "ECHO to every root at once");
        assertTrue(a.node.paths(b.node.fingerprint()).stream().anyMatch(p -> p.endpoint() != null && p.lastSend() == t), () -> "known endpoint of b re-probed at " + t + ": " + a.node.paths(b.node.fingerprint()));
        assertEquals(0, a.node.count(NodeCounter.REBIND_DETECTED), "not a rebind");
    }

    @Test
    void aRememberedEndpointCarriesTheFirstX1AndTheSessionStartsDirect() {
        Net n = new Net(49, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE); // no consent: no rendezvous, no push
        a.run(() -> a.node.rememberEndpoints(b.node.fingerprint(), List.of(b.local, new InetSocketAddress("127.0.0.1", 9))));
        assertTrue(n.run(n::ready, 15_000));
        a.userMessage(b.node.address(), "hi");
        assertTrue(n.run(() -> b.texts().contains("hi"), 10_000));
        assertTrue(direct(a, b) && direct(b, a), () -> "a " + a.node.paths(b.node.fingerprint()));
        assertEquals(b.local, preferred(a, b), "§5.2 (d), §5.10 step 2");
        assertThrows(IllegalArgumentException.class, () -> a.node.rememberEndpoints(b.node.fingerprint(), List.of(InetSocketAddress.createUnresolved("x", 1))));
    }

    static long rootLastSend(SimNode m, Fingerprint root) {
        return m.node.paths(root).getFirst().lastSend();
    }

    @Test
    void unsolicitedOrForeignRendezvousAndHostilePushesAreDroppedAndCounted() {
        Net n = new Net(47, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE), c = n.member(Kind.NONE);
        a.node.trusted(fp -> fp.equals(b.node.fingerprint())); // b pushes nothing of its own (it trusts nobody)
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, c, "ac");
        trafficBothWays(n, a, b, "ab");
        Fingerprint afp = a.node.fingerprint();
        byte[] rv = Vl1Codec.encode(new Rendezvous(0, b.node.address(), List.of(Endpoint.Udp.of(new InetSocketAddress("203.0.113.99", 4444)))));
        // a RENDEZVOUS from a member (not a root)
        c.run(() -> assertTrue(c.node.sendBytes(afp, rv)));
        // a RENDEZVOUS from a root a never asked (a is direct with nobody's consent at r2: no request to r2 about c)
        byte[] rv2 = Vl1Codec.encode(new Rendezvous(0, c.node.address(), List.of(Endpoint.Udp.of(new InetSocketAddress("203.0.113.98", 4444)))));
        SimNode r2 = n.roots.get(1);
        r2.run(() -> assertTrue(r2.node.sendBytes(afp, rv2)));
        n.run(1_000);
        assertTrue(a.node.count(NodeCounter.RENDEZVOUS_REFUSED) >= 2, () -> a.node.counters().toString());
        // pushes: from an untrusted peer (c), and from a trusted one (b) naming loopback, multicast, unspecified
        byte[] push = Vl1Codec.encode(new PushDirectPaths(List.of(new PushDirectPaths.Path(PushDirectPaths.LAN, Endpoint.Udp.of(new InetSocketAddress("10.9.9.9", 1))))));
        c.run(() -> assertTrue(c.node.sendBytes(afp, push)));
        List<PushDirectPaths.Path> bad = new ArrayList<>();
        for (String ip : List.of("127.0.0.1", "224.0.0.1", "0.0.0.0", "::1", "ff02::1")) bad.add(new PushDirectPaths.Path(0, Endpoint.Udp.of(new InetSocketAddress(ip, 9993))));
        for (int i = 0; i < 10; i++) bad.add(new PushDirectPaths.Path(PushDirectPaths.LAN, Endpoint.Udp.of(new InetSocketAddress("10.7.7." + (i + 1), 9993))));
        byte[] hostile = Vl1Codec.encode(new PushDirectPaths(bad));
        b.run(() -> assertTrue(b.node.sendBytes(afp, hostile)));
        b.run(() -> assertTrue(b.node.sendBytes(afp, hostile))); // a second within 5 s
        n.run(500);
        assertTrue(a.node.count(NodeCounter.PUSH_REFUSED) >= 2, () -> a.node.counters().toString());
        assertEquals(5 + 2, a.node.count(NodeCounter.PUSH_ENDPOINT_IGNORED), "5 unusable + 2 over 8 per (IPv4, private)");
        List<InetSocketAddress> candidates = a.events(NodeEvent.PathCandidate.class).stream().map(NodeEvent.PathCandidate::endpoint).toList();
        assertFalse(candidates.contains(new InetSocketAddress("203.0.113.99", 4444)));
        assertFalse(candidates.contains(new InetSocketAddress("10.9.9.9", 1)));
        assertFalse(candidates.contains(new InetSocketAddress("127.0.0.1", 9993)));
        assertEquals(8, candidates.stream().filter(e -> e.getHostString().startsWith("10.7.7.")).count());
        // probes to the 8 unconfirmed pushed endpoints stay within §5.2's budget (4 each), then they give up
        n.run(Vl1Limits.T_CANDIDATE_GIVEUP + 1_000);
        assertTrue(a.node.paths(b.node.fingerprint()).stream().noneMatch(p -> p.endpoint() != null && p.endpoint().getHostString().startsWith("10.7.7.")));
        assertEquals(0, a.node.count(NodeCounter.INTERNAL_ERROR));
        assertNotEquals(0, a.node.count(NodeCounter.RENDEZVOUS_REFUSED));
    }

    @Test
    void endpointsChangingEveryPacketAreCappedAndNeverProbedBeyondTheBudget() {
        Net n = new Net(48, 20);
        SimNode a = n.member(Kind.NONE), b = n.member(Kind.NONE);
        n.trustAll();
        assertTrue(n.run(n::ready, 15_000));
        trafficBothWays(n, a, b, "first");
        assertTrue(n.run(() -> direct(a, b) && direct(b, a), 10_000));
        int[] port = {30_000};
        b.sourceRewrite = from -> from.equals(a.local) ? new InetSocketAddress(from.getAddress(), port[0]++) : from; // a new source per packet
        for (int i = 0; i < 200; i++) {
            a.userMessage(b.node.address(), "x" + i);
            n.run(100);
        }
        b.sourceRewrite = from -> from;
        assertTrue(n.run(() -> b.texts().contains("x199"), 5_000), "traffic still flows (ZSSP is not bound to addresses)");
        List<PathInfo> paths = b.node.paths(a.node.fingerprint());
        assertTrue(paths.size() <= Vl1Limits.MAX_PATHS_PER_PEER);
        assertTrue(paths.stream().filter(p -> p.state().equals("candidate")).count() <= PeerPaths.MAX_CANDIDATES, paths::toString);
        assertTrue(b.node.count(NodeCounter.PATH_CANDIDATE_REFUSED) > 0, () -> b.node.counters().toString());
        for (PathInfo p : paths) {
            if (p.preferred() && !p.relayed()) assertEquals(a.local, p.endpoint(), "unconfirmed endpoints never carry the session");
        }
        a.userMessage(b.node.address(), "real source again");
        assertTrue(n.run(() -> a.local.equals(preferred(b, a)), 20_000), "the real endpoint is preferred again once packets come from it");
        int worst = 0;
        for (var e : b.sentTo.entrySet()) if (e.getKey().getPort() >= 30_000) worst = Math.max(worst, e.getValue());
        assertTrue(worst > 0 && worst <= PeerPaths.LEARNED_PROBES.length + 1, "at most the 4 probes of §5.2 (and one OK(ECHO)) to an unconfirmed endpoint, got " + worst);
        assertEquals(0, b.node.count(NodeCounter.INTERNAL_ERROR));
    }
}

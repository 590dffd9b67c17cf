package dev.planetary.vl1;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Node.Direct;
import dev.planetary.vl1.Node.Path;
import dev.planetary.vl1.Node.Peer;
import dev.planetary.vl1.Node.Relayed;
import dev.planetary.vl1.engine.TokenBucket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A node's paths and NAT traversal (VL.md §5.1, §5.2, §5.5–§5.8): path learning and confirmation,
 * per-path heartbeats, the session's Remote following the preferred path (roaming without a new
 * session), rendezvous by consent at a member (requests, punching, back-off), NAT behaviour
 * discovery and PUSH_DIRECT_PATHS. Part of a {@link Node}, on its thread; the root half of §5.5 is
 * {@link RendezvousBroker}.
 */
final class Traversal {
    /** §5.5 punch schedule (ms after the RENDEZVOUS), give-up time and late probes. */
    static final long[] PUNCH_SCHEDULE = {0, 100, 300, 700, 1_500, 3_100};
    static final long PUNCH_GIVE_UP = 4_000;
    static final long[] LATE_PROBES = {10_000, 20_000};
    /** §5.5: at most one RENDEZVOUS per (root, peer) per 5 s, 10 per second in total. */
    static final long RENDEZVOUS_PER_PAIR_MS = 5_000;
    static final double RENDEZVOUS_PER_SECOND = 10;
    /** §5.5 back-off: min(30 s · 2^(k−1), 600 s). */
    static final long BACKOFF_BASE = 30_000, BACKOFF_MAX = 600_000;
    /** §5.7 receiver limits. */
    static final long PUSH_MIN_INTERVAL = 5_000;
    static final int PUSH_PER_FAMILY_AND_SCOPE = 8;
    /** §5.6: two roots disagreeing on the port within this window → endpoint-dependent mapping. */
    static final long SYMMETRIC_WINDOW = 60_000;
    /** §3.1: a punch is 4–8 random bytes. */
    static final int PUNCH_BYTES = 8;
    /** §5.1: a root that sent RELAY_DENIED for a peer is not chosen again as its relay root for 30 s. */
    static final long RELAY_DENIED_MEMORY = 30_000;
    private static final long NEVER = Long.MIN_VALUE / 2;

    /** Per-peer traversal state (member side). */
    static final class State {
        Address askedRoot;
        long askedAt = NEVER;
        long nextRequest;
        int failures;
        long backoffUntil = NEVER;
        private Map<Address, Long> accepted; // root → last RENDEZVOUS accepted (≤ 16 roots), created on first use
        private Map<Address, Long> relayDenied; // root → last RELAY_DENIED for this peer (≤ 16 roots), created on first use
        long punchT0 = NEVER;
        List<InetSocketAddress> punchEndpoints = List.of();
        int punchStep;
        boolean punchJudged;
        boolean punchFailed;
        int lateStep;
        long nextPush;
        long lastPushReceived = NEVER;

        Long accepted(Address root) {
            return accepted == null ? null : accepted.get(root);
        }

        void accepted(Address root, long at) {
            if (accepted == null) accepted = new HashMap<>(4);
            accepted.put(root, at);
        }

        Long relayDenied(Address root) {
            return relayDenied == null ? null : relayDenied.get(root);
        }

        void relayDenied(Address root, long at) {
            if (relayDenied == null) relayDenied = new HashMap<>(4);
            relayDenied.put(root, at);
        }

        void reset() {
            punchT0 = NEVER;
            punchEndpoints = List.of();
            askedRoot = null;
            askedAt = NEVER;
            nextRequest = 0;
            nextPush = 0;
        }
    }

    private record Observed(Endpoint.Udp endpoint, long at) {}

    private final Node node;
    private Predicate<Fingerprint> trusted = fp -> false;
    private Predicate<java.net.InetAddress> blacklisted = a -> false;
    private List<InetSocketAddress> localEndpoints = List.of();
    private boolean localEndpointsSet;
    private InetSocketAddress mappedEndpoint; // §5.9, pushed with flag bit1 (static / port-mapped)
    private final TokenBucket rendezvousBudget;
    private final Map<Address, Observed> observed = new LinkedHashMap<>(); // root → its last report (≤ 16 roots)
    private boolean symmetric;

    Traversal(Node node) {
        this.node = node;
        this.rendezvousBudget = new TokenBucket(RENDEZVOUS_PER_SECOND, RENDEZVOUS_PER_SECOND, node.now);
    }

    void trusted(Predicate<Fingerprint> p) {
        this.trusted = Objects.requireNonNull(p, "trusted");
    }

    void blacklist(Predicate<java.net.InetAddress> p) {
        this.blacklisted = Objects.requireNonNull(p, "blacklisted");
    }

    boolean isTrusted(Fingerprint fp) {
        return trusted.test(fp);
    }

    void localEndpoints(List<InetSocketAddress> eps) {
        List<InetSocketAddress> l = new ArrayList<>();
        for (InetSocketAddress e : eps) {
            Objects.requireNonNull(e, "local endpoint");
            if (e.isUnresolved()) throw new IllegalArgumentException("unresolved local endpoint " + e);
            if (!PeerPaths.unusable(e.getAddress(), e.getPort()) && !blacklisted.test(e.getAddress()) && !l.contains(e) && l.size() < PushDirectPaths.MAX_PATHS) l.add(e);
        }
        boolean changed = !l.equals(localEndpoints), first = !localEndpointsSet;
        localEndpoints = List.copyOf(l);
        localEndpointsSet = true;
        if (changed && !first) addressChanged(); // §5.8
        else if (changed) pushSoon();
    }

    void mappedEndpoint(InetSocketAddress e) {
        if (e != null && (e.isUnresolved() || PeerPaths.unusable(e.getAddress(), e.getPort()))) {
            throw new IllegalArgumentException("mapped endpoint " + e + " is not a usable unicast endpoint");
        }
        boolean changed = !Objects.equals(e, mappedEndpoint);
        mappedEndpoint = e;
        if (changed) pushSoon();
    }

    boolean symmetric() {
        return symmetric;
    }

    /** External endpoints the roots observed (one per reporting root, deduplicated). */
    List<Endpoint.Udp> externalEndpoints() {
        List<Endpoint.Udp> l = new ArrayList<>();
        for (Observed o : observed.values()) if (!l.contains(o.endpoint())) l.add(o.endpoint());
        return l;
    }

    // ---------------------------------------------------------------- sessions and receipts

    /** §3.5 (b)/(c): the handshake's path is confirmed; a relayed handshake fixes the relay root (§5.1). */
    void sessionStarted(Peer p, Path path) {
        p.paths.clear();
        p.resetTraversal();
        switch (path) {
            case Direct d -> p.paths.confirm(d, node.now);
            case Relayed r -> p.paths.relayRoot = r.root(); // the responder's: the root its handshake came through
        }
        p.path = path;
    }

    void sessionClosed(Peer p) {
        p.paths.clear();
        p.resetTraversal();
    }

    /** An authenticated, complete packet of {@code p}'s session came over {@code path} (§5.2 (a)). */
    void received(Peer p, Path path) {
        if (!(path instanceof Direct d)) return;
        if (p.paths.received(d, node.now)) return;
        learn(p, d, PeerPaths.LEARNED_PROBES, "packet");
    }

    /** §5.1: after a direct handshake, the root through which the peer's traffic first arrives. */
    void relayedFrom(Peer p, Address root) {
        if (p.paths.relayRoot == null) p.paths.relayRoot = root;
    }

    private void learn(Peer p, Direct d, long[] schedule, String source) {
        if (blacklisted.test(d.remote().getAddress())) { // §5.7: e.g. an address of our own overlay: never a path
            node.bump(NodeCounter.PATH_BLACKLISTED);
            return;
        }
        boolean refresh = source.equals("rendezvous");
        switch (p.paths.learn(d, node.now, schedule, refresh)) {
            case NEW -> {
                node.out.event(new NodeEvent.PathCandidate(p.fp, d.remote(), source));
                node.timers.schedule(p, node.now);
            }
            case KNOWN -> {
                if (refresh) node.timers.schedule(p, node.now);
            }
            case REFUSED -> node.bump(NodeCounter.PATH_CANDIDATE_REFUSED);
        }
    }

    /** An OK(ECHO) arrived over {@code from}: a probe answered from its endpoint confirms it (§5.2); RTT samples per path. */
    void echoAnswered(Peer p, Ok.EchoReply r, Path from, long rtt) {
        if (!(from instanceof Direct d)) return;
        boolean valid = rtt >= 0 && rtt < 60_000;
        if (p.paths.probeAnswered(r.inReRequestId(), d)) {
            PeerPaths.Entry e = p.paths.get(d);
            boolean fresh = e == null || !e.confirmed();
            p.paths.confirm(d, node.now);
            if (valid) p.paths.sample(d, rtt);
            if (fresh) node.out.event(new NodeEvent.PathConfirmed(p.fp, d.remote(), valid ? rtt : -1));
            if (p.traversal().punchT0 != NEVER) p.traversal().failures = 0;
            follow(p);
        } else if (valid) {
            p.paths.sample(d, rtt);
        }
        if (p.root != null && r.observed() instanceof Endpoint.Udp u) observed(p, u);
    }

    // ---------------------------------------------------------------- the peer's timer

    /** Path states, probes, heartbeats, the preferred path, rendezvous and pushes; returns the next deadline. */
    long tick(Peer p, long t) {
        List<Direct> due = new ArrayList<>();
        long next = p.paths.tick(t, due);
        for (Direct d : due) probe(p, d);
        if (!node.config.root()) next = Math.min(next, heartbeats(p, t));
        follow(p);
        if (!node.config.root() && p.root == null) {
            next = Math.min(next, rendezvous(p, t));
            next = Math.min(next, punch(p, t));
            next = Math.min(next, push(p, t));
        }
        return next;
    }

    /** §5.1: ECHO (heartbeat) on every confirmed direct path idle (or unheard) for T_HEARTBEAT; roots always, others while active. */
    private long heartbeats(Peer p, long t) {
        boolean allowed = p.root != null || t - p.lastActive < Vl1Limits.T_PEER_ACTIVE;
        if (!allowed) return Long.MAX_VALUE;
        long next = Long.MAX_VALUE;
        for (PeerPaths.Entry e : p.paths.entries()) {
            if (!e.confirmed()) continue;
            if (PeerPaths.heartbeatDue(t, e.lastSend, e.lastRecv, e.lastHeartbeat)) {
                int id = node.nextRequestId();
                byte[] b = Vl1Codec.encode(new Echo(id, Echo.HEARTBEAT, t));
                node.sendVia(p, e.path, b);
                e.lastSend = t;
                e.lastHeartbeat = t;
                if (e.path.equals(p.path)) p.unanswered++;
            }
            next = Math.min(next, PeerPaths.nextHeartbeat(e.lastSend, e.lastRecv, e.lastHeartbeat));
        }
        return next;
    }

    private void probe(Peer p, Direct d) {
        int id = node.nextRequestId();
        p.paths.probeSent(id, d);
        node.sendVia(p, d, Vl1Codec.encode(new Echo(id, Echo.PATH_PROBE, node.now)));
        p.paths.sent(d, node.now);
    }

    /**
     * The session's Remote follows the preferred path: the alive direct path, else the relay root,
     * else the best stale path (§5.1); the ZSSP session stays (§5.8).
     */
    void follow(Peer p) {
        if (p.session == null || !p.session.isEstablished()) return;
        Path target = p.paths.choosePreferred();
        if (target == null && p.root == null && !node.config.root()) {
            Address r = relayRoot(p);
            if (r != null) target = new Relayed(r, p.address);
        }
        if (target == null) target = p.paths.bestStale();
        if (target == null || target.equals(p.path)) return;
        p.path = target;
        EngineAccess.setRemote(p.session, node.new PathRemote(target));
        node.out.event(new NodeEvent.PathPreferred(p.fp, target instanceof Direct d ? d.remote() : null,
                target instanceof Relayed r ? r.root() : null));
    }

    /** §5.1 sticky relay root: kept while its session lives, else the lowest-latency live root. */
    Address relayRoot(Peer p) {
        Address r = p.paths.relayRoot;
        if (r != null) {
            Peer root = node.rootPeers.get(r);
            if (root != null && root.alive()) return r;
        }
        Address chosen = null;
        for (Peer root : node.liveRoots()) {
            Long denied = p.traversal().relayDenied(root.address);
            if (denied == null || node.now - denied >= RELAY_DENIED_MEMORY) {
                chosen = root.address;
                break;
            }
        }
        if (chosen == null) return r;
        if (!chosen.equals(r)) {
            p.paths.relayRoot = chosen;
            p.traversal().nextRequest = 0; // §5.1: a switch sends RENDEZVOUS_REQUEST to the new root at once
        }
        return chosen;
    }

    /** §5.1: RELAY_DENIED from the relay root for a peer moves that peer to another root (not one that denied it in 30 s). */
    void relayDenied(Peer root, ErrorMessage e) {
        if (root.root == null || !(e.detail() instanceof ErrorMessage.Detail.RelayDenied d)) return;
        Peer p = node.peerAt(d.destination());
        if (p == null) return;
        p.traversal().relayDenied(root.address, node.now);
        if (!root.address.equals(p.paths.relayRoot)) return;
        p.paths.relayRoot = null;
        Address next = relayRoot(p);
        if (next == null || next.equals(root.address)) {
            p.paths.relayRoot = root.address; // no other root: keep it
            return;
        }
        follow(p);
        node.timers.schedule(p, node.now);
    }

    // ---------------------------------------------------------------- §5.5 at the member

    private long rendezvous(Peer p, long t) {
        State s = p.traversal();
        if (p.paths.anyAlive() || !p.helloOk || !trusted.test(p.fp)) return Long.MAX_VALUE;
        if (t < s.backoffUntil) return s.backoffUntil;
        Address r = relayRoot(p);
        if (t < s.nextRequest) return s.nextRequest;
        Peer root = r == null ? null : node.rootPeers.get(r);
        if (root == null || !root.canSend() || !root.helloOk) return t + 1_000;
        node.sendMessage(root, new RendezvousRequest(p.address));
        s.askedRoot = r;
        s.askedAt = t;
        long jitter = (long) ((Math.floorMod(node.random().nextInt(), 2001) - 1000) * Vl1Limits.T_RENDEZVOUS_REPEAT / 10_000.0); // ± 10 %
        s.nextRequest = t + Vl1Limits.T_RENDEZVOUS_REPEAT + jitter;
        node.out.event(new NodeEvent.RendezvousRequested(p.fp, p.address, r));
        return s.nextRequest;
    }

    /** RENDEZVOUS from {@code from}: accepted only from a root, about a peer asked for there within 35 s. */
    void onRendezvous(Peer from, Rendezvous r) {
        long now = node.now;
        if (from.root == null) {
            node.bump(NodeCounter.RENDEZVOUS_REFUSED);
            return;
        }
        Peer p = node.peerAt(r.peer());
        State s = p == null ? null : p.traversal();
        if (s == null || !from.address.equals(s.askedRoot) || now - s.askedAt > Vl1Limits.T_RENDEZVOUS_WINDOW || !p.canSend()) {
            node.bump(NodeCounter.RENDEZVOUS_REFUSED); // unsolicited: never punch towards an endpoint nobody asked for
            return;
        }
        Long last = s.accepted(from.address);
        if (last != null && now - last < RENDEZVOUS_PER_PAIR_MS || !rendezvousBudget.take(now)) {
            node.bump(NodeCounter.RENDEZVOUS_LIMITED);
            return;
        }
        s.accepted(from.address, now);
        List<InetSocketAddress> eps = new ArrayList<>();
        for (Endpoint e : r.endpoints()) {
            if (e instanceof Endpoint.Udp u) {
                InetSocketAddress a = u.toSocketAddress();
                if (!PeerPaths.unroutable(a.getAddress(), a.getPort()) && !blacklisted.test(a.getAddress()) && !eps.contains(a)) eps.add(a);
            }
        }
        node.out.event(new NodeEvent.RendezvousReceived(p.fp, from.address, List.copyOf(eps), r.peerBehindSymmetricNat()));
        if (now < s.backoffUntil || eps.isEmpty()) return; // step 1
        if (symmetric && r.peerBehindSymmetricNat()) { // step 1: both symmetric → relay only
            node.bump(NodeCounter.RENDEZVOUS_SYMMETRIC);
            return;
        }
        s.punchT0 = now;
        s.punchEndpoints = List.copyOf(eps);
        s.punchStep = 0;
        s.punchJudged = false;
        s.punchFailed = false;
        s.lateStep = 0;
        node.timers.schedule(p, now);
    }

    /** §5.5 steps 2–4: the punch schedule, the 4 s verdict with back-off, the late probes. */
    private long punch(Peer p, long t) {
        State s = p.traversal();
        if (s.punchT0 == NEVER) return Long.MAX_VALUE;
        while (s.punchStep < PUNCH_SCHEDULE.length && t >= s.punchT0 + PUNCH_SCHEDULE[s.punchStep]) {
            if (!p.paths.anyAlive()) for (InetSocketAddress ep : s.punchEndpoints) punchAndProbe(p, ep);
            s.punchStep++;
        }
        if (!s.punchJudged && t >= s.punchT0 + PUNCH_GIVE_UP) {
            s.punchJudged = true;
            if (p.paths.anyAlive()) {
                s.failures = 0;
                s.punchT0 = NEVER;
                return Long.MAX_VALUE;
            }
            s.failures++;
            s.punchFailed = true;
            s.backoffUntil = t + Math.min(BACKOFF_BASE << Math.min(s.failures - 1, 5), BACKOFF_MAX);
            node.bump(NodeCounter.RENDEZVOUS_FAILED);
        }
        if (s.punchFailed) {
            while (s.lateStep < LATE_PROBES.length && t >= s.punchT0 + LATE_PROBES[s.lateStep]) {
                if (!p.paths.anyAlive() && p.path instanceof Relayed) {
                    for (InetSocketAddress ep : s.punchEndpoints) {
                        Direct d = new Direct(node.config.localSocket(), ep);
                        learn(p, d, PeerPaths.LEARNED_PROBES, "rendezvous"); // a fresh T_CANDIDATE_GIVEUP
                    }
                }
                s.lateStep++;
            }
            if (s.lateStep >= LATE_PROBES.length) {
                s.punchT0 = NEVER;
                return Long.MAX_VALUE;
            }
            return s.punchT0 + LATE_PROBES[s.lateStep];
        }
        if (s.punchStep < PUNCH_SCHEDULE.length) return s.punchT0 + PUNCH_SCHEDULE[s.punchStep];
        return s.punchT0 + PUNCH_GIVE_UP;
    }

    private void punchAndProbe(Peer p, InetSocketAddress ep) {
        byte[] junk = new byte[PUNCH_BYTES];
        node.random().nextBytes(junk);
        node.out.transmit(node.config.localSocket(), ep, junk);
        Direct d = new Direct(node.config.localSocket(), ep);
        learn(p, d, PeerPaths.NO_PROBES, "rendezvous");
        if (p.paths.get(d) != null) probe(p, d);
    }

    // ---------------------------------------------------------------- §5.6 NAT behaviour discovery

    /** A root reported the endpoint it sees for this node (OK(HELLO), OK(ECHO)). */
    void observed(Peer root, Endpoint e) {
        if (!(e instanceof Endpoint.Udp u) || root.root == null) return;
        long now = node.now;
        Observed before = observed.put(root.address, new Observed(u, now));
        boolean rebound = before != null && !before.endpoint().equals(u);
        if (rebound) observed.keySet().retainAll(java.util.Set.of(root.address)); // other roots' reports predate the rebinding
        boolean disagree = false, agree = false;
        for (Map.Entry<Address, Observed> o : observed.entrySet()) {
            Observed other = o.getValue();
            if (!o.getKey().equals(root.address) && now - other.at() <= SYMMETRIC_WINDOW && other.endpoint().isIpv4() == u.isIpv4()) {
                if (other.endpoint().port() != u.port()) disagree = true;
                else agree = true;
            }
        }
        boolean nowSymmetric = disagree || (symmetric && !agree); // cleared only when another root confirms the port
        if (nowSymmetric != symmetric) {
            symmetric = nowSymmetric; // tell the roots in a fresh HELLO (§3.7 role flag bit2)
            node.rehelloRoots();
        }
        if (rebound) rebound();
    }

    private void rebound() {
        node.bump(NodeCounter.REBIND_DETECTED);
        addressChanged();
    }

    /**
     * §5.8: the NAT rebound or the address changed: ECHO every root, push to trusted peers at once,
     * and ECHO-probe the known direct endpoints of active peers (their answers confirm the new path).
     */
    private void addressChanged() {
        for (Peer r : node.rootPeers.values()) {
            if (r.canSend() && r.helloOk) node.sendMessage(r, new Echo(node.nextRequestId(), Echo.HEARTBEAT, node.now));
        }
        for (Peer p : node.allPeers()) {
            if (p.root != null || !p.canSend() || node.now - p.lastActive >= Vl1Limits.T_PEER_ACTIVE) continue;
            for (Direct d : p.paths.directs()) probe(p, d);
        }
        pushSoon();
    }

    /** The consent policy now covers {@code p} (e.g. it presented a credential, §5.7): push and request rendezvous now, not at the next repeat. */
    void trustChanged(Peer p) {
        if (p.root != null || !trusted.test(p.fp)) return;
        p.traversal().nextPush = 0;
        node.timers.schedule(p, node.now);
    }

    private void pushSoon() {
        for (Peer p : node.allPeers()) {
            if (p.root == null) {
                p.traversal().nextPush = 0;
                node.timers.schedule(p, node.now);
            }
        }
    }

    // ---------------------------------------------------------------- §5.7 PUSH_DIRECT_PATHS

    private long push(Peer p, long t) {
        State s = p.traversal();
        if (!p.helloOk || !trusted.test(p.fp)) return Long.MAX_VALUE;
        if (t < s.nextPush) return s.nextPush;
        List<PushDirectPaths.Path> l = new ArrayList<>();
        if (mappedEndpoint != null) l.add(new PushDirectPaths.Path(PushDirectPaths.STATIC, Endpoint.Udp.of(mappedEndpoint)));
        for (InetSocketAddress e : localEndpoints) {
            if (l.size() < PushDirectPaths.MAX_PATHS) l.add(new PushDirectPaths.Path(PushDirectPaths.LAN, Endpoint.Udp.of(e)));
        }
        for (Endpoint.Udp e : externalEndpoints()) {
            if (l.size() < PushDirectPaths.MAX_PATHS) l.add(new PushDirectPaths.Path(PushDirectPaths.OBSERVED, e));
        }
        boolean active = t - p.lastActive < Vl1Limits.T_PEER_ACTIVE;
        s.nextPush = t + (active && !p.paths.anyAlive() ? Vl1Limits.T_PUSH_NOPATH : Vl1Limits.T_PUSH_HAVEPATH);
        if (!l.isEmpty()) node.sendMessage(p, new PushDirectPaths(l));
        return s.nextPush;
    }

    /** §5.7 receiver: trusted peers only, ≤ 1 per 5 s, ≤ 8 per (family, scope), no loopback/multicast/unspecified. */
    void onPush(Peer p, PushDirectPaths m) {
        long now = node.now;
        if (node.config.root() || p.root != null || !trusted.test(p.fp)) {
            node.bump(NodeCounter.PUSH_REFUSED);
            return;
        }
        State s = p.traversal();
        if (now - s.lastPushReceived < PUSH_MIN_INTERVAL) {
            node.bump(NodeCounter.PUSH_REFUSED);
            return;
        }
        s.lastPushReceived = now;
        Map<PeerPaths.Scope, int[]> v4 = new EnumMap<>(PeerPaths.Scope.class), v6 = new EnumMap<>(PeerPaths.Scope.class);
        for (PushDirectPaths.Path x : m.paths()) {
            if (!(x.endpoint() instanceof Endpoint.Udp u)) continue;
            InetSocketAddress a = u.toSocketAddress();
            if (PeerPaths.unusable(a.getAddress(), a.getPort())) {
                node.bump(NodeCounter.PUSH_ENDPOINT_IGNORED);
                continue;
            }
            int[] n = (u.isIpv4() ? v4 : v6).computeIfAbsent(PeerPaths.scope(a.getAddress()), k -> new int[1]);
            if (n[0]++ >= PUSH_PER_FAMILY_AND_SCOPE) {
                node.bump(NodeCounter.PUSH_ENDPOINT_IGNORED);
                continue;
            }
            learn(p, new Direct(node.config.localSocket(), a), PeerPaths.LEARNED_PROBES, "push");
        }
    }

    /** Bounded per-node tables for {@link Node#tableSizes}. */
    void sizes(Map<String, Integer> m) {
        m.put("observedEndpoints", observed.size());
    }
}

package dev.planetary.daemon;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.vl1.PathInfo;
import dev.planetary.vl1.RootInfo;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.PortDrop;
import dev.planetary.nic.TapName;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl2.node.DataPlane;
import dev.planetary.vl2.node.ForwardRules;
import dev.planetary.vl2.node.MemberPorts;
import dev.planetary.vl2.node.Multicaster;
import dev.planetary.vl2.node.MemberNetwork;
import dev.planetary.vl2.node.MemberNetworks;
import dev.planetary.vl2.node.NetworkStore;
import dev.planetary.vl2.node.PortForwarding;
import dev.planetary.vl2.node.Vl2Layer;
import dev.planetary.vl2.rules.Verdict;
import dev.planetary.zssp.RandomSource;
import java.net.InetAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The daemon's {@link Vl1Engine}: planetary-vl1's sans-IO {@link Node}, its events turned into
 * §16.2 event lines, and the views the API shows. The node does not list its peers, so this
 * adapter keeps them from the session events (bounded: the node's own peer table bounds how many
 * sessions come up) and the roots from the configuration; a root's paths are its configured
 * endpoints with the send and receive times this adapter sees.
 */
final class NodeEngine implements Vl1Engine, NodeOutput {
    /** Peers listed at most (a node's sessions are bounded by its own table; this bounds the view). */
    private static final int MAX_LISTED = 100_000;
    /** A root path is active while something was received on it within this time (§5.11 T_PATH_ALIVE, the engine's own rule). */
    private static final long PATH_ALIVE_MS = dev.planetary.vl1.Vl1Limits.T_PATH_ALIVE;

    private final Vl1Engine.Output out;
    private final Node node;
    /** The VL2 layer and the member engine (nodes only; null at a root, §6.3: roots carry no SEQEX). */
    private final Vl2Layer vl2;
    private final MemberNetworks member;
    /** The data plane (nodes with a NIC mode; null otherwise): one port per network in state OK (§9, §12). */
    private final MemberPorts ports;
    /** Counters of what the daemon attached to the VL2 layer (the controller's), read on the node's thread for the snapshot. */
    private volatile java.util.function.Supplier<Map<String, Long>> attachedCounters = Map::of;
    private volatile List<RootInfo> roots; // replaced when a pushed root set switches them (§4.2)
    private final java.util.function.Consumer<dev.planetary.identity.RootSets.Accepted> rootSetUpdated;
    private final Map<InetSocketAddress, long[]> rootPathTimes = new java.util.concurrent.ConcurrentHashMap<>(); // endpoint → {lastSend, lastReceive} (Unix ms)
    private final Map<Fingerprint, LeafPeer> leaves = new LinkedHashMap<>();
    private final long wallOffset; // Unix ms − driver ms
    private long whoisResolved, whoisFailed, messagesReceived;
    private boolean online;

    /** A peer seen in a session; {@code closedAt} (driver ms) once its last session closed, else -1. */
    private record LeafPeer(Address address, boolean relayed, long closedAt) {}

    /** How long a peer whose sessions closed stays listed (§5.11 T_PEER_ACTIVE). */
    private static final long CLOSED_LISTED_MS = 300_000;
    private long lastNow;
    /** Port forwarding (§12.8; nodes only, once the daemon attached its sockets) and when it wants {@link PortForwarding#service} again. */
    private PortForwarding forwarding;
    private ForwardRules forwardRules;
    private long forwardingDeadline = Long.MAX_VALUE;
    /** §5.8: the local interface addresses are re-read this often (a change ECHOes the roots and pushes). */
    static final long LOCAL_ENDPOINTS_INTERVAL_MS = 30_000;
    private final InetSocketAddress localSocket;
    private long nextLocalCheck = Long.MAX_VALUE;
    /** §5.2 (d): confirmed direct endpoints, saved at most this often and at close. */
    static final long REMEMBERED_SAVE_INTERVAL_MS = 60_000;
    private final RememberedPaths remembered;
    private long nextSave;

    /** Addresses learnt for fingerprints (sessions, WHOIS, messages): a session event may come before the binding (§2.6). */
    private final Map<Fingerprint, Address> addresses = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Fingerprint, Address> eldest) {
            return size() > MAX_LISTED;
        }
    };

    /** Addresses the application sent to or looked up: their bindings may come from a session, with no event (§3.2). */
    private final java.util.Set<Address> asked = java.util.Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Address, Boolean> eldest) {
            return size() > 1024;
        }
    });

    /** Fingerprints resolved under the one-root trust rule (§2.7), bounded like the leaves. */
    private final java.util.Set<Fingerprint> tofu = new java.util.HashSet<>();

    NodeEngine(EngineContext c, Vl1Engine.Output out, long nowMs) {
        this.out = out;
        this.wallOffset = System.currentTimeMillis() - nowMs;
        this.roots = RootInfo.of(c.roots());
        for (RootInfo r : roots) for (InetSocketAddress e : r.endpoints()) rootPathTimes.put(e, new long[2]);
        NodeConfig config = c.role() == EngineContext.Role.ROOT ? NodeConfig.root(c.localSocket()) : NodeConfig.member(c.localSocket(), roots);
        this.node = new Node(config, c.identity(), this, RandomSource.secure(), nowMs,
                new dev.planetary.identity.IdentityVerifier(config.identityCacheSize()), c.ratchets());
        this.rootSetUpdated = c.rootSetUpdated();
        if (c.role() == EngineContext.Role.NODE) {
            vl2 = new Vl2Layer(node);
            NetworkFiles files = c.home() == null ? null : new NetworkFiles(c.home());
            member = new MemberNetworks(vl2, files == null ? NetworkStore.NONE : files, RandomSource.secure(), "planetary/" + SOFTWARE_VERSION);
            member.onChange(n -> out.event("network.changed", fields("nwid", n.id().toString(), "status", n.status().name(),
                    "revision", n.config().map(x -> x.value().revision()).orElse(0L))));
            EngineContext.DataPlane dp = c.dataPlane();
            ports = dp == null ? null : new MemberPorts(vl2, member, dp.loop(), cfg -> dp.nic().open(cfg, TapName.of(cfg.nwid())),
                    PortConfig.RoutePolicy.DEFAULT);
            if (files != null) files.restoreInto(member);
        } else if (c.role() == EngineContext.Role.CONTROLLER) {
            vl2 = new Vl2Layer(node); // the daemon attaches the controller to it (ControllerService), channel 0 is its
            member = null;
            ports = null;
        } else {
            vl2 = null;
            member = null;
            ports = null;
        }
        useRootSets(c.rootSets());
        // §5.5/§5.7 consent: rendezvous.allow (fingerprints or "*"), plus everyone sharing a network
        java.util.Set<String> allow = new java.util.HashSet<>(c.rendezvousAllow());
        MemberNetworks networks = member;
        if (allow.contains("*")) node.trusted(fp -> true);
        else node.trusted(fp -> allow.contains(fp.toBase32()) || networks != null && networks.trusts(fp));
        if (networks != null) node.pathBlacklist(networks::overlayCovers); // §5.7: never a path through our own overlay
        this.localSocket = c.localSocket();
        remembered = c.role() == EngineContext.Role.ROOT || c.home() == null ? null : new RememberedPaths(c.home());
        if (remembered != null) remembered.load().forEach(node::rememberEndpoints);
        if (c.role() != EngineContext.Role.ROOT) {
            node.localEndpoints(LocalEndpoints.of(localSocket));
            nextLocalCheck = nowMs + LOCAL_ENDPOINTS_INTERVAL_MS;
        }
    }

    @Override
    public void useRootSets(List<dev.planetary.identity.RootSets.Accepted> sets) {
        if (node.isRoot()) {
            for (dev.planetary.identity.RootSets.Accepted a : sets) node.publishRootSet(a.valid().set());
            return;
        }
        if (sets.isEmpty()) return; // a node started with --rootset only in tests of the engine; keep the configured roots
        rootsChanged(node.useRootSets(sets));
    }

    private void rootsChanged(List<RootInfo> now) {
        roots = now;
        for (RootInfo r : now) for (InetSocketAddress ep : r.endpoints()) rootPathTimes.putIfAbsent(ep, new long[2]);
    }

    /** The software version the member reports to controllers (§7.3). */
    private static final String SOFTWARE_VERSION = "0.1.0";

    // ------------------------------------------------------------------ driver side

    @Override
    public void receive(byte[] datagram, InetSocketAddress local, InetSocketAddress from, long nowMs) {
        lastNow = nowMs;
        long[] t = rootPathTimes.get(from);
        if (t != null) t[1] = nowMs + wallOffset;
        node.receive(datagram, local, from, nowMs);
    }

    @Override
    public long service(long nowMs) {
        lastNow = nowMs;
        if (nowMs >= nextLocalCheck) {
            nextLocalCheck = nowMs + LOCAL_ENDPOINTS_INTERVAL_MS;
            node.localEndpoints(LocalEndpoints.of(localSocket)); // §5.8: a change is acted on by the node
        }
        if (remembered != null && nowMs >= nextSave) {
            nextSave = nowMs + REMEMBERED_SAVE_INTERVAL_MS;
            saveRemembered();
        }
        long t = Math.min(node.service(nowMs), nextLocalCheck);
        if (vl2 == null) return t;
        t = Math.min(t, vl2.service(nowMs));
        if (member != null) t = Math.min(t, member.service(nowMs));
        if (ports != null) t = Math.min(t, ports.service(nowMs));
        if (forwarding != null) t = Math.min(t, forwardingDeadline = forwarding.service(nowMs));
        return Math.min(t, nextDeadline());
    }

    @Override
    public void mappedEndpoint(InetSocketAddress endpoint) {
        if (!node.isRoot()) node.mappedEndpoint(endpoint);
    }

    private void saveRemembered() {
        try {
            remembered.saveIfChanged();
        } catch (IOException e) {
            out.event("warning", fields("message", "cannot save remembered paths: " + e.getMessage()));
        }
    }

    @Override
    public void close() {
        if (remembered != null) saveRemembered();
        if (ports != null) ports.close();
        node.close();
    }

    /** The VL2 layer (nodes and controllers; null at a root). */
    Vl2Layer vl2() {
        return vl2;
    }

    /** Adds the counters of what was attached to {@link #vl2()} to the snapshot (status, metrics), as {@code controller_<snake name>}. */
    void attachedCounters(java.util.function.Supplier<Map<String, Long>> counters) {
        attachedCounters = java.util.Objects.requireNonNull(counters, "counters");
    }

    @Override
    public CompletableFuture<Duration> pingVl2(String nwid, String ip, long timeoutMs, long nowMs) {
        if (member == null) return CompletableFuture.failedFuture(new IllegalArgumentException("this daemon does not join networks"));
        NetworkId id;
        InetAddress dst;
        try {
            id = NetworkId.parse(nwid);
            dst = ipLiteral(ip);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (member.network(id).isEmpty()) return CompletableFuture.failedFuture(new IllegalArgumentException("network " + id + " is not joined"));
        NetworkPort port = ports == null ? null : ports.port(id).orElse(null);
        if (port == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("network " + id + " has no NIC up (status "
                    + member.network(id).get().status() + (ports == null ? ", and this node runs without a data plane" : "") + ")"));
        }
        if (!(port.nic() instanceof UserspaceNic nic)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("network " + id + " is on a TAP device (" + TapName.of(id)
                    + "): use the system's ping; ping-vl2 needs a node started with --nic userspace"));
        }
        node.service(nowMs);
        return nic.ping(dst, Duration.ofMillis(timeoutMs));
    }

    /** An IP address literal only (never a name lookup): dotted IPv4, or IPv6 with ':'; else {@link IllegalArgumentException}. */
    static InetAddress ipLiteral(String ip) {
        if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !(ip.contains(":") && ip.matches("[0-9a-fA-F:.]{2,45}"))) {
            throw new IllegalArgumentException("not an IP address literal");
        }
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal");
        }
    }

    /**
     * Starts port forwarding (§12.8) with the daemon's sockets: {@code targetSide} connects for
     * peers' streams to the {@code exposed} ports ({@code forward.expose}). Nodes only, before the loop starts.
     */
    PortForwarding startForwarding(PortForwarding.Local targetSide, java.util.Set<Integer> exposed) {
        if (member == null) throw new IllegalStateException("only a node forwards ports");
        forwardRules = new ForwardRules(member);
        forwarding = new PortForwarding(vl2, PortForwarding.membership(member), forwardRules, targetSide, exposed);
        return forwarding;
    }

    /** A stream was opened: {@link PortForwarding#service} runs on the loop's next turn (it polls for the session and credential). */
    void wakeForwarding() {
        forwardingDeadline = 0;
    }

    /** Null when {@code target} on {@code network} can be forwarded to (joined, owned by a known member other than this node), else why not. */
    String forwardTargetProblem(NetworkId network, InetAddress target) {
        if (member == null || member.network(network).isEmpty()) return "network " + network + " is not joined";
        var owner = PortForwarding.membership(member).owner(network, target);
        if (owner.isEmpty()) {
            return "no known member of " + network + " owns " + target.getHostAddress() + " (its credential has not been seen yet: reach it once, e.g. ping-vl2, then retry)";
        }
        if (owner.get().fingerprint().equals(node.fingerprint())) return target.getHostAddress() + " is this node's own address";
        return null;
    }

    @Override
    public long nextDeadline() {
        long t = Math.min(node.nextDeadline(), nextLocalCheck);
        if (vl2 == null) return t;
        t = Math.min(t, ports == null ? Long.MAX_VALUE : ports.nextDeadline());
        return Math.min(Math.min(t, forwardingDeadline), Math.min(vl2.nextDeadline(), member == null ? Long.MAX_VALUE : member.nextDeadline()));
    }

    @Override
    public List<Map<String, Object>> networks(long nowMs) {
        List<Map<String, Object>> l = new ArrayList<>();
        if (member != null) for (MemberNetwork n : member.networks()) {
            l.add(NetworkView.of(n, node.address(), ports == null ? java.util.Set.of() : ports.multicaster().subscribed(n.id())));
        }
        return l;
    }

    @Override
    public String join(String nwid, String pin, String token, long nowMs) {
        if (member == null) return "a root or controller does not join networks";
        NetworkId id;
        Fingerprint fp = null;
        try {
            id = NetworkId.parse(nwid);
        } catch (IllegalArgumentException e) {
            return "not a network id (16 hex digits)";
        }
        if (pin != null) {
            fp = Fingerprint.parse(pin).orElse(null);
            if (fp == null) return "not a fingerprint";
        }
        node.service(nowMs);
        try {
            member.join(id, fp, token);
        } catch (IllegalArgumentException | IllegalStateException e) {
            return e.getMessage();
        }
        member.service(nowMs);
        return null;
    }

    @Override
    public boolean leave(String nwid, long nowMs) {
        if (member == null) return false;
        try {
            return member.leave(NetworkId.parse(nwid));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String sendUserMessage(String address, long typeId, byte[] payload, long nowMs) {
        Address a = Address.parse(address).orElse(null);
        if (a == null) return "not a VL address";
        if (a.equals(node.address())) return "that is this node's own address";
        node.service(nowMs); // bring the node's clock up before it queues
        asked.add(a);
        return node.sendUserMessage(a, typeId, payload) ? null : "message discarded (failed lookup cached, or a table is full)";
    }

    @Override
    public String lookup(String address, long nowMs) {
        Address a = Address.parse(address).orElse(null);
        if (a == null) return "not a VL address";
        if (node.isRoot()) return "a root does not look identities up";
        node.service(nowMs);
        asked.add(a);
        node.lookup(a);
        return null;
    }

    // ------------------------------------------------------------------ NodeOutput (called from inside the node)

    @Override
    public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
        long[] t = rootPathTimes.get(to);
        if (t != null) t[0] = System.currentTimeMillis();
        out.transmit(to, datagram);
    }

    @Override
    public void event(NodeEvent e) {
        switch (e) {
            case NodeEvent.Online o -> {
                online = true;
                out.event("online", Map.of("roots", roots.size()));
            }
            case NodeEvent.Offline o -> {
                online = false;
                out.event("offline", Map.of());
            }
            case NodeEvent.SessionUp s -> {
                boolean root = isRoot(s.peer());
                Address address = learn(s.peer(), s.address());
                if (!root && (leaves.containsKey(s.peer()) || leaves.size() < MAX_LISTED)) leaves.put(s.peer(), new LeafPeer(address, s.relayed(), -1));
                out.event("session.new", fields("address", text(address), "fingerprint", s.peer().toBase32(), "role", root ? "PLANET" : "LEAF",
                        "relayed", s.relayed()));
            }
            case NodeEvent.SessionDown s -> {
                // a replaced session (§3.2) may close after its successor came up: the peer stays while one is live,
                // and is listed as closed for a while after the last one
                LeafPeer l = leaves.get(s.peer());
                if (l != null && !node.hasSession(s.peer())) leaves.put(s.peer(), new LeafPeer(l.address(), l.relayed(), lastNow));
                out.event("session.closed", fields("address", text(addresses.get(s.peer())), "fingerprint", s.peer().toBase32(),
                        "reason", s.reason()));
            }
            case NodeEvent.UserMessageReceived m -> {
                messagesReceived++;
                Address from = learn(m.from(), m.address());
                Map<String, Object> f = fields("from", text(from), "fingerprint", m.from().toBase32(), "type", m.typeId(),
                        "bytes", m.payload().length, "base64", Base64.getEncoder().encodeToString(m.payload()));
                String utf8 = utf8(m.payload());
                if (utf8 != null) f.put("text", utf8); // JSON-escaped on output; EventSink escapes control characters for humans
                out.event("message.received", f);
            }
            case NodeEvent.IdentityResolved r -> {
                whoisResolved++;
                learn(r.fingerprint(), r.address());
                if (r.tofu() && tofu.size() < MAX_LISTED) tofu.add(r.fingerprint());
                out.event("whois.resolved", fields("address", text(r.address()), "fingerprint", r.fingerprint().toBase32(), "tofu", r.tofu()));
            }
            case NodeEvent.LookupFailed f -> {
                whoisFailed++;
                out.event("whois.failed", fields("address", text(f.address()), "reason", f.reason()));
            }
            case NodeEvent.IdentityConflict c -> {
                List<String> fps = new ArrayList<>();
                c.fingerprints().forEach(fp -> fps.add(fp.toBase32()));
                out.event("identity.conflict", fields("address", text(c.address()), "fingerprints", fps));
            }
            case NodeEvent.MessagesDropped d -> out.event("message.dropped", fields("address", text(d.destination()), "count", d.count(), "reason", d.reason()));
            case NodeEvent.IdentityCollision c -> out.event("identity.collision", fields("root", c.root().toBase32()));
            case NodeEvent.PathCandidate p -> out.event("path.candidate", fields("address", text(addresses.get(p.peer())), "fingerprint", p.peer().toBase32(),
                    "path", endpointText(p.endpoint()), "source", p.source()));
            case NodeEvent.PathConfirmed p when remembered != null && p.endpoint() != null && !isRoot(p.peer()) -> {
                remembered.add(p.peer(), p.endpoint()); // §5.2 (d)
                node.rememberEndpoints(p.peer(), remembered.get(p.peer()));
                pathConfirmed(p);
            }
            case NodeEvent.PathConfirmed p -> pathConfirmed(p);
            case NodeEvent.PathPreferred p -> out.event("path.preferred", fields("address", text(addresses.get(p.peer())), "fingerprint", p.peer().toBase32(),
                    "path", p.endpoint() == null ? null : endpointText(p.endpoint()), "kind", p.endpoint() == null ? "relayed" : "direct",
                    "relayedVia", text(p.relayRoot())));
            case NodeEvent.RendezvousRequested r -> out.event("rendezvous.requested", fields("address", text(r.peerAddress()),
                    "fingerprint", r.peer().toBase32(), "root", text(r.root())));
            case NodeEvent.RendezvousSent r -> out.event("rendezvous.sent", fields("a", text(r.a()), "b", text(r.b())));
            case NodeEvent.RendezvousReceived r -> {
                List<String> eps = new ArrayList<>();
                r.endpoints().forEach(ep -> eps.add(endpointText(ep)));
                out.event("rendezvous.received", fields("address", text(addresses.get(r.peer())), "fingerprint", r.peer().toBase32(),
                        "root", text(r.root()), "endpoints", eps, "peerSymmetric", r.peerSymmetric()));
            }
            case NodeEvent.RootSetUpdated u -> {
                rootsChanged(u.roots());
                rootSetUpdated.accept(u.set());
                out.event("rootset.updated", fields("name", u.name(), "revision", u.revision(), "from", text(u.fromRoot()), "roots", roots.size()));
            }
        }
    }

    // ------------------------------------------------------------------ views

    @Override
    public Snapshot snapshot(long nowMs) {
        for (Address a : asked) node.cachedFingerprint(a).ifPresent(fp -> learn(fp, a));
        List<PeerView> peers = new ArrayList<>();
        long wallNow = nowMs + wallOffset;
        String relayRoot = null;
        for (RootInfo r : roots) {
            boolean up = node.hasSession(r.identity().fingerprint());
            if (up && relayRoot == null) relayRoot = r.address().toString();
            List<PathView> paths = pathViews(r.identity().fingerprint());
            if (paths.isEmpty()) { // no session yet: the configured endpoints
                for (InetSocketAddress e : r.endpoints()) {
                    long[] t = rootPathTimes.get(e);
                    boolean active = t[1] > 0 && wallNow - t[1] <= PATH_ALIVE_MS;
                    paths.add(new PathView(endpointText(e), "direct", t[1] > 0 ? "stale" : "candidate", -1, t[0], t[1], active, t[1] > 0 && !active, false));
                }
            }
            peers.add(new PeerView(r.address().toString(), r.identity().fingerprint().toBase32(), "PLANET", latency(paths), paths, null,
                    up ? "established" : "connecting", false, null));
        }
        for (java.util.Iterator<Map.Entry<Fingerprint, LeafPeer>> it = leaves.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Fingerprint, LeafPeer> e = it.next();
            LeafPeer l = e.getValue();
            boolean up = node.hasSession(e.getKey());
            if (!up && l.closedAt() >= 0 && nowMs - l.closedAt() > CLOSED_LISTED_MS) {
                it.remove();
                tofu.remove(e.getKey());
                continue;
            }
            boolean relayed = up ? node.relayed(e.getKey()) : l.relayed();
            List<PathView> paths = pathViews(e.getKey());
            String via = null;
            for (PathView x : paths) if (x.preferred() && x.kind().equals("relayed")) via = x.address();
            if (relayed && via == null) via = relayRoot;
            Address address = l.address() != null ? l.address() : addresses.get(e.getKey());
            peers.add(new PeerView(text(address), e.getKey().toBase32(), "LEAF", latency(paths), paths, relayed ? via : null,
                    up ? "established" : "closed", tofu.contains(e.getKey()), null));
        }
        Map<String, Long> counters = new HashMap<>();
        for (Map.Entry<NodeCounter, Long> c : node.counters().entrySet()) counters.put(c.getKey().name().toLowerCase(Locale.ROOT), c.getValue());
        counters.put("whois_resolved", whoisResolved);
        counters.put("whois_failed", whoisFailed);
        counters.put("messages_received", messagesReceived);
        counters.put("zssp_internal_errors", node.zsspInternalErrors());
        if (vl2 != null) {
            vl2.seqex().counters().forEach((k, v) -> counters.put(snake(k), v));
            if (member != null) member.counters().forEach((k, v) -> counters.put("vl2_" + snake(k), v));
            if (forwarding != null) {
                forwarding.counters().forEach((k, v) -> counters.put("vl2_" + snake(k), v));
                counters.put("vl2_forward_rules_denied", forwardRules.denied()); // either side's OPENs the rules refused (§12.8)
            }
            attachedCounters.get().forEach((k, v) -> counters.put("controller_" + snake(k.replace('/', '_')), v));
        }
        if (ports != null) {
            long sent = 0, delivered = 0, emulated = 0;
            for (NetworkPort p : ports.plane().ports()) {
                sent += p.sent();
                delivered += p.delivered();
                emulated += p.emulated();
                for (PortDrop d : PortDrop.values()) counters.merge("vl2_frame_drop_" + d.name().toLowerCase(Locale.ROOT), p.drops(d), Long::sum);
                ports.rules(p.nwid()).ifPresent(r -> {
                    for (Verdict v : Verdict.values()) {
                        counters.merge("vl2_rules_outbound_" + v.name().toLowerCase(Locale.ROOT), r.decisions(false, v), Long::sum);
                        counters.merge("vl2_rules_inbound_" + v.name().toLowerCase(Locale.ROOT), r.decisions(true, v), Long::sum);
                    }
                });
            }
            for (DataPlane.Drop d : DataPlane.Drop.values()) counters.put("vl2_message_drop_" + d.name().toLowerCase(Locale.ROOT), ports.plane().drops(d));
            counters.put("vl2_frames_sent", sent);
            counters.put("vl2_frames_delivered", delivered);
            counters.put("vl2_ndp_emulated", emulated);
            counters.put("vl2_nic_failures", ports.nicFailures());
            counters.put("vl2_frame_drop_no_credential", ports.framesWithoutCredential());
            Multicaster mc = ports.multicaster();
            for (Multicaster.Drop d : Multicaster.Drop.values()) counters.put("vl2_multicast_drop_" + d.name().toLowerCase(Locale.ROOT), mc.drops(d));
            mc.counters().forEach((k, v) -> counters.put("vl2_multicast_" + snake(k), v));
        }
        List<String> external = new ArrayList<>();
        for (InetSocketAddress x : node.externalEndpoints()) external.add(endpointText(x));
        return new Snapshot(online, peers, counters, external, node.tableSizes());
    }

    /** The engine's paths of {@code peer} (§5.1) in the API's form: ZeroTier One's fields, Unix ms. */
    private List<PathView> pathViews(Fingerprint peer) {
        List<PathView> l = new ArrayList<>();
        for (PathInfo p : node.paths(peer)) {
            boolean alive = p.state().equals("alive");
            l.add(new PathView(p.relayed() ? text(p.relayRoot()) : endpointText(p.endpoint()), p.relayed() ? "relayed" : "direct", p.state(),
                    p.latencyMs(), wall(p.lastSend()), wall(p.lastReceive()), alive, p.state().equals("stale"), p.preferred()));
        }
        l.sort(java.util.Comparator.comparing((PathView v) -> !v.preferred())); // the path in use first
        return l;
    }

    private long wall(long driverMs) {
        return driverMs < 0 ? 0 : driverMs + wallOffset;
    }

    private static long latency(List<PathView> paths) {
        for (PathView p : paths) if (p.preferred()) return p.latencyMs();
        return -1;
    }

    /** Remembers {@code address} for {@code fp} if given; returns the best address known (may be null). */
    private Address learn(Fingerprint fp, Address address) {
        if (address != null) {
            addresses.put(fp, address);
            return address;
        }
        return addresses.get(fp);
    }

    private void pathConfirmed(NodeEvent.PathConfirmed p) {
        out.event("path.confirmed", fields("address", text(addresses.get(p.peer())), "fingerprint", p.peer().toBase32(),
                "path", endpointText(p.endpoint()), "latency", p.latencyMs()));
    }

    private boolean isRoot(Fingerprint fp) {
        for (RootInfo r : roots) if (r.identity().fingerprint().equals(fp)) return true;
        return false;
    }

    /** {@code seqexGivenUp} → {@code seqex_given_up}, {@code refusedConfig.WRONG_ISSUER} → {@code refused_config_wrong_issuer}. */
    static String snake(String name) {
        return name.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toLowerCase(Locale.ROOT);
    }

    private static String text(Address a) {
        return a == null ? null : a.toString();
    }

    /** ZeroTier's path text {@code ip/port}, IPv6 in RFC 5952 form without brackets ({@code ::1/9993}). */
    static String endpointText(InetSocketAddress e) {
        return dev.planetary.vl1.Endpoint.Udp.of(e).toString().replace("[", "").replace("]", "");
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    private static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

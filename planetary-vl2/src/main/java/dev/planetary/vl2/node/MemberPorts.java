package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.BridgeTable;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.VirtualNic;
import dev.planetary.vl1.Decoded;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.ExtFrame;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Vl2Limits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The member table driving the data plane (VL.md §7.2, §8.3, §9, §12): a network with an accepted
 * config and own credential (state OK, or CLIENT_TOO_OLD with the old config in force) gets a
 * {@link NetworkPort} on a NIC configured from them; a new config or credential reconfigures it;
 * leaving, or losing the config (ACCESS_DENIED, NOT_FOUND), closes it; a NIC that cannot be created
 * makes the network PORT_ERROR until the next change. Inbound frames pass the member table's gate
 * (refusals answered NEED_MEMBERSHIP_CERTIFICATE by it); the own credential is presented to a peer
 * before the first frame for the network on a session, and again when the peer asks with
 * NEED_MEMBERSHIP_CERTIFICATE (≤ 1/s per peer) — a frame that overtook the presentation is lost (§8.3). Multicast,
 * broadcast and ARP go through the node's {@link Multicaster} (§10).
 *
 * <p>Runs on the node's thread; NIC reader threads hand their frames to {@code nodeThread}.
 */
public final class MemberPorts implements DataPlane.Gate, Vl2Layer.SessionListener, AutoCloseable {
    /** Makes the configured NIC of one network (e.g. {@code nicMode.open(config, tapName)}); throws when it cannot. */
    @FunctionalInterface
    public interface NicFactory {
        VirtualNic open(PortConfig config);
    }

    /** Peers remembered as holding the own credential on their current session. */
    static final int MAX_PRESENTED = 4096;
    /** §8.3: the credential again in answer to NEED_MEMBERSHIP_CERTIFICATE at most once per second per peer. */
    static final long REPRESENT_INTERVAL_MS = 1000;

    private final Node node;
    private final MemberNetworks networks;
    private final NicFactory nics;
    private final Executor nodeThread;
    private final PortConfig.RoutePolicy policy;
    private final DataPlane plane;
    private final Multicaster multicaster;
    private final Map<NetworkId, PortConfig> applied = new HashMap<>();
    private final Map<NetworkId, PortRules> rules = new ConcurrentHashMap<>(); // read by NIC threads
    private final Map<Address, Set<NetworkId>> presented = Lru.map(MAX_PRESENTED); // node thread only
    private final Map<Address, Long> asked = Lru.map(MAX_PRESENTED); // last re-presentation (node ms)
    private final CredentialWait<byte[]> awaiting = new CredentialWait<>(); // FRAME / EXT_FRAME that overtook a credential (§8.3)
    private long awaitDeadline = Long.MAX_VALUE;
    private long nextJoinedPoll; // §12.5: when the NICs' joined multicast groups are read next
    private final Map<NetworkId, Set<Long>> bridges = new ConcurrentHashMap<>(); // §9.6: by credential, read by NIC threads
    private final Map<NetworkId, List<Long>> listedBridges = new ConcurrentHashMap<>(); // §9.6: the config's specialists, read by NIC threads
    private long nicFailures;
    private long sendFailures;

    /**
     * Attaches to {@code layer} (FRAME / EXT_FRAME handlers, session events) and to {@code networks}'
     * changes, and brings up the networks already joined.
     */
    public MemberPorts(Vl2Layer layer, MemberNetworks networks, Executor nodeThread, NicFactory nics, PortConfig.RoutePolicy policy) {
        this(layer, networks, nodeThread, nics, policy, new java.security.SecureRandom());
    }

    /** As above, the multicaster's random choices (§10.4: which recipients) from {@code multicastRandom}: a seeded one in simulations. */
    public MemberPorts(Vl2Layer layer, MemberNetworks networks, Executor nodeThread, NicFactory nics, PortConfig.RoutePolicy policy,
            java.util.random.RandomGenerator multicastRandom) {
        this.node = layer.node();
        this.networks = networks;
        this.nics = nics;
        this.policy = policy;
        this.plane = new DataPlane((nwid, to, message) -> nodeThread.execute(() -> send(nwid, to, message)), this);
        this.nodeThread = nodeThread;
        this.multicaster = new Multicaster(node.address(), new MulticastEnv(), Multicaster.OutboundRules.ACCEPT_ALL,
                java.util.Objects.requireNonNull(multicastRandom, "multicastRandom"));
        layer.handle(Verb.FRAME, this::received);
        layer.handle(Verb.EXT_FRAME, this::received);
        for (int verb : new int[] {Verb.MULTICAST_LIKE, Verb.MULTICAST_GATHER, Verb.MULTICAST_FRAME}) {
            layer.handle(verb, (fp, address, message) -> multicaster.received(fp, address, message, node.now()));
        }
        layer.addSessionListener(this);
        networks.onChange(this::changed);
        networks.onPeerAccepted((n, fp) -> node.boundAddress(fp).ifPresent(a -> accepted(n.id(), fp, a)));
        for (MemberNetwork n : List.copyOf(networks.networks())) {
            changed(n);
        }
    }

    public DataPlane plane() {
        return plane;
    }

    /** The multicast engine (§10): LIKE, GATHER, MULTICAST_FRAME, ARP emulation. */
    public Multicaster multicaster() {
        return multicaster;
    }

    /** Runs the multicast timers (§10.2 LIKE announcements, expiry, held frames) and the credential wait; returns the next deadline. */
    public long service(long now) {
        awaitDeadline = awaiting.expire(now);
        if (now >= nextJoinedPoll) {
            nextJoinedPoll = now + Vl2Limits.JOINED_GROUPS_POLL_MS;
            for (NetworkPort p : plane.ports()) multicaster.joined(p.nwid(), p.nic().joinedGroups(), now);
        }
        return Math.min(Math.min(awaitDeadline, nextJoinedPoll), multicaster.service(now));
    }

    public long nextDeadline() {
        return Math.min(awaitDeadline, multicaster.nextDeadline());
    }

    /** Frames dropped because their sender's credential did not come within {@link CredentialWait#WAIT_MS} (§8.3). */
    public long framesWithoutCredential() {
        return awaiting.dropped();
    }

    /** {@code peer}'s credential for {@code nwid} was accepted: the frames that overtook it go on, and it gets the own LIKEs (§10.2). */
    private void accepted(NetworkId nwid, Fingerprint peer, Address address) {
        for (CredentialWait.Kept<byte[]> k : awaiting.release(address.value())) {
            plane.received(k.peer(), address, k.message());
        }
        Set<Long> ipv4 = new java.util.HashSet<>();
        networks.network(nwid).flatMap(n -> n.peerCredential(peer)).ifPresent(mc -> {
            for (var a : mc.value().addresses()) {
                if (a.ip().address() instanceof java.net.Inet4Address v4) ipv4.add(java.nio.ByteBuffer.wrap(v4.getAddress()).getInt() & 0xffff_ffffL);
            }
        });
        multicaster.peerAccepted(nwid, address, ipv4, node.now());
    }

    /** The port of {@code nwid}, once the network is up. */
    public Optional<NetworkPort> port(NetworkId nwid) {
        return plane.port(nwid);
    }

    /** NICs that could not be created or configured (PORT_ERROR). */
    public long nicFailures() {
        return nicFailures;
    }

    /** Frames the node refused to send (e.g. to its own address). */
    public long sendFailures() {
        return sendFailures;
    }

    private void changed(MemberNetwork n) {
        NetworkId id = n.id();
        Optional<Signed<NetworkConfig>> config = n.config();
        Optional<Signed<MemberCredential>> own = n.ownCredential();
        MemberNetwork.Status s = n.status();
        boolean up = networks.network(id).isPresent() && config.isPresent() && own.isPresent()
                && (s == MemberNetwork.Status.OK || s == MemberNetwork.Status.PORT_ERROR || s == MemberNetwork.Status.CLIENT_TOO_OLD);
        if (!up) {
            down(id);
            return;
        }
        PortConfig pc = DataPlane.portConfig(config.get().value(), own.get().value(), node.address(), policy);
        listedBridges.put(id, config.get().value().specialists().stream().filter(dev.planetary.vl2.Specialist::isBridge)
                .map(b -> b.address().value()).filter(a -> a != node.address().value()).toList()); // §7.4 0x0e bit0
        forget(id); // a new config or credential is presented again (§8.3)
        PortRules r = rules.get(id);
        if (r == null) {
            rules.put(id, r = new PortRules(config.get().value(), own.get().value()));
        } else {
            r.update(config.get().value(), own.get().value()); // new rules or own tags: the next frame sees them (§11.6)
        }
        multicaster.replicatorsChanged(id, node.now()); // a newly designated replicator is LIKEd at once (§10.7)
        if (pc.equals(applied.get(id)) && plane.port(id).isPresent()) {
            return;
        }
        plane.close(id); // the old device first: a TAP's name is taken until it is closed
        applied.remove(id);
        try {
            VirtualNic nic = nics.open(pc);
            plane.open(pc, nic, (dst, src, ethertype, payload) -> {
                byte[] copy = new byte[payload.remaining()];
                payload.duplicate().get(copy);
                nodeThread.execute(() -> multicaster.outbound(id, dst, src, ethertype, copy, node.now()));
            }, r).bridging(() -> bridges(id));
            multicaster.configure(pc, node.now());
            applied.put(id, pc);
            n.portError(false);
        } catch (RuntimeException e) {
            down(id);
            nicFailures++;
            n.portError(true); // §7.2 PORT_ERROR
        }
    }

    private void down(NetworkId id) {
        plane.close(id);
        multicaster.remove(id);
        rules.remove(id);
        applied.remove(id);
        bridges.remove(id);
        listedBridges.remove(id);
        forget(id);
    }

    private void forget(NetworkId id) {
        for (Set<NetworkId> s : presented.values()) {
            s.remove(id);
        }
    }

    /** FRAME / EXT_FRAME to the data plane; an ERROR in re one asking for the credential is answered (§8.3). */
    private void received(Fingerprint peer, Address address, byte[] message) {
        if (address != null && waitsForCredential(peer, address, message)) {
            return;
        }
        if (plane.received(peer, address, message) || address == null) {
            return;
        }
        if (Vl1Codec.decode(message) instanceof Decoded.Message(ErrorMessage e) && e.code() == ErrorMessage.NEED_MEMBERSHIP_CERTIFICATE
                && e.detail() instanceof ErrorMessage.Detail.NetworkId(long nwid)) {
            NetworkId id = new NetworkId(nwid);
            long now = node.now();
            Long last = asked.get(address);
            if (last != null && now - last < REPRESENT_INTERVAL_MS) {
                return;
            }
            asked.put(address, now);
            if (networks.present(peer, id)) {
                presented.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(id);
            }
        }
    }

    /** What the multicast engine needs of the node (node thread). */
    private final class MulticastEnv implements Multicaster.Env {
        @Override
        public List<Long> bridges(NetworkId nwid) {
            return MemberPorts.this.bridges(nwid);
        }

        @Override
        public void send(NetworkId nwid, Address to, byte[] message) {
            if (to.value() == nwid.controllerAddress()) {
                try {
                    node.sendUpper(to, message); // the controller needs no presentation
                } catch (RuntimeException e) {
                    sendFailures++;
                }
            } else {
                MemberPorts.this.send(nwid, to, message);
            }
        }

        @Override
        public boolean allowed(NetworkId nwid, Fingerprint fp, Address address) {
            if (address.value() == nwid.controllerAddress()) {
                return networks.network(nwid).map(n -> n.controller().map(fp::equals).orElse(false)).orElse(false);
            }
            return peer(nwid, fp, address).allowed();
        }

        @Override
        public List<Address> peers(NetworkId nwid) {
            MemberNetwork n = networks.network(nwid).orElse(null);
            if (n == null) return List.of();
            List<Ranked> out = new ArrayList<>();
            for (Fingerprint fp : List.copyOf(n.peerCredentials.keySet())) {
                if (node.hasSession(fp) && n.allowed(fp)) node.boundAddress(fp).ifPresent(a -> out.add(new Ranked(a, latency(fp))));
            }
            return fastestFirst(out); // §10.3: the lowest-latency N-peers are asked
        }

        private record Ranked(Address address, long latency) {}

        private static List<Address> fastestFirst(List<Ranked> ranked) {
            ranked.sort(java.util.Comparator.comparingLong(Ranked::latency));
            return ranked.stream().map(Ranked::address).toList();
        }

        /** The ECHO round trip of the path the session sends on (§3.8), unmeasured last. */
        private long latency(Fingerprint fp) {
            for (dev.planetary.vl1.PathInfo p : node.paths(fp)) {
                if (p.preferred() && p.latencyMs() >= 0) return p.latencyMs();
            }
            return Long.MAX_VALUE;
        }

        @Override
        public void deliver(NetworkId nwid, Fingerprint fp, Address from, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
            NetworkPort.Peer sender = node.boundAddress(fp).filter(from::equals).isPresent() ? peer(nwid, fp, from) : origin(nwid, from);
            plane.port(nwid).ifPresent(p -> p.inboundExtFrame(sender, 0, dst, src, ethertype, payload));
        }

        /** §10.4 "Receiving": a replicated frame's origin; its MC (from the replicator) feeds the rules, else tags take defaults. */
        private NetworkPort.Peer origin(NetworkId nwid, Address origin) {
            MemberNetwork n = networks.network(nwid).orElse(null);
            Optional<MemberCredential> mc = n == null ? Optional.empty()
                    : n.credentialOf(origin).filter(c -> n.allowed(c.value().issuedTo())).map(Signed::value);
            PortRules r = rules.get(nwid);
            return DataPlane.peer(origin, true, mc, r == null || mc.isEmpty() ? null : r.subject(mc.get()));
        }

        @Override
        public List<Address> replicators(NetworkId nwid) {
            MemberNetwork n = networks.network(nwid).orElse(null);
            if (n == null || n.config().isEmpty()) return List.of();
            List<Ranked> out = new ArrayList<>();
            for (dev.planetary.vl2.Specialist s : n.config().get().value().specialists()) {
                if (!s.isReplicator() || s.address().equals(node.address())) continue;
                boolean alive = node.hasSession(s.fingerprint()) && n.replicator(s.fingerprint());
                out.add(new Ranked(s.address(), alive ? latency(s.fingerprint()) : Long.MAX_VALUE));
            }
            return fastestFirst(out); // §10.7: the lowest-latency alive replicator first
        }

        @Override
        public boolean reachable(NetworkId nwid, Address replicator) {
            MemberNetwork n = networks.network(nwid).orElse(null);
            if (n == null) return false;
            Optional<Fingerprint> fp = n.credentialOf(replicator).map(mc -> mc.value().issuedTo());
            return fp.isPresent() && node.hasSession(fp.get()) && n.replicator(fp.get());
        }

        @Override
        public boolean replicating(NetworkId nwid) {
            return networks.network(nwid).map(MemberNetwork::replicating).orElse(false);
        }

        @Override
        public boolean isReplicator(NetworkId nwid, Fingerprint fp, Address address) {
            return networks.network(nwid).filter(n -> credential(n, fp, address).isPresent()).map(n -> n.replicator(fp)).orElse(false);
        }

        @Override
        public boolean permitsAs(NetworkId nwid, Address origin, MacAddress dst, MacAddress src, int ethertype, byte[] payload) {
            PortRules r = rules.get(nwid);
            Optional<MemberCredential> mc = networks.network(nwid).flatMap(n -> n.credentialOf(origin)).map(Signed::value);
            return r == null || mc.isEmpty() || r.permits(false, r.subject(mc.get()), null, dst, src, ethertype, ByteBuffer.wrap(payload));
        }

        @Override
        public boolean presentOrigin(NetworkId nwid, Address to, Address origin) {
            Optional<Signed<MemberCredential>> mc = networks.network(nwid).flatMap(n -> n.credentialOf(origin));
            mc.ifPresent(c -> MemberPorts.this.send(nwid, to, dev.planetary.vl2.NetworkCredentials.of(nwid, dev.planetary.vl2.CredentialItem.Credential.of(c)).encode()));
            return mc.isPresent();
        }

        @Override
        public void vouched(NetworkId nwid, Address address, byte[] identity) {
            if (dev.planetary.identity.Identity.decode(identity) instanceof dev.planetary.identity.Decoded.Ok<dev.planetary.identity.Identity>(var id)) {
                node.vouched(id, address);
            }
        }

        @Override
        public void emulate(NetworkId nwid, ByteBuffer frame) {
            plane.port(nwid).ifPresent(p -> p.nic().send(frame));
        }
    }

    /** On the node's thread: the own MC first on a session's first frame for the network (§8.3), then the frame. */
    private void send(NetworkId nwid, Address to, byte[] message) {
        try {
            Set<NetworkId> done = presented.computeIfAbsent(to, a -> new LinkedHashSet<>());
            if (!done.contains(nwid)) {
                Optional<byte[]> mc = networks.presentation(nwid);
                if (mc.isPresent()) {
                    node.sendUpper(to, mc.get());
                    done.add(nwid);
                }
            }
            node.sendUpper(to, message);
        } catch (RuntimeException e) {
            sendFailures++;
        }
    }

    /** A FRAME / EXT_FRAME for an open port from a peer without an accepted credential is kept a while (and the credential asked for). */
    private boolean waitsForCredential(Fingerprint fp, Address address, byte[] m) {
        int verb = m[0] & 0xff;
        if (verb != Verb.FRAME && verb != Verb.EXT_FRAME || m.length < 9) {
            return false;
        }
        NetworkId nwid = new NetworkId(java.nio.ByteBuffer.wrap(m, 1, 8).getLong());
        MemberNetwork n = networks.network(nwid).orElse(null);
        Optional<NetworkPort> port = plane.port(nwid);
        if (n == null || port.isEmpty() || m.length > port.get().config().mtu() + ExtFrame.HEADER_BYTES || credential(n, fp, address).isPresent()) {
            return false; // (an oversized one is the port's to drop and count)
        }
        networks.refuse(fp, nwid, Verb.FRAME); // NEED_MEMBERSHIP_CERTIFICATE, ≤ 1/s (§8.3)
        awaitDeadline = Math.min(awaitDeadline, awaiting.keep(address.value(), fp, m, node.now()));
        return true;
    }

    /** {@code fp}'s credential for {@code n} bound to {@code address}, if it passes the gate (§8.2, §8.3). */
    private static Optional<MemberCredential> credential(MemberNetwork n, Fingerprint fp, Address address) {
        return n.peerCredential(fp).map(Signed::value).filter(c -> c.issuedToAddress().equals(address)).filter(c -> n.allowed(fp));
    }

    // ---------------------------------------------------------------- DataPlane.Gate (node thread)

    @Override
    public NetworkPort.Peer peer(NetworkId nwid, Fingerprint fp, Address address) {
        MemberNetwork n = networks.network(nwid).orElse(null);
        Optional<MemberCredential> mc = n == null ? Optional.empty() : credential(n, fp, address);
        boolean allowed = mc.isPresent();
        if (!allowed) {
            networks.refuse(fp, nwid, Verb.FRAME); // NEED_MEMBERSHIP_CERTIFICATE, ≤ 1/s (§8.3)
        }
        trackBridge(nwid, address.value(), allowed && mc.get().isBridge());
        PortRules r = rules.get(nwid);
        return DataPlane.peer(address, allowed, mc, r == null || mc.isEmpty() ? null : r.subject(mc.get()));
    }

    /** The rules of {@code nwid} (its port's filter, §11.4), once the network is up; the multicast path evaluates through it. */
    public Optional<PortRules> rules(NetworkId nwid) {
        return Optional.ofNullable(rules.get(nwid));
    }

    /** Read by the NIC's thread: the network's bridges, the config's specialists first (the port sends to at most {@link BridgeTable#MAX_BRIDGES}). */
    private List<Long> bridges(NetworkId id) {
        List<Long> l = new ArrayList<>(listedBridges.getOrDefault(id, List.of()));
        for (long b : bridges.getOrDefault(id, Set.of())) if (!l.contains(b)) l.add(b);
        return l;
    }

    /** §9.6: members whose valid MC has the bridge flag get unknown unicast (at most {@link BridgeTable#MAX_BRIDGES}). */
    private void trackBridge(NetworkId nwid, long address, boolean bridge) {
        Set<Long> b = bridges.computeIfAbsent(nwid, x -> ConcurrentHashMap.newKeySet());
        if (bridge) {
            if (b.size() < BridgeTable.MAX_BRIDGES) b.add(address);
        } else if (b.remove(address)) {
            plane.port(nwid).ifPresent(p -> p.bridgeTable().forgetBridge(address));
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public void sessionDown(Fingerprint peer, String reason) {
        node.boundAddress(peer).ifPresent(presented::remove);
        node.boundAddress(peer).ifPresent(multicaster::sessionDown); // §10.7: origins' MCs again on the next session
    }

    /** Closes every port. */
    @Override
    public void close() {
        plane.close();
        applied.clear();
    }

}

package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.VirtualNic;
import dev.planetary.vl1.Decoded;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Signed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * NEED_MEMBERSHIP_CERTIFICATE (≤ 1/s per peer) — a frame that overtook the presentation is lost (§8.3). Broadcasts go to the members that
 * passed the gate lately (bounded; multicast GATHER, §10.3, is a later issue).
 *
 * <p>Runs on the node's thread; NIC reader threads hand their frames to {@code nodeThread}.
 */
public final class MemberPorts implements DataPlane.Gate, Vl2Layer.SessionListener, AutoCloseable {
    /** Makes the configured NIC of one network (e.g. {@code nicMode.open(config, tapName)}); throws when it cannot. */
    @FunctionalInterface
    public interface NicFactory {
        VirtualNic open(PortConfig config);
    }

    /** Members remembered per network as broadcast recipients (most recently seen kept). */
    public static final int MAX_KNOWN_MEMBERS = 1024;
    /** Peers remembered as holding the own credential on their current session. */
    static final int MAX_PRESENTED = 4096;
    /** §8.3: the credential again in answer to NEED_MEMBERSHIP_CERTIFICATE at most once per second per peer. */
    static final long REPRESENT_INTERVAL_MS = 1000;

    private final Node node;
    private final MemberNetworks networks;
    private final NicFactory nics;
    private final PortConfig.RoutePolicy policy;
    private final DataPlane plane;
    private final Map<NetworkId, PortConfig> applied = new HashMap<>();
    private final Map<NetworkId, PortRules> rules = new ConcurrentHashMap<>();
    private final Map<NetworkId, Map<Long, Boolean>> known = new ConcurrentHashMap<>(); // each an LRU, read by NIC threads
    private final Map<Address, Set<NetworkId>> presented = lru(MAX_PRESENTED); // node thread only
    private final Map<Address, Long> asked = lru(MAX_PRESENTED); // last re-presentation (node ms)
    private long nicFailures;
    private long sendFailures;

    /**
     * Attaches to {@code layer} (FRAME / EXT_FRAME handlers, session events) and to {@code networks}'
     * changes, and brings up the networks already joined.
     */
    public MemberPorts(Vl2Layer layer, MemberNetworks networks, Executor nodeThread, NicFactory nics, PortConfig.RoutePolicy policy) {
        this.node = layer.node();
        this.networks = networks;
        this.nics = nics;
        this.policy = policy;
        this.plane = new DataPlane((nwid, to, message) -> nodeThread.execute(() -> send(nwid, to, message)), this);
        layer.handle(Verb.FRAME, this::received);
        layer.handle(Verb.EXT_FRAME, this::received);
        layer.addSessionListener(this);
        networks.onChange(this::changed);
        for (MemberNetwork n : List.copyOf(networks.networks())) {
            changed(n);
        }
    }

    public DataPlane plane() {
        return plane;
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
        forget(id); // a new config or credential is presented again (§8.3)
        PortRules r = rules.get(id);
        if (r == null) {
            rules.put(id, r = new PortRules(config.get().value(), own.get().value()));
        } else {
            r.update(config.get().value(), own.get().value()); // new rules or own tags: the next frame sees them (§11.6)
        }
        if (pc.equals(applied.get(id)) && plane.port(id).isPresent()) {
            return;
        }
        plane.close(id); // the old device first: a TAP's name is taken until it is closed
        applied.remove(id);
        try {
            VirtualNic nic = nics.open(pc);
            plane.open(pc, nic, () -> members(id), r);
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
        rules.remove(id);
        applied.remove(id);
        known.remove(id);
        forget(id);
    }

    private void forget(NetworkId id) {
        for (Set<NetworkId> s : presented.values()) {
            s.remove(id);
        }
    }

    /** FRAME / EXT_FRAME to the data plane; an ERROR in re one asking for the credential is answered (§8.3). */
    private void received(Fingerprint peer, Address address, byte[] message) {
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

    // ---------------------------------------------------------------- DataPlane.Gate (node thread)

    @Override
    public NetworkPort.Peer peer(NetworkId nwid, Fingerprint fp, Address address) {
        MemberNetwork n = networks.network(nwid).orElse(null);
        Optional<MemberCredential> mc = n == null ? Optional.empty()
                : n.peerCredential(fp).map(Signed::value).filter(c -> c.issuedToAddress().equals(address));
        boolean allowed = n != null && mc.isPresent() && n.allowed(fp);
        if (allowed) {
            Map<Long, Boolean> k = known.computeIfAbsent(nwid, x -> Collections.synchronizedMap(lru(MAX_KNOWN_MEMBERS)));
            k.put(address.value(), Boolean.TRUE);
        } else {
            networks.refuse(fp, nwid, Verb.FRAME); // NEED_MEMBERSHIP_CERTIFICATE, ≤ 1/s (§8.3)
        }
        PortRules r = rules.get(nwid);
        return DataPlane.peer(address, allowed, mc, r == null || mc.isEmpty() ? null : r.subject(mc.get()));
    }

    /** The rules of {@code nwid} (its port's filter, §11.4), once the network is up; the multicast path evaluates through it. */
    public Optional<PortRules> rules(NetworkId nwid) {
        return Optional.ofNullable(rules.get(nwid));
    }

    /** Read by the NIC's thread: a copy of the recipients. */
    private List<Long> members(NetworkId nwid) {
        Map<Long, Boolean> k = known.get(nwid);
        if (k == null) {
            return List.of();
        }
        synchronized (k) {
            return new ArrayList<>(k.keySet());
        }
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public void sessionDown(Fingerprint peer, String reason) {
        node.boundAddress(peer).ifPresent(presented::remove);
    }

    /** Closes every port. */
    @Override
    public void close() {
        plane.close();
        applied.clear();
    }

    private static <K, V> Map<K, V> lru(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}

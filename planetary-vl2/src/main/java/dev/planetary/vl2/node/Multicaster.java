package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.KernelMulticast;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.PortConfig;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Ok;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastFrame;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.MulticastLike;
import dev.planetary.vl2.Vl2Limits;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A member's multicast engine (VL.md §10.1–§10.5), one per node, for every joined network: it
 * LIKEs the own groups (§10.2), holds the LIKEs of others ({@link MulticastDirectory}) and answers
 * MULTICAST_GATHER and the gather part of MULTICAST_FRAME from them, gathers the members of a group
 * it sends to ({@link Gatherer}), replicates a multicast or broadcast frame from the TAP to at most
 * the network's multicast limit of members ({@link MulticastSender}), delivers the frames of the
 * groups it subscribes to and answers the others UNWANTED_MULTICAST, and writes ARP replies to its
 * own TAP when ARP emulation is on and the controller's authoritative answer named the owner
 * ({@link ArpEmulation}).
 *
 * <p>Sans-IO: messages in and out through {@link Env}, time passed in. Messages are hostile: a message
 * that cannot be used is dropped and counted ({@link Drop}), never thrown. Not thread-safe: the
 * node's thread (NIC threads hop onto it first).
 */
public final class Multicaster {
    /** §10.2: the full set of own groups is LIKEd every 60 s (V1 T_MULTICAST_ANNOUNCE). */
    static final long ANNOUNCE_INTERVAL_MS = 60_000;
    /** §10.4: UNWANTED_MULTICAST at most once per second per peer. */
    static final long UNWANTED_INTERVAL_MS = 1_000;
    /** Peers remembered per network for the UNWANTED_MULTICAST rate and the first full LIKE. */
    static final int MAX_PEERS_REMEMBERED = 4096;
    /** The largest MULTICAST_FRAME header (all optional fields) and MULTICAST_LIKE, for what a credential wait keeps. */
    static final int MAX_FRAME_OVERHEAD = MulticastFrame.MIN_HEADER_BYTES + 17, MAX_LIKE_BYTES = 11 + 10 * Vl2Limits.MAX_LIKE_GROUPS;
    /** GATHERs (and gathering frames) answered per peer per second; more are not answered (an answer is up to 49× the request). */
    static final int GATHER_ANSWERS_PER_SECOND = 50;
    /** §10.4 step 4: frames sent with the gather flag, at most. */
    static final int GATHER_FLAGGED = 4;
    /** §10.7: frames a replicator forwards per origin per second… */
    static final int REPLICATED_FRAMES_PER_SECOND = 1_000;
    /** …and payload bytes (10 Mbit/s). */
    static final long REPLICATED_BYTES_PER_SECOND = 10_000_000 / 8;
    /** Origins whose replication budget a replicator keeps per network (least recently used forgotten). */
    static final int MAX_ORIGINS = 4096;
    /** (recipient, origin) pairs a replicator remembers as holding the origin's MC on the current session (§10.7). */
    static final int MAX_ORIGINS_PRESENTED = 16_384;

    /** What the engine needs of the node. */
    public interface Env {
        /** Sends {@code verb ‖ body} (or an OK / ERROR) to member or controller {@code to} of {@code nwid}. */
        void send(NetworkId nwid, Address to, byte[] message);

        /** The gate (§8.3): whether VL2 traffic for {@code nwid} from session peer {@code peer}, bound to {@code address}, passes. */
        boolean allowed(NetworkId nwid, Fingerprint peer, Address address);

        /** The N-peers of {@code nwid} (live session, valid MC, §10.2), lowest latency first. */
        List<Address> peers(NetworkId nwid);

        /** A multicast frame from member {@code from} for the TAP of {@code nwid} (the port's inbound checks apply, §9.4). */
        void deliver(NetworkId nwid, Fingerprint peer, Address from, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload);

        /** A frame this node makes up for its own TAP of {@code nwid} (ARP emulation, §10.5). */
        void emulate(NetworkId nwid, ByteBuffer frame);

        /** §9.6: the bridges of {@code nwid}, which every replication reaches first (as V1's active bridges). */
        default List<Long> bridges(NetworkId nwid) {
            return List.of();
        }

        /** The controller of {@code nwid} vouched for {@code identity} (195 bytes, hostile) at {@code address} (format 1, §2.7, §10.3). */
        default void vouched(NetworkId nwid, Address address, byte[] identity) {}

        /**
         * §10.7: the replicators the config of {@code nwid} lists (specialist bit1), not this node,
         * those {@link #reachable} first and by lowest latency.
         */
        default List<Address> replicators(NetworkId nwid) {
            return List.of();
        }

        /** §10.7: whether {@code replicator} is alive: a live session and a valid MC for {@code nwid} with bit1. */
        default boolean reachable(NetworkId nwid, Address replicator) {
            return false;
        }

        /** §10.7: whether this node is a replicator of {@code nwid} (own MC bit1 and listed in the config). */
        default boolean replicating(NetworkId nwid) {
            return false;
        }

        /** §10.4 "Receiving": whether session peer {@code peer} at {@code address} is a replicator of {@code nwid} (MC bit1 and listed). */
        default boolean isReplicator(NetworkId nwid, Fingerprint peer, Address address) {
            return false;
        }

        /**
         * §10.7: sends {@code origin}'s MC for {@code nwid} to {@code to} (NETWORK_CREDENTIALS, §8.3), before
         * the first frame replicated from it on that session; false if this node holds no MC of it.
         */
        default boolean presentOrigin(NetworkId nwid, Address to, Address origin) {
            return false;
        }

        /** §10.7: the network's outbound rules evaluated as {@code origin} (its MC's tags) on a frame to replicate; true lets it go. */
        default boolean permitsAs(NetworkId nwid, Address origin, MacAddress dst, MacAddress src, int ethertype, byte[] payload) {
            return true;
        }
    }

    /**
     * Outbound rules for a multicast frame (§10.4 step 2, §11.4, with the MULTICAST/BROADCAST
     * characteristics): true lets it go. A member's {@link MemberPorts} passes {@link #ACCEPT_ALL}: its
     * port's rules filter ({@link PortRules}) already evaluated the frame once, with no receiver, before
     * handing it here, and each receiver's port evaluates it inbound (§11.4).
     */
    @FunctionalInterface
    public interface OutboundRules {
        OutboundRules ACCEPT_ALL = (nwid, group, ethertype, payload) -> true;

        boolean allows(NetworkId nwid, MulticastGroup group, int ethertype, byte[] payload);
    }

    /** Why a multicast message or frame was dropped. */
    public enum Drop {
        /** MULTICAST_LIKE / GATHER / FRAME or a gather answer that does not decode. */
        MALFORMED,
        /** For a network with no port here. */
        UNKNOWN_NETWORK,
        /** From a peer that does not pass the gate (§8.3); a MULTICAST_FRAME only once its credential did not come in time. */
        NOT_MEMBER,
        /** With the origin or replicate flag: this node is no replicator (§10.7). */
        NOT_REPLICATOR,
        /** For a group the sender may not use (not a multicast MAC, an ADI without the broadcast MAC, an ADI other than the ARP target). */
        BAD_GROUP,
        /** Payload larger than the network MTU (§9.2). */
        OVERSIZE,
        /** A gather answer nobody asked that node for. */
        UNSOLICITED_ANSWER,
        /** A LIKE beyond the sender's group bound (§10.2). */
        LIKE_REFUSED,
        /** A GATHER (or a frame's gather part) beyond the asker's budget ({@link #GATHER_ANSWERS_PER_SECOND}); a frame is still delivered. */
        GATHER_BUDGET,
        /** An outbound frame refused by the rules (§10.4 step 2), or a frame to replicate refused by them as its origin (§10.7). */
        RULES,
        /** An outbound frame held while gathering and dropped (hold full, or no member found in 5 s). */
        HOLD_DROPPED,
        /** A frame to replicate beyond its origin's budget ({@link #REPLICATED_FRAMES_PER_SECOND}, {@link #REPLICATED_BYTES_PER_SECOND}, §10.7). */
        REPLICATION_BUDGET,
        /** A replicated frame naming this node as its origin, or an origin frame that also asks to be replicated. */
        BAD_ORIGIN
    }

    private final Address self;
    private final Env env;
    private final OutboundRules rules;
    private final RandomGenerator rng;
    private final Map<NetworkId, Net> nets = new HashMap<>();
    private final Map<Drop, Long> drops = new EnumMap<>(Drop.class);
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private long deadline = Long.MAX_VALUE;

    /** The state of one network. */
    private final class Net {
        PortConfig config;
        Set<MulticastGroup> own = Set.of();
        Set<MulticastGroup> joined = Set.of(); // §12.5: what the host's stack joined on the NIC
        final MulticastDirectory directory = new MulticastDirectory();
        final Gatherer gatherer = new Gatherer(rng);
        final MulticastSender sender = new MulticastSender();
        final Map<Long, Long> unwantedAt = Lru.map(MAX_PEERS_REMEMBERED);
        final Map<Long, long[]> gatherBudget = Lru.map(MAX_PEERS_REMEMBERED); // peer → {second, answers in it}
        final CredentialWait<byte[]> awaiting = new CredentialWait<>();
        final Map<Long, long[]> originBudget = Lru.map(MAX_ORIGINS); // origin → {second, frames, bytes} (§10.7)
        final Set<List<Long>> originPresented = java.util.Collections.newSetFromMap(Lru.map(MAX_ORIGINS_PRESENTED)); // (recipient, origin)
        long nextAnnounce;
        Set<Address> likedReplicators = Set.of(); // the config's replicators at the last LIKE to them

        Net(PortConfig config) {
            this.config = config;
        }

        NetworkId id() {
            return config.nwid();
        }
    }

    public Multicaster(Address self, Env env, OutboundRules rules, RandomGenerator rng) {
        this.self = Objects.requireNonNull(self, "self");
        this.env = Objects.requireNonNull(env, "env");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.rng = Objects.requireNonNull(rng, "rng");
    }

    // ---------------------------------------------------------------- networks

    /** A network's port came up or was reconfigured: its own groups are LIKEd at once if they changed (§10.2). */
    public void configure(PortConfig config, long now) {
        if (config.ownAddress() != self.value()) {
            throw new IllegalArgumentException("the port config is for " + Long.toHexString(config.ownAddress()) + ", not this node " + self);
        }
        Net n = nets.computeIfAbsent(config.nwid(), id -> new Net(config));
        n.config = config;
        subscribe(n, now);
    }

    /** The config's groups and the NIC's joined ones; LIKEd to everyone at once when they changed (§10.2). */
    private void subscribe(Net n, long now) {
        Set<MulticastGroup> groups = new LinkedHashSet<>(subscriptions(n.config));
        groups.addAll(n.joined);
        if (!groups.equals(n.own)) {
            n.own = Set.copyOf(groups);
            announce(n, now);
        }
    }

    /**
     * §12.5: the multicast MACs the host's stack joined on the network's NIC (a TAP's kernel
     * memberships), each subscribed with ADI 0 beside the config's groups; a group it left is no
     * longer LIKEd and expires at the others (600 s). At most {@link KernelMulticast#MAX_GROUPS} are kept.
     */
    public void joined(NetworkId nwid, Set<MacAddress> macs, long now) {
        Net n = nets.get(nwid);
        if (n == null) return;
        Set<MulticastGroup> g = new LinkedHashSet<>();
        for (MacAddress mac : macs) {
            if (!mac.isMulticast() || mac.equals(MacAddress.BROADCAST)) continue; // broadcast is the config's (flag bit0)
            g.add(new MulticastGroup(mac, 0));
            if (g.size() == KernelMulticast.MAX_GROUPS) break;
        }
        if (g.equals(n.joined)) return;
        n.joined = Set.copyOf(g);
        subscribe(n, now);
    }

    /**
     * The network's config changed (its specialists, say): a replicator it newly lists gets the full
     * set at once, not at the next 60 s LIKE, since it answers and replicates for everyone (§10.7).
     */
    public void replicatorsChanged(NetworkId nwid, long now) {
        Net n = nets.get(nwid);
        if (n == null) return;
        Set<Address> current = Set.copyOf(env.replicators(nwid));
        for (Address r : current) {
            if (!n.likedReplicators.contains(r) && !r.equals(self)) like(n, r);
        }
        n.likedReplicators = current;
    }

    /** The network's port went down (left, denied): its state is forgotten. */
    public void remove(NetworkId nwid) {
        nets.remove(nwid);
    }

    /**
     * §10.1: the groups a node subscribes to — with broadcast enabled (ff:…:ff, 0) and (ff:…:ff, x)
     * for each assigned IPv4 x; the IPv6 all-nodes group and the solicited-node groups of the
     * assigned IPv6 addresses and of the link-local one (§9.5), ADI 0.
     */
    static Set<MulticastGroup> subscriptions(PortConfig c) {
        Set<MulticastGroup> g = new LinkedHashSet<>();
        if (c.has(PortConfig.FLAG_BROADCAST)) {
            g.add(new MulticastGroup(MacAddress.BROADCAST, 0));
            for (IpAssignment a : c.assignments()) {
                if (a.address() instanceof Inet4Address v4) g.add(MulticastGroup.arp(v4));
            }
        }
        g.add(new MulticastGroup(new MacAddress(0x3333_0000_0001L), 0));
        byte[] mac = c.mac().toBytes();
        g.add(solicitedNode(mac[3], mac[4], mac[5]));
        for (IpAssignment a : c.assignments()) {
            if (a.address() instanceof Inet6Address v6) {
                byte[] b = v6.getAddress();
                g.add(solicitedNode(b[13], b[14], b[15]));
            }
        }
        return Set.copyOf(g);
    }

    private static MulticastGroup solicitedNode(byte b0, byte b1, byte b2) {
        return new MulticastGroup(new MacAddress(0x3333_ff00_0000L | (b0 & 0xffL) << 16 | (b1 & 0xffL) << 8 | (b2 & 0xffL)), 0);
    }

    /** The groups this node LIKEs on {@code nwid}: the config's and the NIC's joined ones (§10.1, §12.5). */
    public Set<MulticastGroup> subscribed(NetworkId nwid) {
        Net n = nets.get(nwid);
        return n == null ? Set.of() : n.own;
    }

    /**
     * §10.2: right after accepting {@code peer}'s MC for {@code nwid}, which assigns it the IPv4
     * addresses {@code ipv4} (u32 values), the full set of own groups goes to it; an authoritative
     * answer naming it for an address the MC no longer has is forgotten (§10.3); what it sent before
     * the MC arrived is taken now (§8.3).
     */
    public void peerAccepted(NetworkId nwid, Address peer, Set<Long> ipv4, long now) {
        Net n = nets.get(nwid);
        if (n == null) return;
        n.gatherer.owns(peer.value(), ipv4);
        like(n, peer);
        for (CredentialWait.Kept<byte[]> k : n.awaiting.release(peer.value())) {
            received(k.peer(), peer, k.message(), now); // what overtook the credential (§8.3)
        }
    }

    // ---------------------------------------------------------------- timers

    /** Expires LIKEs and held frames, LIKEs the full set every 60 s; returns the next deadline. */
    public long service(long now) {
        long next = Long.MAX_VALUE;
        for (Net n : List.copyOf(nets.values())) {
            if (now >= n.nextAnnounce) announce(n, now);
            long before = n.sender.dropped();
            next = Math.min(next, n.sender.expire(now));
            drop(Drop.HOLD_DROPPED, n.sender.dropped() - before);
            next = Math.min(next, Math.min(n.directory.expire(now), n.nextAnnounce));
            long waited = n.awaiting.dropped();
            next = Math.min(next, n.awaiting.expire(now));
            drop(Drop.NOT_MEMBER, n.awaiting.dropped() - waited);
        }
        deadline = next;
        return next;
    }

    /** The absolute time {@link #service} wants to run next. */
    public long nextDeadline() {
        return deadline;
    }

    private void announce(Net n, long now) {
        n.nextAnnounce = now + ANNOUNCE_INTERVAL_MS;
        deadline = Math.min(deadline, n.nextAnnounce);
        Set<Address> to = new LinkedHashSet<>();
        to.add(new Address(n.id().controllerAddress()));
        n.likedReplicators = Set.copyOf(env.replicators(n.id()));
        to.addAll(n.likedReplicators); // §10.7: so they hold the full directory
        to.addAll(env.peers(n.id()));
        to.remove(self);
        for (Address a : to) like(n, a);
    }

    private void like(Net n, Address to) {
        List<MulticastGroup> all = new ArrayList<>(n.own);
        for (int i = 0; i < all.size(); i += Vl2Limits.MAX_LIKE_GROUPS) {
            env.send(n.id(), to, new MulticastLike(n.id(), all.subList(i, Math.min(all.size(), i + Vl2Limits.MAX_LIKE_GROUPS))).encode());
            bump("likesSent");
        }
    }

    // ---------------------------------------------------------------- §10.4 sending

    /**
     * §10.4: a multicast or broadcast frame the TAP of {@code nwid} emitted (the port checked its size,
     * source MAC and the broadcast flag); {@code payload} is the Ethernet payload, owned by the engine.
     */
    public void outbound(NetworkId nwid, MacAddress dst, MacAddress src, int ethertype, byte[] payload, long now) {
        Net n = nets.get(nwid);
        if (n == null) {
            drop(Drop.UNKNOWN_NETWORK, 1);
            return;
        }
        MulticastGroup group = MulticastSender.group(dst, ethertype, payload);
        if (!rules.allows(nwid, group, ethertype, payload)) {
            drop(Drop.RULES, 1);
            return;
        }
        if (emulateArp(n, group, ethertype, payload)) return;
        Optional<MacAddress> source = src.equals(n.config.mac()) ? Optional.empty() : Optional.of(src);
        Optional<Address> replicator = replicator(n);
        if (replicator.isPresent()) { // §10.4 step 3: one copy to the lowest-latency alive replicator
            MulticastFrame f = new MulticastFrame(nwid, Optional.empty(), Optional.empty(), source, true, group, ethertype, Bytes.of(payload));
            env.send(nwid, replicator.get(), f.encode());
            bump("framesSent");
            bump("framesToReplicator");
            return;
        }
        MulticastFrame frame = new MulticastFrame(nwid, Optional.empty(), Optional.empty(), source, false, group, ethertype, Bytes.of(payload));
        List<Long> cached = cached(n, group, now);
        List<Long> bridges = env.bridges(nwid);
        int limit = n.config.multicastLimit();
        boolean gather = cached.size() < limit && n.gatherer.due(group, now);
        if (cached.isEmpty() && bridges.isEmpty()) {
            if (gather) gather(n, group, List.of(), limit, now);
            long before = n.sender.dropped();
            deadline = Math.min(deadline, n.sender.hold(frame, now));
            drop(Drop.HOLD_DROPPED, n.sender.dropped() - before);
            return;
        }
        List<Long> to = MulticastSender.recipients(bridges, cached, self.value(), limit, rng);
        int requestId = gather ? gather(n, group, to.subList(0, Math.min(GATHER_FLAGGED, to.size())), limit, now) : 0;
        replicate(n, frame, to, requestId, limit - to.size());
    }

    /** §10.7: the lowest-latency alive replicator of the network, unless this node is one (it replicates itself). */
    private Optional<Address> replicator(Net n) {
        return env.replicating(n.id()) ? Optional.empty() : nearestReplicator(n);
    }

    /** The lowest-latency alive replicator other than this node (§10.3: a gather asks it too). */
    private Optional<Address> nearestReplicator(Net n) {
        for (Address r : env.replicators(n.id())) {
            if (!r.equals(self) && env.reachable(n.id(), r)) return Optional.of(r);
        }
        return Optional.empty();
    }

    /** The members known for {@code group}: gathered, and LIKEs held. */
    private List<Long> cached(Net n, MulticastGroup group, long now) {
        List<Long> c = n.gatherer.members(group, now);
        c.addAll(n.directory.members(group));
        return c;
    }

    /**
     * §10.3: GATHER to the controller and up to 4 N-peers, and the gather flag on the frames to
     * {@code flagged}; returns the request id.
     */
    private int gather(Net n, MulticastGroup group, List<Long> flagged, int limit, long now) {
        Address controller = new Address(n.id().controllerAddress());
        List<Address> ask = new ArrayList<>();
        if (!controller.equals(self)) ask.add(controller);
        int peers = 0;
        for (Address p : env.peers(n.id())) {
            if (peers == Gatherer.PEERS_ASKED) break;
            if (!p.equals(self) && !p.equals(controller)) {
                ask.add(p);
                peers++;
            }
        }
        nearestReplicator(n).filter(r -> !ask.contains(r)).ifPresent(ask::add); // §10.3: and the lowest-latency replicator
        Set<Long> asked = new LinkedHashSet<>(flagged);
        for (Address a : ask) asked.add(a.value());
        int id = n.gatherer.start(group, asked, now);
        byte[] m = new MulticastGather(id, n.id(), group, limit).encode();
        for (Address a : ask) {
            env.send(n.id(), a, m);
            bump("gathersSent");
        }
        return id;
    }

    /** One MULTICAST_FRAME to each of {@code to}; the first 4 carry the gather request {@code requestId} if not 0. */
    private void replicate(Net n, MulticastFrame frame, List<Long> to, int requestId, int missing) {
        byte[] plain = frame.encode();
        byte[] gathering = requestId == 0 || missing < 1 ? plain
                : new MulticastFrame(frame.networkId(), Optional.of(new MulticastFrame.Gather(requestId, Math.min(missing, Vl2Limits.MULTICAST_LIMIT_MAX))),
                        frame.origin(), frame.source(), false, frame.group(), frame.etherType(), frame.payload()).encode();
        for (int i = 0; i < to.size(); i++) {
            env.send(n.id(), new Address(to.get(i)), i < GATHER_FLAGGED ? gathering : plain);
        }
        bump("framesSent", to.size());
    }

    /** §10.5 ARP emulation: config flag bit1 and an authoritative owner → the reply goes to the own TAP, nothing on the wire. */
    private boolean emulateArp(Net n, MulticastGroup group, int ethertype, byte[] payload) {
        if (!n.config.has(PortConfig.FLAG_ARP_EMULATION) || !group.mac().equals(MacAddress.BROADCAST) || group.adi() == 0) return false;
        Optional<Long> owner = n.gatherer.authoritative(group);
        if (owner.isEmpty()) return false;
        ByteBuffer reply = ArpEmulation.reply(ethertype, payload, MacAddress.derive(n.id(), owner.get()));
        if (reply == null) return false;
        env.emulate(n.id(), reply);
        bump("arpEmulated");
        return true;
    }

    // ---------------------------------------------------------------- receiving

    /** A MULTICAST_LIKE, MULTICAST_GATHER, MULTICAST_FRAME, or an OK / ERROR in re one, from session peer {@code peer}. */
    public void received(Fingerprint peer, Address address, byte[] message, long now) {
        if (address == null || message.length == 0) {
            drop(Drop.NOT_MEMBER, 1);
            return;
        }
        if (waitsForCredential(peer, address, message, now)) {
            return;
        }
        switch (message[0] & 0xff) {
            case Verb.MULTICAST_LIKE -> {
                if (MulticastLike.decode(message) instanceof Decoded.Ok<MulticastLike>(MulticastLike l)) liked(peer, address, l, now);
                else drop(Drop.MALFORMED, 1);
            }
            case Verb.MULTICAST_GATHER -> {
                if (MulticastGather.decode(message) instanceof Decoded.Ok<MulticastGather>(MulticastGather g)) {
                    Net n = gated(g.networkId(), peer, address);
                    if (n != null && budgeted(n, address, now)) answer(n, address, g.group(), g.limit(), Verb.MULTICAST_GATHER, g.requestId());
                } else {
                    drop(Drop.MALFORMED, 1);
                }
            }
            case Verb.MULTICAST_FRAME -> {
                if (MulticastFrame.decode(message) instanceof Decoded.Ok<MulticastFrame>(MulticastFrame f)) frame(peer, address, f, now);
                else drop(Drop.MALFORMED, 1);
            }
            case Verb.OK, Verb.ERROR -> reply(peer, address, message, now);
            default -> drop(Drop.MALFORMED, 1);
        }
    }

    /**
     * A LIKE, GATHER or MULTICAST_FRAME for a joined network from a peer that does not pass the gate is
     * kept a while ({@link CredentialWait}): the sender presented its MC just before it (§8.3).
     */
    private boolean waitsForCredential(Fingerprint peer, Address address, byte[] m, long now) {
        int verb = m[0] & 0xff;
        int off = verb == Verb.MULTICAST_GATHER ? 5 : 1; // after the request id
        if (verb != Verb.MULTICAST_LIKE && verb != Verb.MULTICAST_GATHER && verb != Verb.MULTICAST_FRAME || m.length < off + 8) return false;
        Net n = nets.get(new NetworkId(ByteBuffer.wrap(m, off, 8).getLong()));
        if (n == null || m.length > Math.max(n.config.mtu() + MAX_FRAME_OVERHEAD, MAX_LIKE_BYTES) || env.allowed(n.id(), peer, address)) return false;
        long before = n.awaiting.dropped();
        deadline = Math.min(deadline, n.awaiting.keep(address.value(), peer, m, now));
        drop(Drop.NOT_MEMBER, n.awaiting.dropped() - before);
        return true;
    }

    private void liked(Fingerprint peer, Address address, MulticastLike l, long now) {
        Net n = gated(l.networkId(), peer, address);
        if (n == null) return;
        for (MulticastGroup g : l.groups()) {
            if (!n.directory.like(address.value(), g, now)) drop(Drop.LIKE_REFUSED, 1);
        }
        bump("likesReceived");
    }

    /** Whether {@code asker} may have one more gather answer this second. */
    private boolean budgeted(Net n, Address asker, long now) {
        if (perSecond(n.gatherBudget.computeIfAbsent(asker.value(), a -> new long[2]), now, 1, GATHER_ANSWERS_PER_SECOND, 0, 0)) return true;
        drop(Drop.GATHER_BUDGET, 1);
        return false;
    }

    /**
     * A budget per second {@code w = {second, used, used₂}}: takes {@code add} of {@code max} and
     * {@code add2} of {@code max2} (0 for none) if both fit in the current second, else takes nothing.
     */
    private static boolean perSecond(long[] w, long now, long add, long max, long add2, long max2) {
        if (w[0] != now / 1000) {
            w[0] = now / 1000;
            for (int i = 1; i < w.length; i++) w[i] = 0;
        }
        if (w[1] + add > max || add2 > 0 && w[2] + add2 > max2) return false;
        w[1] += add;
        if (add2 > 0) w[2] += add2;
        return true;
    }

    /** §10.3: the members held for {@code group} (itself included if subscribed), not the requester, random, ≤ limit, format 0; nothing if none. */
    private void answer(Net n, Address requester, MulticastGroup group, int limit, int inReVerb, int requestId) {
        int max = Math.min(limit, Vl2Limits.MULTICAST_LIMIT_MAX);
        List<Long> m = n.directory.answer(group, requester.value(), max, rng);
        m.remove(self.value());
        int total = m.size();
        if (n.own.contains(group)) {
            total++;
            if (m.size() == max) m.set(rng.nextInt(max), self.value());
            else m.add(self.value());
        }
        if (m.isEmpty()) return;
        List<GatherReply.Member> records = m.stream().map(a -> GatherReply.Member.of(new Address(a))).toList();
        GatherReply r = new GatherReply(n.id(), group, total, false, records);
        env.send(n.id(), requester, Vl1Codec.encode(r.toOk(inReVerb, requestId)));
        bump("gathersAnswered");
    }

    private void frame(Fingerprint peer, Address address, MulticastFrame f, long now) {
        Net n = nets.get(f.networkId());
        if (n == null) {
            drop(Drop.UNKNOWN_NETWORK, 1);
            return;
        }
        if (f.payload().length() > n.config.mtu()) {
            drop(Drop.OVERSIZE, 1);
            return;
        }
        if (!env.allowed(n.id(), peer, address)) {
            drop(Drop.NOT_MEMBER, 1);
            return;
        }
        Address from = address;
        if (f.origin().isPresent()) { // §10.4 "Receiving": only a replicator may name an origin
            if (f.replicate() || f.origin().get().equals(self) || f.origin().get().equals(address)) {
                drop(Drop.BAD_ORIGIN, 1);
                return;
            }
            if (!env.isReplicator(n.id(), peer, address)) {
                drop(Drop.NOT_REPLICATOR, 1);
                return;
            }
            from = f.origin().get();
        } else if (f.replicate()) {
            replicateFor(n, peer, address, f, now);
            return;
        }
        f.gather().filter(g -> budgeted(n, address, now)).ifPresent(g -> answer(n, address, f.group(), g.limit(), Verb.MULTICAST_FRAME, g.requestId()));
        MulticastGroup group = f.group();
        byte[] payload = f.payload().toArray();
        if (!usable(group, f.etherType(), payload)) {
            drop(Drop.BAD_GROUP, 1);
            return;
        }
        if (!n.own.contains(group)) {
            unwanted(n, address, group, now);
            return;
        }
        MacAddress src = f.source().orElse(MacAddress.derive(n.id(), from.value()));
        env.deliver(n.id(), peer, from, group.mac(), src, f.etherType(), ByteBuffer.wrap(payload));
        bump("framesReceived");
    }

    /**
     * §10.7: a frame member {@code origin} (past the gate) asks this replicator to replicate: within the
     * origin's budget, to every known member of the group (bridges first) but the origin and this node,
     * with flags 0x10|0x04, the origin's MC presented to each recipient first; delivered here if subscribed.
     */
    private void replicateFor(Net n, Fingerprint peer, Address origin, MulticastFrame f, long now) {
        if (!env.replicating(n.id())) {
            drop(Drop.NOT_REPLICATOR, 1);
            return;
        }
        MulticastGroup group = f.group();
        if (!usable(group, f.etherType(), f.payload().toArray())) {
            drop(Drop.BAD_GROUP, 1);
            return;
        }
        if (!originBudgeted(n, origin.value(), f.payload().length(), now)) {
            drop(Drop.REPLICATION_BUDGET, 1);
            return;
        }
        MacAddress source = f.source().orElse(MacAddress.derive(n.id(), origin.value()));
        if (!env.permitsAs(n.id(), origin, group.mac(), source, f.etherType(), f.payload().toArray())) {
            drop(Drop.RULES, 1);
            return;
        }
        byte[] out = new MulticastFrame(n.id(), Optional.empty(), Optional.of(origin), Optional.of(source), false, group, f.etherType(), f.payload()).encode();
        List<Long> to = MulticastSender.recipients(env.bridges(n.id()), cached(n, group, now), self.value(), Integer.MAX_VALUE, rng);
        to.remove(origin.value()); // never back to the origin
        for (long r : to) {
            Address a = new Address(r);
            if (!n.originPresented.contains(List.of(r, origin.value())) && env.presentOrigin(n.id(), a, origin)) {
                n.originPresented.add(List.of(r, origin.value()));
                bump("originsPresented");
            }
            env.send(n.id(), a, out);
        }
        bump("framesReplicated", to.size());
        if (n.own.contains(group)) {
            env.deliver(n.id(), peer, origin, group.mac(), source, f.etherType(), ByteBuffer.wrap(f.payload().toArray()));
            bump("framesReceived");
        }
    }

    /** Whether {@code origin} may have one more frame of {@code bytes} replicated this second (§10.7). */
    private boolean originBudgeted(Net n, long origin, int bytes, long now) {
        return perSecond(n.originBudget.computeIfAbsent(origin, a -> new long[3]), now, 1, REPLICATED_FRAMES_PER_SECOND, bytes, REPLICATED_BYTES_PER_SECOND);
    }

    /** The session with {@code peer} went down: it gets the origins' MCs again before their next replicated frames (§10.7). */
    public void sessionDown(Address peer) {
        for (Net n : nets.values()) n.originPresented.removeIf(k -> k.getFirst() == peer.value());
    }

    /** A group a sender may use: a multicast MAC; an ADI only with the broadcast MAC, and then only for an ARP request for that IPv4 (§10.4 step 1). */
    static boolean usable(MulticastGroup group, int ethertype, byte[] payload) {
        if (!group.mac().isMulticast()) return false;
        if (group.adi() == 0) return true;
        return group.mac().equals(MacAddress.BROADCAST) && ArpEmulation.requestTarget(ethertype, payload) == group.adi();
    }

    private void unwanted(Net n, Address to, MulticastGroup group, long now) {
        Long last = n.unwantedAt.get(to.value());
        if (last != null && now - last < UNWANTED_INTERVAL_MS) return;
        n.unwantedAt.put(to.value(), now);
        ErrorMessage e = new ErrorMessage(Verb.MULTICAST_FRAME, 0, ErrorMessage.UNWANTED_MULTICAST,
                new ErrorMessage.Detail.UnwantedMulticast(n.id().value(), group.mac().value(), (int) group.adi()));
        env.send(n.id(), to, Vl1Codec.encode(e));
        bump("unwantedSent");
    }

    /** OK in re GATHER / FRAME (a gather answer), ERROR UNWANTED_MULTICAST in re FRAME. */
    private void reply(Fingerprint peer, Address address, byte[] message, long now) {
        switch (Vl1Codec.decode(message)) {
            case dev.planetary.vl1.Decoded.Message(Ok.Other o) when o.inReVerb() == Verb.MULTICAST_GATHER || o.inReVerb() == Verb.MULTICAST_FRAME -> {
                if (GatherReply.decode(o.body().toArray()) instanceof Decoded.Ok<GatherReply>(GatherReply r)) gathered(peer, address, o.inReRequestId(), r, now);
                else drop(Drop.MALFORMED, 1);
            }
            case dev.planetary.vl1.Decoded.Message(ErrorMessage e) when e.code() == ErrorMessage.UNWANTED_MULTICAST
                    && e.detail() instanceof ErrorMessage.Detail.UnwantedMulticast(long nwid, long mac, int adi) -> {
                Net n = gated(new NetworkId(nwid), peer, address);
                if (n == null) return;
                MulticastGroup g = new MulticastGroup(new MacAddress(mac), adi & 0xffff_ffffL);
                n.gatherer.unwanted(g, address.value());
                n.directory.forget(address.value(), g);
                bump("unwantedReceived");
            }
            default -> { } // other ERRORs in re a multicast verb: nothing to do
        }
    }

    private void gathered(Fingerprint peer, Address address, int requestId, GatherReply r, long now) {
        Net n = gated(r.networkId(), peer, address);
        if (n == null) return;
        boolean fromController = address.value() == n.id().controllerAddress();
        Optional<MulticastGroup> g = n.gatherer.answered(requestId, address.value(), fromController, r, self.value(), now);
        if (g.isEmpty()) {
            drop(Drop.UNSOLICITED_ANSWER, 1);
            return;
        }
        bump("gatherAnswers");
        if (fromController) { // §2.7: the controller's format-1 records need no WHOIS
            for (GatherReply.Member m : r.members()) m.identity().ifPresent(i -> env.vouched(n.id(), m.address(), i.toArray()));
        }
        List<MulticastFrame> held = n.sender.release(g.get());
        List<Long> cached = cached(n, g.get(), now);
        for (MulticastFrame f : held) {
            byte[] p = f.payload().toArray();
            if (emulateArp(n, f.group(), f.etherType(), p)) continue;
            replicate(n, f, MulticastSender.recipients(env.bridges(n.id()), cached, self.value(), n.config.multicastLimit(), rng), 0, 0);
        }
    }

    private Net gated(NetworkId nwid, Fingerprint peer, Address address) {
        Net n = nets.get(nwid);
        if (n == null) {
            drop(Drop.UNKNOWN_NETWORK, 1);
            return null;
        }
        if (!env.allowed(nwid, peer, address)) {
            drop(Drop.NOT_MEMBER, 1);
            return null;
        }
        return n;
    }

    // ---------------------------------------------------------------- counters

    public long drops(Drop reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /** Outcome counters (likesSent, gathersSent, gathersAnswered, framesSent, framesReceived, unwantedSent, arpEmulated, …). */
    public Map<String, Long> counters() {
        return Map.copyOf(counters);
    }

    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    /** LIKEs held for {@code nwid} (bounded by {@link MulticastDirectory#MAX_LIKES}). */
    public int likesHeld(NetworkId nwid) {
        Net n = nets.get(nwid);
        return n == null ? 0 : n.directory.size();
    }

    /** Frames held while gathering, across networks. */
    public int held() {
        return nets.values().stream().mapToInt(n -> n.sender.held()).sum();
    }

    private void drop(Drop d, long k) {
        if (k > 0) drops.merge(d, k, Long::sum);
    }

    private void bump(String name) {
        bump(name, 1);
    }

    private void bump(String name, long k) {
        counters.merge(name, k, Long::sum);
    }

}

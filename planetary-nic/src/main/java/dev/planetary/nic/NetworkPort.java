package dev.planetary.nic;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One joined network's data plane (VL.md §9.3–§9.5, §10.5, §10.6): frames the NIC emits go out to
 * members through an {@link Uplink} as FRAME / EXT_FRAME, and FRAME / EXT_FRAME from a member pass
 * the gate, the MAC checks and anti-spoofing before the NIC gets them. Sans-IO apart from the NIC it
 * drives: the wire encoding, sessions and credentials are the caller's ({@link Uplink},
 * {@link Peer}, {@link Membership}). Every frame is hostile: a frame that cannot be used is dropped and counted by
 * {@link PortDrop}, never thrown.
 *
 * <p>Broadcast and multicast go to a {@link Multicast} engine (§10.4: LIKE, GATHER, MULTICAST_FRAME,
 * in the VL2 module) when the port has one; without one (tests, tools) they go, with broadcast
 * enabled, as EXT_FRAME with the group MAC to at most the config's multicast limit of the members
 * {@link Membership#members} names. A neighbour solicitation for another member's rfc4193 address is answered locally when
 * config flag bit2 is set (§10.6), so it never goes on the wire.
 *
 * <p>Thread-safe: the NIC's reader calls the outbound path, the node's loop the inbound one.
 */
public final class NetworkPort implements AutoCloseable {
    /** Senders whose {@link SourceCheck} is cached (one per peer; an arbitrary one is evicted when full). */
    public static final int MAX_CACHED_CHECKS = 4096;

    /** The VL1 side: sends one message to a member (no acks, no ordering, §9.2). */
    public interface Uplink {
        /** FRAME (§9.2): both MACs are the derived ones of sender and {@code peer}. */
        void frame(long peer, int ethertype, ByteBuffer payload);

        /** EXT_FRAME (§9.2) with explicit MACs and flags 0. */
        void extFrame(long peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload);
    }

    /** The members a broadcast goes to (never this node); the port sends to at most the multicast limit. */
    @FunctionalInterface
    public interface Membership {
        List<Long> members();
    }

    /** §9.6: the addresses of the network's bridges (members whose MC has the bridge flag); read on the NIC's thread. */
    @FunctionalInterface
    public interface Bridges {
        List<Long> bridges();
    }

    /**
     * §10.4: the multicast engine that replicates a multicast or broadcast frame the NIC emitted (the
     * port checked its size, source MAC and, for broadcast, config flag bit0). Called on the NIC's
     * thread; {@code payload} is valid only during the call.
     */
    @FunctionalInterface
    public interface Multicast {
        void send(MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload);
    }

    /**
     * The rules hook (VL.md §11.4): whether a frame may pass, asked at §9.3 step 5 (unicast), §10.4
     * step 2 (multicast and broadcast, once, with no receiver) and §9.4 step 5 (inbound, after the gate,
     * the MAC checks and anti-spoofing). Outbound calls come on the NIC's reader thread, inbound ones on
     * the node's. A refused frame is counted as {@link PortDrop#RULES}. Must not throw; must not move
     * {@code payload}'s position.
     */
    public interface Filter {
        /** Accepts every frame (a network without rules has one ACCEPT, §11.4). */
        Filter ACCEPT_ALL = new Filter() {
            @Override
            public boolean outbound(long receiver, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                return true;
            }

            @Override
            public boolean inbound(Peer sender, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                return true;
            }
        };

        /** Outbound to member {@code receiver}, or {@link NetworkPort#NO_RECEIVER} for a multicast or broadcast frame. */
        boolean outbound(long receiver, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload);

        /** Inbound from {@code sender} (which passed the gate). */
        boolean inbound(Peer sender, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload);
    }

    /** {@link Filter#outbound}'s receiver for a multicast or broadcast frame (§11.4: evaluated once, with no receiver). */
    public static final long NO_RECEIVER = -1;

    /**
     * What the member side (§8.2, §8.3) knows of the sender of one inbound frame, looked up by the
     * session peer's fingerprint: its address, whether it passes the gate (holds a valid MC for the
     * network), its MC's bridge flag and IP assignments (for anti-spoofing, §9.5), and what the
     * {@link Filter} needs of its MC ({@code rulesInput}, opaque to the port; null when none).
     */
    public record Peer(long address, boolean allowed, boolean bridge, List<SourceCheck.Owned> owned, Object rulesInput) {
        public Peer {
            owned = List.copyOf(owned);
        }

        public Peer(long address, boolean allowed, boolean bridge, List<SourceCheck.Owned> owned) {
            this(address, allowed, bridge, owned, null);
        }

        /** A sender that does not pass the gate. */
        public static Peer denied(long address) {
            return new Peer(address, false, false, List.of());
        }
    }

    private final PortConfig config;
    private final MacAddress mac;
    private final VirtualNic nic;
    private final Uplink uplink;
    private final Membership membership;
    private final Multicast multicast;
    private final Filter filter;
    private final NdpEmulator ndp;
    private final Map<PortDrop, AtomicLong> drops = new EnumMap<>(PortDrop.class);
    private final Map<SourceCheck.Verdict, AtomicLong> spoofs = new EnumMap<>(SourceCheck.Verdict.class);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong emulated = new AtomicLong();
    private final Map<Long, Cached> checks = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Cached> eldest) {
            return size() > MAX_CACHED_CHECKS;
        }
    });
    private volatile boolean closed;
    private final BridgeTable bridgeTable = new BridgeTable();
    private volatile Bridges bridges = List::of;
    private volatile java.util.function.LongSupplier clock = () -> System.nanoTime() / 1_000_000;

    private record Cached(List<SourceCheck.Owned> owned, SourceCheck check) {
    }

    /**
     * A port for {@code config} driving {@code nic} (whose MAC must be the config's derived MAC); call
     * {@link #start} to begin reading the NIC.
     */
    public NetworkPort(PortConfig config, VirtualNic nic, Uplink uplink, Membership membership) {
        this(config, nic, uplink, membership, null, Filter.ACCEPT_ALL);
    }

    /**
     * A port whose multicast and broadcast frames go to {@code multicast} (the §10 engine) instead of
     * the bounded broadcast to {@link Membership#members}.
     */
    public NetworkPort(PortConfig config, VirtualNic nic, Uplink uplink, Multicast multicast) {
        this(config, nic, uplink, multicast, Filter.ACCEPT_ALL);
    }

    /** A port whose frames pass {@code filter} (the network's rules, §11) both ways. */
    public NetworkPort(PortConfig config, VirtualNic nic, Uplink uplink, Membership membership, Filter filter) {
        this(config, nic, uplink, membership, null, filter);
    }

    /** A port with the §10 multicast engine whose frames pass {@code filter} (§11) both ways. */
    public NetworkPort(PortConfig config, VirtualNic nic, Uplink uplink, Multicast multicast, Filter filter) {
        this(config, nic, uplink, List::of, java.util.Objects.requireNonNull(multicast, "multicast"), filter);
    }

    private NetworkPort(PortConfig config, VirtualNic nic, Uplink uplink, Membership membership, Multicast multicast,
            Filter filter) {
        if (!nic.mac().equals(config.mac())) {
            throw new IllegalArgumentException("the NIC's MAC " + nic.mac() + " is not the derived MAC " + config.mac()
                    + " of " + Long.toHexString(config.ownAddress()) + " on " + config.nwid() + " (§9.1)");
        }
        this.config = config;
        this.mac = config.mac();
        this.nic = nic;
        this.uplink = uplink;
        this.membership = membership;
        this.multicast = multicast;
        this.filter = java.util.Objects.requireNonNull(filter, "filter");
        this.ndp = new NdpEmulator(config.nwid(), config.ownAddress());
        for (PortDrop d : PortDrop.values()) {
            drops.put(d, new AtomicLong());
        }
        for (SourceCheck.Verdict v : SourceCheck.Verdict.values()) {
            spoofs.put(v, new AtomicLong());
        }
    }

    /** Starts reading the NIC: every frame it emits goes through {@link #outbound}. */
    public void start() {
        nic.start(this::outbound);
    }

    public PortConfig config() {
        return config;
    }

    public NetworkId nwid() {
        return config.nwid();
    }

    public VirtualNic nic() {
        return nic;
    }

    /**
     * Bridging (§9.6): unknown unicast goes to {@code bridges}. Without this call no bridge is known.
     */
    public void bridging(Bridges bridges) {
        bridging(bridges, clock);
    }

    /** As {@link #bridging(Bridges)}, with the clock (ms) for the learned table and the flood budget. */
    public void bridging(Bridges bridges, java.util.function.LongSupplier clock) {
        this.bridges = java.util.Objects.requireNonNull(bridges, "bridges");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
    }

    /** The MACs learned behind bridges (§9.6). */
    public BridgeTable bridgeTable() {
        return bridgeTable;
    }

    // ---------------------------------------------------------------- §9.3 outbound

    /** §9.3: one frame read from the NIC ({@code dst ‖ src ‖ ethertype ‖ payload}); never throws on content. */
    public void outbound(ByteBuffer frame) {
        ByteBuffer f = frame.slice();
        PortDrop d = closed ? PortDrop.CLOSED : send(f);
        if (d != null) {
            count(d);
        }
    }

    private PortDrop send(ByteBuffer f) {
        if (f.remaining() < Packets.ETH_HEADER) {
            return PortDrop.MALFORMED;
        }
        if (f.remaining() - Packets.ETH_HEADER > config.mtu()) {
            return PortDrop.OVERSIZE;                                      // 1
        }
        MacAddress dst = MacAddress.fromBuffer(f, 0);
        MacAddress src = MacAddress.fromBuffer(f, 6);
        int ethertype = f.getShort(12) & 0xffff;
        boolean foreign = !src.equals(mac);
        if (foreign && !config.bridge()) {
            return PortDrop.FOREIGN_SOURCE;                                // 2
        }
        if (config.has(PortConfig.FLAG_NDP_EMULATION)) {                  // §10.6: nothing on the wire
            ByteBuffer answer = ndp.answer(f);
            if (answer != null) {
                emulated.incrementAndGet();
                nic.send(answer);
                return null;
            }
        }
        ByteBuffer payload = f.slice(Packets.ETH_HEADER, f.remaining() - Packets.ETH_HEADER);
        if (dst.isMulticast()) {                                           // 3: §10.4 (or bounded broadcast)
            return broadcast(dst, src, ethertype, payload);
        }
        if (!dst.isDerivedFor(config.nwid())) {
            return toBridges(dst, src, ethertype, payload);                // 4: behind a bridge (§9.6)
        }
        long peer = dst.addressOn(config.nwid());
        if (peer == config.ownAddress()) {
            return PortDrop.SELF;
        }
        if (!filter.outbound(peer, dst, src, ethertype, payload)) {
            return PortDrop.RULES;                                         // 5
        }
        try {                                                              // 6
            if (foreign) {
                uplink.extFrame(peer, dst, src, ethertype, payload);
            } else {
                uplink.frame(peer, ethertype, payload);
            }
        } catch (RuntimeException e) {
            return PortDrop.UPLINK_FAULT;
        }
        sent.incrementAndGet();
        return null;
    }

    /** §9.3 step 4: to the bridge {@code dst} was learned behind, else to every bridge (at most 32, within the flood budget). */
    private PortDrop toBridges(MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        long now = clock.getAsLong();
        long learned = bridgeTable.bridgeOf(dst, now);
        List<Long> to = new ArrayList<>();
        if (learned >= 0) {
            to.add(learned);
        } else {
            for (long b : bridges.bridges()) {
                if (b != config.ownAddress() && to.size() < BridgeTable.MAX_BRIDGES && !to.contains(b)) {
                    to.add(b);
                }
            }
            if (to.isEmpty()) {
                return PortDrop.UNKNOWN_DESTINATION;
            }
            if (!bridgeTable.takeFlood(now)) {
                return PortDrop.FLOOD_BUDGET;
            }
        }
        for (long peer : to) {
            if (!filter.outbound(peer, dst, src, ethertype, payload)) {
                count(PortDrop.RULES);                                     // 5, per receiving bridge
                continue;
            }
            if (extFrame(peer, dst, src, ethertype, payload)) {
                sent.incrementAndGet();
            }
        }
        return null;
    }

    private PortDrop broadcast(MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        // Config flag bit0 gates broadcast; without the §10 engine, the bounded broadcast below carries
        // every multicast too, so it is gated as a whole.
        if (!config.has(PortConfig.FLAG_BROADCAST) && (multicast == null || dst.equals(MacAddress.BROADCAST))) {
            return PortDrop.BROADCAST_DISABLED;
        }
        if (!filter.outbound(NO_RECEIVER, dst, src, ethertype, payload)) {
            return PortDrop.RULES;                                         // §10.4 step 2: once, no receiver
        }
        if (multicast != null) {
            try {
                multicast.send(dst, src, ethertype, payload);
            } catch (RuntimeException e) {
                return PortDrop.UPLINK_FAULT;
            }
            return null;
        }
        List<Long> members = new ArrayList<>(membership.members());
        Collections.shuffle(members);
        int n = 0;
        for (long peer : members) {
            if (n == config.multicastLimit()) {
                break;
            }
            if (peer == config.ownAddress()) {
                continue;
            }
            if (extFrame(peer, dst, src, ethertype, payload)) {
                n++;
            }
        }
        if (n == 0) {
            return PortDrop.NO_RECIPIENTS;
        }
        sent.addAndGet(n);
        return null;
    }

    /** One EXT_FRAME copy to {@code peer}; an uplink failure is counted ({@link PortDrop#UPLINK_FAULT}) and gives false. */
    private boolean extFrame(long peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        try {
            uplink.extFrame(peer, dst, src, ethertype, payload.duplicate());
            return true;
        } catch (RuntimeException e) {
            count(PortDrop.UPLINK_FAULT);
            return false;
        }
    }

    // ---------------------------------------------------------------- §9.4 inbound

    /** §9.4: FRAME from {@code peer} (its MACs are the derived ones by definition). Never throws on content. */
    public void inboundFrame(Peer peer, int ethertype, ByteBuffer payload) {
        inbound(peer, mac, null, ethertype, payload);
    }

    /** §9.4: EXT_FRAME from {@code peer}. Never throws on content. */
    public void inboundExtFrame(Peer peer, int flags, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        if (flags != 0) {
            count(PortDrop.BAD_FLAGS); // §9.2: reserved for TEE/REDIRECT
            return;
        }
        inbound(peer, dst, src, ethertype, payload);
    }

    private void inbound(Peer peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        PortDrop d = closed ? PortDrop.CLOSED : receive(peer, dst, src, ethertype, payload);
        if (d != null) {
            count(d);
        }
    }

    private PortDrop receive(Peer peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
        long address = peer.address();
        if ((address & ~NetworkId.ADDRESS_MASK) != 0 || address == config.ownAddress() || !peer.allowed()) {
            return PortDrop.NOT_MEMBER;                                     // 2
        }
        MacAddress derived = MacAddress.derive(config.nwid(), address);
        MacAddress from = src == null ? derived : src;
        boolean bridged = !from.equals(derived);
        if (bridged && (!peer.bridge() || from.isDerivedFor(config.nwid()))) {
            return PortDrop.SPOOFED_MAC;                                    // 3: a bridge carries foreign MACs, not other members'
        }
        if (!dst.equals(mac) && !dst.isMulticast() && !config.bridge()) {
            return PortDrop.NOT_OUR_MAC;                                    // 3: only a bridge takes others' unicast
        }
        if (dst.equals(MacAddress.BROADCAST) && !config.has(PortConfig.FLAG_BROADCAST)) {
            return PortDrop.BROADCAST_DISABLED;
        }
        if (payload.remaining() > config.mtu()) {
            return PortDrop.OVERSIZE;
        }
        ByteBuffer frame = ByteBuffer.allocate(Packets.ETH_HEADER + payload.remaining());
        frame.put(dst.toBytes()).put(from.toBytes()).putShort((short) ethertype).put(payload.duplicate()).flip();
        if (!bridged && !config.has(PortConfig.FLAG_ALLOW_UNOWNED) && !peer.bridge()) {
            SourceCheck.Verdict v = check(peer, derived).check(frame);    // 4
            if (v != SourceCheck.Verdict.PASS) {
                spoofs.get(v).incrementAndGet();
                return PortDrop.SPOOFED_IP;
            }
        }
        if (bridged) {
            bridgeTable.learn(from, address, clock.getAsLong());            // 3: srcMAC → S (§9.6)
        }
        if (!filter.inbound(peer, dst, from, ethertype, payload)) {
            return PortDrop.RULES;                                          // 5
        }
        delivered.incrementAndGet(); // first: the NIC may answer (and a test read the counter) within send
        nic.send(frame);                                                    // 6
        return null;
    }

    private SourceCheck check(Peer peer, MacAddress derived) {
        List<SourceCheck.Owned> owned = peer.owned();
        Cached c = checks.get(peer.address());
        if (c == null || !c.owned().equals(owned)) {
            c = new Cached(owned, new SourceCheck(derived, owned));
            checks.put(peer.address(), c);
        }
        return c.check();
    }

    // ---------------------------------------------------------------- counters

    /** Frames dropped for {@code reason}. */
    public long drops(PortDrop reason) {
        return drops.get(reason).get();
    }

    /** All dropped frames. */
    public long drops() {
        return drops.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Inbound frames anti-spoofing refused with {@code verdict} (§9.5). */
    public long spoofs(SourceCheck.Verdict verdict) {
        return spoofs.get(verdict).get();
    }

    /** Messages handed to the uplink (a broadcast counts once per recipient). */
    public long sent() {
        return sent.get();
    }

    /** Inbound frames written to the NIC. */
    public long delivered() {
        return delivered.get();
    }

    /** Neighbour solicitations answered locally (§10.6). */
    public long emulated() {
        return emulated.get();
    }

    /** Stops forwarding both ways and closes the NIC; idempotent. */
    @Override
    public void close() {
        closed = true;
        nic.close();
    }

    private void count(PortDrop d) {
        drops.get(d).incrementAndGet();
    }

    @Override
    public String toString() {
        return "NetworkPort[" + config.nwid() + " " + mac + "]";
    }
}

package dev.planetary.vl1.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The L0 network simulator (VL spec §16.1): many hosts in one JVM over a virtual network and a
 * virtual clock, deterministic for a seed.
 *
 * <ul>
 *   <li><b>Addressing</b>: hosts have IP addresses and bind UDP ports; datagrams go to
 *       {@link InetSocketAddress}es. Public hosts and {@link SimNat}s sit on one WAN; private hosts sit
 *       behind a NAT, whose {@link NatBehaviour} translates and filters.
 *   <li><b>Links</b>: a {@link LinkProfile} (latency, jitter, loss, duplication, reordering) per pair of
 *       {@link SimSite}s, a default for the rest, and a LAN profile inside a NAT.
 *   <li><b>Partitions</b>: sites in different groups cannot reach each other until {@link #heal()};
 *       copies in flight when a partition starts are dropped on arrival.
 *   <li><b>Scheduler</b>: one priority queue of timed events (deliveries and engine service deadlines)
 *       ordered by (time, insertion sequence); no tick, no scan of hosts.
 *   <li><b>Determinism</b>: every random draw comes from the seed — the network's own stream and one
 *       stream per host ({@link SimHost#random()}); {@link #traceHash()} digests every event, so two runs
 *       with one seed and deterministic engines produce the same hash.
 * </ul>
 *
 * Single-threaded: call it from one thread only.
 */
public final class Simulator {

    private sealed interface Event permits Delivery, Service {
        long time();

        long seq();
    }

    private record Delivery(long time, long seq, SimSite fromSite, InetSocketAddress wireFrom, InetSocketAddress to, byte[] bytes) implements Event {}

    private record Service(long time, long seq, SimHost host) implements Event {}

    private final long seed;
    private final SplittableRandom rnd;
    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time() != b.time() ? Long.compare(a.time(), b.time()) : Long.compare(a.seq(), b.seq()));
    private long seq;
    private long now;
    private final Map<String, SimSite> sitesByName = new LinkedHashMap<>();
    private final Map<InetAddress, SimHost> publicHosts = new HashMap<>();
    private final Map<InetAddress, SimNat> nats = new HashMap<>();
    private final Map<String, LinkProfile> profiles = new HashMap<>();
    private final Map<SimSite, Integer> partition = new HashMap<>();
    private LinkProfile defaultProfile = LinkProfile.latency(10);
    private LinkProfile lanProfile = LinkProfile.latency(1);
    private final EnumMap<TraceEvent.Kind, Long> counts = new EnumMap<>(TraceEvent.Kind.class);
    private final List<Consumer<TraceEvent>> listeners = new ArrayList<>();
    private final MessageDigest trace;
    private SimHost inService;

    public Simulator(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        try {
            this.trace = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
        for (TraceEvent.Kind k : TraceEvent.Kind.values()) counts.put(k, 0L);
    }

    public long seed() {
        return seed;
    }

    /** Virtual time, ms. */
    public long now() {
        return now;
    }

    /** Parses an IP literal (no name lookup). */
    public static InetAddress ip(String literal) {
        // A dotted quad or a string with ':' is parsed as a literal by the JDK; anything else could be a name lookup.
        if (!literal.matches("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F.]*:[0-9a-fA-F:.]*")) throw new IllegalArgumentException("not an IP literal: " + literal);
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP literal: " + literal, e);
        }
    }

    // ------------------------------------------------------------------ topology

    /** A host with a public address on the WAN. */
    public SimHost publicHost(String name, String ip) {
        InetAddress a = ip(ip);
        if (publicHosts.containsKey(a) || nats.containsKey(a)) throw new IllegalArgumentException(ip + " is already on the WAN");
        SimHost h = new SimHost(this, name, a, null, rnd.nextLong());
        register(h);
        publicHosts.put(a, h);
        return h;
    }

    /** A NAT with a public address and the given behaviour. */
    public SimNat nat(String name, String publicIp, NatBehaviour behaviour) {
        InetAddress a = ip(publicIp);
        if (publicHosts.containsKey(a) || nats.containsKey(a)) throw new IllegalArgumentException(publicIp + " is already on the WAN");
        SimNat n = new SimNat(name, a, behaviour);
        register(n);
        nats.put(a, n);
        return n;
    }

    /** A host with a private address behind {@code nat}. */
    public SimHost privateHost(String name, SimNat nat, String ip) {
        InetAddress a = ip(ip);
        if (nat.lan.containsKey(a)) throw new IllegalArgumentException(ip + " is already on " + nat.name() + "'s LAN");
        SimHost h = new SimHost(this, name, a, nat, rnd.nextLong());
        register(h);
        nat.lan.put(a, h);
        return h;
    }

    private void register(SimSite s) {
        if (sitesByName.putIfAbsent(s.name(), s) != null) throw new IllegalArgumentException("name " + s.name() + " is taken");
    }

    /** The profile for every pair of sites without their own. */
    public Simulator defaultProfile(LinkProfile p) {
        this.defaultProfile = Objects.requireNonNull(p);
        return this;
    }

    /** The profile between hosts behind one NAT. */
    public Simulator lanProfile(LinkProfile p) {
        this.lanProfile = Objects.requireNonNull(p);
        return this;
    }

    /** The profile between two sites, both directions. */
    public Simulator link(SimSite a, SimSite b, LinkProfile p) {
        profiles.put(pairKey(a, b), Objects.requireNonNull(p));
        return this;
    }

    private static String pairKey(SimSite a, SimSite b) {
        return a.name().compareTo(b.name()) <= 0 ? a.name() + "\u0000" + b.name() : b.name() + "\u0000" + a.name();
    }

    LinkProfile profile(SimSite a, SimSite b) {
        if (a == b) return lanProfile;
        return profiles.getOrDefault(pairKey(a, b), defaultProfile);
    }

    /**
     * Splits the WAN: sites in different groups (and sites in no group, which form one more group) can
     * no longer reach each other. Replaces any earlier partition.
     */
    @SafeVarargs
    public final void partition(Collection<? extends SimSite>... groups) {
        partition.clear();
        for (int i = 0; i < groups.length; i++) for (SimSite s : groups[i]) partition.put(siteOf(s), i + 1);
    }

    /** Ends any partition. */
    public void heal() {
        partition.clear();
    }

    private static SimSite siteOf(SimSite s) {
        return s instanceof SimHost h ? h.site() : s;
    }

    private boolean partitioned(SimSite a, SimSite b) {
        return !partition.getOrDefault(a, 0).equals(partition.getOrDefault(b, 0));
    }

    // ------------------------------------------------------------------ observation

    /** Called for every {@link TraceEvent}, in order. */
    public void onEvent(Consumer<TraceEvent> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** How many events of a kind happened so far. */
    public long count(TraceEvent.Kind kind) {
        return counts.get(kind);
    }

    /** Events waiting in the scheduler (deliveries and service deadlines, stale ones included). */
    public int pending() {
        return queue.size();
    }

    /** SHA-256 over every event so far (kind, time, addresses, length, and the bytes of each delivery), hex. */
    public String traceHash() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) trace.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests are cloneable in the JDK", e);
        }
    }

    private void record(TraceEvent.Kind kind, InetSocketAddress from, InetSocketAddress to, byte[] bytes) {
        counts.merge(kind, 1L, Long::sum);
        ByteBuffer b = ByteBuffer.allocate(64);
        b.put((byte) kind.ordinal()).putLong(now).putInt(bytes.length);
        putSocket(b, from);
        putSocket(b, to);
        trace.update(b.array(), 0, b.position());
        if (kind == TraceEvent.Kind.DELIVERED) trace.update(bytes);
        if (!listeners.isEmpty()) {
            TraceEvent e = new TraceEvent(now, kind, from, to, bytes.length);
            for (Consumer<TraceEvent> l : listeners) l.accept(e);
        }
    }

    private static void putSocket(ByteBuffer b, InetSocketAddress s) {
        if (s == null) {
            b.put((byte) 0);
            return;
        }
        byte[] ip = s.getAddress().getAddress();
        b.put((byte) ip.length).put(ip).putShort((short) s.getPort());
    }

    // ------------------------------------------------------------------ the network

    void transmit(SimHost host, InetSocketAddress src, InetSocketAddress to, byte[] bytes) {
        record(TraceEvent.Kind.SENT, src, to, bytes);
        InetSocketAddress wireFrom = src;
        SimSite fromSite = host.site();
        SimSite toSite;
        SimNat nat = host.nat;
        if (nat != null && nat.lan.containsKey(to.getAddress())) {
            toSite = nat; // LAN delivery, no translation
        } else {
            if (nat != null) {
                if (to.getAddress().equals(nat.publicIp()) && !nat.hairpin()) {
                    record(TraceEvent.Kind.NAT_DROPPED, src, to, bytes);
                    return;
                }
                int port = nat.behaviour().outbound(src, to, now);
                if (port < 0) {
                    record(TraceEvent.Kind.NAT_DROPPED, src, to, bytes);
                    return;
                }
                wireFrom = new InetSocketAddress(nat.publicIp(), port);
            }
            SimHost pub = publicHosts.get(to.getAddress());
            toSite = pub != null ? pub : nats.get(to.getAddress());
            if (toSite == null) {
                record(TraceEvent.Kind.NO_ROUTE, wireFrom, to, bytes);
                return;
            }
        }
        LinkProfile p = profile(fromSite, toSite);
        if (p.loss() > 0 && rnd.nextDouble() < p.loss()) {
            record(TraceEvent.Kind.LOST, wireFrom, to, bytes);
            return;
        }
        int copies = 1;
        if (p.duplicate() > 0 && rnd.nextDouble() < p.duplicate()) {
            copies = 2;
            record(TraceEvent.Kind.DUPLICATED, wireFrom, to, bytes);
        }
        for (int i = 0; i < copies; i++) {
            long delay = p.latencyMs() + (p.jitterMs() > 0 ? rnd.nextLong(p.jitterMs() + 1) : 0);
            if (p.reorder() > 0 && rnd.nextDouble() < p.reorder()) {
                delay += 1 + (p.reorderDelayMs() > 1 ? rnd.nextLong(p.reorderDelayMs()) : 0);
                record(TraceEvent.Kind.REORDERED, wireFrom, to, bytes);
            }
            queue.add(new Delivery(now + delay, seq++, fromSite, wireFrom, to, i == 0 ? bytes : bytes.clone()));
        }
    }

    private void deliver(Delivery d) {
        InetAddress dst = d.to().getAddress();
        SimHost host;
        InetSocketAddress local;
        if (d.fromSite() instanceof SimNat lanNat && lanNat.lan.containsKey(dst)) {
            host = lanNat.lan.get(dst);
            local = d.to();
        } else {
            SimHost pub = publicHosts.get(dst);
            SimNat nat = nats.get(dst);
            SimSite toSite = pub != null ? pub : nat;
            if (toSite == null) {
                record(TraceEvent.Kind.NO_ROUTE, d.wireFrom(), d.to(), d.bytes());
                return;
            }
            if (toSite != d.fromSite() && partitioned(d.fromSite(), toSite)) {
                record(TraceEvent.Kind.PARTITIONED, d.wireFrom(), d.to(), d.bytes());
                return;
            }
            if (pub != null) {
                host = pub;
                local = d.to();
            } else {
                local = nat.behaviour().inbound(d.to().getPort(), d.wireFrom(), now);
                host = local == null ? null : nat.lan.get(local.getAddress());
                if (host == null) {
                    record(TraceEvent.Kind.NAT_FILTERED, d.wireFrom(), d.to(), d.bytes());
                    return;
                }
            }
        }
        if (!host.ports.contains(local.getPort()) || host.engine == null) {
            record(TraceEvent.Kind.PORT_CLOSED, d.wireFrom(), d.to(), d.bytes());
            return;
        }
        record(TraceEvent.Kind.DELIVERED, d.wireFrom(), d.to(), d.bytes());
        host.engine.receive(d.bytes(), local, d.wireFrom(), now);
    }

    void scheduleService(SimHost host, long at) {
        if (host == inService && at <= now) at = now + 1; // an engine waking itself inside service() waits one ms
        if (at < host.serviceAt) {
            host.serviceAt = at;
            queue.add(new Service(at, seq++, host));
        }
    }

    private void service(Service s) {
        SimHost h = s.host();
        if (h.serviceAt != s.time() || h.engine == null) return; // superseded by an earlier request
        h.serviceAt = Long.MAX_VALUE;
        inService = h;
        long next;
        try {
            next = h.engine.service(now);
        } finally {
            inService = null;
        }
        if (next != Long.MAX_VALUE) scheduleService(h, Math.max(next, now + 1));
    }

    // ------------------------------------------------------------------ running

    /** Processes the next event if there is one at or before {@code until}; returns whether it did. */
    public boolean step(long until) {
        Event e = queue.peek();
        if (e == null || e.time() > until) return false;
        queue.poll();
        now = Math.max(now, e.time());
        switch (e) {
            case Delivery d -> deliver(d);
            case Service s -> service(s);
        }
        return true;
    }

    /** Runs every event up to {@code until} and leaves the clock there. */
    public void runUntil(long until) {
        while (step(until)) {
            // next event
        }
        now = Math.max(now, until);
    }

    /** Runs until {@code done} holds (checked after every event) or {@code deadline}; returns {@code done}. */
    public boolean runUntil(BooleanSupplier done, long deadline) {
        while (!done.getAsBoolean()) {
            if (!step(deadline)) {
                now = Math.max(now, deadline);
                return done.getAsBoolean();
            }
        }
        return true;
    }

    /** A one-line summary of the counters. */
    public String describe() {
        return "seed=" + seed + " t=" + now + " " + counts;
    }
}

package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.PortConfig;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Codec;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGather;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.MulticastLike;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An L0 world for the multicast engines (§10): {@code n} members, each a {@link Multicaster}, and a
 * controller that answers GATHER for ARP groups authoritatively from the IP assignments (format 1,
 * bit1, as §10.3 says it will) and otherwise from the LIKEs it got; messages go through one FIFO
 * queue, time is the world's. Member {@code i} has address {@code 0x0a000000 + i} and IPv4
 * {@code 10.147.17.(i+1)}. Sessions (who is whose N-peer) are set by the test.
 */
final class MulticastWorld {
    static final long CONTROLLER = 0x00c0ffee00L;
    static final NetworkId NWID = NetworkId.of(CONTROLLER, 1);

    record Message(long from, long to, byte[] bytes) {}

    record Delivery(long to, long from, MacAddress dst, int ethertype, byte[] payload) {}

    final class Member {
        final int index;
        final Address address;
        final Fingerprint fp;
        final Multicaster engine;
        final PortConfig config;
        final Set<Long> peers = new HashSet<>();
        final List<Delivery> delivered = new ArrayList<>();
        final List<ByteBuffer> emulated = new ArrayList<>();
        final List<Address> vouched = new ArrayList<>();

        Member(int index, long flags, int limit, long seed) {
            this.index = index;
            this.address = new Address(0x0a_0000_0000L + index);
            this.fp = fingerprint(address.value());
            this.config = new PortConfig(NWID, address.value(), 1500, flags, limit, List.of(new IpAssignment(ip(index), 24)), List.of(), false,
                    PortConfig.RoutePolicy.DEFAULT);
            this.engine = new Multicaster(address, new Multicaster.Env() {
                @Override
                public void send(NetworkId nwid, Address to, byte[] message) {
                    queue.add(new Message(address.value(), to.value(), message));
                }

                @Override
                public boolean allowed(NetworkId nwid, Fingerprint peer, Address a) {
                    return !outsiders.contains(a.value());
                }

                @Override
                public List<Address> peers(NetworkId nwid) {
                    return peers.stream().sorted().map(Address::new).toList();
                }

                @Override
                public void deliver(NetworkId nwid, Fingerprint peer, Address from, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                    byte[] b = new byte[payload.remaining()];
                    payload.get(b);
                    delivered.add(new Delivery(address.value(), from.value(), dst, ethertype, b));
                }

                @Override
                public void emulate(NetworkId nwid, ByteBuffer frame) {
                    emulated.add(frame);
                }

                @Override
                public void vouched(NetworkId nwid, Address a, byte[] identity) {
                    vouched.add(a);
                }

                @Override
                public List<Address> replicators(NetworkId nwid) {
                    return replicators.stream().filter(r -> r != address.value()).sorted().map(Address::new).toList();
                }

                @Override
                public boolean reachable(NetworkId nwid, Address r) {
                    return peers.contains(r.value()) && !down.contains(r.value());
                }

                @Override
                public boolean replicating(NetworkId nwid) {
                    return replicators.contains(address.value());
                }

                @Override
                public boolean isReplicator(NetworkId nwid, Fingerprint peer, Address a) {
                    return replicators.contains(a.value());
                }

                @Override
                public boolean permitsAs(NetworkId nwid, Address origin, MacAddress dst, MacAddress src, int ethertype, byte[] payload) {
                    return !refusedOrigins.contains(origin.value());
                }

                @Override
                public boolean presentOrigin(NetworkId nwid, Address to, Address origin) {
                    byte[] m = new byte[1 + Address.SIZE]; // the verb and the origin stand for the credential
                    m[0] = (byte) Verb.NETWORK_CREDENTIALS;
                    System.arraycopy(origin.toBytes(), 0, m, 1, Address.SIZE);
                    presentations.add(new Message(address.value(), to.value(), m));
                    queue.add(presentations.getLast()); // logged in order with the frames, not given to the engine
                    return true;
                }
            }, Multicaster.OutboundRules.ACCEPT_ALL, new SplittableRandom(seed));
        }

        MacAddress mac() {
            return config.mac();
        }

        /** An ARP request from this member for {@code target}'s IPv4, as the TAP emits it. */
        void arp(Member target) {
            engine.outbound(NWID, MacAddress.BROADCAST, mac(), 0x0806, arpRequest(mac(), ip(index), ip(target.index)), now);
        }

        /** Bytes to this member from {@code from} (raw, hostile tests). */
        void receive(long from, byte[] message) {
            engine.received(fingerprint(from), new Address(from), message, now);
        }
    }

    final List<Member> members = new ArrayList<>();
    final ArrayDeque<Message> queue = new ArrayDeque<>();
    final Set<Long> outsiders = new HashSet<>();
    /** §10.7: the replicators (MC bit1, listed in the config), and members that are gone (messages to them are lost). */
    final Set<Long> replicators = new HashSet<>(), down = new HashSet<>();
    /** Origins whose frames the replicators' outbound rules refuse (§10.7 "as S"). */
    final Set<Long> refusedOrigins = new HashSet<>();
    /** Origin MCs a replicator presented: from the replicator to the recipient (§10.7). */
    final List<Message> presentations = new ArrayList<>();
    final List<Message> log = new ArrayList<>();
    final Map<MulticastGroup, Set<Long>> controllerLikes = new HashMap<>();
    boolean controllerUp = true;
    long now = 1_000_000;

    MulticastWorld(int n, long flags, int limit, long seed) {
        for (int i = 0; i < n; i++) members.add(new Member(i, flags, limit, seed * 1000 + i));
        for (Member m : members) m.engine.configure(m.config, now);
        pump();
    }

    Member member(int i) {
        return members.get(i);
    }

    /** Makes {@code a} and {@code b} N-peers of each other (a live session, valid MCs) and has them LIKE at once (§10.2). */
    void session(Member a, Member b) {
        a.peers.add(b.address.value());
        b.peers.add(a.address.value());
        a.engine.peerAccepted(NWID, b.address, Set.of(ipValue(b.index)), now);
        b.engine.peerAccepted(NWID, a.address, Set.of(ipValue(a.index)), now);
    }

    /** Delivers queued messages until none is left. */
    void pump() {
        Message m;
        int guard = 0;
        while ((m = queue.poll()) != null) {
            if (++guard > 1_000_000) throw new IllegalStateException("message storm");
            log.add(m);
            if (m.to() == CONTROLLER) {
                if (controllerUp) controller(m);
                continue;
            }
            Member to = byAddress(m.to());
            if (to != null && !down.contains(m.to()) && (m.bytes()[0] & 0xff) != Verb.NETWORK_CREDENTIALS) to.engine.received(fingerprint(m.from()), new Address(m.from()), m.bytes(), now);
        }
    }

    /** Advances the clock by {@code ms}, running every engine's timers. */
    void advance(long ms) {
        now += ms;
        for (Member x : members) x.engine.service(now);
        pump();
    }

    long count(long from, long to, int verb) {
        return log.stream().filter(m -> (from < 0 || m.from() == from) && (to < 0 || m.to() == to) && (m.bytes()[0] & 0xff) == verb).count();
    }

    private Member byAddress(long a) {
        long i = a - 0x0a_0000_0000L;
        return i >= 0 && i < members.size() ? members.get((int) i) : null;
    }

    /** The controller as §10.3 specifies it (the mc-controller branch builds the real one). */
    private void controller(Message m) {
        int verb = m.bytes()[0] & 0xff;
        if (verb == Verb.MULTICAST_LIKE && MulticastLike.decode(m.bytes()) instanceof Decoded.Ok<MulticastLike>(MulticastLike l)) {
            for (MulticastGroup g : l.groups()) controllerLikes.computeIfAbsent(g, x -> new HashSet<>()).add(m.from());
        } else if (verb == Verb.MULTICAST_GATHER && MulticastGather.decode(m.bytes()) instanceof Decoded.Ok<MulticastGather>(MulticastGather g)) {
            List<GatherReply.Member> records = new ArrayList<>();
            boolean arp = g.group().mac().equals(MacAddress.BROADCAST) && g.group().adi() != 0;
            if (arp) {
                for (Member x : members) {
                    if (ipValue(x.index) == g.group().adi() && x.address.value() != m.from()) records.add(record(x.address.value()));
                }
            } else {
                for (long a : controllerLikes.getOrDefault(g.group(), Set.of())) if (a != m.from() && records.size() < g.limit()) records.add(record(a));
            }
            if (records.isEmpty()) return;
            GatherReply r = new GatherReply(NWID, g.group(), records.size(), arp, records);
            queue.add(new Message(CONTROLLER, m.from(), Vl1Codec.encode(r.toOk(Verb.MULTICAST_GATHER, g.requestId()))));
        }
    }

    private static GatherReply.Member record(long a) {
        return new GatherReply.Member(new Address(a), Optional.of(Bytes.of(new byte[Identity.SIZE])));
    }

    static Fingerprint fingerprint(long address) {
        byte[] b = new byte[Fingerprint.SIZE];
        ByteBuffer.wrap(b).putLong(address);
        return Fingerprint.of(b);
    }

    static Inet4Address ip(int index) {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {10, (byte) 147, 17, (byte) (index + 1)});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static long ipValue(int index) {
        return ByteBuffer.wrap(ip(index).getAddress()).getInt() & 0xffff_ffffL;
    }

    /** An Ethernet/IPv4 ARP request payload (28 bytes). */
    static byte[] arpRequest(MacAddress sha, Inet4Address spa, Inet4Address tpa) {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(sha.toBytes()).put(spa.getAddress()).put(new byte[6]).put(tpa.getAddress());
        return b.array();
    }
}

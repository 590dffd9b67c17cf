package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Base32;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The controller's multicast directory (VL.md §10.2, §10.3, §10.7), in memory: per network, the
 * authorised members with their identities, indexed by assigned IPv4 address and by the last three
 * bytes of their IPv6 addresses, the specialists the configs list, and the LIKEs members sent. A
 * gather answer costs O(k) for k records (plus the few members sharing an IPv6 suffix), never a
 * member scan. A network is loaded from the store on first use and then kept in step by the engine
 * at every member change; not thread-safe (the {@link Controller}'s lock guards it).
 *
 * <p>Bounds: ≤ {@link ControllerLimits#MAX_LIKES_PER_MEMBER} LIKEs per member and
 * {@link ControllerLimits#MAX_LIKES_PER_NETWORK} per network (the oldest is forgotten first), ≤
 * {@link ControllerLimits#MAX_LIKES_TOTAL} in all (beyond, new LIKEs are refused); a LIKE expires
 * after {@link ControllerLimits#LIKE_EXPIRY_MS}.
 */
final class MulticastDirectory {
    /** IPv6 solicited-node multicast MACs are {@code 33:33:ff:xx:xx:xx} (§10.3, RFC 2464). */
    private static final long SOLICITED_NODE_MAC_PREFIX = 0x3333ffL;

    /**
     * An authorised member bound to a fingerprint, as the gate, gather answers (format 1) and the
     * specialist list need it; {@code identity} is null until the member requested a config (a row
     * the API bound by fingerprint): such a member is gated and listed as a specialist, but not
     * named in gather answers, which carry identities.
     */
    record Entry(Address address, Fingerprint fingerprint, Bytes identity, long flags, List<Ip> ips) {}

    /**
     * Keys chosen by members (group MAC and ADI) hash with a per-process secret seed, so that no
     * member can pick groups that all land in one hash bin (MulticastGroup's own hash is linear).
     */
    private static final long SEED = new java.security.SecureRandom().nextLong();

    private static int mix(long x) {
        x = (x ^ SEED) * 0xff51afd7ed558ccdL; // MurmurHash3's 64-bit finaliser
        x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return (int) (x ^ (x >>> 33));
    }

    /** A group as a hash key (§10.1: 48-bit MAC, u32 ADI). */
    private record Group(long mac, long adi) {
        static Group of(MulticastGroup g) {
            return new Group(g.mac().value(), g.adi());
        }

        @Override
        public int hashCode() {
            return mix(mac * 0x9e3779b97f4a7c15L + adi);
        }
    }

    private record Like(Address member, Group group) {
        @Override
        public int hashCode() {
            return mix(member.value() * 0x9e3779b97f4a7c15L + group.hashCode());
        }
    }

    /** What {@link #like} did. */
    enum LikeResult { RECORDED, REFRESHED, EVICTED_OLDEST, REFUSED_FULL }

    private static final class Net {
        final Map<Address, Entry> members = new HashMap<>();
        final Map<Integer, List<Entry>> byIpv4 = new HashMap<>();
        final Map<Integer, List<Entry>> bySuffix = new HashMap<>();
        final TreeMap<Long, Specialist> specialists = new TreeMap<>();
        final Map<Group, IndexedSet<Address>> likers = new HashMap<>();
        final Map<Address, LinkedHashMap<Group, Long>> bySender = new HashMap<>();
        /** Every LIKE of the network, oldest first (a renewed LIKE moves to the end). */
        final LinkedHashMap<Like, Long> byAge = new LinkedHashMap<>();
    }

    private final Map<Long, Net> nets = new HashMap<>();
    private int totalLikes;

    boolean loaded(long nwid) {
        return nets.containsKey(nwid);
    }

    /** (Re)indexes network {@code nwid}'s members under {@code s}; LIKEs of members still authorised are kept. */
    void load(long nwid, NetworkSettings s, Collection<Member> members) {
        Net net = nets.computeIfAbsent(nwid, k -> new Net());
        Set<Address> keep = new HashSet<>();
        for (Entry e : List.copyOf(net.members.values())) unindex(net, e);
        for (Member m : members) {
            Entry e = entryOf(nwid, m, s);
            if (e == null) continue;
            index(net, e);
            keep.add(e.address());
        }
        for (Address liker : List.copyOf(net.bySender.keySet())) if (!keep.contains(liker)) forgetLikes(net, liker);
    }

    /** Follows a stored member row (if the network is loaded): an unauthorised row drops out at once, with its LIKEs. */
    void update(long nwid, NetworkSettings s, Member m) {
        Net net = nets.get(nwid);
        if (net == null) return;
        Entry old = net.members.get(m.address());
        if (old != null) unindex(net, old);
        Entry e = entryOf(nwid, m, s);
        if (e != null) index(net, e);
        else forgetLikes(net, m.address());
    }

    void remove(long nwid, Address member) {
        Net net = nets.get(nwid);
        if (net == null) return;
        Entry old = net.members.get(member);
        if (old != null) unindex(net, old);
        forgetLikes(net, member);
    }

    void drop(long nwid) {
        Net net = nets.remove(nwid);
        if (net != null) totalLikes -= net.byAge.size();
    }

    /** The gate (§8.2) from the index: {@code address} is an authorised member of {@code nwid} bound to {@code peer}. */
    boolean isMember(long nwid, Address address, Fingerprint peer) {
        Net net = nets.get(nwid);
        Entry e = net == null ? null : net.members.get(address);
        return e != null && e.fingerprint().equals(peer);
    }

    /** The specialists of {@code nwid} (§7.4 field 0x0e) by address (the API keeps them ≤ {@link ControllerLimits#MAX_SPECIALISTS}). */
    List<Specialist> specialists(long nwid) {
        Net net = nets.get(nwid);
        return net == null ? List.of() : List.copyOf(net.specialists.values());
    }

    int likes(long nwid) {
        Net net = nets.get(nwid);
        return net == null ? 0 : net.byAge.size();
    }

    int totalLikes() {
        return totalLikes;
    }

    /** Records that member {@code member} (an authorised member: the caller gated it) LIKEs {@code group} at {@code now} (§10.2). */
    LikeResult like(long nwid, Address member, MulticastGroup liked, long now) {
        Group group = Group.of(liked);
        Net net = nets.get(nwid);
        if (net == null || !net.members.containsKey(member)) throw new IllegalStateException("LIKE from " + member + ", not an indexed member of the network");
        expire(net, now);
        LinkedHashMap<Group, Long> mine = net.bySender.computeIfAbsent(member, k -> new LinkedHashMap<>());
        Like like = new Like(member, group);
        if (mine.remove(group) != null) { // renewed: to the end of both orders
            net.byAge.remove(like);
            mine.put(group, now);
            net.byAge.put(like, now);
            return LikeResult.REFRESHED;
        }
        LikeResult result = LikeResult.RECORDED;
        if (mine.size() >= ControllerLimits.MAX_LIKES_PER_MEMBER) {
            forget(net, new Like(member, mine.keySet().iterator().next()));
            result = LikeResult.EVICTED_OLDEST;
        } else if (net.byAge.size() >= ControllerLimits.MAX_LIKES_PER_NETWORK) {
            forget(net, net.byAge.keySet().iterator().next());
            result = LikeResult.EVICTED_OLDEST;
        } else if (totalLikes >= ControllerLimits.MAX_LIKES_TOTAL) {
            if (mine.isEmpty()) net.bySender.remove(member);
            return LikeResult.REFUSED_FULL;
        }
        mine.put(group, now);
        net.byAge.put(like, now);
        net.likers.computeIfAbsent(group, k -> new IndexedSet<>()).add(member);
        totalLikes++;
        return result;
    }

    /**
     * The controller's answer to a GATHER for {@code group} from {@code requester} (§10.3): authorised
     * members only, with identities (format 1), without the requester, at most {@code limit} (1..240)
     * in random order. ARP group ({@code ff:ff:ff:ff:ff:ff}, IPv4 x): the members assigned x,
     * authoritative (bit1), whether or not they LIKEd; from the LIKEs only if nobody is assigned x. A
     * solicited-node group {@code 33:33:ff:b0:b1:b2}: its LIKEs plus the members with an assigned
     * IPv6 address ending in b0 b1 b2. Other groups: the LIKEs. Empty when there is nobody to name.
     */
    Optional<GatherReply> gather(long nwid, Address requester, MulticastGroup group, int limit, long now, RandomGenerator random) {
        if (limit < 1 || limit > ControllerLimits.GATHER_LIMIT_MAX) throw new IllegalArgumentException("gather limit " + limit + " is outside 1..240");
        Net net = nets.get(nwid);
        if (net == null) return Optional.empty();
        expire(net, now);
        long mac = group.mac().value();
        List<Entry> assigned = List.of();
        boolean authoritative = false;
        IndexedSet<Address> liked;
        if (mac == MacAddress.BROADCAST.value() && group.adi() != 0) { // ARP (§10.1): ADI = the IPv4 address asked for
            assigned = net.byIpv4.getOrDefault((int) group.adi(), List.of());
            authoritative = !assigned.isEmpty();
            liked = authoritative ? null : net.likers.get(Group.of(group));
        } else {
            liked = net.likers.get(Group.of(group));
            if (mac >>> 24 == SOLICITED_NODE_MAC_PREFIX && group.adi() == 0) assigned = net.bySuffix.getOrDefault((int) (mac & 0xff_ffff), List.of());
        }
        List<Entry> extra = new ArrayList<>(assigned.size());
        for (Entry e : assigned) {
            if (e.identity() != null && !e.address().equals(requester) && (liked == null || !liked.contains(e.address()))) extra.add(e);
        }
        int skip = liked == null ? -1 : liked.indexOf(requester);
        int fromLikes = liked == null ? 0 : liked.size() - (skip >= 0 ? 1 : 0);
        int total = fromLikes + extra.size();
        if (total == 0) return Optional.empty();
        List<GatherReply.Member> records = new ArrayList<>(Math.min(limit, total));
        for (int i : sample(total, Math.min(limit, total), random)) {
            Entry e = i < fromLikes ? net.members.get(liked.get(skip >= 0 && i >= skip ? i + 1 : i)) : extra.get(i - fromLikes);
            if (e != null && e.identity() != null) records.add(new GatherReply.Member(e.address(), Optional.of(e.identity())));
        }
        if (records.isEmpty()) return Optional.empty();
        return Optional.of(new GatherReply(new NetworkId(nwid), group, total, authoritative, records));
    }

    /** {@code k} distinct indices of {@code 0..n-1} in random order: Floyd's sampling, O(k), then shuffled. */
    static int[] sample(int n, int k, RandomGenerator random) {
        int[] out = new int[k];
        if (k == n) {
            for (int i = 0; i < n; i++) out[i] = i;
        } else {
            Set<Integer> chosen = new HashSet<>(2 * k);
            int c = 0;
            for (int j = n - k; j < n; j++) {
                int t = random.nextInt(j + 1);
                int pick = chosen.add(t) ? t : j;
                if (pick == j) chosen.add(j);
                out[c++] = pick;
            }
        }
        for (int i = k - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int x = out[i];
            out[i] = out[j];
            out[j] = x;
        }
        return out;
    }

    // ---------------------------------------------------------------- internals

    private static Entry entryOf(long nwid, Member m, NetworkSettings s) {
        if (!m.authorized() || m.fingerprint() == null) return null;
        Optional<Bytes> id = m.identity() == null ? Optional.empty() : identityBytes(m.identity());
        List<Ip> ips = new ArrayList<>();
        for (Ip.Prefixed p : Addressing.credentialAssignments(nwid, m, s)) ips.add(p.ip());
        return new Entry(m.address(), m.fingerprint(), id.orElse(null), m.credentialFlags(), List.copyOf(ips));
    }

    /** The 195 identity bytes of a stored public identity text ({@code <address>:1:<base32>}, verified when stored). */
    static Optional<Bytes> identityBytes(String text) {
        int prefix = Address.SIZE * 2 + 3;
        if (text.length() <= prefix) return Optional.empty();
        return Base32.decode(text.substring(prefix), Identity.SIZE).map(Bytes::of);
    }

    /** The posting table of {@code ip}: by IPv4 address, or by the last three bytes of an IPv6 address. */
    private static Map<Integer, List<Entry>> postings(Net net, Ip ip) {
        return ip.family() == 4 ? net.byIpv4 : net.bySuffix;
    }

    private static int postingKey(Ip ip) {
        byte[] b = ip.bytes();
        return ip.family() == 4 ? intAt(b, 0) : intAt(b, 12) & 0xff_ffff;
    }

    private static void index(Net net, Entry e) {
        net.members.put(e.address(), e);
        for (Ip ip : e.ips()) postings(net, ip).computeIfAbsent(postingKey(ip), k -> new ArrayList<>(1)).add(e);
        if (e.flags() != 0) net.specialists.put(e.address().value(), new Specialist(e.address(), e.fingerprint(), e.flags()));
    }

    private static void unindex(Net net, Entry e) {
        net.members.remove(e.address());
        for (Ip ip : e.ips()) {
            Map<Integer, List<Entry>> postings = postings(net, ip);
            List<Entry> l = postings.get(postingKey(ip));
            if (l == null) continue;
            l.remove(e);
            if (l.isEmpty()) postings.remove(postingKey(ip));
        }
        net.specialists.remove(e.address().value());
    }

    private static int intAt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private void expire(Net net, long now) {
        for (Iterator<Map.Entry<Like, Long>> it = net.byAge.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Like, Long> oldest = it.next();
            if (now - oldest.getValue() < ControllerLimits.LIKE_EXPIRY_MS) return;
            it.remove();
            unlike(net, oldest.getKey());
        }
    }

    private void forget(Net net, Like like) {
        if (net.byAge.remove(like) != null) unlike(net, like);
    }

    /** Removes {@code like} from the sender and group tables (the caller removed it from {@code byAge}). */
    private void unlike(Net net, Like like) {
        totalLikes--;
        LinkedHashMap<Group, Long> mine = net.bySender.get(like.member());
        if (mine != null) {
            mine.remove(like.group());
            if (mine.isEmpty()) net.bySender.remove(like.member());
        }
        IndexedSet<Address> set = net.likers.get(like.group());
        if (set != null) {
            set.remove(like.member());
            if (set.size() == 0) net.likers.remove(like.group());
        }
    }

    private void forgetLikes(Net net, Address member) {
        LinkedHashMap<Group, Long> mine = net.bySender.get(member);
        if (mine == null) return;
        for (Group g : List.copyOf(mine.keySet())) forget(net, new Like(member, g));
    }

    /** A set with O(1) add, remove, contains and access by index (for sampling). */
    static final class IndexedSet<T> {
        private final List<T> items = new ArrayList<>();
        private final Map<T, Integer> positions = new HashMap<>();

        boolean add(T t) {
            if (positions.containsKey(t)) return false;
            positions.put(t, items.size());
            items.add(t);
            return true;
        }

        boolean remove(T t) {
            Integer i = positions.remove(t);
            if (i == null) return false;
            T last = items.remove(items.size() - 1);
            if (i < items.size()) {
                items.set(i, last);
                positions.put(last, i);
            }
            return true;
        }

        boolean contains(T t) {
            return positions.containsKey(t);
        }

        /** The index of {@code t}, or -1. */
        int indexOf(T t) {
            Integer i = positions.get(t);
            return i == null ? -1 : i;
        }

        T get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }
}

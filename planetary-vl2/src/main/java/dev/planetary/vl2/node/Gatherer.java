package dev.planetary.vl2.node;

import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The requester side of MULTICAST_GATHER for one network (VL.md §10.3): when a group may be
 * gathered (once per {@link #T_GATHER_MS}, or every {@link #RETRY_NONE_KNOWN_MS} while no member is
 * known), which requests are outstanding and whom they went to, and the members the answers named
 * (cached until the LIKE expiry; authoritative controller answers until the owner answers
 * UNWANTED_MULTICAST). An answer is taken only for an outstanding request from a node it went to,
 * and only the controller's can be authoritative. Bounded throughout. Not thread-safe: the node's thread.
 */
final class Gatherer {
    /** §10.3: a group is gathered at most once per 60 s (V1 T_GATHER)… */
    static final long T_GATHER_MS = 60_000;
    /** …or every 5 s while no member is known. */
    static final long RETRY_NONE_KNOWN_MS = 5_000;
    /** §10.3: N-peers asked besides the controller (lowest latency first). */
    static final int PEERS_ASKED = 4;
    /** Groups whose gather state is kept (least recently used forgotten). */
    static final int MAX_GROUPS = 1024;
    /** Members cached per group (the largest gather limit). */
    static final int MAX_MEMBERS_PER_GROUP = 240;
    /** Outstanding requests kept; an answer later than {@link #T_GATHER_MS} is not taken. */
    static final int MAX_PENDING = 1024;

    private record Known(long until, boolean authoritative) {}

    private record Pending(MulticastGroup group, Set<Long> asked, long at) {}

    private static final class State {
        long lastGather = Long.MIN_VALUE;
        final LinkedHashMap<Long, Known> members = new LinkedHashMap<>();
    }

    private final Map<MulticastGroup, State> groups = Lru.map(MAX_GROUPS);
    private final Map<Integer, Pending> pending = Lru.map(MAX_PENDING);
    private final RandomGenerator rng;

    Gatherer(RandomGenerator rng) {
        this.rng = rng;
    }

    /** Whether {@code group} may be gathered at {@code now} (§10.3 schedule). */
    boolean due(MulticastGroup group, long now) {
        State s = groups.get(group);
        if (s == null || s.lastGather == Long.MIN_VALUE) return true;
        return now - s.lastGather >= (members(group, now).isEmpty() ? RETRY_NONE_KNOWN_MS : T_GATHER_MS);
    }

    /** Starts a gather of {@code group} going to {@code asked}; returns its request id (never 0). */
    int start(MulticastGroup group, Set<Long> asked, long now) {
        groups.computeIfAbsent(group, g -> new State()).lastGather = now;
        int id;
        do {
            id = rng.nextInt();
        } while (id == 0 || pending.containsKey(id));
        pending.put(id, new Pending(group, Set.copyOf(asked), now));
        return id;
    }

    /**
     * An answer to request {@code requestId} from {@code from} (the controller if {@code fromController});
     * returns the group whose members it added, or empty if the answer was not asked for (dropped).
     */
    Optional<MulticastGroup> answered(int requestId, long from, boolean fromController, GatherReply reply, long self, long now) {
        Pending p = pending.get(requestId);
        if (p == null || !p.group().equals(reply.group()) || !p.asked().contains(from) || now - p.at() > T_GATHER_MS) {
            return Optional.empty();
        }
        State s = groups.computeIfAbsent(p.group(), g -> new State());
        boolean authoritative = fromController && reply.authoritative();
        for (GatherReply.Member m : reply.members()) {
            long a = m.address().value();
            if (a == self) continue;
            Known old = s.members.remove(a);
            boolean auth = authoritative || old != null && old.authoritative();
            s.members.put(a, new Known(auth ? Long.MAX_VALUE : now + MulticastDirectory.LIKE_EXPIRY_MS, auth));
            if (s.members.size() > MAX_MEMBERS_PER_GROUP) {
                Iterator<Long> it = s.members.keySet().iterator();
                it.next();
                it.remove();
            }
        }
        return Optional.of(p.group());
    }

    /** The members the answers named for {@code group} that have not expired (a mutable copy). */
    List<Long> members(MulticastGroup group, long now) {
        State s = groups.get(group);
        if (s == null) return new ArrayList<>();
        s.members.values().removeIf(k -> k.until() <= now);
        return new ArrayList<>(s.members.keySet());
    }

    /** The member an authoritative controller answer named for {@code group} (ARP emulation, §10.5). */
    Optional<Long> authoritative(MulticastGroup group) {
        State s = groups.get(group);
        if (s == null) return Optional.empty();
        for (Map.Entry<Long, Known> e : s.members.entrySet()) {
            if (e.getValue().authoritative()) return Optional.of(e.getKey());
        }
        return Optional.empty();
    }

    /** {@code member} answered UNWANTED_MULTICAST for {@code group}: forgotten, authoritative or not (§10.3, §10.4). */
    void unwanted(MulticastGroup group, long member) {
        State s = groups.get(group);
        if (s != null) s.members.remove(member);
    }

    /**
     * {@code member}'s current MC assigns it exactly the IPv4 addresses {@code ipv4} (u32 values): an
     * authoritative ARP owner whose MC dropped the address is forgotten (§10.3).
     */
    void owns(long member, Set<Long> ipv4) {
        for (Map.Entry<MulticastGroup, State> e : groups.entrySet()) {
            MulticastGroup g = e.getKey();
            Known k = e.getValue().members.get(member);
            if (k != null && k.authoritative() && g.adi() != 0 && !ipv4.contains(g.adi())) e.getValue().members.remove(member);
        }
    }

    /** Requests outstanding (bounded by {@link #MAX_PENDING}). */
    int pending() {
        return pending.size();
    }

}

package dev.planetary.vl2.node;

import dev.planetary.vl2.MulticastGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The MULTICAST_LIKEs a member holds for one network (VL.md §10.2): group → members that LIKEd it,
 * each forgotten {@link #LIKE_EXPIRY_MS} after its last LIKE. Bounded: at most
 * {@link #MAX_GROUPS_PER_SENDER} groups per sender (further new groups from it are refused) and
 * {@link #MAX_LIKES} LIKEs in all (the oldest expire first). Not thread-safe: the node's thread.
 */
final class MulticastDirectory {
    /** §10.2: a LIKE is forgotten 600 s after it was last received (V1). */
    static final long LIKE_EXPIRY_MS = 600_000;
    /** §10.2: groups held per sender. */
    static final int MAX_GROUPS_PER_SENDER = 1024;
    /** §10.2: LIKEs held per network at a member. */
    static final int MAX_LIKES = 10_000;

    private record Like(MulticastGroup group, long member) {}

    /** Every LIKE by time of its last renewal, oldest first (a renewal re-inserts it). */
    private final LinkedHashMap<Like, Long> likes = new LinkedHashMap<>();
    private final Map<MulticastGroup, Set<Long>> byGroup = new HashMap<>();
    private final Map<Long, Integer> perSender = new HashMap<>();

    /** Records that {@code member} LIKEs {@code group} at {@code now}; false if refused (the sender's group bound). */
    boolean like(long member, MulticastGroup group, long now) {
        Like l = new Like(group, member);
        if (likes.remove(l) == null) {
            if (perSender.getOrDefault(member, 0) >= MAX_GROUPS_PER_SENDER) return false;
            perSender.merge(member, 1, Integer::sum);
            byGroup.computeIfAbsent(group, g -> new LinkedHashSet<>()).add(member);
        }
        likes.put(l, now);
        while (likes.size() > MAX_LIKES) remove(likes.keySet().iterator());
        return true;
    }

    /** Forgets {@code member}'s LIKE of {@code group} (it answered UNWANTED_MULTICAST, §10.4). */
    void forget(long member, MulticastGroup group) {
        Like l = new Like(group, member);
        if (likes.remove(l) != null) unindex(l);
    }

    /** Forgets the LIKEs older than the expiry; returns the time the next one expires (or MAX_VALUE). */
    long expire(long now) {
        Iterator<Map.Entry<Like, Long>> it = likes.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Like, Long> e = it.next();
            if (now - e.getValue() < LIKE_EXPIRY_MS) return e.getValue() + LIKE_EXPIRY_MS;
            it.remove();
            unindex(e.getKey());
        }
        return Long.MAX_VALUE;
    }

    /** The members LIKing {@code group} (a mutable copy). */
    List<Long> members(MulticastGroup group) {
        Set<Long> s = byGroup.get(group);
        return s == null ? new ArrayList<>() : new ArrayList<>(s);
    }

    /** §10.3: at most {@code limit} members of {@code group} other than {@code requester}, in random order. */
    List<Long> answer(MulticastGroup group, long requester, int limit, RandomGenerator rng) {
        List<Long> m = members(group);
        m.remove(requester);
        Collections.shuffle(m, rng);
        return m.size() > limit ? new ArrayList<>(m.subList(0, limit)) : m;
    }

    /** LIKEs held. */
    int size() {
        return likes.size();
    }

    /** Groups {@code member} is held as LIKing. */
    int groupsOf(long member) {
        return perSender.getOrDefault(member, 0);
    }

    private void remove(Iterator<Like> it) {
        Like l = it.next();
        it.remove();
        unindex(l);
    }

    private void unindex(Like l) {
        Set<Long> s = byGroup.get(l.group());
        if (s != null && s.remove(l.member()) && s.isEmpty()) byGroup.remove(l.group());
        perSender.computeIfPresent(l.member(), (k, v) -> v == 1 ? null : v - 1);
    }
}

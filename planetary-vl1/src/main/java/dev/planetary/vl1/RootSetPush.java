package dev.planetary.vl1;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.RootSets;
import dev.planetary.vl1.engine.BoundedMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ROOT_SET push and pinning (§4.2), both sides, kept out of {@link Node}'s message loop.
 * <ul>
 *   <li>A root publishes its newest sets ({@link #publish}); when a member's HELLO summarises an
 *       older revision of one of them (TLV {@code 0x81}) it gets the newest, at most once per
 *       {@link #PUSH_INTERVAL_MS} per member.
 *   <li>A member holds its accepted sets (the lineage pinned by the embedded default or the
 *       operator's {@code roots add}), summarises the unfrozen ones in HELLOs to its roots, and
 *       accepts a pushed set only by the update rule of §4.1 (same name, higher revision,
 *       standalone-valid, signed by one of the current set's update keys); a frozen set ignores pushes.
 * </ul>
 * Single-threaded, driven by the node.
 */
final class RootSetPush {
    /** §4.5: ROOT_SET pushes per node. */
    static final long PUSH_INTERVAL_MS = 60_000;
    /** Members whose last push time a root remembers (older ones may be pushed to again early). */
    private static final int PUSH_MEMORY = 65_536;

    private final IdentityVerifier verifier;
    private final Map<Long, dev.planetary.identity.RootSet> published = new HashMap<>(); // root: name-id → newest
    private final BoundedMap<Fingerprint, Long> lastPush = new BoundedMap<>(PUSH_MEMORY);
    private final List<RootSets.Accepted> accepted = new ArrayList<>(); // member: in use

    RootSetPush(IdentityVerifier verifier) {
        this.verifier = verifier;
    }

    /** Root: {@code set} is this root's newest revision of its name (replaces an older one; an older one is ignored). */
    void publish(dev.planetary.identity.RootSet set) {
        published.merge(RootSetSummary.nameId(set.name()), set, (old, neu) -> neu.revision() > old.revision() ? neu : old);
    }

    /** Root: the set to push to {@code peer} for its HELLO's summaries, or null. */
    dev.planetary.identity.RootSet pushFor(Fingerprint peer, List<RootSetSummary> summaries, long now) {
        if (published.isEmpty()) return null;
        for (RootSetSummary s : summaries) {
            dev.planetary.identity.RootSet mine = published.get(s.nameId());
            if (mine == null || Long.compareUnsigned(mine.revision(), s.revision()) <= 0) continue;
            Long last = lastPush.get(peer);
            if (last != null && now - last < PUSH_INTERVAL_MS) return null;
            lastPush.put(peer, now);
            return mine;
        }
        return null;
    }

    /** Member: the sets in use (replacing any held before). */
    void use(List<RootSets.Accepted> sets) {
        accepted.clear();
        accepted.addAll(sets);
    }

    List<RootSets.Accepted> accepted() {
        return List.copyOf(accepted);
    }

    /**
     * Member: the effective roots of the sets in use (§4.1 set order: {@link #use} receives the
     * operator's sets in name order, then the embedded default, and that order is kept).
     */
    List<RootInfo> roots() {
        if (accepted.isEmpty()) return List.of();
        int last = accepted.size() - 1;
        return RootInfo.of(RootSets.effectiveRoots(accepted.subList(0, last), accepted.get(last)));
    }

    /** Member: the 0x81 summaries for HELLOs to roots (unfrozen sets only: a frozen one takes no push). */
    List<RootSetSummary> summaries() {
        List<RootSetSummary> l = new ArrayList<>();
        for (RootSets.Accepted a : accepted) if (!a.frozen()) l.add(new RootSetSummary(RootSetSummary.nameId(a.name()), a.valid().set().revision()));
        return l;
    }

    /** Member: a pushed set; on acceptance it replaces its predecessor and is returned. */
    Decoded<RootSets.Accepted> receive(byte[] bytes) {
        Decoded<dev.planetary.identity.RootSet> d = dev.planetary.identity.RootSet.decode(bytes);
        if (d instanceof Decoded.Invalid<dev.planetary.identity.RootSet> inv) return inv.cast();
        dev.planetary.identity.RootSet candidate = d.orThrow();
        for (int i = 0; i < accepted.size(); i++) {
            if (!accepted.get(i).name().equals(candidate.name())) continue;
            Decoded<RootSets.Accepted> r = accepted.get(i).offer(candidate, verifier);
            if (r.isOk()) accepted.set(i, r.orThrow());
            return r;
        }
        return new Decoded.Invalid<>(Rejection.UPDATE_RULE, "no accepted set of that name"); // never echo peer text
    }
}

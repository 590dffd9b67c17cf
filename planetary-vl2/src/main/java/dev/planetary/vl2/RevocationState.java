package dev.planetary.vl2;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A member's stored revocation state for one network (§8.4 "Member storage"): per prefix the highest
 * threshold seen in any accepted list, the highest floor, and the highest accepted list revision.
 * A list that no longer contains an entry never un-revokes anyone. Immutable: {@link #merge} and
 * {@link #prune} return a new state. Bounded by {@link Vl2Limits#MAX_STORED_REVOCATIONS} entries
 * (past it the lowest thresholds, the first to fall out of the window, are dropped).
 */
public final class RevocationState {
    private final NetworkId networkId;
    private final long revision;
    private final long floor;
    private final Map<Bytes, Long> thresholds;

    private RevocationState(NetworkId networkId, long revision, long floor, Map<Bytes, Long> thresholds) {
        this.networkId = networkId;
        this.revision = revision;
        this.floor = floor;
        this.thresholds = thresholds;
    }

    /** Nothing held (revision 0, floor 0). */
    public static RevocationState empty(NetworkId networkId) {
        return new RevocationState(Codec.nonNull(networkId, "network id"), 0, 0, Map.of());
    }

    public NetworkId networkId() {
        return networkId;
    }

    /** The highest accepted list revision (0 = none): what a member reports as "held" (§7.3, §8.3 item 0x04). */
    public long revision() {
        return revision;
    }

    public long floor() {
        return floor;
    }

    public int size() {
        return thresholds.size();
    }

    /**
     * Merges an accepted list (the caller checked issuer and signature): thresholds and floor only rise.
     *
     * @throws IllegalArgumentException if the list is for another network
     */
    public RevocationState merge(RevocationList list) {
        if (!list.networkId().equals(networkId)) throw new IllegalArgumentException("revocation list for network " + list.networkId() + ", state for " + networkId);
        Map<Bytes, Long> m = new HashMap<>(thresholds);
        for (Revocation r : list.entries()) m.merge(r.prefix(), r.threshold(), RevocationState::maxUnsigned);
        return new RevocationState(networkId, maxUnsigned(revision, list.revision()), maxUnsigned(floor, list.floor()), bound(m));
    }

    /** Whether {@code list} is newer than what this state has accepted (§8.4 "Acceptance": revision higher). */
    public boolean isNewer(RevocationList list) {
        return Long.compareUnsigned(list.revision(), revision) > 0;
    }

    /**
     * Drops entries that can no longer matter: {@code ownTs − threshold > ownMaxDelta} (every older MC
     * fails the window against the own credential anyway).
     */
    public RevocationState prune(long ownTs, long ownMaxDelta) {
        Map<Bytes, Long> m = new HashMap<>();
        thresholds.forEach((p, t) -> {
            if (Long.compareUnsigned(t, ownTs) >= 0 || Long.compareUnsigned(ownTs - t, ownMaxDelta) <= 0) m.put(p, t);
        });
        return new RevocationState(networkId, revision, floor, Map.copyOf(m));
    }

    /** §8.2 step 4: an MC of {@code member} at {@code ts} is revoked if below the floor or below its prefix's threshold. */
    public boolean isRevoked(Fingerprint member, long ts) {
        if (Long.compareUnsigned(ts, floor) < 0) return true;
        Long t = thresholds.get(Revocation.prefixOf(member));
        return t != null && Long.compareUnsigned(ts, t) < 0;
    }

    /** The stored entries, ascending by prefix. */
    public List<Revocation> entries() {
        List<Revocation> out = new ArrayList<>();
        thresholds.forEach((p, t) -> out.add(new Revocation(p, t)));
        out.sort((a, b) -> Revocation.comparePrefix(a.prefix(), b.prefix()));
        return out;
    }

    private static Map<Bytes, Long> bound(Map<Bytes, Long> m) {
        if (m.size() <= Vl2Limits.MAX_STORED_REVOCATIONS) return Map.copyOf(m);
        List<Map.Entry<Bytes, Long>> sorted = new ArrayList<>(m.entrySet());
        sorted.sort(Comparator.comparing(Map.Entry::getValue, Long::compareUnsigned));
        Map<Bytes, Long> kept = new HashMap<>();
        for (var e : sorted.subList(sorted.size() - Vl2Limits.MAX_STORED_REVOCATIONS, sorted.size())) kept.put(e.getKey(), e.getValue());
        return Map.copyOf(kept);
    }

    private static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "RevocationState[" + networkId + ", revision " + revision + ", floor " + floor + ", " + thresholds.size() + " entries]";
    }
}

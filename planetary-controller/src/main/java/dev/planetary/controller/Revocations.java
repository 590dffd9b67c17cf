package dev.planetary.controller;

import dev.planetary.identity.Fingerprint;
import java.util.HexFormat;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A network's revocation state (VL.md §8.4): list revision, floor, entries (fingerprint prefix →
 * threshold), the largest max-delta issued on the network, and the current list as signed.
 *
 * @param entries  16-byte fingerprint prefixes as lowercase hex (so the map's order is the list's ascending byte order)
 * @param signed   the current list's PSO and digest (null until signed)
 */
public record Revocations(long networkId, long revision, long floor, long timestamp, SortedMap<String, Long> entries,
        long largestMaxDelta, Signed signed) {
    public Revocations {
        entries = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(entries));
    }

    /** A new network's list: revision 1, floor 0, no entries (§8.4 "Start"). */
    public static Revocations start(long networkId, long ts, long maxDelta) {
        return new Revocations(networkId, 1, 0, ts, new TreeMap<>(), maxDelta, null);
    }

    public static String prefix(Fingerprint fp) {
        return HexFormat.of().formatHex(fp.toBytes(), 0, ControllerLimits.REVOCATION_PREFIX_BYTES);
    }

    /** The content to sign. */
    public RevocationListContent content() {
        return new RevocationListContent(networkId, revision, floor, entries, timestamp);
    }

    /**
     * The next revision with {@code fp}'s entry added or raised to {@code threshold} (exactly
     * ts(new MC), §7.5), entries older than twice the largest max-delta dropped, and — if the list
     * would exceed {@link ControllerLimits#MAX_REVOCATIONS} — the floor raised to {@code ts}
     * instead (§8.4 "Controller maintenance"); {@link #floorRaisedFrom} tells which happened.
     */
    public Revocations revoke(Fingerprint fp, long threshold, long ts, long maxDeltaIssued) {
        long largest = Math.max(largestMaxDelta, maxDeltaIssued);
        TreeMap<String, Long> e = new TreeMap<>(entries);
        e.merge(prefix(fp), threshold, Math::max);
        e.values().removeIf(t -> ts - t > 2 * largest); // §8.4: older than twice the largest max-delta
        long newFloor = floor;
        if (e.size() > ControllerLimits.MAX_REVOCATIONS) {
            newFloor = ts;
            final long f = newFloor;
            e.values().removeIf(t -> t <= f); // every MC with ts < floor is invalid already; ts(MC) < t <= floor
        }
        return new Revocations(networkId, revision + 1, newFloor, ts, e, largest, null);
    }

    public boolean floorRaisedFrom(Revocations previous) {
        return floor != previous.floor;
    }

    Revocations withSigned(Signed s) {
        return new Revocations(networkId, revision, floor, timestamp, entries, largestMaxDelta, s);
    }

    Revocations withLargestMaxDelta(long d) {
        return new Revocations(networkId, revision, floor, timestamp, entries, Math.max(largestMaxDelta, d), signed);
    }
}

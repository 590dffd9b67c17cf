package dev.planetary.vl2.node;

import dev.planetary.nic.MacAddress;
import dev.planetary.vl2.MulticastFrame;
import dev.planetary.vl2.MulticastGroup;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The sending side of §10.4 for one network: the group a frame from the TAP goes to, the recipients
 * of one replication (each at most once, never this node, at most the multicast limit), and the
 * frames held while a group with no known member is gathered ({@link #MAX_HELD_PER_GROUP} per
 * group, {@link #HOLD_MS}). Not thread-safe: the node's thread.
 */
final class MulticastSender {
    /** §10.4 step 4: frames held per group while gathering… */
    static final int MAX_HELD_PER_GROUP = 32;
    /** …for at most 5 s. */
    static final long HOLD_MS = 5_000;
    /** Groups with held frames at once (the oldest group's frames dropped beyond). */
    static final int MAX_HELD_GROUPS = 64;

    private final TimedQueues<MulticastGroup, MulticastFrame> held = new TimedQueues<>(MAX_HELD_PER_GROUP, MAX_HELD_GROUPS, HOLD_MS);

    /**
     * §10.4 step 1: an ARP request goes to (ff:ff:ff:ff:ff:ff, target IPv4), other broadcast to
     * (ff:…:ff, 0), other multicast to (dst, 0). {@code payload} is the Ethernet payload.
     */
    static MulticastGroup group(MacAddress dst, int ethertype, byte[] payload) {
        if (dst.equals(MacAddress.BROADCAST)) {
            long target = ArpEmulation.requestTarget(ethertype, payload);
            return new MulticastGroup(dst, target < 0 ? 0 : target);
        }
        return new MulticastGroup(dst, 0);
    }

    /**
     * §10.4 step 4: at most {@code limit} distinct recipients from {@code candidates} (in random
     * order), never {@code self}.
     */
    static List<Long> recipients(List<Long> candidates, long self, int limit, RandomGenerator rng) {
        List<Long> r = new ArrayList<>(new LinkedHashSet<>(candidates));
        r.remove(self);
        Collections.shuffle(r, rng);
        return r.size() > limit ? new ArrayList<>(r.subList(0, limit)) : r;
    }

    /** Holds {@code frame} while its group is gathered (a full group's oldest frame is dropped); returns when it expires. */
    long hold(MulticastFrame frame, long now) {
        return held.add(frame.group(), frame, now);
    }

    /** The frames held for {@code group}, oldest first, now released. */
    List<MulticastFrame> release(MulticastGroup group) {
        return held.take(group);
    }

    /** Drops the frames held longer than {@link #HOLD_MS}; returns when the next one would expire. */
    long expire(long now) {
        return held.expire(now);
    }

    /** Frames dropped from the hold (full, or held too long with no member found). */
    long dropped() {
        return held.dropped();
    }

    /** Frames held now. */
    int held() {
        return held.size();
    }
}

package dev.planetary.vl2.rules;

import dev.planetary.identity.Address;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.Tag;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the rules engine needs of one member, the sender or the receiver of a frame (VL.md §11.4,
 * §11.6), from its Member Credential: its address, its tags (ascending id), the capabilities granted
 * to it (ascending id) and the IP addresses it owns (§9.5, for {@code SENDER_IP_AUTHENTICATED}).
 * Immutable; built once per credential, then used for every frame without allocation.
 */
public final class Subject {
    private static final long[] NONE = new long[0];

    final long address;
    final long[] tagIds, tagValues, grants;
    // owned addresses: family 4 → v4 / prefix; family 6 → hi/lo / prefix; exact unless prefix owned
    private final int[] v4, v4Prefix;
    private final long[] v6Hi, v6Lo;
    private final int[] v6Prefix;

    private Subject(long address, List<Tag> tags, List<Long> grants, List<AssignedAddress> owned) {
        this.address = address;
        this.tagIds = new long[tags.size()];
        this.tagValues = new long[tags.size()];
        for (int i = 0; i < tags.size(); i++) {
            tagIds[i] = tags.get(i).id();
            tagValues[i] = tags.get(i).value();
            if (i > 0 && tagIds[i] <= tagIds[i - 1]) throw new IllegalArgumentException("tags must be strictly ascending by id (§8.1)");
        }
        this.grants = grants.isEmpty() ? NONE : grants.stream().mapToLong(Long::longValue).toArray();
        for (int i = 1; i < this.grants.length; i++) {
            if (this.grants[i] <= this.grants[i - 1]) throw new IllegalArgumentException("capability grants must be strictly ascending by id (§8.1)");
        }
        List<AssignedAddress> four = owned.stream().filter(a -> a.ip().address() instanceof Inet4Address).toList();
        List<AssignedAddress> six = owned.stream().filter(a -> !(a.ip().address() instanceof Inet4Address)).toList();
        v4 = new int[four.size()];
        v4Prefix = new int[four.size()];
        for (int i = 0; i < four.size(); i++) {
            v4[i] = ByteBuffer.wrap(four.get(i).ip().address().getAddress()).getInt();
            v4Prefix[i] = four.get(i).prefixOwned() ? four.get(i).ip().prefix() : 32; // §9.5: exact unless the prefix is owned
        }
        v6Hi = new long[six.size()];
        v6Lo = new long[six.size()];
        v6Prefix = new int[six.size()];
        for (int i = 0; i < six.size(); i++) {
            ByteBuffer b = ByteBuffer.wrap(six.get(i).ip().address().getAddress());
            v6Hi[i] = b.getLong();
            v6Lo[i] = b.getLong();
            v6Prefix[i] = six.get(i).prefixOwned() ? six.get(i).ip().prefix() : 128;
        }
    }

    /** A member as its credential describes it. */
    public static Subject of(MemberCredential mc) {
        return new Subject(mc.issuedToAddress().value(), mc.tags(), mc.capabilities(), mc.addresses());
    }

    /** A member from explicit facts (tags and grants strictly ascending by id, as in an MC). */
    public static Subject of(Address address, List<Tag> tags, List<Long> grants, List<AssignedAddress> owned) {
        return new Subject(address.value(), tags, grants, owned);
    }

    /** A member whose credential is not known here: its tags take the config defaults, it has no grants and owns no address. */
    public static Subject unknown(Address address) {
        return new Subject(address.value(), List.of(), List.of(), List.of());
    }

    public long address() {
        return address;
    }

    /** The member's own value of tag {@code id}, or {@code fallback} when its credential carries none. */
    long tag(long id, long fallback) {
        int i = java.util.Arrays.binarySearch(tagIds, id);
        return i >= 0 ? tagValues[i] : fallback;
    }

    /** §9.5: whether the IPv4 address {@code a} is owned by this member. */
    boolean ownsIpv4(int a) {
        for (int i = 0; i < v4.length; i++) {
            if (Rules.inPrefix(a, v4[i], v4Prefix[i])) return true;
        }
        return false;
    }

    /** §9.5: whether the IPv6 address {@code hi ‖ lo} is owned by this member. */
    boolean ownsIpv6(long hi, long lo) {
        for (int i = 0; i < v6Hi.length; i++) {
            if (Rules.inPrefix(hi, lo, v6Hi[i], v6Lo[i], v6Prefix[i])) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return "Subject[" + new Address(address) + ", " + tagIds.length + " tags, grants " + java.util.Arrays.toString(grants) + "]";
    }
}

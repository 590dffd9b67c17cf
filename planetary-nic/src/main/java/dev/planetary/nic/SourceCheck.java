package dev.planetary.nic;

import static dev.planetary.nic.Packets.ETHERTYPE_ARP;
import static dev.planetary.nic.Packets.ETHERTYPE_IPV4;
import static dev.planetary.nic.Packets.ETHERTYPE_IPV6;
import static dev.planetary.nic.Packets.ETH_HEADER;
import static dev.planetary.nic.Packets.PROTO_ICMPV6;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * VL.md §9.5 anti-spoofing for a frame from member S (source MAC = S's derived MAC, S not a bridge):
 * IPv4 sources and ARP sender addresses must be owned by S or {@code 0.0.0.0}; IPv6 sources must be
 * owned by S, be S's EUI-64 link-local address exactly, or {@code ::}; any other {@code fe80::/10}
 * source is refused, and so is a neighbour advertisement whose target fails the same test. An
 * address is owned iff it equals one of S's assignments or lies inside one whose prefix is owned.
 * Frames that carry neither IPv4, ARP nor IPv6 (after at most one 802.1Q tag) are not this rule's.
 */
public final class SourceCheck {
    /** One of S's MC IP assignments (§8.1); {@code prefixOwned}: the whole prefix is S's. */
    public record Owned(IpAssignment assignment, boolean prefixOwned) {
    }

    /** The verdict; every value but {@link #PASS} means drop. */
    public enum Verdict {
        PASS,
        /** Too short for the headers its ethertype announces. */
        MALFORMED,
        IPV4_SOURCE_NOT_OWNED,
        ARP_SENDER_NOT_OWNED,
        IPV6_SOURCE_NOT_OWNED,
        /** An {@code fe80::/10} source other than S's own EUI-64 link-local address. */
        FOREIGN_LINK_LOCAL,
        NA_TARGET_NOT_OWNED
    }

    private static final int ETHERTYPE_VLAN = 0x8100;

    private final byte[] linkLocal;
    private final List<Owned> owned;

    /** The check for member S with derived MAC {@code senderMac} and assignments {@code owned}. */
    public SourceCheck(MacAddress senderMac, List<Owned> owned) {
        this.linkLocal = Ipv6Addresses.linkLocal(senderMac).getAddress();
        this.owned = List.copyOf(owned);
    }

    /** Judges one frame; never throws on frame content. */
    public Verdict check(ByteBuffer frame) {
        ByteBuffer f = frame.slice();
        if (f.remaining() < ETH_HEADER) {
            return Verdict.MALFORMED;
        }
        int off = ETH_HEADER;
        int type = f.getShort(12) & 0xffff;
        if (type == ETHERTYPE_VLAN) { // §9.2: the tag at the start of the payload
            if (f.remaining() < off + 4) {
                return Verdict.MALFORMED;
            }
            type = f.getShort(off + 2) & 0xffff;
            off += 4;
        }
        return switch (type) {
            case ETHERTYPE_IPV4 -> f.remaining() < off + 20 ? Verdict.MALFORMED
                    : ok4(f, off + 12) ? Verdict.PASS : Verdict.IPV4_SOURCE_NOT_OWNED;
            case ETHERTYPE_ARP -> f.remaining() < off + 28 ? Verdict.MALFORMED
                    : ok4(f, off + 14) ? Verdict.PASS : Verdict.ARP_SENDER_NOT_OWNED;
            case ETHERTYPE_IPV6 -> ipv6(f, off);
            default -> Verdict.PASS;
        };
    }

    private Verdict ipv6(ByteBuffer f, int off) {
        if (f.remaining() < off + 40) {
            return Verdict.MALFORMED;
        }
        byte[] src = new byte[16];
        f.get(off + 8, src);
        Verdict v = judge6(src, true);
        if (v != Verdict.PASS) {
            return v;
        }
        int p = off + 40;
        if ((f.get(off + 6) & 0xff) == PROTO_ICMPV6 && f.remaining() > p && (f.get(p) & 0xff) == Ndp.ADVERTISEMENT) {
            if (f.remaining() < p + 24) {
                return Verdict.MALFORMED;
            }
            byte[] target = new byte[16];
            f.get(p + 8, target);
            return judge6(target, false) == Verdict.PASS ? Verdict.PASS : Verdict.NA_TARGET_NOT_OWNED;
        }
        return Verdict.PASS;
    }

    private Verdict judge6(byte[] a, boolean unspecifiedAllowed) {
        if (unspecifiedAllowed && Arrays.equals(a, new byte[16])) {
            return Verdict.PASS; // duplicate address detection only
        }
        if (Arrays.equals(a, linkLocal)) {
            return Verdict.PASS;
        }
        if ((a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80) {
            return Verdict.FOREIGN_LINK_LOCAL;
        }
        return owns(a) ? Verdict.PASS : Verdict.IPV6_SOURCE_NOT_OWNED;
    }

    private boolean ok4(ByteBuffer f, int at) {
        byte[] a = new byte[4];
        f.get(at, a);
        return Arrays.equals(a, new byte[4]) || owns(a);
    }

    private boolean owns(byte[] a) {
        for (Owned o : owned) {
            byte[] x = o.assignment().address().getAddress();
            if (x.length != a.length) {
                continue;
            }
            if (Arrays.equals(x, a) || o.prefixOwned() && o.assignment().contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "SourceCheck" + owned.stream().map(o -> o.assignment() + (o.prefixOwned() ? "*" : "")).toList();
    }
}

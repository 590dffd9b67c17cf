package dev.planetary.vl2.rules;

import static dev.planetary.vl2.rules.RuleType.*;

/**
 * The rules engine (VL.md §11): the decision procedure of §11.4 over the evaluation of §11.1. One
 * pass over the entries, O(entries), no recursion, no allocation; the inputs are all signed (§11.5),
 * so the sender (outbound) and the receiver (inbound) reach the same verdict from the same frame,
 * the INBOUND characteristic apart.
 *
 * <p>Stateless and thread-safe; the {@link FrameFields} flyweight is the caller's (one per thread).
 */
public final class Rules {
    private Rules() {}

    /** §11.1: what {@link #evaluate(RuleSet, byte[], FrameFields, long, Subject, Subject)} returns when no action fired. */
    public static final int NOMATCH = -1;

    /**
     * §11.4: the verdict on {@code frame} sent by {@code sender} to {@code receiver}.
     *
     * @param inbound  true at the receiver (INBOUND = 1), false at the sender
     * @param sender   the sending member (at the sender: itself; for a replicated multicast frame: the origin, §10.7)
     * @param receiver the receiving member, or null for multicast outbound (no receiver: DEST_ADDRESS is
     *                 false, the receiver's tags take their defaults, §11.4)
     */
    public static Verdict decide(RuleSet rules, FrameFields frame, boolean inbound, Subject sender, Subject receiver) {
        long ch = characteristics(rules, frame, inbound, sender);
        int a = evaluate(rules, rules.base, frame, ch, sender, receiver);
        if (a == ACTION_ACCEPT) return Verdict.ACCEPTED;
        if (a == ACTION_DROP) return Verdict.DROPPED;
        // BREAK or NOMATCH: the capabilities granted to the sender, ascending id (§11.4); the first ACCEPT decides
        long[] grants = sender.grants;
        for (long id : grants) {
            byte[] cap = rules.capability(id);
            if (cap != null && evaluate(rules, cap, frame, ch, sender, receiver) == ACTION_ACCEPT) return Verdict.ACCEPTED_BY_CAPABILITY;
        }
        return Verdict.DROPPED_NO_CAPABILITY;
    }

    /** §11.3: the characteristics of {@code frame} as {@code sender}'s, at the receiver when {@code inbound}. */
    public static long characteristics(RuleSet rules, FrameFields f, boolean inbound, Subject sender) {
        long ch = f.tcpFlags;
        if (inbound) ch |= INBOUND;
        if ((f.dstMac >>> 40 & 1) != 0) ch |= MULTICAST;               // group bit: broadcast is multicast too
        if (f.dstMac == 0xffff_ffff_ffffL) ch |= BROADCAST;
        if (f.srcMac == rules.derivedMac(sender.address)) ch |= SENDER_MAC_AUTHENTICATED;
        boolean ipOwned = switch (f.ipVersion) {
            case 4 -> sender.ownsIpv4(f.ipv4Source);
            case 6 -> sender.ownsIpv6(f.ipv6SourceHi, f.ipv6SourceLo);
            default -> f.hasArpSender && sender.ownsIpv4(f.arpSender);
        };
        if (ipOwned) ch |= SENDER_IP_AUTHENTICATED;
        return ch;
    }

    /**
     * §11.1: evaluates one rule list (validated, {@link RuleType#problem}) and returns the action that
     * fired ({@link RuleType#ACTION_DROP}, {@code ACTION_ACCEPT}, {@code ACTION_BREAK}) or {@link #NOMATCH}.
     */
    public static int evaluate(RuleSet rules, byte[] entries, FrameFields f, long characteristics, Subject sender, Subject receiver) {
        boolean cond = true;
        int p = 0, n = entries.length;
        while (p < n) {
            int t = entries[p] & 0xff, code = t & CODE_MASK, len = entries[p + 1] & 0xff, v = p + 2;
            p = v + len;
            if (len == 0) {                                             // an action (§11.3: only actions have length 0)
                if (cond) return code;
                cond = true;
            } else if (cond) {                                          // a false conjunction stays false: skip the test
                cond = test(code, entries, v, rules, f, characteristics, sender, receiver) != ((t & NOT) != 0);
            }
        }
        return NOMATCH;
    }

    private static boolean test(int code, byte[] e, int v, RuleSet rules, FrameFields f, long ch, Subject s, Subject r) {
        return switch (code) {
            case MATCH_SOURCE_ADDRESS -> s.address == u40(e, v);
            case MATCH_DEST_ADDRESS -> r != null && r.address == u40(e, v);
            case MATCH_VLAN_ID -> f.vlanId >= 0 && f.vlanId == u16(e, v);
            case MATCH_MAC_SOURCE -> f.srcMac == u48(e, v);
            case MATCH_MAC_DEST -> f.dstMac == u48(e, v);
            case MATCH_IPV4_SOURCE -> f.ipVersion == 4 && inPrefix(f.ipv4Source, u32(e, v), e[v + 4] & 0xff);
            case MATCH_IPV4_DEST -> f.ipVersion == 4 && inPrefix(f.ipv4Dest, u32(e, v), e[v + 4] & 0xff);
            case MATCH_IPV6_SOURCE -> f.ipVersion == 6 && inPrefix(f.ipv6SourceHi, f.ipv6SourceLo, u64(e, v), u64(e, v + 8), e[v + 16] & 0xff);
            case MATCH_IPV6_DEST -> f.ipVersion == 6 && inPrefix(f.ipv6DestHi, f.ipv6DestLo, u64(e, v), u64(e, v + 8), e[v + 16] & 0xff);
            case MATCH_IP_TOS -> f.tos >= 0 && inRange(f.tos & (e[v] & 0xff), e[v + 1] & 0xff, e[v + 2] & 0xff);
            case MATCH_IP_PROTOCOL -> f.ipProtocol >= 0 && f.ipProtocol == (e[v] & 0xff);
            case MATCH_ETHERTYPE -> f.etherType == u16(e, v);
            case MATCH_ICMP -> f.icmpType >= 0 && f.icmpType == (e[v] & 0xff) && ((e[v + 2] & 1) == 0 || f.icmpCode == (e[v + 1] & 0xff));
            case MATCH_IP_SOURCE_PORT_RANGE -> f.sourcePort >= 0 && inRange(f.sourcePort, u16(e, v), u16(e, v + 2));
            case MATCH_IP_DEST_PORT_RANGE -> f.destPort >= 0 && inRange(f.destPort, u16(e, v), u16(e, v + 2));
            case MATCH_CHARACTERISTICS -> (ch & u64(e, v)) != 0;
            case MATCH_FRAME_SIZE_RANGE -> inRange(f.payloadLength, u16(e, v), u16(e, v + 2));
            default -> tags(code, e, v, rules, s, r);
        };
    }

    /** §11.3 codes 44–50 on the effective values {@code s}, {@code r} of tag {@code id} (§11.6). */
    private static boolean tags(int code, byte[] e, int v, RuleSet rules, Subject sender, Subject receiver) {
        long id = u32(e, v) & 0xffff_ffffL, value = u32(e, v + 4) & 0xffff_ffffL;
        long s = rules.tag(sender, id), r = rules.tag(receiver, id);
        return switch (code) {
            case MATCH_TAGS_DIFFERENCE -> Math.abs(s - r) <= value;
            case MATCH_TAGS_BITWISE_AND -> (s & r) == value;
            case MATCH_TAGS_BITWISE_OR -> (s | r) == value;
            case MATCH_TAGS_BITWISE_XOR -> (s ^ r) == value;
            case MATCH_TAGS_EQUAL -> s == value && r == value;
            case MATCH_TAG_SENDER -> s == value;
            case MATCH_TAG_RECEIVER -> r == value;
            default -> false; // unreachable for a validated list
        };
    }

    /** Whether {@code a} lies in {@code net/prefix} (IPv4; a prefix over 32 counts as 32). */
    static boolean inPrefix(int a, int net, int prefix) {
        if (prefix <= 0) return true;
        int mask = prefix >= 32 ? -1 : -1 << (32 - prefix);
        return ((a ^ net) & mask) == 0;
    }

    /** Whether {@code hi ‖ lo} lies in {@code netHi ‖ netLo / prefix} (IPv6; a prefix over 128 counts as 128). */
    static boolean inPrefix(long hi, long lo, long netHi, long netLo, int prefix) {
        if (prefix <= 0) return true;
        if (prefix <= 64) return ((hi ^ netHi) & (prefix == 64 ? -1L : ~(-1L >>> prefix))) == 0;
        long loMask = prefix >= 128 ? -1L : ~(-1L >>> (prefix - 64));
        return hi == netHi && ((lo ^ netLo) & loMask) == 0;
    }

    private static boolean inRange(int x, int lo, int hi) {
        return x >= lo && x <= hi;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
    }

    private static int u32(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
    }

    private static long u40(byte[] b, int p) {
        return (long) (b[p] & 0xff) << 32 | u32(b, p + 1) & 0xffff_ffffL;
    }

    private static long u48(byte[] b, int p) {
        return (long) u16(b, p) << 32 | u32(b, p + 2) & 0xffff_ffffL;
    }

    private static long u64(byte[] b, int p) {
        return (long) u32(b, p) << 32 | u32(b, p + 4) & 0xffff_ffffL;
    }
}

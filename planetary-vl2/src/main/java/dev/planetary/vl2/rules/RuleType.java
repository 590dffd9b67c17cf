package dev.planetary.vl2.rules;

/**
 * The rule entry types of version 1 (VL.md §11.2, §11.3, V1 numbering) and the characteristics bits
 * of {@code MATCH_CHARACTERISTICS}: the one place these constants live.
 */
public final class RuleType {
    private RuleType() {}

    /** §11.2: bit 7 of the type byte negates a match. */
    public static final int NOT = 0x80;
    /** §11.2: bit 6 of the type byte was V1's OR; it MUST be 0. */
    public static final int OR = 0x40;
    /** §11.2: bits 0–5 of the type byte. */
    public static final int CODE_MASK = 0x3f;

    public static final int ACTION_DROP = 0, ACTION_ACCEPT = 1, ACTION_BREAK = 5;
    public static final int MATCH_SOURCE_ADDRESS = 24, MATCH_DEST_ADDRESS = 25, MATCH_VLAN_ID = 26,
            MATCH_MAC_SOURCE = 29, MATCH_MAC_DEST = 30, MATCH_IPV4_SOURCE = 31, MATCH_IPV4_DEST = 32,
            MATCH_IPV6_SOURCE = 33, MATCH_IPV6_DEST = 34, MATCH_IP_TOS = 35, MATCH_IP_PROTOCOL = 36,
            MATCH_ETHERTYPE = 37, MATCH_ICMP = 38, MATCH_IP_SOURCE_PORT_RANGE = 39, MATCH_IP_DEST_PORT_RANGE = 40,
            MATCH_CHARACTERISTICS = 41, MATCH_FRAME_SIZE_RANGE = 42, MATCH_TAGS_DIFFERENCE = 44,
            MATCH_TAGS_BITWISE_AND = 45, MATCH_TAGS_BITWISE_OR = 46, MATCH_TAGS_BITWISE_XOR = 47,
            MATCH_TAGS_EQUAL = 48, MATCH_TAG_SENDER = 49, MATCH_TAG_RECEIVER = 50;

    /** §11.3 characteristics bits (of {@code MATCH_CHARACTERISTICS}). */
    public static final long INBOUND = 1L << 63, MULTICAST = 1L << 62, BROADCAST = 1L << 61,
            SENDER_IP_AUTHENTICATED = 1L << 60, SENDER_MAC_AUTHENTICATED = 1L << 59;
    /** §11.3: TCP flags FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS are bits 0–8, the 3 reserved bits 9–11. */
    public static final long TCP_FIN = 1, TCP_SYN = 1 << 1, TCP_RST = 1 << 2, TCP_PSH = 1 << 3, TCP_ACK = 1 << 4,
            TCP_URG = 1 << 5, TCP_ECE = 1 << 6, TCP_CWR = 1 << 7, TCP_NS = 1 << 8, TCP_FLAGS = 0xfff;

    /** Whether {@code code} (bits 0–5) is an action of version 1. */
    public static boolean isAction(int code) {
        return code == ACTION_DROP || code == ACTION_ACCEPT || code == ACTION_BREAK;
    }

    /** §11.3: the fixed value length of a version 1 type code, or -1 for an unknown or reserved code. */
    public static int fixedLength(int code) {
        return switch (code) {
            case ACTION_DROP, ACTION_ACCEPT, ACTION_BREAK -> 0;
            case MATCH_SOURCE_ADDRESS, MATCH_DEST_ADDRESS, MATCH_IPV4_SOURCE, MATCH_IPV4_DEST -> 5;
            case MATCH_VLAN_ID, MATCH_ETHERTYPE -> 2;
            case MATCH_MAC_SOURCE, MATCH_MAC_DEST -> 6;
            case MATCH_IPV6_SOURCE, MATCH_IPV6_DEST -> 17;
            case MATCH_IP_TOS, MATCH_ICMP -> 3;
            case MATCH_IP_PROTOCOL -> 1;
            case MATCH_IP_SOURCE_PORT_RANGE, MATCH_IP_DEST_PORT_RANGE, MATCH_FRAME_SIZE_RANGE -> 4;
            case MATCH_CHARACTERISTICS, MATCH_TAGS_DIFFERENCE, MATCH_TAGS_BITWISE_AND, MATCH_TAGS_BITWISE_OR,
                 MATCH_TAGS_BITWISE_XOR, MATCH_TAGS_EQUAL, MATCH_TAG_SENDER, MATCH_TAG_RECEIVER -> 8;
            default -> -1;
        };
    }

    /** The §11.3 name of a type code (V1's), or {@code "type <code>"} for an unknown one. */
    public static String name(int code) {
        return switch (code) {
            case ACTION_DROP -> "ACTION_DROP";
            case ACTION_ACCEPT -> "ACTION_ACCEPT";
            case ACTION_BREAK -> "ACTION_BREAK";
            case 2 -> "ACTION_TEE";
            case 3 -> "ACTION_WATCH";
            case 4 -> "ACTION_REDIRECT";
            case 6 -> "ACTION_PRIORITY";
            case MATCH_SOURCE_ADDRESS -> "MATCH_SOURCE_ADDRESS";
            case MATCH_DEST_ADDRESS -> "MATCH_DEST_ADDRESS";
            case MATCH_VLAN_ID -> "MATCH_VLAN_ID";
            case MATCH_MAC_SOURCE -> "MATCH_MAC_SOURCE";
            case MATCH_MAC_DEST -> "MATCH_MAC_DEST";
            case MATCH_IPV4_SOURCE -> "MATCH_IPV4_SOURCE";
            case MATCH_IPV4_DEST -> "MATCH_IPV4_DEST";
            case MATCH_IPV6_SOURCE -> "MATCH_IPV6_SOURCE";
            case MATCH_IPV6_DEST -> "MATCH_IPV6_DEST";
            case MATCH_IP_TOS -> "MATCH_IP_TOS";
            case MATCH_IP_PROTOCOL -> "MATCH_IP_PROTOCOL";
            case MATCH_ETHERTYPE -> "MATCH_ETHERTYPE";
            case MATCH_ICMP -> "MATCH_ICMP";
            case MATCH_IP_SOURCE_PORT_RANGE -> "MATCH_IP_SOURCE_PORT_RANGE";
            case MATCH_IP_DEST_PORT_RANGE -> "MATCH_IP_DEST_PORT_RANGE";
            case MATCH_CHARACTERISTICS -> "MATCH_CHARACTERISTICS";
            case MATCH_FRAME_SIZE_RANGE -> "MATCH_FRAME_SIZE_RANGE";
            case MATCH_TAGS_DIFFERENCE -> "MATCH_TAGS_DIFFERENCE";
            case MATCH_TAGS_BITWISE_AND -> "MATCH_TAGS_BITWISE_AND";
            case MATCH_TAGS_BITWISE_OR -> "MATCH_TAGS_BITWISE_OR";
            case MATCH_TAGS_BITWISE_XOR -> "MATCH_TAGS_BITWISE_XOR";
            case MATCH_TAGS_EQUAL -> "MATCH_TAGS_EQUAL";
            case MATCH_TAG_SENDER -> "MATCH_TAG_SENDER";
            case MATCH_TAG_RECEIVER -> "MATCH_TAG_RECEIVER";
            default -> "type " + code;
        };
    }

    /**
     * §11.2, §11.7: the first problem of a rule list of at most {@code maxEntries} entries, naming the
     * entry index (from 0) and the reason, or null when every entry is valid for version 1.
     */
    public static String problem(byte[] entries, int maxEntries) {
        int p = 0, i = 0;
        while (p < entries.length) {
            if (i == maxEntries) return "more than " + maxEntries + " entries";
            if (entries.length - p < 2) return "entry " + i + ": header truncated";
            int t = entries[p] & 0xff, len = entries[p + 1] & 0xff, code = t & CODE_MASK;
            if (len > entries.length - p - 2) return "entry " + i + ": value runs past the end";
            if ((t & OR) != 0) return "entry " + i + ": the OR bit (6) is set (not supported, §11.2)";
            int fixed = fixedLength(code);
            if (fixed < 0) {
                return "entry " + i + ": " + (code >= 2 && code <= 6 ? name(code) + " is reserved" : "unknown type " + code) + " (§11.3)";
            }
            if (fixed != len) return "entry " + i + ": " + name(code) + " has length " + len + ", must be " + fixed;
            if ((t & NOT) != 0 && isAction(code)) return "entry " + i + ": NOT on the action " + name(code);
            p += 2 + len;
            i++;
        }
        return null;
    }
}

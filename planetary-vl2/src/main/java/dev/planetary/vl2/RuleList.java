package dev.planetary.vl2;

import dev.planetary.vl1.Bytes;

/**
 * A rule list as carried by a NetworkConfig (§7.4 base rules {@code 0x0b}, capabilities {@code 0x0c}):
 * entries {@code u8 t ‖ u8 len ‖ value} (§11.2), kept as bytes for the rules engine. The codec checks
 * only the entry framing and the count; {@link #allTypesKnown()} tells a member whether the rules
 * engine of version 1 understands every entry (else CLIENT_TOO_OLD, §7.6 step 2).
 */
public record RuleList(Bytes encoded) {
    /** An empty list (evaluates to NOMATCH, §11.1). */
    public static final RuleList EMPTY = new RuleList(Bytes.EMPTY);
    /** One ACCEPT entry: what absent base rules mean (§11.4). */
    public static final RuleList ACCEPT = new RuleList(Bytes.of(new byte[] {1, 0}));

    public RuleList {
        Codec.nonNull(encoded, "rule entries");
        entryCount(encoded); // framing
    }

    public static RuleList of(byte[] entries) {
        return new RuleList(Bytes.of(entries));
    }

    /** The number of entries. */
    public int size() {
        return entryCount(encoded);
    }

    private static int entryCount(Bytes b) {
        int n = 0, p = 0;
        while (p < b.length()) {
            if (b.length() - p < 2) throw new IllegalArgumentException("rule entry header truncated");
            int len = b.get(p + 1) & 0xff;
            if (len > b.length() - p - 2) throw new IllegalArgumentException("rule entry value runs past the end");
            p += 2 + len;
            n++;
        }
        return n;
    }

    /**
     * Whether every entry has a type of §11.3 with its fixed length, the OR bit (6) clear and the NOT
     * bit (7) clear on actions (§11.2).
     */
    public boolean allTypesKnown() {
        int p = 0;
        while (p < encoded.length()) {
            int t = encoded.get(p) & 0xff, len = encoded.get(p + 1) & 0xff;
            if ((t & 0x40) != 0) return false;
            int code = t & 0x3f;
            int fixed = fixedLength(code);
            if (fixed < 0 || fixed != len) return false;
            if ((t & 0x80) != 0 && isAction(code)) return false;
            p += 2 + len;
        }
        return true;
    }

    static boolean isAction(int code) {
        return code == 0 || code == 1 || code == 5;
    }

    /** §11.3: the value length of a known type code, or -1 for an unknown or reserved code. */
    static int fixedLength(int code) {
        return switch (code) {
            case 0, 1, 5 -> 0;
            case 24, 25 -> 5;
            case 26, 37 -> 2;
            case 29, 30 -> 6;
            case 31, 32 -> 5;
            case 33, 34 -> 17;
            case 35, 38 -> 3;
            case 36 -> 1;
            case 39, 40, 42 -> 4;
            case 41, 44, 45, 46, 47, 48, 49, 50 -> 8;
            default -> -1;
        };
    }
}

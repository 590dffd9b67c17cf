package dev.planetary.vl2;

import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.rules.RuleType;

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
     * bit (7) clear on actions (§11.2); {@link #problem()} says which entry is not and why.
     */
    public boolean allTypesKnown() {
        return problem() == null;
    }

    /** The first entry version 1 cannot evaluate, with its index and reason (§11.2), or null. */
    public String problem() {
        return RuleType.problem(encoded.toArray(), Integer.MAX_VALUE);
    }

    static boolean isAction(int code) {
        return RuleType.isAction(code);
    }

    static int fixedLength(int code) {
        return RuleType.fixedLength(code);
    }
}

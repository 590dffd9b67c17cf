package dev.planetary.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.vl1.Bytes;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * ZeroTier's JSON rule objects (VL.md §11.8, V1's type and field names) compiled to rule entries
 * {@code u8 t ‖ u8 len ‖ value} (§11.2, §11.3), and entries rendered back to JSON for GET. A bad
 * rule is a {@link FieldException} naming its index and field ({@code rules[3].start}) with the
 * reason; nothing is partially compiled.
 *
 * <p>Accepted: every type of §11.3 with V1's fields ({@code ip} always with its prefix); {@code not}
 * on matches; {@code "or": false}.
 * Refused: unknown types, V1 types reserved in version 1 (TEE, WATCH, REDIRECT, PRIORITY, VLAN
 * PCP/DEI, RANDOM, INTEGER_RANGE), {@code "or": true}, {@code not} on an action, fields that do not
 * belong to the type, missing fields, values out of range, more entries than the limit (§11.7).
 */
public final class RuleCompiler {
    /** The value layouts of §11.3; each names its V1 JSON fields. */
    private enum Kind {
        ACTION(0), ADDRESS(5, "zt"), VLAN(2, "vlanId"), MAC(6, "mac"), IPV4(5, "ip"), IPV6(17, "ip"), TOS(3, "mask", "start", "end"),
        PROTOCOL(1, "ipProtocol"), ETHERTYPE(2, "etherType"), ICMP(3, "icmpType", "icmpCode"), RANGE(4, "start", "end"),
        CHARACTERISTICS(8, "mask"), TAG(8, "id", "value");

        final int length;
        final List<String> fields;

        Kind(int length, String... fields) {
            this.length = length;
            this.fields = List.of(fields);
        }
    }

    private record Type(String name, int code, Kind kind) {}

    /** §11.3, V1 numbering and V1 JSON names (V1's ZEROTIER_ADDRESS names for codes 24/25, §11.8). */
    private static final List<Type> TYPES = List.of(
            new Type("ACTION_DROP", 0, Kind.ACTION), new Type("ACTION_ACCEPT", 1, Kind.ACTION), new Type("ACTION_BREAK", 5, Kind.ACTION),
            new Type("MATCH_SOURCE_ZEROTIER_ADDRESS", 24, Kind.ADDRESS), new Type("MATCH_DEST_ZEROTIER_ADDRESS", 25, Kind.ADDRESS),
            new Type("MATCH_VLAN_ID", 26, Kind.VLAN), new Type("MATCH_MAC_SOURCE", 29, Kind.MAC), new Type("MATCH_MAC_DEST", 30, Kind.MAC),
            new Type("MATCH_IPV4_SOURCE", 31, Kind.IPV4), new Type("MATCH_IPV4_DEST", 32, Kind.IPV4),
            new Type("MATCH_IPV6_SOURCE", 33, Kind.IPV6), new Type("MATCH_IPV6_DEST", 34, Kind.IPV6),
            new Type("MATCH_IP_TOS", 35, Kind.TOS), new Type("MATCH_IP_PROTOCOL", 36, Kind.PROTOCOL),
            new Type("MATCH_ETHERTYPE", 37, Kind.ETHERTYPE), new Type("MATCH_ICMP", 38, Kind.ICMP),
            new Type("MATCH_IP_SOURCE_PORT_RANGE", 39, Kind.RANGE), new Type("MATCH_IP_DEST_PORT_RANGE", 40, Kind.RANGE),
            new Type("MATCH_CHARACTERISTICS", 41, Kind.CHARACTERISTICS), new Type("MATCH_FRAME_SIZE_RANGE", 42, Kind.RANGE),
            new Type("MATCH_TAGS_DIFFERENCE", 44, Kind.TAG), new Type("MATCH_TAGS_BITWISE_AND", 45, Kind.TAG),
            new Type("MATCH_TAGS_BITWISE_OR", 46, Kind.TAG), new Type("MATCH_TAGS_BITWISE_XOR", 47, Kind.TAG),
            new Type("MATCH_TAGS_EQUAL", 48, Kind.TAG), new Type("MATCH_TAG_SENDER", 49, Kind.TAG), new Type("MATCH_TAG_RECEIVER", 50, Kind.TAG));
    private static final Map<String, Type> BY_NAME = new LinkedHashMap<>();
    private static final Type[] BY_CODE = new Type[64];

    static {
        for (Type t : TYPES) {
            BY_NAME.put(t.name, t);
            BY_CODE[t.code] = t;
        }
        BY_NAME.put("MATCH_SOURCE_ADDRESS", BY_CODE[24]); // the spec's names (§11.3) are accepted too
        BY_NAME.put("MATCH_DEST_ADDRESS", BY_CODE[25]);
        BY_NAME.put("MATCH_TAGS_SAMENESS", BY_CODE[44]); // older ZeroTier releases' name of MATCH_TAGS_DIFFERENCE
    }

    /** V1 types that version 1 reserves (§11.3, §18). */
    private static final Set<String> RESERVED = Set.of("ACTION_TEE", "ACTION_WATCH", "ACTION_REDIRECT", "ACTION_PRIORITY",
            "MATCH_VLAN_PCP", "MATCH_VLAN_DEI", "MATCH_RANDOM", "MATCH_INTEGER_RANGE", "INTEGER_RANGE");
    /** §11.2: bit 7 of {@code t} is NOT; bit 6 (V1's OR) must be 0; bits 0–5 the code. */
    private static final int NOT = 0x80, OR = 0x40, CODE = 0x3f;
    private static final String NOT_FIELD = "not", OR_FIELD = "or", TYPE_FIELD = "type";

    /** One ACCEPT entry: what a new network's rules are (ZeroTier's default, and §11.4's absent base rules). */
    public static final Bytes ACCEPT = Bytes.of(new byte[] {1, 0});

    private RuleCompiler() {}

    /**
     * Compiles a JSON array of rule objects; {@code field} names the array in errors (for example
     * {@code "rules"} or {@code "capabilities[2].rules"}).
     *
     * @throws FieldException naming the rule ({@code field[i]}, or {@code field[i].name}) and the reason
     */
    public static Bytes compile(JsonNode rules, String field, int maxEntries) {
        if (rules == null || !rules.isArray()) throw new FieldException(field, "must be an array of rule objects");
        if (rules.size() > maxEntries) {
            throw new FieldException(field, "at most " + maxEntries + " rule entries (VL.md §11.7), got " + rules.size());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < rules.size(); i++) compileOne(rules.get(i), field + "[" + i + "]", out);
        return Bytes.of(out.toByteArray());
    }

    private static void compileOne(JsonNode node, String f, ByteArrayOutputStream out) {
        if (!node.isObject()) throw new FieldException(f, "must be a rule object such as {\"type\": \"ACTION_ACCEPT\"}");
        ObjectNode r = (ObjectNode) node;
        JsonNode tn = r.get(TYPE_FIELD);
        if (tn == null || !tn.isTextual()) throw new FieldException(f + "." + TYPE_FIELD, "missing: must name a rule type such as ACTION_ACCEPT");
        String name = tn.asText();
        if (RESERVED.contains(name)) {
            throw new FieldException(f + "." + TYPE_FIELD, name + " is not supported (reserved in version 1, VL.md §11.3)");
        }
        Type type = BY_NAME.get(name);
        if (type == null) throw new FieldException(f + "." + TYPE_FIELD, "unknown rule type " + quoted(name));
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals(TYPE_FIELD) && !k.equals(NOT_FIELD) && !k.equals(OR_FIELD) && !type.kind.fields.contains(k)) {
                throw new FieldException(f + "." + (k.matches("[A-Za-z0-9_]{1,64}") ? k : quoted(k)), "not a field of " + name
                        + (type.kind.fields.isEmpty() ? " (it takes none)" : " (its fields: " + String.join(", ", type.kind.fields) + ")"));
            }
        }
        if (flag(r, OR_FIELD, f)) {
            throw new FieldException(f + "." + OR_FIELD, "OR is not supported (VL.md §11.2): write the alternatives as separate rules");
        }
        boolean not = flag(r, NOT_FIELD, f);
        if (not && type.kind == Kind.ACTION) throw new FieldException(f + "." + NOT_FIELD, "an action cannot be negated (VL.md §11.2)");
        byte[] v = value(type.kind, r, f);
        out.write(type.code | (not ? NOT : 0));
        out.write(v.length);
        out.writeBytes(v);
    }

    private static byte[] value(Kind kind, ObjectNode r, String f) {
        return switch (kind) {
            case ACTION -> new byte[0];
            case ADDRESS -> address(r, f).toBytes();
            case VLAN -> be(num(r, "vlanId", f, 0, 4095), 2);
            case MAC -> mac(r, f);
            case IPV4, IPV6 -> prefix(r, f, kind == Kind.IPV4 ? 4 : 6);
            case TOS -> {
                long mask = num(r, "mask", f, 0, 255), lo = num(r, "start", f, 0, 255);
                yield new byte[] {(byte) mask, (byte) lo, (byte) end(r, f, lo, 255)};
            }
            case PROTOCOL -> be(num(r, "ipProtocol", f, 0, 255), 1);
            case ETHERTYPE -> be(num(r, "etherType", f, 0, 0xFFFF), 2);
            case ICMP -> {
                long type = num(r, "icmpType", f, 0, 255);
                JsonNode c = r.get("icmpCode");
                boolean hasCode = c != null && !c.isNull(); // V1: a null or absent code matches every code
                long code = hasCode ? num(r, "icmpCode", f, 0, 255) : 0;
                yield new byte[] {(byte) type, (byte) code, (byte) (hasCode ? 1 : 0)};
            }
            case RANGE -> {
                long lo = num(r, "start", f, 0, 0xFFFF);
                yield concat(be(lo, 2), be(end(r, f, lo, 0xFFFF), 2));
            }
            case CHARACTERISTICS -> be(mask64(r, f), 8);
            case TAG -> concat(be(num(r, "id", f, 0, 0xFFFF_FFFFL), 4), be(num(r, "value", f, 0, 0xFFFF_FFFFL), 4));
        };
    }

    /** V1: {@code end} defaults to {@code start}; a range must not be reversed. */
    private static long end(ObjectNode r, String f, long start, long max) {
        long end = r.has("end") ? num(r, "end", f, 0, max) : start;
        if (end < start) throw new FieldException(f + ".end", "must be ≥ start (" + start + ")");
        return end;
    }

    private static boolean flag(ObjectNode r, String k, String f) {
        JsonNode n = r.get(k);
        if (n == null || n.isNull()) return false;
        if (!n.isBoolean()) throw new FieldException(f + "." + k, "must be true or false");
        return n.booleanValue();
    }

    private static JsonNode required(ObjectNode r, String k, String f) {
        JsonNode n = r.get(k);
        if (n == null || n.isNull()) throw new FieldException(f + "." + k, "missing");
        return n;
    }

    private static long num(ObjectNode r, String k, String f, long min, long max) {
        JsonNode n = required(r, k, f);
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw new FieldException(f + "." + k, "must be an integer in " + min + ".." + max);
        }
        return n.longValue();
    }

    private static Address address(ObjectNode r, String f) {
        JsonNode n = required(r, "zt", f);
        if (!n.isTextual() || !n.asText().matches("[0-9a-fA-F]{10}")) throw new FieldException(f + ".zt", "must be a 10-hex-digit address");
        return Address.parse(n.asText().toLowerCase(Locale.ROOT)).orElseThrow(() -> new FieldException(f + ".zt", "not a valid address (reserved)"));
    }

    private static byte[] mac(ObjectNode r, String f) {
        JsonNode n = required(r, "mac", f);
        String hex = n.isTextual() ? n.asText().replace(":", "").replace("-", "") : "";
        if (!hex.matches("[0-9a-fA-F]{12}")) throw new FieldException(f + ".mac", "must be a MAC address such as 32:a1:7e:00:11:22");
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] prefix(ObjectNode r, String f, int family) {
        JsonNode n = required(r, "ip", f);
        String text = n.isTextual() ? n.asText() : "";
        String example = family == 4 ? "10.147.17.0/24 (one address: /32)" : "fd00::/8 (one address: /128)";
        // a bare address is refused: ZeroTier reads it as prefix /0 (every address), which nobody means
        Ip.Prefixed p = Ip.Prefixed.parse(text).orElse(null);
        if (p == null || p.ip().family() != family) throw new FieldException(f + ".ip", "must be an IPv" + family + " address/prefix such as " + example);
        return concat(p.ip().bytes(), new byte[] {(byte) p.prefix()});
    }

    private static long mask64(ObjectNode r, String f) {
        JsonNode n = required(r, "mask", f);
        BigInteger v = null;
        if (n.isTextual()) {
            String s = n.asText();
            if (s.startsWith("0x") || s.startsWith("0X")) s = s.substring(2);
            if (s.matches("[0-9a-fA-F]{1,16}")) v = new BigInteger(s, 16);
        } else if (n.isIntegralNumber()) {
            v = n.bigIntegerValue();
        }
        if (v == null || v.signum() < 0 || v.bitLength() > 64) throw new FieldException(f + ".mask", "must be a u64: up to 16 hex digits (as text) or an integer");
        return v.longValue();
    }

    private static byte[] be(long v, int n) {
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--, v >>>= 8) b[i] = (byte) v;
        return b;
    }

    private static long unbe(byte[] b, int off, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String quoted(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().limit(64).forEach(c -> {
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') b.appendCodePoint(c);
            else b.append(String.format("\\u%04x", c & 0xffff));
        });
        return b.append(s.length() > 64 ? "…\"" : "\"").toString();
    }

    // ---------------------------------------------------------------- entries → JSON (GET)

    /**
     * Renders entries this class compiled as V1 JSON rule objects ({@code type}, the type's fields,
     * and on matches {@code not}, {@code or}: false); {@link #compile} of the result gives the same bytes back.
     *
     * @throws IllegalArgumentException for entries that are not valid §11.2/§11.3 entries
     */
    public static ArrayNode toJson(Bytes entries) {
        byte[] b = entries.toArray();
        ArrayNode out = ControllerJson.MAPPER.createArrayNode();
        int p = 0;
        while (p < b.length) {
            if (b.length - p < 2) throw new IllegalArgumentException("rule entry header truncated at byte " + p);
            int t = b[p] & 0xff, len = b[p + 1] & 0xff;
            Type type = BY_CODE[t & CODE];
            if (type == null || (t & OR) != 0 || len != type.kind.length || len > b.length - p - 2
                    || ((t & NOT) != 0 && type.kind == Kind.ACTION)) {
                throw new IllegalArgumentException("not a version 1 rule entry at byte " + p + " (type byte " + t + ", length " + len + ")");
            }
            ObjectNode o = out.addObject().put(TYPE_FIELD, type.name);
            render(type.kind, b, p + 2, o);
            if (type.kind != Kind.ACTION) o.put(NOT_FIELD, (t & NOT) != 0).put(OR_FIELD, false); // as ZeroTier renders them
            p += 2 + len;
        }
        return out;
    }

    private static void render(Kind kind, byte[] b, int v, ObjectNode o) {
        switch (kind) {
            case ACTION -> { }
            case ADDRESS -> o.put("zt", Address.read(b, v).toString());
            case VLAN -> o.put("vlanId", unbe(b, v, 2));
            case MAC -> o.put("mac", HexFormat.ofDelimiter(":").formatHex(b, v, v + 6));
            case IPV4, IPV6 -> {
                int n = kind == Kind.IPV4 ? 4 : 16;
                o.put("ip", new Ip.Prefixed(new Ip(java.util.Arrays.copyOfRange(b, v, v + n)), b[v + n] & 0xff).toString());
            }
            case TOS -> o.put("mask", b[v] & 0xff).put("start", b[v + 1] & 0xff).put("end", b[v + 2] & 0xff);
            case PROTOCOL -> o.put("ipProtocol", b[v] & 0xff);
            case ETHERTYPE -> o.put("etherType", unbe(b, v, 2));
            case ICMP -> {
                o.put("icmpType", b[v] & 0xff);
                if ((b[v + 2] & 1) != 0) o.put("icmpCode", b[v + 1] & 0xff);
                else o.putNull("icmpCode");
            }
            case RANGE -> o.put("start", unbe(b, v, 2)).put("end", unbe(b, v + 2, 2));
            case CHARACTERISTICS -> o.put("mask", HexFormat.of().toHexDigits(unbe(b, v, 8)));
            case TAG -> o.put("id", unbe(b, v, 4)).put("value", unbe(b, v + 4, 4));
            default -> throw new IllegalStateException(kind.name());
        }
    }
}

package dev.planetary.vl1;

import java.util.ArrayList;
import java.util.List;

/**
 * One TLV field (§0): {@code u8 type ‖ u16 length ‖ value}.
 *
 * <p>Rules applied by {@link #readAll}: types ≥ {@code 0x80} are optional and ignored when unknown
 * (kept as read, so a re-encoding is byte-identical); an unknown type below {@code 0x80}, a known
 * type with a length outside its definition, a type out of ascending order, or a non-repeatable type
 * appearing twice makes the whole message invalid. Repeatable types appear consecutively (which the
 * ascending-order rule already forces).
 */
public record Tlv(int type, Bytes value) {

    /** First optional type. */
    public static final int OPTIONAL = 0x80;

    public Tlv {
        if (type < 0 || type > 0xff) throw new IllegalArgumentException("TLV type " + type + " is not a byte");
        if (value.length() > 0xffff) throw new IllegalArgumentException("TLV value is " + value.length() + " bytes; the length is a u16");
    }

    public boolean isOptional() {
        return type >= OPTIONAL;
    }

    /** Encoded size: 3 + value length. */
    public int encodedLength() {
        return 3 + value.length();
    }

    /**
     * A known TLV type of one message or object.
     *
     * @param minLength  smallest allowed value length
     * @param maxLength  largest allowed value length (equal to min for a fixed size)
     * @param repeatable whether the type may appear several times
     */
    public record Rule(int type, int minLength, int maxLength, boolean repeatable) {
        public Rule {
            if (type < 0 || type > 0xff) throw new IllegalArgumentException("TLV type " + type + " is not a byte");
            if (minLength < 0 || maxLength > 0xffff || minLength > maxLength) throw new IllegalArgumentException("bad TLV length range " + minLength + ".." + maxLength);
        }

        public static Rule fixed(int type, int length, boolean repeatable) {
            return new Rule(type, length, length, repeatable);
        }
    }

    /** The outcome of {@link #parse}: the fields, or why the block is invalid. */
    public sealed interface Parsed permits Parsed.Fields, Parsed.Invalid {
        /** A valid block, fields in wire order (unknown optional ones included). */
        record Fields(List<Tlv> tlvs) implements Parsed {}

        /** An invalid block; {@code reason} is built from constants and numbers only. */
        record Invalid(String reason) implements Parsed {}
    }

    /**
     * Parses a whole TLV block ({@code bytes[off, off+len)}, no length prefix) against {@code rules}
     * with the §0 rules; never throws on hostile bytes. For TLV-bodied objects of other modules (PSO
     * bodies, the identity blob's optional TLVs).
     */
    public static Parsed parse(byte[] bytes, int off, int len, List<Rule> rules) {
        java.util.Objects.checkFromIndexSize(off, len, bytes.length);
        try {
            return new Parsed.Fields(readAll(new Wire.Reader(bytes, off, len), List.copyOf(rules), "TLV block"));
        } catch (Wire.MalformedException e) {
            return new Parsed.Invalid(e.getMessage());
        }
    }

    /** Encodes {@code tlvs} in ascending type order (stable), without a length prefix. */
    public static byte[] encode(List<Tlv> tlvs) {
        Wire.Writer w = new Wire.Writer();
        writeAll(w, tlvs);
        return w.toArray();
    }

    /** Reads TLVs until the reader is exhausted, checking them against {@code rules} (§0). */
    static List<Tlv> readAll(Wire.Reader r, List<Rule> rules, String where) {
        List<Tlv> out = new ArrayList<>();
        int last = -1;
        while (r.remaining() > 0) {
            int type = r.u8(where + " TLV type");
            int len = r.u16(where + " TLV length");
            Bytes value = r.bytes(len, where + " TLV value");
            if (type < last) throw Wire.malformed(String.format("%s TLV 0x%02x after 0x%02x (ascending order)", where, type, last));
            Rule rule = null;
            for (Rule x : rules) if (x.type() == type) rule = x;
            if (rule == null) {
                if (type < OPTIONAL) throw Wire.malformed(String.format("%s: unknown mandatory TLV 0x%02x", where, type));
            } else {
                if (len < rule.minLength() || len > rule.maxLength()) {
                    throw Wire.malformed(String.format("%s TLV 0x%02x has length %d (allowed %d..%d)", where, type, len, rule.minLength(), rule.maxLength()));
                }
                // Unknown optional types may repeat: nothing defines them, and they are ignored.
                if (type == last && !rule.repeatable()) throw Wire.malformed(String.format("%s TLV 0x%02x repeated", where, type));
            }
            out.add(new Tlv(type, value));
            last = type;
        }
        return out;
    }

    /** Writes {@code tlvs} in ascending type order (stable: repeated types keep their order). */
    static void writeAll(Wire.Writer w, List<Tlv> tlvs) {
        List<Tlv> sorted = new ArrayList<>(tlvs);
        sorted.sort((a, b) -> Integer.compare(a.type(), b.type()));
        for (Tlv t : sorted) w.u8(t.type()).u16(t.value().length()).bytes(t.value());
    }

    /** Validates a list the application built against {@code rules}, with the decoder's rules. */
    static void check(List<Tlv> tlvs, List<Rule> rules, String where) {
        Wire.Writer w = new Wire.Writer();
        writeAll(w, tlvs);
        byte[] b = w.toArray();
        try {
            readAll(new Wire.Reader(b, 0, b.length), rules, where);
        } catch (Wire.MalformedException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}

package dev.planetary.identity;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TLV fields (spec §0): {@code u8 type ‖ u16 length ‖ value}. Types ≥ 0x80 are optional (unknown
 * ones are skipped); an unknown type below 0x80, or a known type with a length outside its
 * definition, makes the whole object invalid. Fields appear in ascending type order; only a
 * repeatable field may appear several times, consecutively.
 */
public final class Tlv {
    public static final int OPTIONAL_FROM = 0x80;
    public static final int MAX_VALUE = 0xFFFF;

    private Tlv() {}

    /** One field. The value array is owned by the field (callers get copies). */
    public record Field(int type, byte[] value) {
        public Field {
            if (type < 0 || type > 0xFF) throw new IllegalArgumentException("TLV type must be 0..255, got " + type);
            if (value.length > MAX_VALUE) throw new IllegalArgumentException("TLV value longer than 65535 bytes");
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Field f && f.type == type && Arrays.equals(f.value, value);
        }

        @Override
        public int hashCode() {
            return type * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Field[0x" + Integer.toHexString(type) + ", " + value.length + " bytes]";
        }
    }

    /** The definition of one known type: allowed value length range and whether it may repeat. */
    public record Definition(int type, int minLength, int maxLength, boolean repeatable) {
        public Definition {
            if (type < 0 || type > 0xFF) throw new IllegalArgumentException("TLV type must be 0..255, got " + type);
            if (minLength < 0 || maxLength > MAX_VALUE || minLength > maxLength) {
                throw new IllegalArgumentException("bad TLV length range " + minLength + ".." + maxLength);
            }
        }

        public static Definition fixed(int type, int length) {
            return new Definition(type, length, length, false);
        }
    }

    /** The known types of one object kind. */
    public static final class Schema {
        private final Map<Integer, Definition> defs = new HashMap<>();

        private Schema(List<Definition> list) {
            for (Definition d : list) {
                if (defs.put(d.type(), d) != null) throw new IllegalArgumentException("TLV type 0x" + Integer.toHexString(d.type()) + " defined twice");
            }
        }

        public static Schema of(Definition... defs) {
            return new Schema(List.of(defs));
        }

        public Definition definition(int type) {
            return defs.get(type);
        }
    }

    /**
     * Reads the fields in {@code b[off, off+len)} under {@code schema}: the known fields in order;
     * unknown optional fields are checked for order and skipped. Never throws on bad bytes.
     */
    public static Decoded<List<Field>> read(byte[] b, int off, int len, Schema schema) {
        if (b == null || off < 0 || len < 0 || off > b.length - len) return Decoded.invalid(Rejection.LENGTH, "TLV range outside the buffer");
        List<Field> out = new ArrayList<>();
        int p = off, end = off + len, prev = -1;
        while (p < end) {
            if (end - p < 3) return Decoded.invalid(Rejection.TLV, "truncated TLV header");
            int type = b[p] & 0xFF;
            int l = ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
            p += 3;
            if (l > end - p) return Decoded.invalid(Rejection.TLV, "TLV value runs past the end");
            Definition d = schema.definition(type);
            if (type < prev) return Decoded.invalid(Rejection.TLV, "TLV types out of ascending order");
            if (type == prev && (d == null || !d.repeatable())) return Decoded.invalid(Rejection.TLV, "TLV type 0x" + Integer.toHexString(type) + " repeated");
            prev = type;
            if (d == null) {
                if (type < OPTIONAL_FROM) return Decoded.invalid(Rejection.TLV, "unknown mandatory TLV type 0x" + Integer.toHexString(type));
            } else {
                if (l < d.minLength() || l > d.maxLength()) return Decoded.invalid(Rejection.TLV, "TLV type 0x" + Integer.toHexString(type) + " has a wrong length");
                out.add(new Field(type, Arrays.copyOfRange(b, p, p + l)));
            }
            p += l;
        }
        return Decoded.ok(List.copyOf(out));
    }

    /** Builds a TLV sequence; misuse (order, length) throws {@link IllegalArgumentException}. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int prev = -1;

        public Writer add(int type, byte[] value) {
            if (type < 0 || type > 0xFF) throw new IllegalArgumentException("TLV type must be 0..255, got " + type);
            if (type < prev) throw new IllegalArgumentException("TLV types must be added in ascending order: 0x"
                    + Integer.toHexString(type) + " after 0x" + Integer.toHexString(prev));
            if (value.length > MAX_VALUE) throw new IllegalArgumentException("TLV value longer than 65535 bytes");
            prev = type;
            out.write(type);
            out.write(value.length >>> 8);
            out.write(value.length);
            out.writeBytes(value);
            return this;
        }

        public Writer add(Field f) {
            return add(f.type(), f.value);
        }

        public byte[] toBytes() {
            return out.toByteArray();
        }
    }
}

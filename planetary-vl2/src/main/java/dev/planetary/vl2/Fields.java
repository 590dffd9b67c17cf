package dev.planetary.vl2;

import dev.planetary.identity.Pso;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.Tlv;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The known TLV fields of a decoded PSO body, by type (package-private; §0 order rules already checked by {@link Tlv#read}). */
final class Fields {
    private final List<Tlv.Field> fields;

    Fields(List<Tlv.Field> fields) {
        this.fields = fields;
    }

    static Fields of(Pso pso, int expectedType) {
        if (pso.type() != expectedType) throw new Codec.Bad(Rejection.TYPE, "PSO type " + pso.type() + ", expected " + expectedType);
        return new Fields(pso.fields());
    }

    /** The value of the single field {@code type}, or null if absent. */
    ByteBuffer optional(int type) {
        for (Tlv.Field f : fields) if (f.type() == type) return ByteBuffer.wrap(f.value());
        return null;
    }

    ByteBuffer required(int type, String name) {
        ByteBuffer v = optional(type);
        if (v == null) throw new Codec.Bad(Rejection.SEMANTIC, "required field " + name + " (0x" + Integer.toHexString(type) + ") missing");
        return v;
    }

    /** Every value of the repeatable field {@code type}, each decoded whole by {@code f} (no trailing bytes). */
    <T> List<T> repeated(int type, int max, String name, Function<ByteBuffer, T> f) {
        List<T> out = new ArrayList<>();
        for (Tlv.Field field : fields) {
            if (field.type() != type) continue;
            if (out.size() == max) throw new Codec.Bad(Rejection.SEMANTIC, "more than " + max + " " + name);
            out.add(whole(ByteBuffer.wrap(field.value()), f, name));
        }
        return out;
    }

    /** Decodes all of {@code v} with {@code f}; trailing bytes break the field. */
    static <T> T whole(ByteBuffer v, Function<ByteBuffer, T> f, String name) {
        T t = f.apply(v);
        if (v.hasRemaining()) throw new Codec.Bad(Rejection.TLV, name + " has " + v.remaining() + " trailing bytes");
        return t;
    }

    static Tlv.Definition repeatable(int type, int min, int max) {
        return new Tlv.Definition(type, min, max, true);
    }

    static Tlv.Definition range(int type, int min, int max) {
        return new Tlv.Definition(type, min, max, false);
    }

    static byte[] u64(long v) {
        return new Codec.Out(8).u64(v).toByteArray();
    }

    static byte[] u16(int v) {
        return new Codec.Out(2).u16(v).toByteArray();
    }

    static byte[] u32(long v) {
        return new Codec.Out(4).u32(v).toByteArray();
    }
}

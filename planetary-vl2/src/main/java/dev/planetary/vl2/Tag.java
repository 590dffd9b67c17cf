package dev.planetary.vl2;

import java.nio.ByteBuffer;

/** A tag value of a Member Credential (§8.1 field {@code 0x08}): {@code u32 id ‖ u32 value}. */
public record Tag(long id, long value) {
    static final int BYTES = 8;

    public Tag {
        Codec.requireU32(id, "tag id");
        Codec.requireU32(value, "tag value");
    }

    byte[] encode() {
        return new Codec.Out(BYTES).u32(id).u32(value).toByteArray();
    }

    static Tag read(ByteBuffer in) {
        return new Tag(Codec.u32(in), Codec.u32(in));
    }
}

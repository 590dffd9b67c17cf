package dev.planetary.vl2;

import java.nio.ByteBuffer;

/** A tag definition of a NetworkConfig (§7.4 field {@code 0x0d}): {@code u32 id ‖ u32 default value ‖ UTF-8 name (0..63 bytes)}. */
public record TagDefinition(long id, long defaultValue, String name) {
    static final int MIN_BYTES = 8, MAX_BYTES = 8 + Vl2Limits.TAG_NAME_MAX_BYTES;

    public TagDefinition {
        Codec.requireU32(id, "tag id");
        Codec.requireU32(defaultValue, "tag default value");
        Codec.requireUtf8(name, 0, Vl2Limits.TAG_NAME_MAX_BYTES, "tag name");
    }

    @Override
    public String toString() {
        return "TagDefinition[" + id + ", default " + defaultValue + ", " + Codec.printable(name) + "]";
    }

    byte[] encode() {
        return new Codec.Out(MAX_BYTES).u32(id).u32(defaultValue)
                .put(Codec.requireUtf8(name, 0, Vl2Limits.TAG_NAME_MAX_BYTES, "tag name")).toByteArray();
    }

    static TagDefinition read(ByteBuffer in) {
        long id = Codec.u32(in), def = Codec.u32(in);
        return new TagDefinition(id, def, Codec.utf8(Codec.rest(in), 0, Vl2Limits.TAG_NAME_MAX_BYTES, "tag name"));
    }
}

package dev.planetary.vl2;

import dev.planetary.vl1.Bytes;
import java.nio.ByteBuffer;

/** A capability definition of a NetworkConfig (§7.4 field {@code 0x0c}): {@code u32 id ‖ rule entries (≤ 64)}. */
public record Capability(long id, RuleList rules) {
    public Capability {
        Codec.requireU32(id, "capability id");
        Codec.nonNull(rules, "capability rules");
        if (rules.size() > Vl2Limits.MAX_CAPABILITY_RULES) {
            throw new IllegalArgumentException("a capability has at most " + Vl2Limits.MAX_CAPABILITY_RULES + " rule entries, got " + rules.size());
        }
    }

    byte[] encode() {
        return new Codec.Out(4 + rules.encoded().length()).u32(id).put(rules.encoded()).toByteArray();
    }

    static Capability read(ByteBuffer in) {
        return new Capability(Codec.u32(in), new RuleList(Bytes.of(Codec.rest(in))));
    }
}

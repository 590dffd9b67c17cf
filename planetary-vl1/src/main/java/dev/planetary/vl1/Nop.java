package dev.planetary.vl1;

import java.util.Objects;

/** NOP ({@code 0x00}): {@code 0x00 ‖ anything}; ignored by the receiver (§3.10). */
public record Nop(Bytes body) implements Vl1Message {
    public Nop {
        Objects.requireNonNull(body, "body");
    }

    public static Nop empty() {
        return new Nop(Bytes.EMPTY);
    }

    @Override
    public int verb() {
        return Verb.NOP;
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.Objects;

/**
 * RELAY_BLOCK ({@code 0x1b}, destination → root): {@code 0x1b ‖ Address origin ‖ u16 ttl seconds
 * (0..3600; 0 lifts the block)} (§5.4). A ttl above 3,600 is malformed.
 */
public record RelayBlock(Address origin, int ttlSeconds) implements Vl1Message {
    public RelayBlock {
        Objects.requireNonNull(origin, "origin");
        if (ttlSeconds < 0 || ttlSeconds > Vl1Limits.RELAY_BLOCK_MAX_TTL) {
            throw new IllegalArgumentException("RELAY_BLOCK ttl " + ttlSeconds + " s is outside 0..3600 (§5.4)");
        }
    }

    @Override
    public int verb() {
        return Verb.RELAY_BLOCK;
    }

    /** Whether this message lifts a block (ttl 0). */
    public boolean lifts() {
        return ttlSeconds == 0;
    }
}

package dev.planetary.vl1;

import java.util.Objects;

/**
 * USER_MESSAGE ({@code 0x14}): {@code 0x14 ‖ u64 type id ‖ payload}, no reply (§3.10). Type ids up
 * to 65,535 are reserved for Planetary.
 */
public record UserMessage(long typeId, Bytes payload) implements Vl1Message {
    /** Largest type id reserved for Planetary itself. */
    public static final long MAX_RESERVED_TYPE_ID = 65_535;

    public UserMessage {
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public int verb() {
        return Verb.USER_MESSAGE;
    }

    /** Whether the type id is in Planetary's reserved range (unsigned ≤ 65,535). */
    public boolean isReservedType() {
        return Long.compareUnsigned(typeId, MAX_RESERVED_TYPE_ID) <= 0;
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.Objects;

/**
 * RELAY ({@code 0x18}): one opaque ZSSP datagram of the A–B session carried through a root (§5.3).
 *
 * <pre>
 * 0  1  verb 0x18
 * 1  1  bits 0–2 hop count (a member sends 1, a root forwards with 0); bits 3–7: 0
 * 2  5  destination Address (B)
 * 7  5  origin Address (A)
 * 12 n  exactly one ZSSP datagram, 32 ≤ n ≤ 1188
 * </pre>
 *
 * Nonzero bits 3–7 or a datagram length outside 32..1188 make the message malformed (a root answers
 * RELAY_DENIED reason 4 for the length, §5.3 step 4; {@link Vl1Codec#peekRelayDestination} reads the
 * destination of such a message). Policy (hop count must be 1 at a root, dest ≠ origin) is the
 * engine's.
 */
public record Relay(int hops, Address destination, Address origin, Bytes datagram) implements Vl1Message {
    /** Hop count a member sends. */
    public static final int HOPS_FROM_MEMBER = 1;
    /** Hop count a root forwards with. */
    public static final int HOPS_FROM_ROOT = 0;

    public Relay {
        if (hops < 0 || hops > Vl1Limits.RELAY_MAX_HOPS) throw new IllegalArgumentException("RELAY hop count " + hops + " is outside 0..7 (3 bits, §5.3)");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(origin, "origin");
        if (datagram.length() < Vl1Limits.MIN_ZSSP_DATAGRAM || datagram.length() > Vl1Limits.RELAYED_PATH_MTU) {
            throw new IllegalArgumentException("RELAY datagram is " + datagram.length() + " bytes; 32..1188 allowed (§5.3)");
        }
    }

    @Override
    public int verb() {
        return Verb.RELAY;
    }
}

package dev.planetary.zssp;

import java.util.Objects;

/** A peer's stored ratchet states: {@code state1} (newest) and an optional {@code state2}. */
public record RatchetPair(RatchetState state1, RatchetState state2) {
    /** What an unknown peer starts from. */
    public static final RatchetPair INITIAL = new RatchetPair(RatchetState.EMPTY, null);

    public RatchetPair {
        Objects.requireNonNull(state1, "state1 (use RatchetState.EMPTY)");
    }
}

package dev.planetary.zssp;

/**
 * Why a datagram was dropped (spec §11.2). Faults are reported in {@link Received.Dropped}, never
 * thrown; "natural" ones happen between honest peers on a lossy, reordering network.
 */
public enum Fault {
    /** Malformed: wrong length, bad fragment numbering, a type not allowed where it arrived. */
    INVALID_PACKET,
    /** An authentication tag, point, proof or ratchet check failed; or a challenge was issued. */
    FAILED_AUTH,
    /** No session or pending handshake has the key id the packet names. */
    UNKNOWN_LOCAL_KEY_ID,
    /** The anti-replay window refused the counter (replay, too old, or too far ahead). */
    EXPIRED_COUNTER,
    /** Valid but not expected in the session's current state. */
    OUT_OF_SEQUENCE,
    /** The application's ratchet storage failed; the packet was dropped and the peer will resend. */
    STORAGE_ERROR,
    /** The application refused the session (responder side). */
    REJECTED,
    /**
     * A Hello was answered with a challenge instead of being processed (ZCP, spec §9.3). The
     * reference reports this as a natural FailedAuth; it has its own class here so that operators
     * can count challenges.
     */
    CHALLENGE_ISSUED,
    /**
     * A Hello needed a challenge, but its source address had used its challenge budget
     * ({@link Settings#challengesPerAddress()}): dropped without a reply. A local rule that makes a
     * flood from one address cost the responder no reply packets; the reference would answer each.
     */
    CHALLENGE_LIMITED,
    /**
     * A Hello that passed the challenge (or needed none) was dropped unanswered because the
     * application's {@link Application#admitHello} refused to spend a handshake on it (a local
     * admission budget, e.g. a VL1 root's per-prefix share of unverified handshakes). No reply: to
     * the initiator it is a lost Hello, resent on its timer.
     */
    HELLO_NOT_ADMITTED,
    /**
     * Not the packet's fault: the engine hit an unexpected error (a bug) while processing it. The
     * datagram was dropped and the receive loop goes on; {@link Context#internalErrorCount()} counts
     * these. A transport should log them at warning level.
     */
    INTERNAL
}

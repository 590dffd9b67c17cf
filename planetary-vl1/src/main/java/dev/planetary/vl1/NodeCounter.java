package dev.planetary.vl1;

/** What a {@link Node} counts: every dropped input by reason, and a few outcomes (VL.md §3, §5.3). */
public enum NodeCounter {
    /** Datagrams shorter than 32 bytes (§3.1). */
    PUNCH,
    /** Datagrams ZSSP dropped (any fault). */
    ZSSP_DROPPED,
    /** Authenticated payloads for a session that was replaced or closed. */
    STALE_SESSION,
    /** VL1 messages that did not decode. */
    MALFORMED,
    /** Unknown verbs. */
    UNSUPPORTED_VERB,
    /** Verbs this role does not serve (e.g. WHOIS at a member). */
    IGNORED_VERB,
    /** Messages from a root session peer before its identity was verified (§2.6). */
    UNVERIFIED_PEER,
    /** Identity blobs that did not parse, or whose K_dh differs from the ZSSP static key (§3.2 steps 1–2). */
    BAD_IDENTITY_BLOB,
    /** Forged or invalid self-signatures (§3.2 step 3). */
    BAD_SELF_SIGNATURE,
    /** Fingerprints on the deny list (§3.2 step 3). */
    DENIED,
    /** Relayed X3s whose claimed address is not the origin (§3.2 step 4). */
    RELAY_ADDRESS_MISMATCH,
    /** X3s refused by the glare rule (§3.2). */
    GLARE_REFUSED,
    /** Sessions replaced by a newer one from the same peer (§3.2). */
    SESSION_REPLACED,
    /** Sessions refused because the peer table was full. */
    PEER_TABLE_FULL,
    /** Identities that failed verification (PoW, address) (§2.6). */
    VERIFICATION_FAILED,
    /** Verifications refused by the queue (§2.6): answered RATE_LIMITED. */
    VERIFICATION_REFUSED,
    /** Identities verified. */
    VERIFIED,
    /** Root: Hellos (past ZCP) dropped unanswered because their source prefix was over its share of the handshake budget (§2.6 cost control). */
    HELLO_NOT_ADMITTED,
    /** Root: Hellos (past ZCP) admitted to the handshake within the budget. */
    HELLO_ADMITTED,
    /** Member: ROOT_SET pushes accepted by the update rule (§4.2). */
    ROOT_SET_ACCEPTED,
    /** ROOT_SET pushes refused: not from a root, unparsable, older, forged, frozen or from another lineage (§4.2). */
    ROOT_SET_REFUSED,
    /** Root: ROOT_SET pushes sent (≤ 1 per member per 60 s, §4.5). */
    ROOT_SET_PUSHED,
    /** ERRORs not sent because of the 1/s per (peer, code) limit (§3.4). */
    ERROR_RATE_LIMITED,
    /** ECHOs not answered (64/s per peer, §3.8). */
    ECHO_RATE_LIMITED,
    /** WHOIS requests answered RATE_LIMITED (§3.9). */
    WHOIS_RATE_LIMITED,
    /** WHOIS records discarded (not requested, invalid identity, wrong address). */
    WHOIS_RECORD_DISCARDED,
    /** RELAYs dropped at steps 1–4 of §5.3 (abuse count). */
    RELAY_REFUSED,
    /** RELAYs dropped by the §4.5 limits. */
    RELAY_LIMITED,
    /** RELAYs dropped: destination unknown or offline. */
    RELAY_NO_DESTINATION,
    /** RELAYs dropped by a RELAY_BLOCK. */
    RELAY_BLOCKED,
    /** RELAYs forwarded by a root. */
    RELAY_FORWARDED,
    /** RELAYs dropped while their sender is banned for abuse (§5.3). */
    RELAY_ABUSE_BANNED,
    /** RELAYs at a member not from a root or not for this node (§5.3). */
    RELAY_NOT_FROM_ROOT,
    /** Relayed Hellos over the member's inbound limit (§5.4): RELAY_BLOCK sent. */
    RELAYED_HELLO_LIMITED,
    /** Datagrams that could not be sent (no path, no root session). */
    NO_PATH,
    /** Messages discarded from per-peer queues (bounds or expiry). */
    QUEUE_DROPPED,
    /** ERROR messages received. */
    ERROR_RECEIVED,
    /** HELLO exchanges that failed (no OK after the retries, or an ERROR). */
    HELLO_FAILED,
    /** Sessions closed because the peer stopped answering (§3.2, T_SESSION_DEAD). */
    SESSION_DEAD,
    /** Path candidates refused: 16 already being probed for the peer (§5.2). */
    PATH_CANDIDATE_REFUSED,
    /** A direct path to a blacklisted address (e.g. inside the node's own virtual networks, §5.7) was not learned. */
    PATH_BLACKLISTED,
    /** RENDEZVOUS not from a root, unsolicited (no request to that root within 35 s), or a RENDEZVOUS_REQUEST naming oneself (§5.5). */
    RENDEZVOUS_REFUSED,
    /** RENDEZVOUS(_REQUEST)s over their rate (member: 1 per (root, peer) per 5 s, 10/s; root: 10/s per requester) (§5.5). */
    RENDEZVOUS_LIMITED,
    /** RENDEZVOUS ignored because both ends are behind symmetric NATs: relay only (§5.5 step 1). */
    RENDEZVOUS_SYMMETRIC,
    /** Punch attempts with no direct path 4 s after the RENDEZVOUS (§5.5 step 4): back-off. */
    RENDEZVOUS_FAILED,
    /** PUSH_DIRECT_PATHS from an untrusted peer, a root, or more often than once per 5 s (§5.7). */
    PUSH_REFUSED,
    /** Pushed endpoints ignored: loopback, multicast, unspecified, or over 8 per (family, scope) (§5.7). */
    PUSH_ENDPOINT_IGNORED,
    /** A root reported a new observed endpoint for this node (NAT rebinding, §5.6, §5.8). */
    REBIND_DETECTED,
    /** Unexpected exceptions caught in receive or service: a bug, never bad input (tests assert 0). */
    INTERNAL_ERROR
}

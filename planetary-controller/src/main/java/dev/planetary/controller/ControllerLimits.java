package dev.planetary.controller;

/** The controller's constants (VL.md §7.5, §8, Appendix A), in one place. */
public final class ControllerLimits {
    private ControllerLimits() {}

    /** Networks whose compiled settings a store keeps for reuse (least recently read evicted first). */
    public static final int SETTINGS_CACHE_NETWORKS = 1_024;
    /** Unauthorised member rows per network; the oldest is evicted when full (§7.5). */
    public static final int MAX_PENDING_MEMBERS = 10_000;
    /** Unauthorised rows that have not requested for this long are deleted (§7.5). */
    public static final long PENDING_EXPIRY_MS = 30L * 24 * 3600 * 1000;
    /** New member rows per second per network and per source prefix (§7.5). */
    public static final int NEW_ROWS_PER_SECOND_NETWORK = 10, NEW_ROWS_PER_SECOND_PREFIX = 2;
    /** Config requests and credential queries per second per member (§7.5). */
    public static final int CONFIG_REQUESTS_PER_SECOND = 1, QUERIES_PER_SECOND = 10;
    /** RATE_LIMITED retry-after: request/query rate, new rows (Appendix A). */
    public static final int RETRY_AFTER_RATE_S = 1, RETRY_AFTER_NEW_ROW_S = 5;
    /** Revocation entries per list (§8.4); beyond, the floor is raised instead. */
    public static final int MAX_REVOCATIONS = 1_500;
    /** Bytes of a fingerprint prefix in a revocation entry (§8.4). */
    public static final int REVOCATION_PREFIX_BYTES = 16;
    /** NetworkConfig limits (§7.4, §8.1, Appendix A). */
    public static final int MAX_ROUTES = 128, MAX_IPS = 32, MAX_TAGS = 128, MAX_CAPABILITIES = 128;
    /** Rule entries: base rules, per capability (§11.7). */
    public static final int MAX_RULES = dev.planetary.vl2.Vl2Limits.MAX_RULES, MAX_CAPABILITY_RULES = dev.planetary.vl2.Vl2Limits.MAX_CAPABILITY_RULES;
    /**
     * The largest Member Credential PSO a config embeds (§8.1), for the config size bound: header 66,
     * signature 96, body TLVs (3 bytes each beside the value) network 8, fingerprint 48, address 5,
     * revision 8, max-delta 8, flags 8, 32 IPv6 assignments of 19, 128 tags of 8, 128 grants of 4.
     */
    public static final int MEMBER_CREDENTIAL_MAX_BYTES = 66 + 96 + (3 + 8) + (3 + 48) + (3 + 5) + 3 * (3 + 8) + MAX_IPS * (3 + 19)
            + MAX_TAGS * (3 + 8) + MAX_CAPABILITIES * (3 + 4);
    public static final int MTU_MIN = 1280, MTU_MAX = 10_000, MTU_DEFAULT = 2800;
    public static final int MULTICAST_LIMIT_MIN = 1, MULTICAST_LIMIT_MAX = 240, MULTICAST_LIMIT_DEFAULT = 32;
    public static final int NAME_MAX_BYTES = 127;
    /** Credential max-delta in ms (§8.1): default 30 min, range 5 min..2 h. */
    public static final long MAX_DELTA_DEFAULT = 1_800_000, MAX_DELTA_MIN = 300_000, MAX_DELTA_MAX = 7_200_000;
    /** Join tokens (§13.3): text 1..64 printable ASCII, uses 1..1,000,000, default expiry 7 days, 24 random bytes when made here. */
    public static final int TOKEN_MAX_CHARS = 64, TOKEN_MAX_USES = 1_000_000, TOKEN_RANDOM_BYTES = 24;
    public static final long TOKEN_DEFAULT_LIFETIME_MS = 7L * 24 * 3600 * 1000;
    /** Join tokens per network (a bound of ours: the table is scanned on every tokened request). */
    public static final int MAX_TOKENS_PER_NETWORK = 1_000;
    /** Networks per controller (ours: 24-bit numbers, but the listing is bounded). */
    public static final int MAX_NETWORKS = 65_536;
    /** Rate-limit state entries kept (ours: per-member and per-prefix tables stay bounded). */
    public static final int MAX_RATE_ENTRIES = 65_536;
    /** Revoked members without a session queued to be reached at once (ours; past it they learn at T_SESSION_DEAD). */
    public static final int MAX_REACH_SOON = 1_024;
    /** Members with a live session the controller remembers (ours). */
    public static final int MAX_ONLINE = 1_000_000;
    /** The issuance clock persists a ceiling this far ahead, so most issuances write nothing (ours). */
    public static final long CLOCK_LEASE_MS = 60_000;
    /** A member row's last-request time is rewritten at most this often (ours; the 30-day expiry needs no finer). */
    public static final long LAST_REQUEST_GRANULARITY_MS = 3_600_000;
    /** rfc4193 (§10.6): fd ‖ nwid ‖ 99 93 ‖ address, prefix /88. */
    public static final int RFC4193_PREFIX = 88;
    /** LIKEs the controller holds per member and network (§10.2: ≤ 1,024 groups per sender; oldest expire first). */
    public static final int MAX_LIKES_PER_MEMBER = 1_024;
    /** LIKEs held per network (ours; the oldest is forgotten first) and in all (ours; beyond, new LIKEs are dropped and counted). */
    public static final int MAX_LIKES_PER_NETWORK = 100_000, MAX_LIKES_TOTAL = 1_000_000;
    /** A LIKE is forgotten after the config's LIKE expiry; the controller leaves field 0x08 out, so the default (§10.2, §7.4). */
    public static final long LIKE_EXPIRY_MS = dev.planetary.vl2.Vl2Limits.LIKE_EXPIRY_DEFAULT;
    /** GATHERs per member: token bucket, per second and burst (ours, §10.3: a member asks once per group per 60 s, every 5 s while it knows none). */
    public static final int GATHER_RATE = 20, GATHER_BURST = 100;
    /** MULTICAST_LIKE messages per member and network: token bucket (ours; a full set of 1,024 groups is 4 messages every 60 s). */
    public static final int LIKE_RATE = 10, LIKE_BURST = 20;
    /** Records in a gather answer (§10.3: limit 1..240; an absurd limit is clamped). */
    public static final int GATHER_LIMIT_MAX = MULTICAST_LIMIT_MAX;
    /** Specialists a config lists (§7.4 field 0x0e, ≤ 256). */
    public static final int MAX_SPECIALISTS = dev.planetary.vl2.Vl2Limits.MAX_SPECIALISTS;
}

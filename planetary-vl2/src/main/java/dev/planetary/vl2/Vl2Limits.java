package dev.planetary.vl2;

/** The VL2 limits and defaults of VL.md Appendix A that the wire objects enforce (one place). */
public final class Vl2Limits {
    private Vl2Limits() {}

    /** §2.8: the largest PSO body (the PSO is at most 162 more); defined by the identity module's {@code Pso}. */
    public static final int MAX_PSO_BODY = dev.planetary.identity.Pso.MAX_BODY;

    /** §7.4: VL2 MTU range and default (V1 default). */
    public static final int MTU_MIN = 1280, MTU_MAX = 10_000, MTU_DEFAULT = 2800;
    /** §7.4, §10.3: multicast limit range and default; also the gather limit range. */
    public static final int MULTICAST_LIMIT_MIN = 1, MULTICAST_LIMIT_MAX = 240, MULTICAST_LIMIT_DEFAULT = 32;
    /** §7.4: multicast LIKE expiry default (ms). */
    public static final long LIKE_EXPIRY_DEFAULT = 600_000;
    /** §7.4: network name length in UTF-8 bytes. */
    public static final int NAME_MAX_BYTES = 127;
    /** §7.4 / §11.7: routes, base rule entries, capabilities, entries per capability, tag definitions, specialists. */
    public static final int MAX_ROUTES = 128, MAX_RULES = 1024, MAX_CAPABILITIES = 128, MAX_CAPABILITY_RULES = 64,
            MAX_TAG_DEFINITIONS = 128, MAX_SPECIALISTS = 256;
    /** §7.4: tag definition name length in UTF-8 bytes. */
    public static final int TAG_NAME_MAX_BYTES = 63;

    /** §8.1: credential max-delta range and default (ms; V1: 30 min, 5 min..2 h). */
    public static final long MAX_DELTA_MIN = 300_000, MAX_DELTA_MAX = 7_200_000, MAX_DELTA_DEFAULT = 1_800_000;
    /** §8.1: IP assignments, tags and capability grants per Member Credential. */
    public static final int MAX_IP_ASSIGNMENTS = 32, MAX_TAGS = 128, MAX_GRANTS = 128;

    /** §8.4: revocation entries per list (16-byte prefix ‖ u64 threshold). */
    public static final int MAX_REVOCATIONS = 1500;
    /** §8.4: bytes of a fingerprint prefix in a revocation entry. */
    public static final int REVOCATION_PREFIX_BYTES = 16;
    /**
     * Local: entries a member stores per network after merging lists (§8.4 "Member storage"); past it
     * the lowest thresholds (the first to expire by the window rule) are dropped.
     */
    public static final int MAX_STORED_REVOCATIONS = 4 * MAX_REVOCATIONS;

    /** §7.3: join token length (ASCII bytes). */
    public static final int TOKEN_MAX_BYTES = 64;
    /** §7.3: software version and host name TLVs (Local bound: UTF-8 bytes). */
    public static final int REQUEST_TEXT_MAX_BYTES = 255;
    /** §7.3: the rules-engine version this implementation speaks. */
    public static final int RULES_ENGINE_VERSION = 1;

    /** §8.3: items per NETWORK_CREDENTIALS. */
    public static final int MAX_CREDENTIAL_ITEMS = 16;
    /** §10.2: groups per MULTICAST_LIKE. */
    public static final int MAX_LIKE_GROUPS = 256;
    /** How often a member reads the multicast groups its NIC's host stack joined (§12.5; a TAP's kernel memberships). */
    public static final long JOINED_GROUPS_POLL_MS = 10_000;

    /** §12.8: DATA bytes per PORT_FORWARD DATA message (1..16,384). */
    public static final int PORT_FORWARD_MAX_DATA = 16_384;
    /** §12.8: open forwarding streams per session. */
    public static final int PORT_FORWARD_MAX_STREAMS = 16;
    /** §12.8: a stream whose data cannot be written to its local socket for this long is closed (ms). */
    public static final long PORT_FORWARD_STALL_MS = 20_000;
}

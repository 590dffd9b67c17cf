package dev.planetary.vl1;

/**
 * Every VL1 bound and timer in one place (VL spec Appendix A, §5.11). Codecs, the future engine
 * and tests read them from here; nothing else writes these numbers.
 */
public final class Vl1Limits {
    private Vl1Limits() {}

    /** VL protocol version defined by this implementation (§3.6). */
    public static final int PROTOCOL_VERSION = 1;
    /** Default UDP port (§3.1). */
    public static final int DEFAULT_PORT = 9993;

    // §3.4 sizes
    /** Largest VL1 message (verb byte included) (§3.4). */
    public static final int MAX_VL1_MESSAGE = 49_152;
    /** Path MTU bounds and default (§3.1). */
    public static final int PATH_MTU_DEFAULT = dev.planetary.zssp.Limits.DEFAULT_MTU;
    public static final int PATH_MTU_MIN = 1232;
    public static final int PATH_MTU_MAX = 9000;
    /** Fixed MTU of a relayed path: the largest ZSSP datagram inside a RELAY (§5.3). */
    public static final int RELAYED_PATH_MTU = 1188;
    /** Smallest ZSSP datagram; anything shorter is a punch (§3.1). */
    public static final int MIN_ZSSP_DATAGRAM = 32;

    // §2.2 encodings
    public static final int ADDRESS_BYTES = 5;
    public static final int FINGERPRINT_BYTES = 48;
    public static final int IDENTITY_BYTES = 195;

    // §3.9 WHOIS
    /** Addresses per WHOIS request and records per OK(WHOIS) (§3.9). */
    public static final int MAX_WHOIS_ADDRESSES = 32;
    /** Addresses answered per second per requester at a root (§3.9). */
    public static final int MAX_WHOIS_RATE = 100;

    // §3.8 ECHO
    /** OK(ECHO) answers per second per peer (§3.8). */
    public static final int MAX_ECHO_RATE = 64;

    // §3.4 ERROR
    /** RATE_LIMITED retry-after range in seconds (§3.4): a receiver reads 0 as 1 and caps at the maximum. */
    public static final int RETRY_AFTER_MIN = 1;
    public static final int RETRY_AFTER_MAX = 3_600;
    /** Retry-after roots send (§3.4, §4.5). */
    public static final int RETRY_AFTER_ROOT = 10;
    /**
     * Local (§3.4 requires only "not sooner"): a node waits a RATE_LIMITED retry-after plus a random
     * part of up to this fraction of it, so that the nodes a busy root refused in one burst (its
     * verification queue holds 2 per prefix, §2.6: 20 nodes behind one NAT or on one LAN) do not all
     * come back in the same instant, to be refused again but two (RootRegistrationSimTest).
     */
    public static final double RETRY_AFTER_JITTER = 1.0;

    // §2.6 / §4.5 cost control at a root (Local; issue 13's verification budget)
    /**
     * ZSSP handshakes a root spends per second on Hellos that passed ZCP (it cannot tell who sent
     * them before the handshake): ≈ 3.5 ms of CPU each on a loaded machine, so 64/s ≈ 0.22 core,
     * which with the verification worker (≤ 64 new identities/s × ≈ 10–14 ms) keeps a flood under
     * one core. Shared fairly over source prefixes ({@code HandshakeAdmission}).
     */
    public static final int ROOT_HANDSHAKES_PER_SECOND = 64;
    /** Source prefixes the handshake admission tracks (least recently seen evicted). */
    public static final int ADMISSION_PREFIXES = 4096;
    /** A prefix counts as contending while it sent a Hello within this window (ms). */
    public static final long ADMISSION_ACTIVE_WINDOW = 10_000;

    /** §3.3: peers whose ratchets a root keeps in memory (LRU, lost on restart). */
    public static final int ROOT_RATCHET_PEERS = 4_000_000;

    // §5.3, §5.4 relaying
    /** RELAY header: verb, hops, destination, origin (§5.3). */
    public static final int RELAY_HEADER_BYTES = 12;
    /** Largest hop count the 3-bit field holds; members send 1 (§5.3). */
    public static final int RELAY_MAX_HOPS = 7;
    /** RELAY_BLOCK ttl upper bound in seconds; 0 lifts a block (§5.4). */
    public static final int RELAY_BLOCK_MAX_TTL = 3_600;
    /** RELAY_BLOCK entries a root keeps per destination (§5.4). */
    public static final int RELAY_BLOCKS_PER_DESTINATION = 256;

    // §5.1 paths
    public static final int MAX_PATHS_PER_PEER = 64;
    /** §5.10 step 2: an opening X1 goes directly to at most this many remembered or pushed endpoints. */
    public static final int MAX_X1_DIRECT = 4;
    /** Local bound: peers whose remembered endpoints (§5.2 (d)) the engine keeps (LRU). */
    public static final int MAX_REMEMBERED_PEERS = 4_096;
    // §4.1 root sets
    public static final int MAX_ROOTS = 16;

    // §0 Endpoint
    /** Endpoint value length for IPv4/UDP and IPv6/UDP (§0). */
    public static final int ENDPOINT_IPV4_LENGTH = 6;
    public static final int ENDPOINT_IPV6_LENGTH = 18;

    // §5.11 timers, milliseconds
    public static final long T_HEARTBEAT = 14_000;
    public static final long T_PATH_ALIVE = 19_000;
    public static final long T_PATH_EXPIRE = 243_000;
    public static final long T_CANDIDATE_GIVEUP = 10_000;
    public static final long T_PEER_ACTIVE = 300_000;
    public static final long T_SESSION_IDLE = 3_600_000;
    public static final long T_SESSION_DEAD = 60_000;
    public static final long T_HELLO_RETRY = 1_000;
    /** HELLO sends in total (§3.7); towards a root: until 10 s after the first send. */
    public static final int HELLO_SENDS = 6;
    public static final int HELLO_SENDS_TO_ROOT = 11;
    public static final long T_GLARE = 20_000;
    public static final long T_WHOIS_RETRY = 1_000;
    public static final int WHOIS_MAX_ROOTS_ASKED = 3;
    public static final long T_WHOIS_NEGATIVE_CACHE = 30_000;
    /**
     * Local (§3.9 allows it): a lookup that failed only because a single root knew the address is
     * cached as failed for 3 s, not 30 s — roots' registries are not synchronised, and a node that
     * came online a moment ago is often registered at one root while the other still verifies it.
     */
    public static final long T_WHOIS_PARTIAL_CACHE = 3_000;
    /**
     * Local (§3.9 allows it): for the first {@code T_WHOIS_NEGATIVE_GRACE} of consecutive failed
     * lookups of an address, each is cached for {@link #T_WHOIS_PARTIAL_CACHE} only, later ones for
     * {@link #T_WHOIS_NEGATIVE_CACHE}. A node that is not registered yet — its Hello refused by a
     * busy root's verification queue (§2.6: 2 per prefix, retry-after 10 s plus jitter, one round
     * ≤ 6 s) — becomes findable seconds after it registers, not up to 30 s later (a join's config
     * request to a controller still registering, MulticastNetnsIT on a loaded machine); an address
     * nobody knows costs a root ≤ 20 WHOIS per requester in that minute, then one per 30 s. A streak
     * ends once its last entry has been expired for {@link #T_WHOIS_NEGATIVE_CACHE}.
     */
    public static final long T_WHOIS_NEGATIVE_GRACE = 60_000;
    public static final long T_RENDEZVOUS_REPEAT = 30_000;
    public static final long T_RENDEZVOUS_WINDOW = 35_000;
    public static final long T_UNITE = 30_000;
    public static final long T_PUSH_NOPATH = 15_000;
    public static final long T_PUSH_HAVEPATH = 120_000;
}

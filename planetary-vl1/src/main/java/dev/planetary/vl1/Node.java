package dev.planetary.vl1;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.engine.BoundedMap;
import dev.planetary.vl1.engine.IdentityBlob;
import dev.planetary.vl1.engine.TimerQueue;
import dev.planetary.vl1.engine.TokenBucket;
import dev.planetary.vl1.engine.HandshakeAdmission;
import dev.planetary.vl1.engine.VerificationQueue;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticPublicKey;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The sans-IO VL1 engine (VL.md §3, §4.3–§4.5, §5.3–§5.4, §5.10): one ZSSP {@link Context} (static
 * key = K_dh of the node's identity), HELLO/ECHO/WHOIS/RELAY/RELAY_BLOCK/ERROR/USER_MESSAGE, the
 * identity cache with pinning, and, in the root role, the registry, the verification queue and the
 * relay with its limits.
 *
 * <h2>Contract</h2>
 * The driver feeds datagrams with {@link #receive} and calls {@link #service} no later than the
 * deadline it returns (or {@link #nextDeadline} after a receive). Outputs go to the injected
 * {@link NodeOutput}: datagrams to send on (local socket, endpoint) and {@link NodeEvent}s.
 * Hostile input never throws: it is dropped and counted ({@link NodeCounter}). Misuse of the API
 * (a message over 49,152 bytes, a null) throws {@link IllegalArgumentException} or
 * {@link NullPointerException} naming the problem.
 *
 * <h2>Thread model</h2>
 * Not thread-safe: one thread (the driver's) calls every method; the simulator does, and a UDP
 * driver runs one loop thread per node. Identity verification (Argon2id) runs inside
 * {@link #service} within a budget of {@link NodeConfig#verificationsPerSecond()} — the "one worker"
 * of §2.6, without a thread of its own.
 */
public final class Node {
    static final SoftwareVersion SOFTWARE = new SoftwareVersion(0, 1, 0);
    static final long DENY_MS = 600_000;
    static final long PIN_PROTECT_MS = 60L * 86_400_000;
    static final long REGISTRY_DORMANT_MS = 60L * 86_400_000;
    /** §5.10 step 4 and §3.2: per-destination queue bounds. */
    static final int QUEUE_MESSAGES = 32;
    static final int QUEUE_BYTES = 256 * 1024;
    static final long QUEUE_AGE = 5_000;
    static final int MAX_REMEMBERED_ENDPOINTS = 4;
    /** §5.4 Local default: relayed Hellos per origin per second at a member. */
    static final double RELAYED_HELLOS_PER_SECOND = 5;
    static final int RELAY_BLOCK_TTL = 600;
    static final long OPEN_RETRY = 1_000;
    static final long LOOKUP_WAIT_FOR_ROOTS = 5_000;

    // ---------------------------------------------------------------- paths and remotes

    /** A path (§5.1): direct (local socket, remote endpoint) or relayed through root {@code root} to/from {@code peer}. */
    sealed interface Path permits Direct, Relayed {}

    record Direct(InetSocketAddress local, InetSocketAddress remote) implements Path {}

    record Relayed(Address root, Address peer) implements Path {}

    /** A ZSSP {@link Remote} for one path. */
    final class PathRemote implements Remote {
        final Path path;

        PathRemote(Path path) {
            this.path = path;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            transmit(path, Arrays.copyOfRange(datagram, off, off + len));
        }

        @Override
        public int mtu() {
            return path instanceof Relayed ? config.relayedPathMtu() : Vl1Limits.PATH_MTU_DEFAULT;
        }

        @Override
        public byte[] addressBytes() {
            return switch (path) {
                case Direct d -> {
                    byte[] ip = d.remote().getAddress().getAddress();
                    byte[] b = Arrays.copyOf(ip, ip.length + 2);
                    b[ip.length] = (byte) (d.remote().getPort() >>> 8);
                    b[ip.length + 1] = (byte) d.remote().getPort();
                    yield b;
                }
                case Relayed r -> { // §5.3: "R" ‖ root address ‖ origin address
                    byte[] b = new byte[11];
                    b[0] = 'R';
                    r.root().write(b, 1);
                    r.peer().write(b, 6);
                    yield b;
                }
            };
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PathRemote p && p.path.equals(path);
        }

        @Override
        public int hashCode() {
            return path.hashCode();
        }
    }

    /** §5.10 step 2: an opening initiator's datagrams go through the relay and to every remembered endpoint. */
    final class OpenRemote implements Remote {
        final List<PathRemote> parts;

        OpenRemote(List<PathRemote> parts) {
            this.parts = List.copyOf(parts);
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            for (PathRemote p : parts) p.send(datagram, off, len);
        }

        @Override
        public int mtu() {
            int m = Integer.MAX_VALUE;
            for (PathRemote p : parts) m = Math.min(m, p.mtu());
            return m;
        }

        @Override
        public byte[] addressBytes() {
            return parts.getFirst().addressBytes();
        }
    }

    // ---------------------------------------------------------------- peers

    /** Everything about one peer (by fingerprint); its timers run through {@link #peerTimer}. */
    final class Peer implements TimerQueue.Timed {
        final Fingerprint fp;
        RootInfo root; // a member's root, else null (cleared when a pushed root set drops it, §4.2)
        Identity identity;
        Address address; // bound, or the claimed hint
        boolean bound;
        Session<Fingerprint> session;
        boolean initiator;
        boolean up; // SessionUp emitted for the current session
        long openedAt;
        Path path; // the session's current Remote (§5.1 preferred path)
        final PeerPaths paths = new PeerPaths();
        private Traversal.State traversal; // created on first use: a root never punches for its members (null = as just reset)
        boolean symmetricNat; // root: the peer's HELLO role flag bit2 (§5.6)
        TokenBucket rendezvousRate;
        int helloId;
        int helloSends;
        long helloLastAt;
        boolean helloOk;
        int pendingHelloId; // a HELLO not answered yet: root, waiting for verification; Alice, waiting for Established
        boolean verifying;
        boolean verified;
        boolean verificationRefused;
        long lastRecv;
        long lastSent;
        long lastActive = Long.MIN_VALUE / 2;
        int unanswered;
        long lastHeartbeat = Long.MIN_VALUE / 2;
        double latency = Double.NaN;
        int failures;
        long nextAttempt;
        long retryAfterUntil;
        int endpointRotation;
        long openRetryAt;
        TokenBucket echoAnswers;
        TokenBucket whoisRate;
        TokenBucket relayOrigin;
        TokenBucket relayHellos;
        TokenBucket inboundRelayedHellos;
        Map<Integer, Long> lastError; // §3.4 rate limit per code, created with the first ERROR sent
        BoundedMap<Address, Long> blocksSent; // a root's: created with the first RELAY_BLOCK sent to it
        int relayAbuse;
        long relayAbuseWindow;
        long relayBannedUntil;

        Peer(Fingerprint fp, RootInfo root) {
            this.fp = fp;
            this.root = root;
        }

        /** The §5.5–§5.7 traversal state, created on first use. */
        Traversal.State traversal() {
            if (traversal == null) traversal = new Traversal.State();
            return traversal;
        }

        /** Back to the state of a fresh session (nothing to do if none was created). */
        void resetTraversal() {
            if (traversal != null) traversal.reset();
        }

        boolean canSend() {
            return session != null && !session.isExpired() && session.isEstablished();
        }

        boolean alive() {
            return canSend() && helloOk && now - lastRecv < Vl1Limits.T_PATH_ALIVE;
        }

        @Override
        public long onTimer(long t) {
            return peerTimer(this, t);
        }

        @Override
        public String toString() {
            return "Peer[" + fp.toShortString() + (address != null ? " " + address : "") + "]";
        }
    }

    /** Messages waiting for a session or a lookup, per destination address (§5.10 step 4, §3.9). */
    static final class MessageQueue {
        final ArrayDeque<byte[]> messages = new ArrayDeque<>();
        final ArrayDeque<Long> times = new ArrayDeque<>();
        int bytes;
    }

    enum Source { ROOT_SET, CONFIG, WHOIS, WHOIS_TOFU, SESSION, CONTROLLER }

    static final class CacheEntry {
        final Identity identity;
        final Address address;
        final Source source;
        long lastUsed;
        final List<InetSocketAddress> endpoints = new ArrayList<>(MAX_REMEMBERED_ENDPOINTS);

        CacheEntry(Identity identity, Address address, Source source, long now) {
            this.identity = identity;
            this.address = address;
            this.source = source;
            this.lastUsed = now;
        }
    }

    record Registration(Fingerprint fp, Identity identity, long firstSeen, long lastSeen) {}

    // ---------------------------------------------------------------- state

    final NodeConfig config;
    private final SecretIdentity self;
    private final Fingerprint selfFp;
    final Address selfAddress;
    private byte[] selfBlob;
    final NodeOutput out;
    private final RandomSource rng;
    private final Context<Fingerprint> ctx;
    private final long instanceId;
    final IdentityVerifier verifier;
    final TimerQueue timers = new TimerQueue();
    long now;
    private int requestCounter;
    private boolean online;
    private final long[] counts = new long[NodeCounter.values().length];

    private final Map<Fingerprint, Peer> peers = new HashMap<>();
    final Map<Address, Peer> rootPeers = new LinkedHashMap<>();
    final BoundedMap<Fingerprint, CacheEntry> cache;
    /** §5.2 (d): endpoints of confirmed direct paths from an earlier run (the daemon's home), first X1 targets. */
    private final BoundedMap<Fingerprint, List<InetSocketAddress>> remembered = new BoundedMap<>(Vl1Limits.MAX_REMEMBERED_PEERS);
    final BoundedMap<Address, Fingerprint> byAddress;
    private final BoundedMap<Fingerprint, Long> denied = new BoundedMap<>(4096);
    /** The operator's blocks by origin address (§5.4), re-sent to any root that still relays from it. */
    private final BoundedMap<Address, Long> operatorBlocks = new BoundedMap<>(4096);
    final Map<Address, MessageQueue> waiting = new HashMap<>();
    private final WhoisClient whois = new WhoisClient(this);
    private final VerificationQueue<Peer> verifications;
    private final TokenBucket verifyBudget;
    private final RatchetStore ratchets;
    private final HandshakeAdmission admission;
    private final RootSetPush rootSetPush; // root role: fair share of handshakes per source prefix (§2.6 cost control)
    // root role
    final BoundedMap<Address, Registration> registry;
    final Map<Address, Peer> registeredOnline = new HashMap<>();
    private final RootRelay relay;
    final Traversal traversal = new Traversal(this);
    private final RendezvousBroker broker = new RendezvousBroker(this);
    // the layer above (VL2, SEQEX): null = carried verbs are answered UNSUPPORTED_OPERATION
    private UpperLayer upper;
    private int upcalls; // > 0 while an UpperLayer callback runs: timers are left to the outer loop

    /**
     * @param self the node's identity (not copied; the caller keeps ownership and destroys it after the node)
     * @param rng  randomness for ZSSP and request ids (a seeded one in simulations)
     * @param now  the driver's monotonic clock, ms
     */
    public Node(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now) {
        this(config, self, out, rng, now, new IdentityVerifier(config.identityCacheSize()));
    }

    /**
     * As above with a verifier shared by the nodes of one process (it caches outcomes per
     * fingerprint, so an identity is verified once per process, §2.6).
     */
    public Node(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now, IdentityVerifier verifier) {
        this(config, self, out, rng, now, verifier, RatchetStore.none());
    }

    /**
     * As above with durable ratchet storage (§3.3: a member's {@code node.db}), so sessions after a
     * restart re-key from the stored ratchets instead of the zero ratchet. The store is called on
     * the thread inside {@link #receive} / {@link #service}; the caller closes it after the node.
     */
    public Node(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now, IdentityVerifier verifier, RatchetStore ratchets) {
        this(config, self, out, rng, now, verifier, ratchets, null);
    }

    static {
        dev.planetary.vl1.sim.SeededNodes.install((config, self, out, rng, now, localSeed) ->
                new Node(config, self, out, rng, now, new IdentityVerifier(config.identityCacheSize()), RatchetStore.none(), localSeed));
    }

    /**
     * Simulations (same-package tests; other modules' through {@code dev.planetary.vl1.sim.SeededNodes}):
     * as above, with the engine's local-only seeds (reassembly slot hashing, the challenge budget's
     * key) from {@code localSeed} instead of a fresh {@code SecureRandom}, so that with a seeded
     * {@code rng} a run replays exactly; {@code null} keeps the production default.
     */
    Node(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now, IdentityVerifier verifier, RatchetStore ratchets, Long localSeed) {
        this.ratchets = Objects.requireNonNull(ratchets, "ratchets (RatchetStore.none() for none)");
        this.config = Objects.requireNonNull(config, "config");
        this.self = Objects.requireNonNull(self, "self");
        this.out = Objects.requireNonNull(out, "out");
        this.rng = Objects.requireNonNull(rng, "rng");
        this.now = now;
        this.selfFp = self.fingerprint();
        this.selfAddress = self.address();
        this.selfBlob = new IdentityBlob(selfAddress, self.identity()).encode();
        this.instanceId = rng.nextLong();
        this.requestCounter = rng.nextInt();
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.cache = new BoundedMap<>(config.identityCacheSize());
        this.byAddress = new BoundedMap<>(config.identityCacheSize());
        this.registry = new BoundedMap<>(config.registrySize());
        this.relay = new RootRelay(this, Math.min(config.maxPeers(), 1 << 20));
        this.verifyBudget = new TokenBucket(config.verificationsPerSecond(), 1, now);
        this.verifications = new VerificationQueue<>(256, 2, new java.util.SplittableRandom(instanceId ^ 0x9E3779B97F4A7C15L)); // no draw from rng: seeded runs keep their sequence
        this.admission = config.root()
                ? new HandshakeAdmission(Vl1Limits.ROOT_HANDSHAKES_PER_SECOND, Vl1Limits.ADMISSION_PREFIXES, Vl1Limits.ADMISSION_ACTIVE_WINDOW, now)
                : null;
        this.ctx = localSeed == null
                ? new Context<>(self.staticKeyPair(), new App(), Settings.defaults(), rng)
                : EngineAccess.seededContext(self.staticKeyPair(), new App(), Settings.defaults(), rng, localSeed);
        if (config.root()) ctx.setChallengeEnabled(true); // §3.3: roots challenge every Hello
        this.rootSetPush = new RootSetPush(verifier);
        for (RootInfo r : config.roots()) addRoot(r);
    }

    private void addRoot(RootInfo r) {
        Fingerprint fp = r.identity().fingerprint();
        if (fp.equals(selfFp) || rootPeers.containsKey(r.address())) return;
        Peer old = peers.get(fp);
        if (old != null) closeSession(old, "now a root", false); // a leaf that became a root: start afresh as one
        peers.remove(fp);
        Peer p = new Peer(fp, r);
        p.identity = r.identity();
        p.address = r.address();
        p.bound = true;
        p.nextAttempt = now;
        peers.put(fp, p);
        rootPeers.put(r.address(), p);
        pin(r.identity(), r.address(), Source.ROOT_SET);
        timers.schedule(p, now);
    }

    // ---------------------------------------------------------------- root sets (§4.2)

    /**
     * Member: the accepted root sets (operator-added in name order, then the embedded default, §4.1)
     * it takes its roots from: their summaries go in HELLOs, pushes are checked against them, and the
     * node switches to their effective roots (connecting to new ones, closing dropped ones). Returns them.
     */
    public List<RootInfo> useRootSets(List<dev.planetary.identity.RootSets.Accepted> accepted) {
        if (config.root()) throw new IllegalStateException("a root has no root sets of its own to follow; use publishRootSet");
        rootSetPush.use(accepted);
        List<RootInfo> roots = rootSetPush.roots();
        switchRoots(roots);
        return roots;
    }

    /** Root: a root set whose newer revision this root pushes to members that summarise an older one (§4.2). */
    public void publishRootSet(dev.planetary.identity.RootSet set) {
        if (!config.root()) throw new IllegalStateException("only a root pushes root sets (§4.2)");
        rootSetPush.publish(set);
    }

    /** Member: a ROOT_SET from one of its roots; anything else is refused and counted (§4.2). */
    private void onRootSet(Peer p, RootSet m) {
        if (config.root() || p.root == null) {
            bump(NodeCounter.ROOT_SET_REFUSED);
            return;
        }
        dev.planetary.identity.Decoded<dev.planetary.identity.RootSets.Accepted> r = rootSetPush.receive(m.rootSet().toArray());
        if (!r.isOk()) {
            bump(NodeCounter.ROOT_SET_REFUSED);
            return;
        }
        bump(NodeCounter.ROOT_SET_ACCEPTED);
        List<RootInfo> roots = rootSetPush.roots();
        switchRoots(roots);
        out.event(new NodeEvent.RootSetUpdated(r.orThrow(), p.address, roots));
    }

    /** Connects to roots new in {@code roots} and lets go of those no longer in it (their sessions close). */
    private void switchRoots(List<RootInfo> roots) {
        java.util.Set<Address> keep = new java.util.HashSet<>();
        for (RootInfo r : roots) keep.add(r.address());
        for (Peer p : List.copyOf(rootPeers.values())) {
            if (keep.contains(p.address)) continue;
            rootPeers.remove(p.address);
            p.root = null;
            closeSession(p, "no longer a root (root set update)", false);
        }
        for (RootInfo r : roots) addRoot(r);
        updateOnline();
    }

    // ---------------------------------------------------------------- public API

    public Fingerprint fingerprint() {
        return selfFp;
    }

    public Address address() {
        return selfAddress;
    }

    public boolean isRoot() {
        return config.root();
    }

    /** The driver's clock as of the current (or last) receive / service call, ms (upper layers run on it). */
    public long now() {
        return now;
    }

    /** True while a root session has an alive path (§4.3). */
    public boolean isOnline() {
        return online;
    }

    /**
     * One datagram arrived on {@code localSocket} from {@code from}. Never throws for hostile
     * input; due timers run too.
     */
    public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
        Objects.requireNonNull(datagram, "datagram");
        Objects.requireNonNull(localSocket, "localSocket");
        Objects.requireNonNull(from, "from");
        this.now = now;
        if (datagram.length < Vl1Limits.MIN_ZSSP_DATAGRAM) { // §3.1: a punch
            bump(NodeCounter.PUNCH);
            return;
        }
        if (from.getAddress() == null) {
            bump(NodeCounter.ZSSP_DROPPED);
            return;
        }
        try {
            zssp(datagram, new PathRemote(new Direct(localSocket, from)));
            timers.runDue(now);
        } catch (RuntimeException e) { // a bug, not bad input: counted (tests and fuzzing assert 0), the loop lives on
            bump(NodeCounter.INTERNAL_ERROR);
        }
    }

    /** Runs due timers (ZSSP resends, HELLO retries, heartbeats, lookups, verification budget); returns the absolute next deadline. */
    public long service(long now) {
        this.now = now;
        long z = ctx.service();
        try {
            runVerifications();
            timers.runDue(now);
        } catch (RuntimeException e) { // as in receive
            bump(NodeCounter.INTERNAL_ERROR);
        }
        return Math.min(now + Math.max(1, z), nextDeadline());
    }

    /** The earliest time {@link #service} has work (after a {@link #receive}, the driver may need to call it sooner). */
    public long nextDeadline() {
        long t = timers.runDue(Long.MIN_VALUE);
        if (!verifications.isEmpty()) t = Math.min(t, now + Math.max(1, verifyBudget.waitFor(now)));
        return Math.min(t, now + Math.max(1, ctx.settings().resendTime()));
    }

    /** Sends a USER_MESSAGE (§3.10) to the node with address {@code dest}. */
    public boolean sendUserMessage(Address dest, long typeId, byte[] payload) {
        return send(dest, new UserMessage(typeId, Bytes.of(payload)));
    }

    /**
     * Sends {@code message} to {@code dest}: at once over a live session; else queued (≤ 32
     * messages, 256 KiB, 5 s) while the identity is looked up (§2.7) and a session opened (§5.10).
     *
     * @return false if the message was discarded at once (negative lookup cache, table limits)
     */
    public boolean send(Address dest, Vl1Message message) {
        Objects.requireNonNull(dest, "dest");
        return sendEncoded(dest, encode(message));
    }

    private boolean sendEncoded(Address dest, byte[] b) {
        if (dest.equals(selfAddress)) throw new IllegalArgumentException("cannot send to this node's own address " + dest);
        touchActive(dest);
        Fingerprint fp = byAddress.get(dest);
        Peer p = fp == null ? null : peers.get(fp);
        if (p != null && !p.bound && p.root == null) { // the cache binds dest to this peer's fingerprint
            p.bound = true;
            p.address = dest;
        }
        if (p != null && p.canSend() && p.bound) {
            sendRaw(p, b);
            return true;
        }
        if (fp == null && whois.recentlyFailed(dest)) {
            out.event(new NodeEvent.MessagesDropped(dest, 1, "lookup failed recently"));
            return false;
        }
        if (!enqueue(dest, b)) return false;
        if (fp != null) {
            Peer q = ensurePeer(fp);
            if (q == null) return false;
            timers.schedule(q, now);
        } else {
            whois.start(dest);
        }
        if (upcalls == 0) timers.runDue(now);
        return true;
    }

    /** Sends to a peer known by fingerprint (its identity must be cached or a session live). */
    public boolean send(Fingerprint dest, Vl1Message message) {
        Objects.requireNonNull(dest, "dest");
        return sendEncoded(dest, encode(message));
    }

    private boolean sendEncoded(Fingerprint dest, byte[] b) {
        Peer p = peers.get(dest);
        if (p != null && p.canSend()) {
            sendRaw(p, b);
            return true;
        }
        CacheEntry e = cache.get(dest);
        if (e == null) throw new IllegalArgumentException("no identity known for " + dest.toShortString() + "; send by address to look it up");
        return sendEncoded(e.address, b);
    }

    /**
     * Attaches the layer above VL1 (once, before traffic): from now on the verbs
     * {@link UpperLayer#carries} and the OK/ERRORs answering them go to it instead of being answered
     * ERROR UNSUPPORTED_OPERATION.
     */
    public void attach(UpperLayer layer) {
        Objects.requireNonNull(layer, "layer");
        if (upper != null) throw new IllegalStateException("an upper layer is already attached to " + this);
        upper = layer;
    }

    /**
     * Sends an upper-layer message ({@code verb ‖ body}, verb one {@link UpperLayer#carries}, or an
     * OK/ERROR) to {@code dest} exactly as {@link #send(Address, Vl1Message)} does: at once over a
     * live session, else queued while the identity is looked up and a session opened (§5.10).
     */
    public boolean sendUpper(Address dest, byte[] message) {
        Objects.requireNonNull(dest, "dest");
        return sendEncoded(dest, checkUpper(message));
    }

    /** As {@link #sendUpper(Address, byte[])} to a peer known by fingerprint ({@link #send(Fingerprint, Vl1Message)}). */
    public boolean sendUpper(Fingerprint dest, byte[] message) {
        Objects.requireNonNull(dest, "dest");
        return sendEncoded(dest, checkUpper(message));
    }

    private static byte[] checkUpper(byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length == 0) throw new IllegalArgumentException("an upper-layer message needs at least its verb byte");
        int verb = message[0] & 0xff;
        if (!UpperLayer.carries(verb) && verb != Verb.OK && verb != Verb.ERROR) {
            throw new IllegalArgumentException("verb " + Verb.name(verb) + " is not an upper-layer verb; use send(…, Vl1Message)");
        }
        if (message.length > Vl1Limits.MAX_VL1_MESSAGE) {
            throw new IllegalArgumentException("message of " + message.length + " bytes exceeds MAX_VL1_MESSAGE (49,152)");
        }
        return message.clone();
    }

    /** Closes the session with {@code peer} if any (SEQEX give-up, §6.4); the peer may be reopened later. */
    public void closeSession(Fingerprint peer, String reason) {
        Objects.requireNonNull(reason, "reason");
        Peer p = peers.get(Objects.requireNonNull(peer, "peer"));
        if (p != null && p.session != null) closeSession(p, reason, true);
    }

    /** The identity of {@code peer} if this node knows it (session peer or cache). */
    public Optional<Identity> identity(Fingerprint peer) {
        Peer p = peers.get(peer);
        if (p != null && p.identity != null) return Optional.of(p.identity);
        CacheEntry e = cache.get(peer);
        return e == null ? Optional.empty() : Optional.of(e.identity);
    }

    /** The address bound to {@code peer} (§2.6, §2.7), if any. */
    public Optional<Address> boundAddress(Fingerprint peer) {
        Peer p = peers.get(peer);
        if (p != null) return p.bound ? Optional.of(p.address) : Optional.empty();
        CacheEntry e = cache.get(peer);
        return e == null ? Optional.empty() : Optional.of(e.address);
    }

    /**
     * The address session peer {@code peer} claims in its handshake (§3.2 step 4), bound or not yet:
     * for a caller that verifies the claim itself (a controller checks the identity before it binds a
     * member row, §7.5) and may then {@link #bindVouched bind} it.
     */
    public Optional<Address> claimedAddress(Fingerprint peer) {
        Peer p = peers.get(peer);
        return p == null || p.identity == null || p.address == null ? Optional.empty() : Optional.of(p.address);
    }

    /** Runs an upper-layer callback: a throw is a bug of the layer, counted, never out of the receive loop. */
    private void upcall(Runnable r) {
        upcalls++;
        try {
            r.run();
        } catch (RuntimeException e) {
            bump(NodeCounter.INTERNAL_ERROR);
        } finally {
            upcalls--;
        }
    }

    /** Starts a WHOIS lookup for {@code address} unless its identity is cached (result: an event). */
    public void lookup(Address address) {
        Objects.requireNonNull(address, "address");
        this.touchActive(address);
        if (byAddress.get(address) != null) return;
        whois.start(address);
        timers.runDue(now);
    }

    /**
     * Static configuration (§5.2 (d)): pins {@code identity} at its derived address and remembers
     * {@code endpoint} (may be null) for opening sessions directly (§5.10).
     */
    public void remember(Identity identity, InetSocketAddress endpoint) {
        Address a = verifier.verify(identity).orThrow();
        CacheEntry e = pin(identity, a, Source.CONFIG);
        if (e != null && endpoint != null && !e.endpoints.contains(endpoint)) {
            if (e.endpoints.size() >= MAX_REMEMBERED_ENDPOINTS) e.endpoints.removeFirst();
            e.endpoints.add(endpoint);
        }
    }

    /**
     * §2.7, VL.md §10.3: the controller of a joined network vouches for {@code identity} at {@code
     * address} (a format-1 OK(GATHER) record): cached without WHOIS or proof-of-work check, so a
     * session to it opens at once — unless the address is bound already or the identity is cached at
     * another address (a binding is never replaced here, §2.7 pinning).
     *
     * @return whether {@code address} is now bound to {@code identity}
     */
    public boolean vouched(Identity identity, Address address) {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(address, "address");
        if (address.equals(selfAddress)) return false;
        Fingerprint fp = identity.fingerprint();
        Fingerprint bound = byAddress.get(address);
        if (bound != null) return bound.equals(fp);
        if (cache.get(fp) != null) return false;
        pin(identity, address, Source.CONTROLLER);
        return true;
    }

    /**
     * The operator's block (§5.4, {@code planetary block <address>}): RELAY_BLOCK with {@code ttlSeconds}
     * (0 lifts it) to every root with a live session, and the fingerprint cached at {@code origin}
     * denied meanwhile.
     */
    public void block(Address origin, int ttlSeconds) {
        RelayBlock b = new RelayBlock(origin, ttlSeconds); // validates the ttl
        if (ttlSeconds == 0) operatorBlocks.remove(origin);
        else operatorBlocks.put(origin, now + ttlSeconds * 1000L);
        Fingerprint fp = byAddress.get(origin);
        if (fp != null) {
            if (ttlSeconds == 0) denied.remove(fp);
            else denied.put(fp, now + ttlSeconds * 1000L);
        }
        for (Peer r : rootPeers.values()) if (r.canSend()) sendMessage(r, b);
        timers.runDue(now);
    }

    /**
     * Root role: restores a registry entry (§4.4, as read back from {@code root.db}: trusted input,
     * not verified again). Tests use it to build a root whose registry disagrees with the others'.
     */
    public void importRegistration(Address address, Identity identity) {
        if (!config.root()) throw new IllegalStateException("only a root has a registry");
        registry.put(address, new Registration(identity.fingerprint(), identity, now, now));
    }

    /** Tests: this node's identity blob claims {@code address} from now on (a forger's X3, §3.2 step 4). */
    void forgeClaimedAddress(Address address) {
        selfBlob = new IdentityBlob(address, self.identity()).encode();
    }

    /** Tests: sends raw bytes as one VL1 message in the live session with {@code peer} (hostile-input tests). */
    boolean sendBytes(Fingerprint peer, byte[] message) {
        Peer p = peers.get(peer);
        if (p == null || !p.canSend()) return false;
        send(p, message);
        return true;
    }

    /** The fingerprint bound to {@code address} in the identity cache. */
    public Optional<Fingerprint> cachedFingerprint(Address address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /** True if a session with {@code peer} can carry messages now. */
    public boolean hasSession(Fingerprint peer) {
        Peer p = peers.get(peer);
        return p != null && p.canSend();
    }

    /**
     * The consent policy of §5.5/§5.7: peers for which this node requests rendezvous and to which it
     * pushes its endpoints, and from which it accepts PUSH_DIRECT_PATHS. Default: nobody. VL2 plugs
     * "shares a network" in here; the local setting {@code rendezvous.allow} adds fingerprints.
     */
    public void trusted(java.util.function.Predicate<Fingerprint> trusted) {
        traversal.trusted(trusted);
    }

    /**
     * Addresses never used as a direct path (§5.7 "blacklisted addresses are ignored"): no candidate
     * is learned there (from a packet, a push or a rendezvous), no punch goes there, none is pushed as
     * a local endpoint. VL2 plugs in the subnets of the node's own virtual networks: a path through
     * its own overlay carries the overlay itself and breaks it (V1 refuses such paths too). Default:
     * none. Applies to what is learned from now on.
     */
    public void pathBlacklist(java.util.function.Predicate<java.net.InetAddress> blacklisted) {
        traversal.blacklist(blacklisted);
    }

    /**
     * Tells the engine that the consent policy ({@link #trusted}) may now cover {@code peer}: if it
     * does, PUSH_DIRECT_PATHS and RENDEZVOUS_REQUEST (§5.5, §5.7) go out at once instead of waiting for
     * the next check (VL2 calls it when the peer's credential is accepted).
     */
    public void trustChanged(Fingerprint peer) {
        Peer p = peers.get(Objects.requireNonNull(peer, "peer"));
        if (p != null) traversal.trustChanged(p);
    }

    /**
     * Endpoints of {@code peer}'s confirmed direct paths remembered from an earlier run (§5.2 (d)):
     * the next session to it sends its X1 there as well as through the relay (§5.10 step 2, at most
     * 4). Replaces what was remembered; an empty list forgets the peer. Unusable endpoints are skipped.
     */
    public void rememberEndpoints(Fingerprint peer, List<InetSocketAddress> endpoints) {
        Objects.requireNonNull(peer, "peer");
        List<InetSocketAddress> l = new ArrayList<>();
        for (InetSocketAddress ep : Objects.requireNonNull(endpoints, "endpoints")) {
            Objects.requireNonNull(ep, "endpoint");
            if (ep.isUnresolved()) throw new IllegalArgumentException("unresolved remembered endpoint " + ep);
            if (!PeerPaths.unusable(ep.getAddress(), ep.getPort()) && !l.contains(ep) && l.size() < Vl1Limits.MAX_X1_DIRECT) l.add(ep);
        }
        if (l.isEmpty()) remembered.remove(peer);
        else remembered.put(peer, List.copyOf(l));
    }

    /** The driver's local interface endpoints (§5.7, pushed with flag LAN); loopback, multicast, unspecified are skipped. */
    public void localEndpoints(List<InetSocketAddress> endpoints) {
        traversal.localEndpoints(Objects.requireNonNull(endpoints, "endpoints"));
    }

    /**
     * The endpoint the default gateway mapped to the primary port (§5.9 port mapping), or null when
     * there is none (any more); pushed with PUSH_DIRECT_PATHS flag bit1 (§5.7), and a change is pushed soon.
     */
    public void mappedEndpoint(InetSocketAddress endpoint) {
        traversal.mappedEndpoint(endpoint);
    }

    /** This node's external endpoints as its roots observed them (§5.6). */
    public List<InetSocketAddress> externalEndpoints() {
        List<InetSocketAddress> l = new ArrayList<>();
        for (Endpoint.Udp u : traversal.externalEndpoints()) l.add(u.toSocketAddress());
        return l;
    }

    /** True once two roots reported different ports (endpoint-dependent mapping, §5.6). */
    public boolean behindSymmetricNat() {
        return traversal.symmetric();
    }

    /** The paths of {@code peer} (§5.1): direct ones, then the relayed one if the session uses it. */
    public List<PathInfo> paths(Fingerprint peer) {
        Peer p = peers.get(peer);
        if (p == null) return List.of();
        List<PathInfo> l = new ArrayList<>();
        for (PeerPaths.Entry e : p.paths.snapshot()) {
            l.add(new PathInfo(e.path.remote(), null, e.state.name().toLowerCase(java.util.Locale.ROOT),
                    Double.isNaN(e.latency) ? -1 : Math.round(e.latency), e.lastSend < 0 ? -1 : e.lastSend,
                    e.lastRecv < 0 ? -1 : e.lastRecv, e.path.equals(p.path)));
        }
        if (p.path instanceof Relayed r) {
            Peer root = rootPeers.get(r.root());
            l.add(new PathInfo(null, r.root(), root != null && root.alive() ? "alive" : "stale",
                    Double.isNaN(p.latency) ? -1 : Math.round(p.latency), p.lastSent, p.lastRecv, true));
        }
        return l;
    }

    /** Live (non-expired) ZSSP sessions with {@code peer} (glare checks: at most one once settled). */
    public int liveSessions(Fingerprint peer) {
        int n = 0;
        for (Session<Fingerprint> s : ctx.sessions()) if (!s.isExpired() && s.data().equals(peer)) n++;
        return n;
    }

    /** True if this node's live session with {@code peer} was opened by this node. */
    public boolean initiatedSession(Fingerprint peer) {
        Peer p = peers.get(peer);
        return p != null && p.session != null && p.initiator;
    }

    /** Whether the current session with {@code peer} runs over a relayed path. */
    public boolean relayed(Fingerprint peer) {
        Peer p = peers.get(peer);
        return p != null && p.path instanceof Relayed;
    }

    public long count(NodeCounter c) {
        return counts[c.ordinal()];
    }

    /** Every counter (a snapshot). */
    public Map<NodeCounter, Long> counters() {
        Map<NodeCounter, Long> m = new EnumMap<>(NodeCounter.class);
        for (NodeCounter c : NodeCounter.values()) m.put(c, counts[c.ordinal()]);
        return m;
    }

    /** Sizes of every table fed by peers (memory-bound checks). */
    public Map<String, Integer> tableSizes() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("peers", peers.size());
        m.put("zsspSessions", ctx.sessions().size());
        m.put("zsspPending", ctx.pendingHandshakes());
        m.put("zsspKeyIds", ctx.keyIdCount());
        m.put("identityCache", cache.size());
        m.put("denied", denied.size());
        m.put("waiting", waiting.size());
        whois.sizes(m);
        m.put("verifications", verifications.size());
        m.put("registry", registry.size());
        m.put("online", registeredOnline.size());
        relay.sizes(m);
        broker.sizes(m);
        traversal.sizes(m);
        m.put("timers", timers.armed());
        return m;
    }

    /** Unexpected internal errors ZSSP caught (should stay 0). */
    public long zsspInternalErrors() {
        return ctx.internalErrorCount();
    }

    /** The root registry entry for {@code address} (root role), for tests and the root's API. */
    public Optional<Fingerprint> registered(Address address) {
        Registration r = registry.get(address);
        return r == null ? Optional.empty() : Optional.of(r.fp());
    }

    /** Closes every session (the node stops). */
    public void close() {
        ctx.close();
    }

    @Override
    public String toString() {
        return "Node[" + (config.root() ? "root " : "member ") + selfAddress + ", " + peers.size() + " peers]";
    }

    // ---------------------------------------------------------------- ZSSP input

    private void zssp(byte[] datagram, PathRemote from) {
        Received<Fingerprint> r = ctx.receive(datagram, from);
        switch (r) {
            case Received.Dropped<Fingerprint> d -> bump(NodeCounter.ZSSP_DROPPED);
            case Event.NewSession<Fingerprint> e -> onNewSession(e.session(), from);
            case Event.NewDowngradedSession<Fingerprint> e -> onNewSession(e.session(), from);
            case Event.Established<Fingerprint> e -> onEstablished(e.session(), from);
            case Event.Data<Fingerprint> e -> onData(e.session(), e.payload(), from);
            case Event.Rejected<Fingerprint> e -> onRejected(e.session());
            case Event<Fingerprint> e -> {
                Peer p = peers.get(e.session().data());
                if (p != null && p.session == e.session()) {
                    received(p);
                    traversal.received(p, from.path);
                }
            }
            default -> { } // Pending
        }
    }

    /** The ZSSP application: clock, accept decision (§3.2), the node's ratchet store (opportunistic mode, §3.3). */
    private final class App implements Application.WithRatchetStore<Fingerprint> {
        @Override
        public RatchetStore store() {
            return ratchets;
        }

        @Override
        public long time() {
            return now;
        }

        @Override
        public AcceptDecision<Fingerprint> checkAcceptSession(StaticPublicKey remoteStatic, byte[] blob, Remote source) {
            return accept(remoteStatic, blob, source instanceof PathRemote p ? p.path : null);
        }

        /** A root spends handshakes on proven sources within its per-prefix fair share (§2.6 cost control). */
        @Override
        public boolean admitHello(Remote source) {
            if (admission == null || !(source instanceof PathRemote p)) return true;
            boolean admitted = admission.admit(prefix(p.path, ADMISSION_V6_PREFIX_BYTES), now);
            bump(admitted ? NodeCounter.HELLO_ADMITTED : NodeCounter.HELLO_NOT_ADMITTED);
            return admitted;
        }
    }

    /** §3.2 {@code check_accept_session}, steps 1–6. */
    private AcceptDecision<Fingerprint> accept(StaticPublicKey sA, byte[] bytes, Path source) {
        IdentityBlob blob = IdentityBlob.parse(bytes); // step 1
        Relayed relayed = source instanceof Relayed r ? r : null;
        if (blob == null || !Arrays.equals(blob.identity().dhKey(), sA.toBytes())) { // step 2
            bump(NodeCounter.BAD_IDENTITY_BLOB);
            blockRelayed(relayed);
            return AcceptDecision.reject(false);
        }
        Identity id = blob.identity();
        Fingerprint fp = id.fingerprint();
        Long deniedUntil = denied.get(fp);
        if (deniedUntil != null && deniedUntil > now) { // step 3
            bump(NodeCounter.DENIED);
            blockRelayed(relayed);
            return AcceptDecision.reject(false);
        }
        if (fp.equals(selfFp) || !verifier.selfSignatureValid(id)) {
            bump(NodeCounter.BAD_SELF_SIGNATURE);
            denied.put(fp, now + DENY_MS);
            blockRelayed(relayed);
            return AcceptDecision.reject(false);
        }
        if (relayed != null && !blob.claimed().equals(relayed.peer())) { // step 4
            bump(NodeCounter.RELAY_ADDRESS_MISMATCH);
            blockRelayed(relayed);
            return AcceptDecision.reject(false);
        }
        Peer p = peers.get(fp);
        if (p == null && peers.size() >= config.maxPeers()) {
            bump(NodeCounter.PEER_TABLE_FULL);
            return AcceptDecision.reject(false);
        }
        if (p != null && p.session != null && !p.session.isExpired()) { // step 5
            boolean glare = p.initiator && (!p.session.isEstablished() || now - p.openedAt < Vl1Limits.T_GLARE);
            if (glare && selfFp.compareTo(fp) < 0) {
                bump(NodeCounter.GLARE_REFUSED);
                return AcceptDecision.reject(false);
            }
            bump(NodeCounter.SESSION_REPLACED);
            closeSession(p, glare ? "glare: the peer's session survives" : "replaced by a new session", true);
        }
        if (p == null) {
            p = new Peer(fp, null);
            peers.put(fp, p);
        }
        if (p.root == null) {
            p.identity = id;
            if (!p.bound || !blob.claimed().equals(p.address)) {
                p.address = blob.claimed();
                p.bound = fp.equals(byAddress.get(blob.claimed()));
            }
        } else if (!blob.claimed().equals(p.address)) {
            p.bound = false; // a root claiming another address than its root set's: refuse below
            bump(NodeCounter.RELAY_ADDRESS_MISMATCH);
            return AcceptDecision.reject(false);
        }
        return AcceptDecision.accept(fp, false, false); // step 6: opportunistic flags (§3.3)
    }

    /** §5.4: after refusing a relayed session, ask the root to stop relaying from its origin. */
    private void blockRelayed(Relayed r) {
        if (r == null) return;
        Peer root = rootPeers.get(r.root());
        if (root != null && root.canSend()) sendRelayBlock(root, new RelayBlock(r.peer(), RELAY_BLOCK_TTL));
    }

    private void onNewSession(Session<Fingerprint> s, PathRemote from) {
        Peer p = peers.get(s.data());
        if (p == null) { // the record went away inside the accept (should not happen): refuse
            s.close();
            return;
        }
        p.session = s;
        p.initiator = false;
        p.openedAt = now;
        traversal.sessionStarted(p, from.path);
        startSession(p);
        if (config.root()) {
            Registration reg = registry.get(p.address);
            if (reg != null && reg.fp().equals(p.fp)) { // §2.6: registered fingerprints are never verified again
                p.verified = true;
                p.bound = true;
                register(p);
            } else {
                queueVerification(p, from.path);
            }
        } else if (!p.bound && p.root == null) {
            queueVerification(p, from.path); // §2.6: a peer addressed by address for VL1 use
        }
        sessionUp(p);
    }

    private void onEstablished(Session<Fingerprint> s, PathRemote from) {
        Peer p = peers.get(s.data());
        if (p == null || p.session != s) {
            s.close();
            bump(NodeCounter.STALE_SESSION);
            return;
        }
        traversal.sessionStarted(p, from.path);
        EngineAccess.setRemote(s, new PathRemote(from.path)); // §3.5 (b): the handshake's path is confirmed
        startSession(p);
        if (p.pendingHelloId != 0 && (!config.root() || p.verified)) { // the peer's HELLO overtook our Established: answer it now, not at its 1 s retry
            answerHello(p, p.pendingHelloId, from.path);
            p.pendingHelloId = 0;
        }
        sessionUp(p);
    }

    private void startSession(Peer p) {
        p.lastRecv = now;
        p.lastSent = now;
        p.unanswered = 0;
        p.helloOk = false;
        p.helloSends = 0;
        p.helloId = nextRequestId();
        sendHello(p);
        timers.schedule(p, now);
    }

    private void sessionUp(Peer p) {
        p.up = true;
        if (p.path instanceof Direct d && p.bound) {
            CacheEntry e = cache.get(p.fp);
            if (e != null && !e.endpoints.contains(d.remote())) {
                if (e.endpoints.size() >= MAX_REMEMBERED_ENDPOINTS) e.endpoints.removeFirst();
                e.endpoints.add(d.remote());
            }
        }
        out.event(new NodeEvent.SessionUp(p.fp, p.bound ? p.address : null, p.path instanceof Relayed));
        if (upper != null) upcall(() -> upper.sessionUp(p.fp, p.bound ? p.address : null));
        if (p.bound) flush(p.address);
    }

    private void onRejected(Session<Fingerprint> s) {
        Peer p = peers.get(s.data());
        if (p == null || p.session != s) return;
        closeSession(p, "rejected by the peer", false);
    }

    private void received(Peer p) {
        p.lastRecv = now;
        p.unanswered = 0;
    }

    // ---------------------------------------------------------------- VL1 messages

    private void onData(Session<Fingerprint> s, byte[] payload, PathRemote from) {
        Peer p = peers.get(s.data());
        if (p == null || p.session != s) {
            bump(NodeCounter.STALE_SESSION);
            return;
        }
        received(p);
        traversal.received(p, from.path); // §5.2 (a): a completed authenticated packet
        Decoded d = Vl1Codec.decode(payload);
        switch (d) {
            case Decoded.Malformed m -> {
                bump(NodeCounter.MALFORMED);
                if (m.verb() == Verb.RELAY && config.root()) {
                    Address dest = Vl1Codec.peekRelayDestination(payload, 0, payload.length);
                    relay.refused(p, dest, ErrorMessage.RELAY_MALFORMED); // §5.3 step 4
                }
            }
            case Decoded.Unsupported u when upper != null && UpperLayer.carries(u.verb()) -> toUpper(p, payload);
            case Decoded.Unsupported u -> {
                bump(NodeCounter.UNSUPPORTED_VERB);
                sendError(p, ErrorMessage.unsupported(u.verb()));
            }
            case Decoded.Message msg -> dispatch(p, msg.message(), payload, from);
        }
    }

    /** A carried verb, or an OK/ERROR answering one, goes up as is (§3.4 layers). */
    private void toUpper(Peer p, byte[] payload) {
        if (config.root() && !p.verified) { // §2.6, as in dispatch
            bump(NodeCounter.UNVERIFIED_PEER);
            return;
        }
        p.lastActive = now;
        Address a = p.bound ? p.address : null;
        upcall(() -> upper.received(p.fp, a, payload));
    }

    private void dispatch(Peer p, Vl1Message m, byte[] payload, PathRemote from) {
        if (upper != null && (m instanceof Ok.Other o && UpperLayer.carries(o.inReVerb()) || m instanceof ErrorMessage e && UpperLayer.carries(e.inReVerb()))) {
            if (m instanceof ErrorMessage) bump(NodeCounter.ERROR_RECEIVED);
            toUpper(p, payload);
            return;
        }
        if (config.root() && !p.verified && !(m instanceof Hello) && !(m instanceof Echo) && !(m instanceof Ok.HelloReply)) { // §2.6
            bump(NodeCounter.UNVERIFIED_PEER);
            return;
        }
        switch (m) {
            case Nop n -> { }
            case Hello h -> onHello(p, h, from);
            case Echo e -> onEcho(p, e, from);
            case Ok.HelloReply r -> onHelloReply(p, r);
            case Ok.EchoReply r -> onEchoReply(p, r, from);
            case Ok.WhoisReply r -> whois.onReply(p, r);
            case Ok.Other o -> bump(NodeCounter.IGNORED_VERB);
            case RootSet r -> onRootSet(p, r);
            case ErrorMessage e -> onError(p, e);
            case Whois w -> onWhois(p, w);
            case UserMessage u -> {
                p.lastActive = now;
                out.event(new NodeEvent.UserMessageReceived(p.fp, p.bound ? p.address : null, u.typeId(), u.payload().toArray()));
            }
            case Relay r -> {
                if (config.root()) relay.forward(p, r);
                else relayAtMember(p, r);
            }
            case RelayBlock b -> {
                if (config.root()) relay.block(p, b);
                else bump(NodeCounter.IGNORED_VERB);
            }
            case Rendezvous r -> {
                if (config.root()) bump(NodeCounter.RENDEZVOUS_REFUSED);
                else traversal.onRendezvous(p, r);
            }
            case RendezvousRequest r -> broker.onRequest(p, r);
            case PushDirectPaths x -> traversal.onPush(p, x);
            default -> bump(NodeCounter.IGNORED_VERB);
        }
    }

    private void sendHello(Peer p) {
        p.helloSends++;
        p.helloLastAt = now;
        List<RootSetSummary> summaries = p.root != null ? rootSetPush.summaries() : List.of(); // §4.2: towards roots only
        int flags = config.root() ? Hello.ROLE_ROOT : 0;
        if (p.root != null && traversal.symmetric()) flags |= Hello.ROLE_SYMMETRIC_NAT; // §5.6
        sendMessage(p, Hello.of(p.helloId, flags, SOFTWARE, instanceId, summaries, null));
    }

    /** §5.6: a fresh HELLO to every root, carrying the symmetric-NAT flag just learned (any copy is answered, §3.7). */
    void rehelloRoots() {
        for (Peer r : rootPeers.values()) {
            if (!r.canSend() || !r.helloOk) continue;
            int flags = traversal.symmetric() ? Hello.ROLE_SYMMETRIC_NAT : 0;
            sendMessage(r, Hello.of(nextRequestId(), flags, SOFTWARE, instanceId, rootSetPush.summaries(), null));
        }
    }

    /** §3.7: answer every copy alike; a root only once the peer is verified and registered (§4.4). */
    private void onHello(Peer p, Hello h, PathRemote from) {
        if (h.protocolVersion() != Vl1Limits.PROTOCOL_VERSION) { // §3.6
            sendError(p, new ErrorMessage(Verb.HELLO, h.requestId(), ErrorMessage.BAD_PROTOCOL_VERSION, new ErrorMessage.Detail.Version(Vl1Limits.PROTOCOL_VERSION)));
            closeSession(p, "unsupported protocol version", false);
            return;
        }
        p.symmetricNat = (h.roleFlags() & Hello.ROLE_SYMMETRIC_NAT) != 0; // a root copies it into RENDEZVOUS (§5.6)
        if (config.root()) { // §4.2: an older revision of one of our sets in the HELLO → our newest (≤ 1 per 60 s)
            dev.planetary.identity.RootSet push = rootSetPush.pushFor(p.fp, h.rootSets(), now);
            if (push != null) {
                bump(NodeCounter.ROOT_SET_PUSHED);
                sendMessage(p, new RootSet(Bytes.of(push.encoded())));
            }
        }
        if (config.root() && !p.verified) {
            if (p.verificationRefused) {
                refuseVerification(p, h.requestId());
                return;
            }
            p.pendingHelloId = h.requestId();
            return;
        }
        if (!p.canSend()) { // Alice before her first C1: ZSSP delivers data, she cannot send yet (ZSSP §12.2); answered at Established
            p.pendingHelloId = h.requestId();
            return;
        }
        answerHello(p, h.requestId(), from.path);
    }

    private void answerHello(Peer p, int requestId, Path observedOn) {
        Endpoint observed = observedOn instanceof Direct d ? Endpoint.Udp.of(d.remote()) : Endpoint.NONE;
        sendMessage(p, new Ok.HelloReply(requestId, Vl1Limits.PROTOCOL_VERSION, config.root() ? Hello.ROLE_ROOT : 0, SOFTWARE, instanceId, observed, List.of()));
    }

    private void onHelloReply(Peer p, Ok.HelloReply r) {
        if (r.inReRequestId() != p.helloId || p.helloOk) return;
        p.helloOk = true;
        p.failures = 0;
        sample(p, now - p.helloLastAt);
        traversal.observed(p, r.observed());
        updateOnline();
        timers.schedule(p, now);
    }

    /** §3.8: the OK goes back on the very path the ECHO came in on (§3.5's exception), ≤ 64/s per peer. */
    private void onEcho(Peer p, Echo e, PathRemote from) {
        if (p.echoAnswers == null) p.echoAnswers = new TokenBucket(Vl1Limits.MAX_ECHO_RATE, Vl1Limits.MAX_ECHO_RATE, now);
        if (!p.echoAnswers.take(now)) {
            bump(NodeCounter.ECHO_RATE_LIMITED);
            return;
        }
        Endpoint observed = from.path instanceof Direct d ? Endpoint.Udp.of(d.remote()) : Endpoint.NONE;
        sendVia(p, from.path, Vl1Codec.encode(new Ok.EchoReply(e.requestId(), e.timestamp(), observed)));
    }

    /** Sends {@code b} in {@code p}'s session over {@code path} instead of its preferred path (probes, §3.8 answers). */
    void sendVia(Peer p, Path path, byte[] b) {
        Session<Fingerprint> s = p.session;
        if (s == null) {
            bump(NodeCounter.NO_PATH);
            return;
        }
        if (path.equals(p.path)) {
            send(p, b);
            return;
        }
        Remote saved = s.remote();
        long lastSent = p.lastSent; // a datagram on another path is not a send on the preferred one (heartbeats)
        PeerPaths.Entry preferred = p.path instanceof Direct d ? p.paths.get(d) : null;
        long preferredLastSend = preferred == null ? 0 : preferred.lastSend;
        EngineAccess.setRemote(s, new PathRemote(path)); // single-threaded engine: the swap is not observable
        try {
            send(p, b);
        } finally {
            EngineAccess.setRemote(s, saved);
            p.lastSent = lastSent;
            if (preferred != null) preferred.lastSend = preferredLastSend;
        }
        if (path instanceof Direct d) p.paths.sent(d, now);
    }

    private void onEchoReply(Peer p, Ok.EchoReply r, PathRemote from) {
        long rtt = now - r.timestamp();
        if (rtt >= 0 && rtt < 60_000) sample(p, rtt);
        traversal.echoAnswered(p, r, from.path, rtt);
    }

    /** A uniformly random extra wait in [0, {@link Vl1Limits#RETRY_AFTER_JITTER} × {@code retryMs}] (§3.4: never sooner; Local: spread). */
    private long retryJitter(long retryMs) {
        long span = (long) (retryMs * Vl1Limits.RETRY_AFTER_JITTER);
        return span <= 0 ? 0 : Math.floorMod(rng.nextLong(), span + 1);
    }

    private static void sample(Peer p, long rtt) { // §3.8: EWMA, α = 1/4
        p.latency = Double.isNaN(p.latency) ? rtt : p.latency * 0.75 + rtt * 0.25;
    }

    private void onError(Peer p, ErrorMessage e) {
        bump(NodeCounter.ERROR_RECEIVED);
        int retry = e.effectiveRetryAfterSeconds();
        if (retry > 0) p.retryAfterUntil = now + retry * 1000L + retryJitter(retry * 1000L);
        switch (e.inReVerb()) {
            case Verb.HELLO -> { // §3.7: an ERROR answering the HELLO closes the session
                if (e.code() == ErrorMessage.IDENTITY_COLLISION) out.event(new NodeEvent.IdentityCollision(p.fp));
                bump(NodeCounter.HELLO_FAILED);
                closeSession(p, "ERROR " + ErrorMessage.codeName(e.code()) + " in answer to HELLO", false);
            }
            case Verb.WHOIS -> whois.onError(p, e.inReRequestId());
            case Verb.RELAY -> traversal.relayDenied(p, e); // §5.1: switch the peer's relay root
            default -> { }
        }
    }

    // ---------------------------------------------------------------- sending

    private static byte[] encode(Vl1Message m) {
        Objects.requireNonNull(m, "message");
        byte[] b = Vl1Codec.encode(m);
        if (b.length > Vl1Limits.MAX_VL1_MESSAGE) {
            throw new IllegalArgumentException("message of " + b.length + " bytes exceeds MAX_VL1_MESSAGE (49,152)");
        }
        return b;
    }

    void sendMessage(Peer p, Vl1Message m) {
        send(p, Vl1Codec.encode(m));
    }

    private void sendRaw(Peer p, byte[] b) {
        send(p, b);
        p.lastActive = now;
    }

    private void send(Peer p, byte[] b) {
        if (!p.canSend()) {
            bump(NodeCounter.NO_PATH);
            return;
        }
        try {
            p.session.send(b);
            p.lastSent = now;
            if (p.path instanceof Direct d) p.paths.sent(d, now);
        } catch (RuntimeException e) { // SessionStateException, DataTooLargeException: a value, not a crash
            bump(NodeCounter.NO_PATH);
        }
    }

    /** §3.4: ERRORs are limited to one per (peer, code) per second. */
    void sendError(Peer p, ErrorMessage e) {
        Long last = p.lastError == null ? null : p.lastError.get(e.code());
        if (last != null && now - last < 1000) {
            bump(NodeCounter.ERROR_RATE_LIMITED);
            return;
        }
        if (p.lastError == null) p.lastError = new HashMap<>(4);
        p.lastError.put(e.code(), now);
        sendMessage(p, e);
    }

    private void transmit(Path path, byte[] d) {
        switch (path) {
            case Direct x -> out.transmit(x.local(), x.remote(), d);
            case Relayed r -> {
                Peer root = rootPeers.get(r.root());
                if (root == null || !root.canSend() || d.length < Vl1Limits.MIN_ZSSP_DATAGRAM || d.length > Vl1Limits.RELAYED_PATH_MTU) {
                    bump(NodeCounter.NO_PATH);
                    return;
                }
                send(root, Vl1Codec.encode(new Relay(Relay.HOPS_FROM_MEMBER, r.peer(), selfAddress, Bytes.of(d))));
            }
        }
    }

    int nextRequestId() {
        int id = ++requestCounter;
        if (id == 0) id = ++requestCounter;
        return id;
    }

    private boolean enqueue(Address dest, byte[] b) {
        MessageQueue q = waiting.get(dest);
        if (q == null) {
            if (waiting.size() >= config.maxPendingLookups()) {
                bump(NodeCounter.QUEUE_DROPPED);
                out.event(new NodeEvent.MessagesDropped(dest, 1, "too many destinations waiting"));
                return false;
            }
            q = new MessageQueue();
            waiting.put(dest, q);
        }
        expire(dest, q);
        while (!q.messages.isEmpty() && (q.messages.size() >= QUEUE_MESSAGES || q.bytes + b.length > QUEUE_BYTES)) {
            q.bytes -= q.messages.removeFirst().length; // oldest first out (§5.10 step 4)
            q.times.removeFirst();
            bump(NodeCounter.QUEUE_DROPPED);
        }
        q.messages.addLast(b);
        q.times.addLast(now);
        q.bytes += b.length;
        return true;
    }

    private void expire(Address dest, MessageQueue q) {
        int n = 0;
        while (!q.times.isEmpty() && now - q.times.getFirst() > QUEUE_AGE) {
            q.bytes -= q.messages.removeFirst().length;
            q.times.removeFirst();
            n++;
        }
        if (n > 0) {
            bump(NodeCounter.QUEUE_DROPPED, n);
            out.event(new NodeEvent.MessagesDropped(dest, n, "not sent within 5 s"));
        }
    }

    void flush(Address dest) {
        MessageQueue q = waiting.get(dest);
        if (q == null) return;
        Fingerprint fp = byAddress.get(dest);
        Peer p = fp == null ? null : peers.get(fp);
        if (p == null || !p.canSend() || !p.bound) return;
        waiting.remove(dest);
        expire(dest, q);
        for (byte[] b : q.messages) sendRaw(p, b);
    }

    void dropWaiting(Address dest, String reason) {
        MessageQueue q = waiting.remove(dest);
        if (q != null && !q.messages.isEmpty()) {
            bump(NodeCounter.QUEUE_DROPPED, q.messages.size());
            out.event(new NodeEvent.MessagesDropped(dest, q.messages.size(), reason));
        }
    }

    private void touchActive(Address dest) {
        Fingerprint fp = byAddress.get(dest);
        if (fp != null) {
            CacheEntry e = cache.get(fp);
            if (e != null) e.lastUsed = now;
        }
    }

    // ---------------------------------------------------------------- opening (§5.10, §4.3)

    Peer ensurePeer(Fingerprint fp) {
        Peer p = peers.get(fp);
        if (p != null) return p;
        CacheEntry e = cache.get(fp);
        if (e == null) return null;
        if (peers.size() >= config.maxPeers()) {
            bump(NodeCounter.PEER_TABLE_FULL);
            return null;
        }
        p = new Peer(fp, null);
        p.identity = e.identity;
        p.address = e.address;
        p.bound = true;
        peers.put(fp, p);
        return p;
    }

    /** The live roots, lowest latency first (§2.7, §5.1). */
    List<Peer> liveRoots() {
        List<Peer> l = new ArrayList<>();
        for (Peer r : rootPeers.values()) if (r.alive()) l.add(r);
        l.sort(Comparator.comparingDouble((Peer r) -> Double.isNaN(r.latency) ? Double.MAX_VALUE : r.latency));
        return l;
    }

    private void openPeer(Peer p) {
        List<PathRemote> parts = new ArrayList<>();
        List<Peer> roots = liveRoots();
        if (!roots.isEmpty()) {
            p.paths.relayRoot = roots.getFirst().address; // §5.1: the initiator's relay root is the one its Hello went through
            parts.add(new PathRemote(new Relayed(roots.getFirst().address, p.address)));
        }
        CacheEntry e = cache.get(p.fp);
        if (e != null) for (InetSocketAddress ep : e.endpoints) parts.add(new PathRemote(new Direct(config.localSocket(), ep)));
        int direct = parts.size() - (roots.isEmpty() ? 0 : 1);
        for (InetSocketAddress ep : remembered.getOrDefault(p.fp, List.of())) { // §5.10 step 2: up to 4 remembered endpoints
            PathRemote r = new PathRemote(new Direct(config.localSocket(), ep));
            if (direct >= Vl1Limits.MAX_X1_DIRECT || parts.contains(r)) continue;
            parts.add(r);
            direct++;
        }
        if (parts.isEmpty()) {
            p.openRetryAt = now + OPEN_RETRY;
            bump(NodeCounter.NO_PATH);
            return;
        }
        open(p, new OpenRemote(parts));
    }

    private void openRoot(Peer p) {
        List<InetSocketAddress> eps = p.root.endpoints();
        InetSocketAddress ep = eps.get(Math.floorMod(p.endpointRotation++, eps.size()));
        p.nextAttempt = Long.MAX_VALUE;
        open(p, new PathRemote(new Direct(config.localSocket(), ep)));
    }

    private void open(Peer p, Remote remote) {
        try {
            p.session = ctx.open(p.identity.staticPublicKey(), p.fp, selfBlob, remote);
            p.initiator = true;
            p.up = false;
            p.openedAt = now;
            p.helloOk = false;
            p.path = null;
        } catch (java.io.IOException | RuntimeException e) {
            bump(NodeCounter.NO_PATH);
            p.openRetryAt = now + OPEN_RETRY;
            if (p.root != null) rootFailed(p);
        }
    }

    private void rootFailed(Peer p) {
        p.failures++;
        long backoff = online ? Math.min(5_000L << Math.min(p.failures - 1, 4), 60_000) : 5_000; // §4.3
        p.nextAttempt = Math.max(now + backoff, p.retryAfterUntil);
    }

    /** Closes the peer's session; {@code keepRecord} while it is being replaced. */
    private void closeSession(Peer p, String reason, boolean keepRecord) {
        Session<Fingerprint> s = p.session;
        p.session = null;
        if (s != null) s.close();
        boolean wasUp = p.up;
        p.up = false;
        p.helloOk = false;
        p.verifying = false;
        p.pendingHelloId = 0;
        traversal.sessionClosed(p);
        if (wasUp) out.event(new NodeEvent.SessionDown(p.fp, reason));
        if (wasUp && upper != null) upcall(() -> upper.sessionDown(p.fp, reason));
        if (registeredOnline.get(p.address) == p) registeredOnline.remove(p.address);
        if (p.root != null) {
            rootFailed(p);
            updateOnline();
            timers.schedule(p, now);
            return;
        }
        p.openRetryAt = now + OPEN_RETRY;
        timers.schedule(p, now); // the timer removes the record if nothing waits and no new session came
    }

    private void updateOnline() {
        boolean any = false;
        for (Peer r : rootPeers.values()) any |= r.alive();
        if (any != online) {
            online = any;
            out.event(any ? new NodeEvent.Online() : new NodeEvent.Offline());
        }
    }

    /** A peer's timers: session expiry, HELLO retries (§3.7), heartbeats (§5.1), dead sessions (§3.2), reopening. */
    private long peerTimer(Peer p, long t) {
        if (p.session != null && p.session.isExpired()) {
            if (!p.up && p.initiator) bump(NodeCounter.NO_PATH);
            closeSession(p, "session expired", true);
        }
        long next = Long.MAX_VALUE;
        if (p.session != null) {
            if (!p.session.isEstablished()) {
                next = t + 250; // opening: watch for ZSSP's timeout
            } else if (!p.helloOk) {
                int limit = p.root != null ? Vl1Limits.HELLO_SENDS_TO_ROOT : Vl1Limits.HELLO_SENDS;
                if (t >= p.helloLastAt + Vl1Limits.T_HELLO_RETRY) {
                    if (p.helloSends >= limit) {
                        bump(NodeCounter.HELLO_FAILED);
                        closeSession(p, "no OK(HELLO)", true);
                        return t;
                    }
                    sendHello(p);
                }
                next = p.helloLastAt + Vl1Limits.T_HELLO_RETRY;
                if (config.root()) next = Math.min(next, p.lastRecv + Vl1Limits.T_PATH_EXPIRE);
            } else {
                next = Math.min(next, traversal.tick(p, t)); // direct paths: states, probes, per-path heartbeats (§5.1)
                boolean heartbeat = (p.root != null || t - p.lastActive < Vl1Limits.T_PEER_ACTIVE) && !(p.path instanceof Direct);
                if (heartbeat && !config.root() && PeerPaths.heartbeatDue(t, p.lastSent, p.lastRecv, p.lastHeartbeat)) { // §5.1
                    sendMessage(p, new Echo(nextRequestId(), Echo.HEARTBEAT, t));
                    p.unanswered++;
                    p.lastHeartbeat = t;
                }
                if (t - p.lastRecv >= Vl1Limits.T_SESSION_DEAD && p.unanswered >= 3) {
                    bump(NodeCounter.SESSION_DEAD);
                    closeSession(p, "peer stopped answering", true);
                    return t;
                }
                if (p.root == null && !config.root() && t - p.lastActive >= Vl1Limits.T_SESSION_IDLE && t - p.lastRecv >= Vl1Limits.T_SESSION_IDLE) {
                    closeSession(p, "idle", true);
                    return t;
                }
                if (config.root() && t - p.lastRecv >= Vl1Limits.T_PATH_EXPIRE) {
                    closeSession(p, "no receipt for T_PATH_EXPIRE", true);
                    return t;
                }
                if (heartbeat && !config.root()) next = Math.min(next, PeerPaths.nextHeartbeat(p.lastSent, p.lastRecv, p.lastHeartbeat));
                if (p.unanswered > 0) next = Math.min(next, t + 1_000);
                if (p.root != null) next = Math.min(next, p.lastRecv + Vl1Limits.T_PATH_ALIVE);
                if (p.root == null && !config.root()) next = Math.min(next, Math.max(p.lastActive, p.lastRecv) + Vl1Limits.T_SESSION_IDLE);
                if (config.root()) next = Math.min(next, p.lastRecv + Vl1Limits.T_PATH_EXPIRE);
            }
        }
        if (p.root != null) {
            updateOnline();
            if (p.session == null) {
                if (t >= p.nextAttempt) {
                    openRoot(p);
                    return t + 250;
                }
                next = Math.min(next, p.nextAttempt);
            }
            return next <= t ? t + 1 : next;
        }
        if (p.session == null) {
            MessageQueue q = p.bound ? waiting.get(p.address) : null;
            if (q != null) expire(p.address, q);
            if (q != null && !q.messages.isEmpty() && !config.root()) {
                if (t >= p.openRetryAt) {
                    openPeer(p);
                    return t + 250;
                }
                return p.openRetryAt;
            }
            if (q != null) waiting.remove(p.address);
            if (!p.verifying) {
                peers.remove(p.fp);
                return Long.MAX_VALUE;
            }
            return t + 1_000;
        }
        return next <= t ? t + 1 : next;
    }

    // ---------------------------------------------------------------- verification (§2.6) and registry (§4.4)

    /** The verification queue's prefix (§2.6): IPv4 /24, IPv6 /64. */
    static String prefix(Path path) {
        return prefix(path, 8);
    }

    /** Handshake admission groups IPv6 by /48 (a site), since a /64 per attacker costs nothing. */
    private static final int ADMISSION_V6_PREFIX_BYTES = 6;

    static String prefix(Path path, int v6Bytes) {
        return switch (path) {
            case Direct d -> {
                byte[] ip = d.remote().getAddress().getAddress();
                int n = d.remote().getAddress() instanceof Inet4Address ? 3 : v6Bytes; // /24, or /64 or /48
                yield java.util.HexFormat.of().formatHex(ip, 0, n);
            }
            case Relayed r -> "R" + r.root(); // a relayed session counts under its relaying root
        };
    }

    private void queueVerification(Peer p, Path source) {
        p.verifying = true;
        switch (verifications.offer(prefix(source), p)) {
            case VerificationQueue.Offer.Admitted<Peer> a -> { }
            case VerificationQueue.Offer.AdmittedEvicting<Peer> e -> refuseEvicted(e.evicted());
            case VerificationQueue.Offer.Refused<Peer> r -> refuseEvicted(p);
        }
    }

    private void refuseEvicted(Peer p) {
        p.verifying = false;
        bump(NodeCounter.VERIFICATION_REFUSED);
        if (!config.root()) return; // a member simply leaves the address unbound
        p.verificationRefused = true;
        if (p.pendingHelloId != 0) refuseVerification(p, p.pendingHelloId);
    }

    /** §2.6: refused verification → ERROR RATE_LIMITED (retry-after 10 s) in answer to the HELLO, then close. */
    private void refuseVerification(Peer p, int helloId) {
        sendError(p, ErrorMessage.rateLimited(Verb.HELLO, helloId, Vl1Limits.RETRY_AFTER_ROOT));
        closeSession(p, "verification queue full", false);
    }

    /** The §2.6 worker, run from {@link #service} within its budget: one identity per token. */
    private void runVerifications() {
        while (!verifications.isEmpty() && verifyBudget.waitFor(now) == 0) {
            Peer p = verifications.poll();
            if (p == null || !p.verifying || p.session == null) continue; // stale
            verifyBudget.take(now);
            p.verifying = false;
            dev.planetary.identity.Decoded<Address> r = verifier.verify(p.identity, p.address);
            if (!r.isOk()) {
                bump(NodeCounter.VERIFICATION_FAILED);
                denied.put(p.fp, now + DENY_MS); // §2.6: a failure denies fp 10 min
                closeSession(p, "identity verification failed", false);
                continue;
            }
            bump(NodeCounter.VERIFIED);
            if (config.root()) {
                register(p);
            } else {
                bindSessionPeer(p);
            }
        }
    }

    /** §4.4 registration after verification; then the held HELLO is answered. */
    private void register(Peer p) {
        Registration reg = registry.get(p.address);
        if (reg == null || reg.fp().equals(p.fp) || now - reg.lastSeen() > REGISTRY_DORMANT_MS) {
            long first = reg != null && reg.fp().equals(p.fp) ? reg.firstSeen() : now;
            registry.put(p.address, new Registration(p.fp, p.identity, first, now));
        } else {
            sendError(p, new ErrorMessage(Verb.HELLO, p.pendingHelloId, ErrorMessage.IDENTITY_COLLISION, new ErrorMessage.Detail.Collision(p.address)));
            closeSession(p, "identity collision", false);
            return;
        }
        p.verified = true;
        p.bound = true;
        Peer old = registeredOnline.put(p.address, p);
        if (old != null && old != p && old.session != null) closeSession(old, "address re-registered", false);
        if (p.pendingHelloId != 0) {
            answerHello(p, p.pendingHelloId, p.path);
            p.pendingHelloId = 0;
        }
    }

    /**
     * §2.7, VL.md §8.2 step 2: the controller of a shared network vouches, in a valid Member
     * Credential, that session peer {@code peer} has {@code address}. Binds the peer's claimed address
     * without waiting for its own proof-of-work check — unless the claim differs or a protected pin
     * says otherwise (then {@link NodeEvent.IdentityConflict} where a pin conflicts, and false).
     *
     * @return whether {@code peer} is now bound at {@code address}
     */
    public boolean bindVouched(Fingerprint peer, Address address) {
        Peer p = peers.get(Objects.requireNonNull(peer, "peer"));
        Objects.requireNonNull(address, "address");
        if (p == null || p.identity == null || !address.equals(p.address)) return false;
        if (!p.bound) bindSessionPeer(p);
        return p.bound;
    }

    /** A member binds a verified session peer's claimed address (§2.7), unless a pinned binding says otherwise. */
    private void bindSessionPeer(Peer p) {
        Fingerprint existing = byAddress.get(p.address);
        if (existing != null && !existing.equals(p.fp)) {
            CacheEntry e = cache.get(existing);
            if (e != null && now - e.lastUsed < PIN_PROTECT_MS) {
                out.event(new NodeEvent.IdentityConflict(p.address, List.of(existing, p.fp)));
                return;
            }
        }
        pin(p.identity, p.address, Source.SESSION);
        p.bound = true;
        flush(p.address);
    }

    /** Pins {@code id} at {@code a} in the cache (§2.7). */
    CacheEntry pin(Identity id, Address a, Source source) {
        Fingerprint fp = id.fingerprint();
        CacheEntry e = cache.get(fp);
        if (e == null || !e.address.equals(a)) {
            e = new CacheEntry(id, a, source, now);
            cache.put(fp, e);
        }
        Fingerprint old = byAddress.put(a, fp);
        if (old != null && !old.equals(fp)) cache.remove(old);
        return e;
    }

    // ---------------------------------------------------------------- WHOIS server (§3.9)

    /** Root side (§3.9): verified sessions only (gated in dispatch), ≤ 100 addresses/s per requester. */
    private void onWhois(Peer p, Whois w) {
        if (!config.root()) {
            bump(NodeCounter.IGNORED_VERB);
            return;
        }
        if (p.whoisRate == null) p.whoisRate = new TokenBucket(Vl1Limits.MAX_WHOIS_RATE, Vl1Limits.MAX_WHOIS_RATE, now);
        if (!p.whoisRate.take(w.addresses().size(), now)) {
            bump(NodeCounter.WHOIS_RATE_LIMITED);
            sendError(p, ErrorMessage.rateLimited(Verb.WHOIS, w.requestId(), Vl1Limits.RETRY_AFTER_ROOT));
            return;
        }
        List<Ok.WhoisRecord> records = new ArrayList<>();
        for (Address a : new LinkedHashSet<>(w.addresses())) {
            Registration r = registry.get(a);
            if (r != null) records.add(new Ok.WhoisRecord(a, Bytes.of(r.identity().encoded())));
        }
        if (records.isEmpty()) sendError(p, ErrorMessage.whoisNotFound(w.requestId(), w.addresses()));
        else sendMessage(p, new Ok.WhoisReply(w.requestId(), records));
    }

    // ---------------------------------------------------------------- RELAY (§5.3) and RELAY_BLOCK (§5.4)

    /** A ZSSP Hello has key id 0 (ZSSP §10.4). */
    static boolean isZsspHello(Bytes datagram) {
        return datagram.length() >= 4 && datagram.get(0) == 0 && datagram.get(1) == 0 && datagram.get(2) == 0 && datagram.get(3) == 0;
    }

    /** §5.3 at the destination: RELAY only from a root, addressed to this node; the datagram goes to ZSSP as Relayed(R, origin). */
    private void relayAtMember(Peer p, Relay r) {
        if (p.root == null || !r.destination().equals(selfAddress) || r.origin().equals(selfAddress)) {
            bump(NodeCounter.RELAY_NOT_FROM_ROOT);
            return;
        }
        Long blockedUntil = operatorBlocks.get(r.origin());
        if (blockedUntil != null && blockedUntil > now) { // §5.4: a root that did not get the block (or restarted) gets it now
            bump(NodeCounter.RELAY_BLOCKED);
            sendRelayBlock(p, new RelayBlock(r.origin(), (int) Math.min(Vl1Limits.RELAY_BLOCK_MAX_TTL, (blockedUntil - now + 999) / 1000)));
            return;
        }
        if (isZsspHello(r.datagram())) { // §5.4: inbound limit of relayed Hellos per origin
            Fingerprint ofp = byAddress.get(r.origin());
            Peer op = ofp == null ? null : peers.get(ofp);
            TokenBucket b = op != null ? op.inboundRelayedHellos : null;
            if (op != null && b == null) b = op.inboundRelayedHellos = new TokenBucket(RELAYED_HELLOS_PER_SECOND, RELAYED_HELLOS_PER_SECOND, now);
            if (b == null) b = relayedHellosFromStrangers(r.origin());
            if (!b.take(now)) {
                bump(NodeCounter.RELAYED_HELLO_LIMITED);
                sendRelayBlock(p, new RelayBlock(r.origin(), RELAY_BLOCK_TTL));
                return;
            }
        }
        zssp(r.datagram().toArray(), new PathRemote(new Relayed(p.address, r.origin())));
        Fingerprint ofp = byAddress.get(r.origin());
        Peer op = ofp == null ? null : peers.get(ofp);
        if (op != null) traversal.relayedFrom(op, p.address); // §5.1 after a direct handshake
    }

    /** The peer bound at {@code address}, if any. */
    Peer peerAt(Address address) {
        Fingerprint fp = byAddress.get(address);
        return fp == null ? null : peers.get(fp);
    }

    java.util.Collection<Peer> allPeers() {
        return List.copyOf(peers.values());
    }

    RandomSource random() {
        return rng;
    }

    private final BoundedMap<Address, TokenBucket> strangerHellos = new BoundedMap<>(1024);

    private TokenBucket relayedHellosFromStrangers(Address origin) {
        return strangerHellos.computeIfAbsent(origin, k -> new TokenBucket(RELAYED_HELLOS_PER_SECOND, RELAYED_HELLOS_PER_SECOND, now));
    }

    /** A RELAY_BLOCK to a root, at most one per (root, origin) per second. */
    private void sendRelayBlock(Peer root, RelayBlock block) {
        Long last = root.blocksSent == null ? null : root.blocksSent.get(block.origin());
        if (last != null && now - last < 1000) return;
        if (root.blocksSent == null) root.blocksSent = new BoundedMap<>(64);
        root.blocksSent.put(block.origin(), now);
        sendMessage(root, block);
    }

    // ---------------------------------------------------------------- counters

    void bump(NodeCounter c) {
        counts[c.ordinal()]++;
    }

    private void bump(NodeCounter c, long n) {
        counts[c.ordinal()] += n;
    }
}

package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.COMPLETION_MAX_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.HELLO_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.IDENTITY_MAX_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.MAX_COUNTER_SKIP;
import static dev.planetary.zssp.crypto.ZsspConstants.MAX_FRAGMENTS;
import static dev.planetary.zssp.crypto.ZsspConstants.MIN_PACKET_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.REPLAY_WINDOW;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_ACK;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_CHALLENGE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_COMPLETION;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_DATA;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_HELLO;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_KEY_CONFIRM;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_COMPLETE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_INIT;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_RESPONSE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_SESSION_REJECTED;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.Kem;
import dev.planetary.zssp.crypto.Kyber1024;
import dev.planetary.zssp.internal.EngineAccess;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * A ZSSP endpoint for one local static key (spec §1.2): its sessions in either role, pending
 * responder handshakes, the shared Hello reassembly buffer and the challenge state. Sans-IO: bytes
 * come in through {@link #receive} (or {@link #receiveOrDefer} on a transport's receive threads), go out through {@link Remote#send}, and time comes from
 * {@link Application#time()}; the caller drives timers with {@link #service()}.
 *
 * <h2>Thread model</h2>
 * All methods may be called from many threads at once. There is no context-wide lock: key ids are
 * looked up in a concurrent table; each session serialises its own handshake steps; DATA packets
 * are sent and received without locks (see {@link Session}). The shared Hello buffer and the
 * challenge state have their own small locks on the handshake path only.
 *
 * <h2>Memory bounds under hostile input</h2>
 * Pending responder handshakes: at most {@link Settings#maxPendingHandshakes()} (oldest evicted),
 * each discarded after {@link Settings#pendingHandshakeTimeout()}. Shared Hello reassembly: at most
 * {@link Settings#maxHelloReassemblies()} partial packets of at most 1749 bytes. Per session: 128
 * partial packets (one per replay-window slot) holding 4 MiB at most; per pending handshake: 2;
 * all partial packets expire after
 * {@link Settings#fragmentAssemblyTimeout()}. Retired keys (replaced slots, expired sessions,
 * discarded pending handshakes' header keys) are kept for a 10 s grace period and then destroyed at
 * a {@link #service()} pass (see {@code KeyRetirement}); each costs public-key work to make (an
 * answered Hello, a rekey, a handshake), so their number is bounded by that rate times 10 s.
 *
 * <h2>Key ownership</h2>
 * A session owns the keys in its two slots and its header keys; a pending handshake owns its header
 * keys; the context owns every key retired from either and destroys it. {@link #close()} destroys
 * all keys at once.
 */
public final class Context<D> implements AutoCloseable {
    static {
        EngineAccess.install(new Fabricated());
    }

    /**
     * Partial packets a session holds at most: one per slot of the replay window (§7.8, §10.5), so
     * every packet the window admits has its own slot (see {@link Reassembler#forSession}).
     */
    static final int SESSION_REASSEMBLY_SLOTS = REPLAY_WINDOW;
    /**
     * Payload bytes a session holds in partial packets at most: a full SEQEX window (64) of the
     * largest VL1 messages (48 KiB, VL spec §6.2) is 3 MiB; fragments beyond 4 MiB are dropped.
     */
    static final long SESSION_REASSEMBLY_BYTES = 4L << 20;
    /**
     * The idle-Cipher sweep period (docs/architecture.md, "Memory per session"): a key earns a
     * Cipher of its own on its second use within one period and gives it back after a whole period
     * unused. Shorter than VL1's 14 s heartbeat, so a session that only carries heartbeats holds none.
     */
    static final long CIPHER_SWEEP_MS = 5_000;
    static final int MAX_SESSION_PACKET = MAX_FRAGMENTS * 16_384;
    /** {@link #route}'s classification: DATA is deferred, so nothing is received. */
    private static final IntPredicate DEFER_ALL_DATA = kid -> true;
    /** A receive thread's decrypted header block ({@link #triage}): no allocation per datagram. */
    private static final ThreadLocal<byte[]> HEADER_BLOCK = ThreadLocal.withInitial(() -> new byte[HeaderCipher.BLOCK]);

    final StaticKeyPair local;
    final Application<D> app;
    final Settings settings;
    final RandomSource rng;
    final Kem kem = Kyber1024.instance();
    final KeyIdTable kids = new KeyIdTable();
    final Zcp zcp;
    /** Live sessions by creation serial: {@link #service()} visits them in a fixed order (reproducible runs). */
    private final ConcurrentSkipListMap<Long, Session<D>> sessions = new ConcurrentSkipListMap<>();
    private final AtomicLong serials = new AtomicLong();
    private final ConcurrentHashMap<Integer, PendingHandshake> pending = new ConcurrentHashMap<>();
    private final Reassembler helloBuffer;
    /** Seeds for reassembly slot hashing: local only, so not drawn from the protocol RNG. */
    private final SplittableRandom seeds;
    /** Engine bugs met in a receive or timer step ({@link Fault#INTERNAL}): counted, each kind logged once. */
    final EngineErrors errors = new EngineErrors();
    /** Keys that left every live structure, destroyed after their grace period (the Context owns them). */
    private final KeyRetirement retired = new KeyRetirement();
    /** Complete Hellos (kid 0, type 0) that reached §5.2 / the challenge check; for rate-based auto-challenge. */
    final AtomicLong hellosReceived = new AtomicLong();
    /** The time of the last {@link #service()} pass, to notice the clock going back. */
    private volatile long lastService = Long.MIN_VALUE;
    /** The sessions' timer queue: {@link #service()} visits only the sessions it finds due. */
    final TimerQueue timers = new TimerQueue();
    /** Live sessions (the skip list's size() is a walk). */
    private final java.util.concurrent.atomic.AtomicInteger liveSessions = new java.util.concurrent.atomic.AtomicInteger();
    /** The time of the last idle-Cipher sweep step, and the serial of the last session it visited. */
    private final Object sweepLock = new Object();
    private long lastSweep = Long.MIN_VALUE;
    private long sweepCursor = Long.MIN_VALUE;
    private long sweepCredit;
    /**
     * The time by which the caller will run {@link #service()} again, as the last pass asked; a
     * session due earlier tells {@link Application#timersChanged()}.
     */
    private volatile long promised = Long.MIN_VALUE;
    /** Hellos answered with a Response, i.e. pending handshakes (B2) created. */
    final AtomicLong hellosAnswered = new AtomicLong();

    /** A context with the platform CSPRNG and default settings. */
    public Context(StaticKeyPair local, Application<D> app) {
        this(local, app, Settings.defaults(), RandomSource.secure());
    }

    /**
     * @param local the local static key pair (not copied; keep it alive as long as the context)
     * @param rng   randomness for keys, key ids, challenges and timer jitter
     */
    public Context(StaticKeyPair local, Application<D> app, Settings settings, RandomSource rng) {
        this(local, app, settings, rng, new SecureRandom().nextLong());
    }

    /** As above with a fixed seed for reassembly slot hashing (local only), so simulations replay exactly. */
    Context(StaticKeyPair local, Application<D> app, Settings settings, RandomSource rng, long reassemblySeed) {
        this.local = Objects.requireNonNull(local, "local");
        this.app = Objects.requireNonNull(app, "app");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.rng = Objects.requireNonNull(rng, "rng");
        this.zcp = new Zcp(rng, settings.challengesPerAddress(), new SplittableRandom(~reassemblySeed).nextLong());
        this.seeds = new SplittableRandom(reassemblySeed);
        this.helloBuffer = new Reassembler(settings.maxHelloReassemblies(), HELLO_SIZE, settings.fragmentAssemblyTimeout(), nextSeed());
    }

    // ---------------------------------------------------------------- public API

    public StaticPublicKey localPublicKey() {
        return local.publicKey();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Opens a session to {@code peer} (spec §5.1): restores the stored ratchet pair, sends the
     * Hello to {@code remote}, and returns the session in state A1. Call {@link #service()} to drive
     * resends; the session becomes usable with {@link Event.Established}.
     *
     * @param identity an opaque blob (at most 4096 bytes) the responder sees after authentication
     * @throws IOException if the ratchet store failed
     */
    public Session<D> open(StaticPublicKey peer, D data, byte[] identity, Remote remote) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(identity, "identity (use an empty array for none)");
        Objects.requireNonNull(remote, "remote");
        if (identity.length > IDENTITY_MAX_SIZE) {
            throw new IllegalArgumentException("identity is " + identity.length + " bytes; at most " + IDENTITY_MAX_SIZE + " are allowed");
        }
        return Hello.open(this, peer, data, identity.clone(), remote);
    }

    /**
     * Processes one datagram from {@code from} (spec §10.4, §11). Never throws for bad input: a
     * dropped datagram comes back as {@link Received.Dropped}. The engine may overwrite
     * {@code datagram[off, off+len)} (headers are decrypted in place).
     */
    public Received<D> receive(byte[] datagram, int off, int len, Remote from) {
        Objects.checkFromIndexSize(off, len, datagram.length);
        Objects.requireNonNull(from, "from");
        try {
            return receiveFragment(datagram, off, len, from);
        } catch (RuntimeException e) {
            return internalError(e);
        }
    }

    /** A bug, not bad input: count and log it, report it as such, and keep the receive loop alive. */
    private Received<D> internalError(RuntimeException e) {
        errors.report("receive", e);
        return dropped(Fault.INTERNAL, false, "internal error: " + e.getClass().getName());
    }

    /**
     * The receive-plane entry (docs/architecture.md, "Receive planes"): one key-id lookup and at most
     * one header decrypt per datagram. DATA of a live session is received here, as
     * {@link #receive} would (one AEAD open), and so are datagrams dropped without any work (shorter
     * than a packet, or an unknown key id): the result is their {@link Received}. Everything else
     * comes back {@link Triage.Deferred} with its {@link Route}, its bytes unchanged, for the caller
     * to pass to {@link #receive} on a thread that can afford it: Hellos, Challenges and
     * Completions (public-key work, the ratchet store), a session's control steps (the store), and
     * DATA whose key id {@code deferData} accepts (so that it stays behind an earlier step of its
     * key id that the caller still holds). Never throws for bad input.
     *
     * <p>Thread-safe like {@link #receive}: any number of threads may call it at once. The header is
     * decrypted into a block private to the calling thread and written into {@code datagram} only
     * when the datagram is consumed; a consumed datagram's bytes may be overwritten, a deferred
     * one's are as they were. {@code deferData} runs on the calling thread, once per datagram under
     * a live session's key id, before its header is decrypted (its answer matters for DATA only).
     *
     * @param from      the datagram's source, as for {@link #receive}
     * @param deferData key ids whose DATA must not be received now (cheap: it runs per packet)
     */
    public Triage<D> receiveOrDefer(byte[] datagram, int off, int len, Remote from, IntPredicate deferData) {
        Objects.checkFromIndexSize(off, len, datagram.length);
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(deferData, "deferData");
        try {
            return triage(datagram, off, len, deferData);
        } catch (RuntimeException e) {
            return internalError(e);
        }
    }

    /** Why {@link #receiveOrDefer} deferred a datagram, or how {@link #route} classifies one. */
    public enum Route {
        /** A live session's DATA: one AEAD open, no public-key work, no storage. Cheap. */
        DATA,
        /** A live session's key id with another type (key confirmation, rekey, or a forgery): may write the ratchet store. */
        SESSION_CONTROL,
        /** Key id 0 (Hello, Challenge: ECDH and Kyber) or a pending handshake's (Completion: ECDH, storage). */
        HANDSHAKE,
        /**
         * No key id registered (or shorter than any packet): {@link #receive} drops it cheaply. No
         * legitimate packet can carry it yet, as key ids are registered before the peer learns them.
         */
        UNKNOWN
    }

    /**
     * The classification of {@link #receiveOrDefer} without receiving anything (§10.4: key-id
     * lookup, and for a session's key id the header decrypted into a thread-private block): the
     * datagram is not changed. A hint: a rekey racing it may make it stale, and {@link #receive}
     * decides anyway. A receive thread should call {@link #receiveOrDefer} instead, which does not
     * decrypt the header a second time for DATA.
     */
    public Route route(byte[] datagram, int off, int len) {
        Objects.checkFromIndexSize(off, len, datagram.length);
        try {
            // DATA is always deferred here, so nothing is consumed; what is not deferred is unknown or too short
            return triage(datagram, off, len, DEFER_ALL_DATA) instanceof Triage.Deferred<D> d ? d.route() : Route.UNKNOWN;
        } catch (RuntimeException e) {
            return Route.SESSION_CONTROL; // a key retired meanwhile: the slow path decides
        }
    }

    /** {@link #receiveOrDefer}'s work (a session's DATA step needs no source address). */
    private Triage<D> triage(byte[] d, int off, int len, IntPredicate deferData) {
        if (len < MIN_PACKET_SIZE) return tooShort();
        int kid = Bytes.getInt(d, off);
        if (kid == 0) return new Triage.Deferred<>(Route.HANDSHAKE, kid);
        Object owner = kids.get(kid);
        if (owner instanceof PendingHandshake) return new Triage.Deferred<>(Route.HANDSHAKE, kid);
        if (!(owner instanceof Session<?> any)) return unknownKeyId();
        @SuppressWarnings("unchecked")
        Session<D> s = (Session<D>) any;
        boolean defer = deferData.test(kid); // before the block is filled: caller code never runs while it is in use
        byte[] header = HEADER_BLOCK.get();
        s.headerRecv.decryptBlock(d, off + 4, header, 0);
        // the header's bytes 4..19 are encrypted; the type is byte 7 (§2.2), the block's byte 3
        if ((header[3] & 0xff) != TYPE_DATA) return new Triage.Deferred<>(Route.SESSION_CONTROL, kid);
        if (defer) return new Triage.Deferred<>(Route.DATA, kid);
        System.arraycopy(header, 0, d, off + 4, HeaderCipher.BLOCK);
        return receiveDecrypted(s, kid, d, off, len, app.time());
    }

    /** {@link #receive(byte[], int, int, Remote)} for a whole array. */
    public Received<D> receive(byte[] datagram, Remote from) {
        return receive(datagram, 0, datagram.length, from);
    }

    /**
     * Runs due timers (spec §7.2): resends, timeouts, rekeys, expiry of partial packets and pending
     * handshakes, and every {@link #CIPHER_SWEEP_MS} the idle-Cipher sweep over the sessions' keys.
     * Call it again within the returned number of milliseconds. Never throws for an engine bug: it
     * is counted and logged ({@link #internalErrorCount()}) and the pass goes on.
     */
    public long service() {
        try {
            return servicePass();
        } catch (RuntimeException e) { // an engine bug outside a session's own step (those are caught in Timers)
            errors.report("service", e);
            return settings.resendTime();
        }
    }

    private long servicePass() {
        long now = app.time();
        long next = now + settings.resendTime();
        // After the clock went back every session is visited, so that its timers are pulled in
        // (Timers); otherwise only the sessions the timer queue finds due.
        boolean clockWentBack = now < lastService;
        lastService = now;
        if (clockWentBack) {
            timers.clear(); // every session is visited and queued afresh: no entry from before the jump stays
            for (Session<D> s : sessions.values()) timers.schedule(s, Timers.service(s, now));
        } else {
            timers.runDue(now, Timers::service);
        }
        next = Math.min(next, timers.earliest());
        sweepIdleCiphers(now, clockWentBack);
        for (PendingHandshake p : pending.values()) if (pendingExpired(p, now)) discardPending(p);
        helloBuffer.expire(now);
        retired.destroyDue(now);
        // next may be a session's Long.MIN_VALUE ("at the next pass", queued by another thread
        // during this pass): next - now would overflow into a wait of ~2^63 ms.
        long wait = next > now ? next - now : 0;
        promised = now + wait;
        return wait;
    }

    /**
     * The idle-Cipher sweep, spread over its period: each pass visits the share of the sessions
     * that the time since the last pass is of {@link #CIPHER_SWEEP_MS}, continuing where the last
     * pass stopped, so every session is swept about once per period and no single pass walks all
     * of them (a pass a period or more after the last, or after the clock went back, sweeps all).
     */
    private void sweepIdleCiphers(long now, boolean all) {
        synchronized (sweepLock) {
            boolean first = lastSweep == Long.MIN_VALUE;
            long elapsed = first ? CIPHER_SWEEP_MS : Math.min(CIPHER_SWEEP_MS, now - lastSweep);
            if (elapsed <= 0 && !all) return;
            lastSweep = now;
            long n = liveSessions.get();
            // Credit in session-milliseconds: a session is swept per CIPHER_SWEEP_MS of credit.
            sweepCredit = all || first ? n * CIPHER_SWEEP_MS : Math.min(sweepCredit + n * elapsed, n * CIPHER_SWEEP_MS);
            long quota = sweepCredit / CIPHER_SWEEP_MS;
            sweepCredit -= quota * CIPHER_SWEEP_MS;
            long cursor = sweepCursor;
            for (boolean wrapped = false; quota > 0; ) {
                Map.Entry<Long, Session<D>> e = sessions.higherEntry(cursor);
                if (e == null) {
                    if (wrapped) break; // fewer sessions than the quota
                    wrapped = true;
                    cursor = Long.MIN_VALUE;
                    continue;
                }
                cursor = e.getKey();
                e.getValue().dropIdleCiphers();
                quota--;
            }
            sweepCursor = cursor;
        }
    }

    /** Turns the challenge (ZCP, spec §9) for incoming Hellos on or off. */
    public void setChallengeEnabled(boolean enabled) {
        zcp.setEnabled(enabled);
    }

    public boolean challengeEnabled() {
        return zcp.enabled();
    }

    /** Live sessions (a snapshot). */
    public Set<Session<D>> sessions() {
        return Set.copyOf(sessions.values());
    }

    /** Responder handshakes awaiting their Completion. */
    public int pendingHandshakes() {
        return pending.size();
    }

    /**
     * Complete Hello packets received (reassembled, kid 0, type 0), whether answered, challenged or
     * dropped: a cheap, monotonic count a transport can turn into a Hello rate (e.g. to turn the
     * challenge on under load).
     */
    public long hellosReceived() {
        return hellosReceived.get();
    }

    /**
     * Hellos that passed every check and were answered with a Response, i.e. pending handshakes
     * (B2) created, the step that costs the responder its public-key work (ECDH, Kyber).
     */
    public long hellosAnswered() {
        return hellosAnswered.get();
    }

    /** Receive key ids registered (sessions and pending handshakes), for memory-bound checks. */
    public int keyIdCount() {
        return kids.size();
    }

    /**
     * Engine bugs: unexpected exceptions caught in a {@link #receive} step ({@link Fault#INTERNAL})
     * or a session's timer step in {@link #service()}. Each kind is logged once at warning level
     * (logger {@code dev.planetary.zssp}). Should stay 0; tests assert it.
     */
    public long internalErrorCount() {
        return errors.count();
    }

    /** Partial packets in the shared Hello/Challenge reassembly buffer (memory-bound checks). */
    int helloReassemblies() {
        return helloBuffer.pending();
    }

    RuntimeException lastInternalError() {
        return errors.last();
    }

    /**
     * Expires every session and pending handshake and destroys all their keys at once, without the
     * grace period: call it after the threads that send and receive on this context have stopped (a
     * call still running may fail with an exception instead of using a wiped key).
     */
    @Override
    public void close() {
        for (Session<D> s : sessions.values()) s.close();
        for (PendingHandshake p : pending.values()) discardPending(p);
        retired.destroyAll();
    }

    // ---------------------------------------------------------------- fragment layer (§10.4)

    private Received<D> receiveFragment(byte[] d, int off, int len, Remote from) {
        if (len < MIN_PACKET_SIZE) return tooShort();
        int kid = Bytes.getInt(d, off);
        long now = app.time();
        if (kid == 0) return receiveUnassociated(d, off, len, from, now);
        Object owner = kids.get(kid);
        if (owner instanceof Session<?> any) {
            @SuppressWarnings("unchecked")
            Session<D> s = (Session<D>) any;
            s.headerRecv.decryptBlock(d, off + 4);
            return receiveDecrypted(s, kid, d, off, len, now);
        }
        if (owner instanceof PendingHandshake p) return receiveForPending(p, d, off, len, from, now);
        return unknownKeyId();
    }

    private static <D> Received<D> tooShort() {
        return dropped(Fault.INVALID_PACKET, false, "datagram shorter than 32 bytes");
    }

    private static <D> Received<D> unknownKeyId() {
        return dropped(Fault.UNKNOWN_LOCAL_KEY_ID, true, "unknown key id");
    }

    private static boolean badNumbering(byte[] d, int off) {
        int no = d[off + 4] & 0xff;
        int count = d[off + 5] & 0xff;
        return count == 0 || count > MAX_FRAGMENTS || no >= count; // count 0 is invalid (§13 D15)
    }

    private Received<D> receiveUnassociated(byte[] d, int off, int len, Remote from, long now) {
        if (badNumbering(d, off)) return dropped(Fault.INVALID_PACKET, false, "bad fragment numbering");
        int type = d[off + 7] & 0xff;
        if (type != TYPE_HELLO && type != TYPE_CHALLENGE) return dropped(Fault.INVALID_PACKET, false, "type not allowed without a key id");
        long counter = Bytes.getLong(d, off + 8);
        byte[] packet;
        if (d[off + 5] == 1) { // a single-fragment packet is delivered at once (§10.5), without the shared buffer
            if (len - HEADER_SIZE - 1 > HELLO_SIZE) return dropped(Fault.INVALID_PACKET, true, "oversized Hello"); // the buffer's bound
            if (type == TYPE_HELLO) { // screened in place: a rejected Hello costs no copy
                Received<D> rejected = Hello.screen(this, d, off + HEADER_SIZE, len - HEADER_SIZE, from, now);
                if (rejected != null) return rejected;
            }
            packet = java.util.Arrays.copyOfRange(d, off + HEADER_SIZE, off + len);
        } else {
            packet = helloBuffer.add(d, off, len, from.addressBytes(), now);
            if (packet == null) return Received.pending();
            if (packet == Reassembler.CONFLICT) return dropped(Fault.INVALID_PACKET, true, "conflicting or oversized Hello fragment");
            if (type == TYPE_HELLO) {
                Received<D> rejected = Hello.screen(this, packet, 0, packet.length, from, now);
                if (rejected != null) return rejected;
            }
        }
        return type == TYPE_HELLO ? Hello.consume(this, packet, counter, from, now) : Hello.consumeChallenge(this, packet);
    }

    private Received<D> receiveForPending(PendingHandshake p, byte[] d, int off, int len, Remote from, long now) {
        p.hkRecv.decryptBlock(d, off + 4);
        if (badNumbering(d, off)) return dropped(Fault.INVALID_PACKET, false, "bad fragment numbering");
        if ((d[off + 7] & 0xff) != TYPE_COMPLETION || Bytes.getLong(d, off + 8) != 0) {
            return dropped(Fault.INVALID_PACKET, false, "only a Completion with counter 0 may reach a pending handshake");
        }
        byte[] packet = p.reassembler.add(d, off, len, null, now);
        if (packet == null) return Received.pending();
        if (packet == Reassembler.CONFLICT) return dropped(Fault.INVALID_PACKET, true, "conflicting Completion fragment");
        return Completion.consume(this, p, packet, from, now);
    }

    /**
     * A session's datagram whose header {@code h} has decrypted in place (called straight from
     * {@link #receiveFragment} and {@link #triage}, so the receive path is no deeper than before it had two callers).
     */
    private Received<D> receiveDecrypted(Session<D> s, int kid, byte[] d, int off, int len, long now) {
        if (badNumbering(d, off)) return dropped(Fault.INVALID_PACKET, false, "bad fragment numbering");
        int type = d[off + 7] & 0xff;
        long counter = Bytes.getLong(d, off + 8);
        switch (type) {
            case TYPE_RESPONSE -> {
                if (!(s.zeta instanceof Zeta.A1)) return dropped(Fault.OUT_OF_SEQUENCE, true, "Response when not offering a Hello");
                if (Long.compareUnsigned(counter, MAX_COUNTER_SKIP) >= 0) return dropped(Fault.EXPIRED_COUNTER, false, "Response counter >= 2^24");
            }
            case TYPE_KEY_CONFIRM, TYPE_ACK, TYPE_REKEY_INIT, TYPE_REKEY_COMPLETE, TYPE_SESSION_REJECTED, TYPE_DATA -> {
                if (!s.window.check(counter)) return dropped(Fault.EXPIRED_COUNTER, true, "counter outside the replay window");
            }
            case TYPE_COMPLETION -> {
                return dropped(Fault.INVALID_PACKET, true, "Completion for an established session (a resend)");
            }
            default -> {
                return dropped(Fault.INVALID_PACKET, false, "packet type not allowed on a session");
            }
        }
        byte[] nonce = new byte[12];
        System.arraycopy(d, off + 6, nonce, 2, 10); // GCM nonce = 00 00 ‖ packet nonce (§2.3)
        byte[] p;
        int pOff;
        int pLen;
        if (d[off + 5] == 1) { // single fragment: no copy
            p = d;
            pOff = off + HEADER_SIZE;
            pLen = len - HEADER_SIZE;
        } else {
            p = s.headers.reassembler().add(d, off, len, null, now);
            if (p == null) {
                s.visitAtNextPass(); // a partial packet: the next pass expires it if it stays partial
                return Received.pending();
            }
            if (p == Reassembler.CONFLICT) return dropped(Fault.INVALID_PACKET, true, "conflicting fragment");
            pOff = 0;
            pLen = p.length;
        }
        return switch (type) {
            case TYPE_DATA -> DataPath.receive(s, kid, nonce, counter, p, pOff, pLen);
            case TYPE_RESPONSE -> Response.consume(s, kid, counter, p, pOff, pLen, now);
            case TYPE_KEY_CONFIRM -> KeyConfirm.consumeKeyConfirm(s, kid, nonce, counter, p, pOff, pLen, now);
            case TYPE_ACK -> KeyConfirm.consumeAck(s, kid, nonce, counter, p, pOff, pLen, now);
            case TYPE_SESSION_REJECTED -> KeyConfirm.consumeRejected(s, kid, nonce, counter, p, pOff, pLen);
            case TYPE_REKEY_INIT -> Rekey.consumeInit(s, kid, nonce, counter, p, pOff, pLen, now);
            default -> Rekey.consumeComplete(s, kid, nonce, counter, p, pOff, pLen, now);
        };
    }

    // ---------------------------------------------------------------- bookkeeping for the steps

    static <D> Received<D> dropped(Fault fault, boolean natural, String reason) {
        return new Received.Dropped<>(fault, natural, reason);
    }

    long nextSeed() {
        synchronized (seeds) {
            return seeds.nextLong();
        }
    }

    Reassembler newSessionReassembler() {
        return Reassembler.forSession(MAX_SESSION_PACKET, settings.fragmentAssemblyTimeout(), SESSION_REASSEMBLY_BYTES);
    }

    Reassembler newCompletionReassembler() {
        return new Reassembler(2, COMPLETION_MAX_SIZE, settings.fragmentAssemblyTimeout(), nextSeed());
    }

    void track(Session<D> s) {
        if (sessions.put(s.serial, s) == null) liveSessions.incrementAndGet();
        s.tracked = true;
        schedule(s, s.due);
    }

    void forget(Session<D> s) {
        s.tracked = false;
        if (sessions.remove(s.serial, s)) liveSessions.decrementAndGet();
        timers.cancel(s);
    }

    /**
     * Queues {@code s}'s next visit at {@code at} or earlier; if that is before the caller's next
     * {@link #service()} call, tells the application ({@link Application#timersChanged()}).
     */
    void schedule(Session<?> s, long at) {
        if (!s.tracked) return; // not (or no longer) in the session map: the service never visits it
        if (timers.schedule(s, at) && at < promised) {
            promised = at;
            app.timersChanged();
        }
    }

    long nextSerial() {
        return serials.getAndIncrement();
    }

    /** Stores a B2 entry, evicting the oldest when the cap is reached (§13 D4). */
    void addPending(PendingHandshake p) {
        while (pending.size() >= settings.maxPendingHandshakes()) {
            PendingHandshake oldest = null;
            for (PendingHandshake q : pending.values()) if (oldest == null || q.created - oldest.created < 0) oldest = q;
            if (oldest == null) break;
            discardPending(oldest);
        }
        pending.put(p.kidB, p);
    }

    /** Past its lifetime, or created more than a lifetime "in the future" (the clock jumped back, §0). */
    boolean pendingExpired(PendingHandshake p, long now) {
        long lifetime = settings.pendingHandshakeTimeout();
        return now - p.created >= lifetime || p.created - now > lifetime;
    }

    /** Removes a B2 entry; true if this call removed it (so exactly one caller consumes it). */
    boolean takePending(PendingHandshake p) {
        boolean mine = pending.remove(p.kidB, p);
        kids.release(p.kidB, p);
        return mine;
    }

    private void discardPending(PendingHandshake p) {
        if (takePending(p)) p.destroy(this);
    }

    /**
     * Takes ownership of keys that left every structure the engine reads (see {@link KeyRetirement});
     * null and key slots without keys are ignored.
     */
    void retire(javax.security.auth.Destroyable keys) {
        if (keys == null || keys instanceof KeySlot slot && !slot.hasKeys()) return;
        retired.retire(keys, app.time());
    }

    /** Retired keys still inside their grace period (leak checks). */
    int retiredKeys() {
        return retired.pending();
    }

    @Override
    public String toString() {
        return "Context[" + local.publicKey() + ", " + sessions.size() + " sessions, " + pending.size() + " pending]";
    }

}

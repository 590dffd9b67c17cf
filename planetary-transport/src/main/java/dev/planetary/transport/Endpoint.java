package dev.planetary.transport;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP endpoint running ZSSP sessions: one local static key, one or two bind addresses (IPv4
 * and/or IPv6), any number of sessions in either role.
 *
 * <pre>{@code
 * try (Endpoint ep = Endpoint.builder()
 *         .bind(new InetSocketAddress("0.0.0.0", 4000))
 *         .identity(StaticKeyPair.generate())
 *         .store(myDurableStore)
 *         .policy(SecurityPolicy.builder().allow(List.of(friend)).build())
 *         .listener(new EndpointListener() {
 *             public void onData(PeerSession s, byte[] payload) { s.send(payload); } // echo
 *         })
 *         .build()) {
 *     PeerSession s = ep.connect(peerKey, new InetSocketAddress("192.0.2.1", 4000)).get();
 *     s.send("hello".getBytes());
 *     byte[] answer = s.receive(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * The endpoint is a façade over its planes (docs/architecture.md, "Thread model"):
 * <ul>
 * <li>the <b>receive plane</b> ({@link Builder#receiveThreads}): platform threads, each reading
 *     its own {@code SO_REUSEPORT} socket of every bind address, so the kernel keeps each peer
 *     address on one thread. A receive thread classifies each datagram cheaply (key-id lookup,
 *     header decrypt, type) and decrypts and delivers DATA on the spot;</li>
 * <li>the <b>handshake plane</b> ({@link Builder#handshakeThreads}): a few platform threads with
 *     bounded queues for everything else: Hellos (ECDH and Kyber), Completion, key confirmation
 *     and rekey steps with their durable ratchet-store writes. A full queue drops the datagram and
 *     counts it ({@link Counters.Counter#HANDSHAKE_QUEUE_OVERFLOWS}): a Hello flood or a slow store
 *     never stalls DATA. On Linux they can run at a lower CPU weight than the receive threads
 *     ({@link Builder#handshakeNice}, off by default);</li>
 * <li>one <b>timer thread</b> driving the engine's timers ({@link Context#service()}) and connect
 *     deadlines, sleeping until the next deadline;</li>
 * <li>listener callbacks on virtual threads, serialised per session. A {@link PayloadHandler}, if
 *     set, runs on the plane thread that decrypted the payload.</li>
 * </ul>
 * <b>Order:</b> the payloads of a session whose peer keeps one address are delivered in the order
 * the engine accepted them (one receive thread per peer address; a session's DATA that arrives while
 * an earlier datagram of its key id waits on the handshake plane queues behind it). Sending never
 * blocks: sockets are non-blocking, so a datagram the kernel will not take is dropped and counted,
 * as UDP may drop it anyway. Because the sockets are non-blocking, interrupting a thread that is
 * sending does not close them.
 *
 * <h2>Hostile input</h2>
 * Every datagram goes through {@link Context#receive}, which never throws for bad input; drops are
 * counted by fault class ({@link Counters#drops}). A session follows its peer to a new address
 * only after an authenticated packet arrives from there.
 */
public final class Endpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Endpoint.class);

    /** Default MTU: {@link Limits#DEFAULT_MTU}. */
    public static final int DEFAULT_MTU = Limits.DEFAULT_MTU;
    /** Smallest MTU ZSSP allows (spec §3.4). */
    public static final int MIN_MTU = Limits.MIN_MTU;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_MTU = 65_507;
    /** Default time {@link #connect} waits for the handshake. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Callbacks queued per session at most, by default ({@link Builder#callbackQueueLimits}). */
    public static final int DEFAULT_CALLBACK_TASKS = 1024;
    /** Payload bytes queued for {@link EndpointListener#onData} per session at most, by default. */
    public static final long DEFAULT_CALLBACK_BYTES = 1L << 20;
    /** Payload bytes waiting for {@link PeerSession#receive} per session at most, by default. */
    public static final long DEFAULT_RECEIVE_QUEUE_BYTES = 16L << 20;
    /** Payload bytes queued for callbacks over all sessions at most, by default. */
    public static final long DEFAULT_CALLBACK_ENDPOINT_BYTES = 16L << 20;
    /**
     * Default receive threads: one per core, at most 4 (a receive thread decrypts at several
     * hundred MB/s, so more rarely pay for their sockets), at least 1.
     */
    public static final int DEFAULT_RECEIVE_THREADS = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
    /**
     * Default handshake threads: half the cores, at most 2, at least 1, so that a Hello flood
     * leaves cores for DATA (each thread answers a few hundred Hellos per second).
     */
    public static final int DEFAULT_HANDSHAKE_THREADS = Math.clamp(Runtime.getRuntime().availableProcessors() / 2, 1, 2);
    /** Default datagrams waiting for the handshake plane, over all its threads. */
    public static final int DEFAULT_HANDSHAKE_QUEUE = 256;
    /**
     * Datagrams each handshake thread's queue holds at least ({@link Builder#handshakeThreads}): a
     * whole Hello at the smallest MTU, 16 (1749 bytes in fragments of 112, each queued on its own).
     * A smaller queue takes a Hello's later fragments only if its thread has already taken the
     * earlier ones, which on a busy machine may fail on every resend: the handshake never completes.
     */
    public static final int MIN_HANDSHAKE_QUEUE_PER_THREAD = Limits.fragments(Limits.HELLO_SIZE, MIN_MTU);
    /**
     * Default nice steps of the handshake threads above the receive threads ({@link Builder#handshakeNice}):
     * 0, off. Measured on a loaded 2-core machine, 10 steps bought no ping p99 and cost handshakes
     * (BENCHMARKS.md, "Receive planes"), as a niced thread yields to every other process too.
     */
    public static final int DEFAULT_HANDSHAKE_NICE = 0;
    /**
     * Default {@code SO_RCVBUF} (and {@code SO_SNDBUF}) asked for on each socket
     * ({@link Builder#receiveBufferBytes}): 4 MiB; the kernel caps it ({@code net.core.rmem_max} on Linux).
     */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 << 20;

    private final StaticKeyPair identity;
    private final RatchetStore store;
    private final SecurityPolicy policy;
    private final Settings settings;
    private final Context<PeerSession> context;
    private final PayloadHandler payloadHandler;
    private final int defaultMtu;
    private final Duration handshakeTimeout;
    private final int receiveQueueCapacity;
    private final long receiveQueueBytes;
    private final Counters counters = new Counters(null);
    private final SessionTable sessions = new SessionTable();
    private final EventDispatch dispatch;
    private final Inbound inbound;
    private final ReceivePlane receivePlane;
    private final HandshakePlane handshakePlane;
    private final TimerThread timer;
    /** Hello rate and, if configured, the automatic challenge ({@link Builder#autoChallenge}). */
    private final AutoChallenge hellos;
    private final boolean autoChallenge;
    /** The challenge as set by the builder / {@link #setChallengeEnabled}; auto-challenge only adds to it. */
    private volatile boolean manualChallenge;
    private volatile boolean open = true;

    private Endpoint(Builder b) throws IOException {
        this.identity = b.identity;
        this.store = b.store != null ? b.store : new MemoryRatchetStore();
        if (b.store == null) log.warn("no ratchet store configured: using memory only (opportunistic; ratchet state is lost when the process ends)");
        this.policy = b.policy;
        this.settings = b.settings;
        this.payloadHandler = b.payloadHandler;
        this.defaultMtu = b.mtu;
        this.handshakeTimeout = b.handshakeTimeout;
        this.receiveQueueCapacity = b.payloadHandler != null ? 0 : b.receiveQueueCapacity;
        this.receiveQueueBytes = b.receiveQueueBytes;
        this.dispatch = new EventDispatch(b.listener, counters, b.callbackTasks, b.callbackBytes, b.callbackEndpointBytes, b.handshakeNice > 0);
        LongSupplier clock = b.clock != null ? b.clock : StoreApplication.monotonicClock();
        this.context = new Context<>(identity, new EndpointApplication(store, policy, clock), settings, b.rng != null ? b.rng : RandomSource.secure());
        counters.countEngineErrors(context::internalErrorCount); // bugs the engine caught itself (timer steps) count here too
        this.manualChallenge = b.challenge;
        this.autoChallenge = b.autoChallengeRate > 0;
        this.hellos = new AutoChallenge(autoChallenge ? b.autoChallengeRate : Double.POSITIVE_INFINITY, b.autoChallengeWindow.toNanos());
        context.setChallengeEnabled(b.challenge);
        this.inbound = new Inbound(this, context, counters, sessions, dispatch, payloadHandler, hellos);
        this.handshakePlane = new HandshakePlane(b.handshakeThreads, b.handshakeQueue, b.handshakeNice, inbound::processControl, counters);
        inbound.handshakePlane(handshakePlane);
        try {
            this.receivePlane = new ReceivePlane(b.binds, b.receiveThreads, b.receiveBufferBytes, inbound::datagram, counters);
        } catch (IOException | RuntimeException e) {
            dispatch.shutdownNow();
            throw e;
        }
        this.timer = new TimerThread("planetary-timer", this::timerPass, counters);
        handshakePlane.start();
        receivePlane.start();
        timer.start();
        log.debug("endpoint {} bound to {} ({} receive, {} handshake threads)", identity.publicKey(), receivePlane.localAddresses(),
                receivePlane.threads().size(), handshakePlane.threads().size());
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- public API

    /** This endpoint's static public key. */
    public StaticPublicKey publicKey() {
        return identity.publicKey();
    }

    /** The bound local addresses (ports resolved when binding to port 0). */
    public List<InetSocketAddress> localAddresses() {
        return List.copyOf(receivePlane.localAddresses());
    }

    /** The first bound local address. */
    public InetSocketAddress localAddress() {
        return receivePlane.localAddresses().get(0);
    }

    /** Endpoint-wide counters. */
    public Counters counters() {
        return counters;
    }

    public SecurityPolicy policy() {
        return policy;
    }

    public Settings settings() {
        return settings;
    }

    public RatchetStore store() {
        return store;
    }

    public boolean isOpen() {
        return open;
    }

    /** Receive threads running (fewer than asked for where the platform has no {@code SO_REUSEPORT}). */
    public int receiveThreads() {
        return receivePlane.threads().size();
    }

    /**
     * The smallest {@code SO_RCVBUF} of this endpoint's sockets, as the JDK reports it: on Linux
     * what {@link Builder#receiveBufferBytes} asked for, capped at {@code net.core.rmem_max} (the
     * kernel books twice that, the JDK halves it back).
     */
    public int receiveBufferBytes() {
        return receivePlane.receiveBufferBytes();
    }

    /** Datagrams waiting for the handshake plane right now. */
    public int handshakeQueued() {
        return handshakePlane.queued();
    }

    /** Live sessions (a snapshot), in both roles, including handshakes in progress. */
    public Collection<PeerSession> sessions() {
        return sessions.snapshot();
    }

    /** Live sessions with {@code peer}. */
    public List<PeerSession> sessionsWith(StaticPublicKey peer) {
        Objects.requireNonNull(peer, "peer");
        return sessions.with(peer);
    }

    /**
     * Turns the challenge (ZCP, spec §9) for incoming Hellos on or off. With
     * {@link Builder#autoChallenge auto-challenge}, this is the setting outside floods: the challenge
     * is on while a flood lasts even if set off here.
     */
    public void setChallengeEnabled(boolean enabled) {
        manualChallenge = enabled;
        context.setChallengeEnabled(enabled || hellos.active());
    }

    /** Whether incoming Hellos are challenged right now (manually or by auto-challenge). */
    public boolean challengeEnabled() {
        return context.challengeEnabled();
    }

    /** True while auto-challenge has the challenge on because of the Hello rate. */
    public boolean autoChallengeActive() {
        return hellos.active();
    }

    /** Complete Hellos received per second over the auto-challenge window (default window 1 s). */
    public double helloRate() {
        return hellos.rate(System.nanoTime());
    }

    /** Responder handshakes (B2) awaiting their Completion; at most {@link Settings#maxPendingHandshakes()}. */
    public int pendingHandshakes() {
        return context.pendingHandshakes();
    }

    /** Hellos answered with a Response (pending handshakes created, each costing ECDH and Kyber work). */
    public long hellosAnswered() {
        return context.hellosAnswered();
    }

    /** Receive key ids registered in the engine (sessions and pending handshakes). */
    public int keyIdCount() {
        return context.keyIdCount();
    }

    /** Sets the MTU for a peer address: used for new sessions there and applied to live ones. */
    public void setMtu(InetSocketAddress address, int mtu) {
        Objects.requireNonNull(address, "address");
        checkMtu(mtu);
        sessions.setMtu(address, mtu);
        for (PeerSession s : sessions.live()) if (address.equals(s.remoteAddress())) s.setMtu(mtu);
    }

    /** The MTU for {@code address}: its own setting, else the endpoint default. */
    public int mtuFor(InetSocketAddress address) {
        Integer m = sessions.mtu(address);
        return m != null ? m : defaultMtu;
    }

    /** {@link #connect(StaticPublicKey, InetSocketAddress, byte[])} with an empty identity. */
    public CompletableFuture<PeerSession> connect(StaticPublicKey peer, InetSocketAddress address) {
        return connect(peer, address, new byte[0]);
    }

    /**
     * Opens a session to {@code peer} at {@code address}, closing any other session with that peer
     * first (spec §7.9). The future completes when the session is established, or exceptionally
     * with {@link SessionRejectedException}, {@link HandshakeTimeoutException} (after the
     * handshake timeout, naming the elapsed time), {@link EndpointClosedException}, or the
     * {@link IOException} of a failing ratchet store.
     *
     * @param identity an opaque blob (at most 4096 bytes) the peer sees after authenticating us
     * @throws IllegalArgumentException for an unresolved address, an address family no socket is
     *                                  bound for, or an identity over 4096 bytes
     * @throws IllegalStateException    if the endpoint is closed
     */
    public CompletableFuture<PeerSession> connect(StaticPublicKey peer, InetSocketAddress address, byte[] identity) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(identity, "identity (use an empty array for none)");
        if (!open) throw new IllegalStateException("endpoint is closed");
        if (address.isUnresolved()) throw new IllegalArgumentException("address " + address + " is unresolved: resolve the host name first");
        if (address.getPort() == 0) throw new IllegalArgumentException("cannot connect to port 0 (" + format(address) + ")");
        if (identity.length > 4096) throw new IllegalArgumentException("identity is " + identity.length + " bytes; at most 4096 are allowed");
        if (peer.equals(publicKey())) log.debug("connecting to our own public key at {}", format(address));
        DatagramChannel ch = receivePlane.channelFor(address);
        for (PeerSession old : sessions.with(peer)) closeSession(old, "replaced by a new session");
        PeerSession ps = new PeerSession(this, peer, identity.clone(), true, mtuFor(address), receiveQueueCapacity);
        UdpRemote remote = new UdpRemote(this, ch, address, ps);
        ps.connectingTo(remote);
        ps.connectDeadline(ps.startNanos + handshakeTimeout.toNanos());
        sessions.addConnecting(ps);
        CompletableFuture<PeerSession> result = ps.established();
        try {
            Session<PeerSession> s = context.open(peer, ps, identity, remote);
            ps.attach(s);
        } catch (IOException e) {
            sessions.remove(ps);
            ps.markClosed("ratchet store failed");
            ps.failEstablished(new IOException("ratchet store failed while opening a session to " + format(address) + ": " + e.getMessage(), e));
        }
        timer.wake();
        return result;
    }

    /**
     * Blocks until an incoming session is accepted, for at most {@code timeout}; null on timeout.
     * (Accepted sessions are queued here and also reported to {@link EndpointListener#onSession}.)
     */
    public PeerSession accept(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return sessions.takeAccepted(timeout);
    }

    /** Closes every session, stops the threads and closes the sockets; idempotent. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        for (PeerSession s : sessions.live()) closeSession(s, "endpoint closed");
        receivePlane.stop();
        handshakePlane.close();
        timer.stop();
        context.close(); // after the threads: no datagram meets a destroyed key (no spurious INTERNAL)
        receivePlane.closeSockets();
        dispatch.close();
        log.debug("endpoint {} closed; {}", identity.publicKey(), counters);
    }

    @Override
    public String toString() {
        return "Endpoint[" + publicKey() + " at " + receivePlane.localAddresses() + ", " + sessions.size() + " sessions" + (open ? "" : ", closed") + "]";
    }

    /** "host:port", with brackets for IPv6; "?" for null. */
    public static String format(InetSocketAddress a) {
        if (a == null) return "?";
        InetAddress ip = a.getAddress();
        String host = ip == null ? a.getHostString() : ip.getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return host + ":" + a.getPort();
    }

    // ---------------------------------------------------------------- package API

    long receiveQueueBytes() {
        return receiveQueueBytes;
    }

    boolean hasPayloadHandler() {
        return payloadHandler != null;
    }

    /** A new bounded, in-order callback queue (one per session). */
    SerialExecutor newCallbackQueue() {
        return dispatch.newQueue();
    }

    /** The receive threads' ids (tests check where payloads are delivered). */
    List<Long> receiveThreadIds() {
        return receivePlane.threads().stream().map(Thread::threadId).toList();
    }

    /** The ids of every thread that runs the engine on datagrams (receive and handshake planes; tests measure their CPU time). */
    List<Long> planeThreadIds() {
        List<Long> ids = new ArrayList<>(receiveThreadIds());
        for (PlaneThread t : handshakePlane.threads()) ids.add(t.threadId());
        return ids;
    }

    static int checkMtu(int mtu) {
        if (mtu < MIN_MTU || mtu > MAX_MTU) throw new IllegalArgumentException("MTU must be between " + MIN_MTU + " and " + MAX_MTU + ", got " + mtu);
        return mtu;
    }

    void sendDatagram(UdpRemote r, byte[] buf, int off, int len) {
        Counters c = r.owner != null ? r.owner.counters() : counters;
        try {
            int n = r.channel.send(ByteBuffer.wrap(buf, off, len), r.address);
            if (n == 0) {
                c.inc(Counters.Counter.SEND_FAILURES);
                return;
            }
            c.inc(Counters.Counter.PACKETS_OUT);
            c.add(Counters.Counter.BYTES_OUT, len);
        } catch (IOException | RuntimeException e) {
            c.inc(Counters.Counter.SEND_FAILURES);
            log.debug("send to {} failed: {}", format(r.address), e.toString());
        }
    }

    void closeSession(PeerSession ps, String reason) {
        closeSession(ps, reason, null);
    }

    /** Closes {@code ps}; a pending connect fails with {@code failure} (or an {@link EndpointClosedException}). */
    void closeSession(PeerSession ps, String reason, Throwable failure) {
        if (!ps.markClosed(reason)) return;
        sessions.remove(ps);
        Session<PeerSession> s = ps.session();
        if (s != null) s.close();
        counters.inc(Counters.Counter.SESSIONS_CLOSED);
        ps.failEstablished(failure != null ? failure
                : new EndpointClosedException("session with " + format(ps.remoteAddress()) + " closed before it was established (" + reason + ")"));
        dispatch.emit(ps, EndpointEvent.Kind.CLOSED, reason);
        log.debug("session with {} at {} closed: {}", ps.peer(), format(ps.remoteAddress()), reason);
    }

    /** Closes a session the engine expired, unless it was closed already (e.g. as rejected by its peer). */
    void closeExpired(PeerSession ps) {
        Session<PeerSession> s = ps.session();
        if (s == null || s.isExpired()) closeSession(ps, "expired (no answer to a key confirmation or rekey in time)");
    }

    /** Acts on an auto-challenge transition (plane or timer thread). */
    void applyAutoChallenge(AutoChallenge.Transition t) {
        if (t == AutoChallenge.Transition.NONE || !autoChallenge) return;
        double rate = hellos.rate(System.nanoTime());
        if (t == AutoChallenge.Transition.ON) {
            context.setChallengeEnabled(true);
            counters.inc(Counters.Counter.AUTO_CHALLENGE_ACTIVATIONS);
            log.info("auto-challenge on: {} Hellos/s (threshold {})", Math.round(rate), hellos.onRate());
            dispatch.emitEndpoint(EndpointEvent.Kind.AUTO_CHALLENGE_ON, null, null,
                    String.format(Locale.ROOT, "%.0f Hellos/s >= %.0f: challenging Hellos", rate, hellos.onRate()));
        } else {
            context.setChallengeEnabled(manualChallenge);
            log.info("auto-challenge off: {} Hellos/s", Math.round(rate));
            dispatch.emitEndpoint(EndpointEvent.Kind.AUTO_CHALLENGE_OFF, null, null,
                    String.format(Locale.ROOT, "%.0f Hellos/s < %.0f: challenge off", rate, hellos.onRate() / 2));
        }
    }

    static void join(Thread t) {
        if (t == Thread.currentThread()) return;
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    // ---------------------------------------------------------------- timers

    /** One pass of the timer thread: the engine's timers, housekeeping, auto-challenge; returns ms until the next. */
    private long timerPass() {
        long waitMs = Math.min(context.service(), housekeeping());
        if (autoChallenge) {
            applyAutoChallenge(hellos.tick(System.nanoTime()));
            if (hellos.active()) waitMs = Math.min(waitMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(hellos.bucketNanos())));
        }
        return waitMs;
    }

    /**
     * Handshake timeouts and sessions the engine expired; returns ms until the next connect deadline.
     * Visits only the sessions still connecting and those the engine reported expired, never all.
     */
    private long housekeeping() {
        for (PeerSession ps; (ps = sessions.pollExpired()) != null; ) closeExpired(ps);
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (PeerSession ps : sessions.connecting()) {
            if (!ps.isPendingConnect()) {
                sessions.connecting().remove(ps);
                continue;
            }
            long left = ps.connectDeadline() - now;
            if (left <= 0) {
                long elapsed = (now - ps.startNanos) / 1_000_000;
                counters.inc(Counters.Counter.HANDSHAKE_TIMEOUTS);
                dispatch.emit(ps, EndpointEvent.Kind.HANDSHAKE_TIMEOUT, "no handshake after " + elapsed + " ms");
                closeSession(ps, "handshake timeout", new HandshakeTimeoutException(ps.remoteAddress(), elapsed));
                sessions.connecting().remove(ps);
            } else {
                next = Math.min(next, TimeUnit.NANOSECONDS.toMillis(left) + 1);
            }
        }
        return next;
    }

    // ---------------------------------------------------------------- the Application

    private final class EndpointApplication extends StoreApplication<PeerSession> {
        EndpointApplication(RatchetStore store, SecurityPolicy policy, LongSupplier clock) {
            super(store, policy, clock, (peer, identity, source) -> open
                    ? new PeerSession(Endpoint.this, peer, identity.clone(), false, mtuFor(source), receiveQueueCapacity)
                    : null);
        }

        /** A session's timer moved earlier (e.g. the soft key-use limit wants a rekey): run the engine's timers now. */
        @Override
        public void timersChanged() {
            TimerThread t = timer; // null only while the constructor runs, before any session exists
            if (t != null) t.wake();
        }

        /**
         * The engine expired a session. On a plane thread (a rejection, the hard key-use limit)
         * that thread closes its {@link PeerSession} after handling the datagram's event, so that a
         * rejection fails the connect with {@link SessionRejectedException}, not a generic close
         * raced in by the timer thread; elsewhere the timer thread's next pass closes it (not woken
         * for it: a timeout expires it on that thread already).
         */
        @Override
        public void sessionExpired(Session<PeerSession> session) {
            PeerSession ps = session.data();
            if (ps == null || ps.isClosed()) return;
            PlaneThread t = PlaneThread.current();
            if (t != null) t.expired.add(ps);
            else sessions.expired(ps);
        }

        @Override
        protected InetSocketAddress sourceAddress(Remote source) {
            return source instanceof UdpRemote u ? u.address : null;
        }

        @Override
        protected void beforeAccept(StaticPublicKey peer) {
            for (PeerSession old : sessions.with(peer)) closeSession(old, "replaced by a new session from the peer");
        }

        @Override
        protected void refused(StaticPublicKey peer, byte[] identity, InetSocketAddress source, boolean silently) {
            counters.inc(Counters.Counter.REFUSED);
            log.debug("refused session from {} at {}{}", peer, format(source), silently ? " (silently)" : "");
            dispatch.emitEndpoint(EndpointEvent.Kind.REFUSED, peer, source, silently ? "refused silently" : "refused with Session-Rejected");
        }
    }

    // ---------------------------------------------------------------- builder

    /** Builds an {@link Endpoint}. {@link #identity} and at least one {@link #bind} are required. */
    public static final class Builder {
        private final List<InetSocketAddress> binds = new ArrayList<>();
        private StaticKeyPair identity;
        private RatchetStore store;
        private SecurityPolicy policy = SecurityPolicy.opportunistic();
        private Settings settings = Settings.defaults();
        private EndpointListener listener;
        private int mtu = DEFAULT_MTU;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private int receiveQueueCapacity = 1024;
        private long receiveQueueBytes = DEFAULT_RECEIVE_QUEUE_BYTES;
        private int callbackTasks = DEFAULT_CALLBACK_TASKS;
        private long callbackBytes = DEFAULT_CALLBACK_BYTES;
        private long callbackEndpointBytes = DEFAULT_CALLBACK_ENDPOINT_BYTES;
        private PayloadHandler payloadHandler;
        private boolean challenge;
        private double autoChallengeRate;
        private Duration autoChallengeWindow = Duration.ofSeconds(1);
        private LongSupplier clock;
        private RandomSource rng;
        private int receiveThreads = DEFAULT_RECEIVE_THREADS;
        private int handshakeThreads = DEFAULT_HANDSHAKE_THREADS;
        private int handshakeQueue = DEFAULT_HANDSHAKE_QUEUE;
        private int handshakeNice = DEFAULT_HANDSHAKE_NICE;
        private int receiveBufferBytes = DEFAULT_SOCKET_BUFFER_BYTES;

        private Builder() {}

        /**
         * Receive threads (default {@link #DEFAULT_RECEIVE_THREADS}: cores, at most 4). With more
         * than one, every bind address gets that many {@code SO_REUSEPORT} sockets on one port and
         * the kernel spreads peers over them by address; one peer's datagrams stay on one thread.
         * Where the platform has no {@code SO_REUSEPORT}, one thread runs (a warning is logged).
         */
        public Builder receiveThreads(int threads) {
            if (threads < 1 || threads > 64) throw new IllegalArgumentException("receive threads must be 1..64, got " + threads);
            this.receiveThreads = threads;
            return this;
        }

        /**
         * The handshake plane: {@code threads} threads (default {@link #DEFAULT_HANDSHAKE_THREADS})
         * run Hellos, handshake and rekey steps (and so the ratchet store's writes); at most
         * {@code queue} datagrams (default {@value #DEFAULT_HANDSHAKE_QUEUE}, split over the
         * threads; at least {@link #MIN_HANDSHAKE_QUEUE_PER_THREAD} per thread, a whole Hello's
         * fragments) wait for them. A datagram past the bound is dropped and counted
         * ({@link Counters.Counter#HANDSHAKE_QUEUE_OVERFLOWS}); its sender resends.
         */
        public Builder handshakeThreads(int threads, int queue) {
            if (threads < 1 || threads > 64) throw new IllegalArgumentException("handshake threads must be 1..64, got " + threads);
            if (queue < threads * MIN_HANDSHAKE_QUEUE_PER_THREAD) {
                throw new IllegalArgumentException("handshake queue must hold a whole Hello (" + MIN_HANDSHAKE_QUEUE_PER_THREAD
                        + " fragments at the smallest MTU) per thread: at least " + threads * MIN_HANDSHAKE_QUEUE_PER_THREAD + " for "
                        + threads + " threads, got " + queue);
            }
            this.handshakeThreads = threads;
            this.handshakeQueue = queue;
            return this;
        }

        /**
         * CPU scheduling weight of the handshake plane: each handshake thread raises its own Linux
         * nice value by {@code steps} (0..19, default {@value #DEFAULT_HANDSHAKE_NICE}: off; capped
         * at 19) when it starts, so that where cores are scarce the kernel gives ECDH and Kyber what
         * the receive threads (DATA) leave over instead of an equal share (10 steps: about a ninth
         * of a nice-0 thread's weight). Idle cores are still used in full: nice only decides who
         * waits when threads compete. But the handshake threads then also yield to every other
         * process's threads: on a machine that is busy with other work, handshakes slow down (a
         * legitimate handshake under a Hello flood may time out) while DATA gains nothing
         * measurable (BENCHMARKS.md, "Receive planes"). Worth trying on a host that runs little
         * besides this endpoint.
         *
         * <p>Needs Linux and native access for this module ({@code java --enable-native-access=
         * dev.planetary.transport}, or {@code ALL-UNNAMED} on the class path; the {@code planetary}
         * launcher passes it). Elsewhere, or if the call fails, the threads keep the process's
         * weight and the reason is logged once at debug. Threads that a handshake thread starts
         * inherit its nice value (Linux); a listener or store that starts threads from a
         * handshake step should know (docs/architecture.md, "Thread model").
         */
        public Builder handshakeNice(int steps) {
            if (steps < 0 || steps > ThreadNice.MAX) throw new IllegalArgumentException("handshake nice must be 0.." + ThreadNice.MAX + ", got " + steps);
            this.handshakeNice = steps;
            return this;
        }

        /**
         * {@code SO_RCVBUF} asked for on each socket (default {@link #DEFAULT_SOCKET_BUFFER_BYTES}):
         * how many bytes of datagrams the kernel holds for a receive thread that is busy. The kernel
         * caps it (on Linux at {@code net.core.rmem_max}, then books twice that, against which a
         * loopback datagram of 1 KiB counts about 2.3 KiB); {@link Endpoint#receiveBufferBytes()}
         * tells what the sockets got. Raise both for bursts longer than a few milliseconds.
         */
        public Builder receiveBufferBytes(int bytes) {
            if (bytes < 1024) throw new IllegalArgumentException("receive buffer must be at least 1024 bytes, got " + bytes);
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Binds a socket (call twice for IPv4 and IPv6; port 0 picks a free port). */
        public Builder bind(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) throw new IllegalArgumentException("bind address " + address + " is unresolved");
            binds.add(address);
            return this;
        }

        /** Binds {@code host:port}. */
        public Builder bind(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
            return bind(new InetSocketAddress(host, port));
        }

        /** The local static key pair (required; not copied, keep it alive while the endpoint runs). */
        public Builder identity(StaticKeyPair keyPair) {
            this.identity = Objects.requireNonNull(keyPair, "keyPair");
            return this;
        }

        /**
         * Durable ratchet storage. Without one the endpoint keeps ratchets in memory only
         * (opportunistic: peers in persistent mode are locked out after a restart) and logs a warning.
         */
        public Builder store(RatchetStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Builder policy(SecurityPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Engine timers and limits (rekey time, key uses, resend and timeouts). */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        public Builder listener(EndpointListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Default MTU for peers without their own setting (128..65507; default 1432). */
        public Builder mtu(int mtu) {
            this.mtu = checkMtu(mtu);
            return this;
        }

        /** How long {@link Endpoint#connect} waits for the handshake (default 10 s). */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("handshake timeout must be positive, got " + timeout);
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * Delivers every payload to {@code handler} on the plane thread that decrypted it, instead
         * of queueing it for {@link PeerSession#receive} and {@link EndpointListener#onData} (which
         * then see none). The fastest way in; the handler must not block. See {@link PayloadHandler}.
         */
        public Builder payloadHandler(PayloadHandler handler) {
            this.payloadHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Payload bytes buffered per session for {@link PeerSession#receive} at most (default 16 MiB;
         * an empty queue always takes one payload). Past it, as past {@link #receiveQueueCapacity},
         * payloads are dropped and counted ({@link Counters.Counter#RECEIVE_QUEUE_OVERFLOWS}).
         */
        public Builder receiveQueueBytes(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("receive queue bytes must be >= 0, got " + bytes);
            this.receiveQueueBytes = bytes;
            return this;
        }

        /** Payloads buffered per session for {@link PeerSession#receive} (default 1024; 0 = none). */
        public Builder receiveQueueCapacity(int capacity) {
            if (capacity < 0) throw new IllegalArgumentException("receive queue capacity must be >= 0, got " + capacity);
            this.receiveQueueCapacity = capacity;
            return this;
        }

        /**
         * Bounds the listener's callback queues: each session queues at most {@code tasks} callbacks
         * and {@code bytesPerSession} payload bytes for {@link EndpointListener#onData}, and all
         * sessions together at most {@code bytesPerEndpoint} (defaults {@value #DEFAULT_CALLBACK_TASKS},
         * 1 MiB, 16 MiB). A callback past a bound is dropped and counted
         * ({@link Counters.Counter#CALLBACKS_DROPPED}): a listener slower than its peers loses
         * payloads, as a full socket buffer would, instead of filling the heap.
         */
        public Builder callbackQueueLimits(int tasks, long bytesPerSession, long bytesPerEndpoint) {
            if (tasks < 1) throw new IllegalArgumentException("callback queue must hold at least 1 task, got " + tasks);
            if (bytesPerSession < 0 || bytesPerEndpoint < bytesPerSession) {
                throw new IllegalArgumentException("callback queue bytes must satisfy 0 <= per session <= per endpoint, got "
                        + bytesPerSession + " and " + bytesPerEndpoint);
            }
            this.callbackTasks = tasks;
            this.callbackBytes = bytesPerSession;
            this.callbackEndpointBytes = bytesPerEndpoint;
            return this;
        }

        /** Answer incoming Hellos with a challenge (ZCP) first; can be changed later. */
        public Builder challenge(boolean enabled) {
            this.challenge = enabled;
            return this;
        }

        /**
         * Turns the challenge on automatically while incoming Hellos arrive at {@code hellosPerSecond}
         * or more, measured over a sliding {@code window}; off again when the rate has fallen below
         * half that for a while (hysteresis, at least one window after turning on). This is the
         * whitepaper's recommendation: challenges cost honest initiators about a second, so use them
         * only under load. Combines with {@link #challenge}: a manually enabled challenge stays on.
         *
         * @param hellosPerSecond threshold rate, > 0
         * @param window          sliding window, at least 10 ms (1 s is a good choice)
         */
        public Builder autoChallenge(double hellosPerSecond, Duration window) {
            Objects.requireNonNull(window, "window");
            if (!(hellosPerSecond > 0) || Double.isInfinite(hellosPerSecond)) {
                throw new IllegalArgumentException("auto-challenge rate must be a positive number of Hellos per second, got " + hellosPerSecond);
            }
            if (window.toMillis() < AutoChallenge.BUCKETS) throw new IllegalArgumentException("auto-challenge window must be at least 10 ms, got " + window);
            this.autoChallengeRate = hellosPerSecond;
            this.autoChallengeWindow = window;
            return this;
        }

        /** {@link #autoChallenge(double, Duration)} with a one-second window. */
        public Builder autoChallenge(double hellosPerSecond) {
            return autoChallenge(hellosPerSecond, Duration.ofSeconds(1));
        }

        /** Millisecond clock for the engine (default: monotonic). */
        public Builder clock(LongSupplier clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Randomness for the engine (default: the platform CSPRNG). */
        public Builder random(RandomSource rng) {
            this.rng = Objects.requireNonNull(rng, "rng");
            return this;
        }

        /**
         * Binds the sockets and starts the threads.
         *
         * @throws BindException         if an address is in use or not local (the message names it)
         * @throws IllegalStateException if no identity or no bind address was given
         */
        public Endpoint build() throws IOException {
            if (identity == null) throw new IllegalStateException("Endpoint.builder(): identity(keyPair) is required");
            if (binds.isEmpty()) throw new IllegalStateException("Endpoint.builder(): at least one bind(address) is required");
            return new Endpoint(this);
        }
    }
}

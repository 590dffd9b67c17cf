package dev.planetary.transport;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Fault;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP endpoint running ZSSP sessions: one local static key, one or two sockets (IPv4 and/or
 * IPv6), any number of sessions in either role.
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
 * One platform thread receives from all sockets (non-blocking channels behind a selector) and runs
 * the engine on each datagram; one platform thread drives the engine's timers
 * ({@link Context#service()}), sleeping until the next deadline. Listener callbacks run on virtual
 * threads, serialised per session; a {@link PayloadHandler}, if set, runs on the receive thread. Sending never blocks: sockets are non-blocking, so a datagram
 * the kernel will not take is dropped and counted, as UDP may drop it anyway. Because the sockets
 * are non-blocking, interrupting a thread that is sending does not close them.
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

    private final StaticKeyPair identity;
    private final RatchetStore store;
    private final SecurityPolicy policy;
    private final Settings settings;
    private final Context<PeerSession> context;
    private final EndpointListener listener;
    /** If set, payloads go to it on the receive thread instead of the queues and onData. */
    private final PayloadHandler payloadHandler;
    /** The receive thread's last source: reused while datagrams keep coming from one address. */
    private UdpRemote lastSource;
    private final int defaultMtu;
    private final Duration handshakeTimeout;
    private final int receiveQueueCapacity;
    private final long receiveQueueBytes;
    private final Counters counters = new Counters(null);
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final List<InetSocketAddress> localAddresses = new ArrayList<>();
    private final Selector selector;
    private final Set<PeerSession> sessions = ConcurrentHashMap.newKeySet();
    /** Outgoing sessions not yet established: the timer thread checks their connect deadlines. */
    private final Set<PeerSession> connecting = ConcurrentHashMap.newKeySet();
    /** Sessions the engine expired ({@link Application#sessionExpired}), closed by the timer thread. */
    private final Queue<PeerSession> expired = new ConcurrentLinkedQueue<>();
    /** Sessions expired on the receive thread: closed by it once the datagram's event is handled. */
    private final List<PeerSession> expiredOnReceive = new ArrayList<>();
    private final Map<InetSocketAddress, Integer> peerMtu = new ConcurrentHashMap<>();
    private final BlockingQueue<PeerSession> acceptQueue = new LinkedBlockingQueue<>(1024);
    private final ExecutorService callbackPool;
    private final SerialExecutor endpointCallbacks;
    /** Bounds of each session's callback queue and of all of them together ({@link Builder#callbackQueueLimits}). */
    private final int callbackTasks;
    private final long callbackBytes;
    private final SerialExecutor.Budget callbackBudget;
    private final Thread receiver;
    private final Thread timer;
    /** Hello rate and, if configured, the automatic challenge ({@link Builder#autoChallenge}). */
    private final AutoChallenge hellos;
    private final boolean autoChallenge;
    /** The challenge as set by the builder / {@link #setChallengeEnabled}; auto-challenge only adds to it. */
    private volatile boolean manualChallenge;
    /** Last value of the engine's Hello counter seen by the receive thread (only it writes this). */
    private long hellosSeen;
    private volatile boolean open = true;

    private Endpoint(Builder b) throws IOException {
        this.identity = b.identity;
        this.store = b.store != null ? b.store : new MemoryRatchetStore();
        if (b.store == null) log.warn("no ratchet store configured: using memory only (opportunistic; ratchet state is lost when the process ends)");
        this.policy = b.policy;
        this.settings = b.settings;
        this.listener = b.listener;
        this.payloadHandler = b.payloadHandler;
        this.defaultMtu = b.mtu;
        this.handshakeTimeout = b.handshakeTimeout;
        this.receiveQueueCapacity = b.payloadHandler != null ? 0 : b.receiveQueueCapacity;
        this.receiveQueueBytes = b.receiveQueueBytes;
        this.callbackPool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("planetary-callback-", 0).factory());
        this.callbackTasks = b.callbackTasks;
        this.callbackBytes = b.callbackBytes;
        this.callbackBudget = new SerialExecutor.Budget(b.callbackEndpointBytes);
        this.endpointCallbacks = newCallbackQueue();
        LongSupplier clock = b.clock != null ? b.clock : StoreApplication.monotonicClock();
        EndpointApplication app = new EndpointApplication(store, policy, clock);
        this.context = new Context<>(identity, app, settings, b.rng != null ? b.rng : RandomSource.secure());
        this.manualChallenge = b.challenge;
        this.autoChallenge = b.autoChallengeRate > 0;
        this.hellos = new AutoChallenge(autoChallenge ? b.autoChallengeRate : Double.POSITIVE_INFINITY, b.autoChallengeWindow.toNanos());
        context.setChallengeEnabled(b.challenge);
        Selector sel = Selector.open();
        this.selector = sel;
        try {
            for (InetSocketAddress a : b.binds) {
                DatagramChannel ch = openChannel(a);
                channels.add(ch);
                localAddresses.add((InetSocketAddress) ch.getLocalAddress());
                ch.register(sel, SelectionKey.OP_READ);
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel ch : channels) closeQuietly(ch);
            closeQuietly(sel);
            callbackPool.shutdownNow();
            throw e;
        }
        this.receiver = Thread.ofPlatform().daemon().name("planetary-receive").unstarted(this::receiveLoop);
        this.timer = Thread.ofPlatform().daemon().name("planetary-timer").unstarted(this::timerLoop);
        receiver.start();
        timer.start();
        log.debug("endpoint {} bound to {}", identity.publicKey(), localAddresses);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static DatagramChannel openChannel(InetSocketAddress a) throws IOException {
        DatagramChannel ch = a.getAddress() instanceof Inet6Address
                ? DatagramChannel.open(StandardProtocolFamily.INET6)
                : a.getAddress() instanceof Inet4Address ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            try {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort: the kernel caps these anyway
            }
            ch.bind(a);
            return ch;
        } catch (BindException e) {
            closeQuietly(ch);
            BindException be = new BindException("cannot bind " + format(a) + ": " + (e.getMessage() == null ? "address unavailable" : e.getMessage().toLowerCase(java.util.Locale.ROOT)));
            be.initCause(e);
            throw be;
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    // ---------------------------------------------------------------- public API

    /** This endpoint's static public key. */
    public StaticPublicKey publicKey() {
        return identity.publicKey();
    }

    /** The bound local addresses (ports resolved when binding to port 0). */
    public List<InetSocketAddress> localAddresses() {
        return List.copyOf(localAddresses);
    }

    /** The first bound local address. */
    public InetSocketAddress localAddress() {
        return localAddresses.get(0);
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

    /** Live sessions (a snapshot), in both roles, including handshakes in progress. */
    public Collection<PeerSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Live sessions with {@code peer}. */
    public List<PeerSession> sessionsWith(StaticPublicKey peer) {
        Objects.requireNonNull(peer, "peer");
        return sessions.stream().filter(s -> s.peer().equals(peer)).toList();
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
        peerMtu.put(address, mtu);
        for (PeerSession s : sessions) if (address.equals(s.remoteAddress())) s.setMtu(mtu);
    }

    /** The MTU for {@code address}: its own setting, else the endpoint default. */
    public int mtuFor(InetSocketAddress address) {
        Integer m = address == null ? null : peerMtu.get(address);
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
        DatagramChannel ch = channelFor(address);
        for (PeerSession old : sessionsWith(peer)) closeSession(old, "replaced by a new session");
        PeerSession ps = new PeerSession(this, peer, identity.clone(), true, mtuFor(address), receiveQueueCapacity);
        UdpRemote remote = new UdpRemote(this, ch, address, ps);
        ps.setRemote(remote);
        ps.connectDeadline(ps.startNanos + handshakeTimeout.toNanos());
        sessions.add(ps);
        connecting.add(ps);
        CompletableFuture<PeerSession> result = ps.established();
        try {
            Session<PeerSession> s = context.open(peer, ps, identity, remote);
            ps.attach(s);
        } catch (IOException e) {
            sessions.remove(ps);
            ps.markClosed("ratchet store failed");
            ps.failEstablished(new IOException("ratchet store failed while opening a session to " + format(address) + ": " + e.getMessage(), e));
        }
        wakeTimer();
        return result;
    }

    /**
     * Blocks until an incoming session is accepted, for at most {@code timeout}; null on timeout.
     * (Accepted sessions are queued here and also reported to {@link EndpointListener#onSession}.)
     */
    public PeerSession accept(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return acceptQueue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    /** Closes every session, stops the threads and closes the sockets; idempotent. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        for (PeerSession s : sessions) closeSession(s, "endpoint closed");
        selector.wakeup();
        LockSupport.unpark(timer);
        join(receiver);
        join(timer);
        context.close(); // after the threads: no datagram meets a destroyed key (no spurious INTERNAL)
        for (DatagramChannel ch : channels) closeQuietly(ch);
        closeQuietly(selector);
        callbackPool.shutdown();
        try {
            if (!callbackPool.awaitTermination(2, TimeUnit.SECONDS)) callbackPool.shutdownNow();
        } catch (InterruptedException e) {
            callbackPool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        log.debug("endpoint {} closed; {}", identity.publicKey(), counters);
    }

    @Override
    public String toString() {
        return "Endpoint[" + publicKey() + " at " + localAddresses + ", " + sessions.size() + " sessions" + (open ? "" : ", closed") + "]";
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

    /** A new bounded, in-order callback queue (one per session, one for endpoint events). */
    SerialExecutor newCallbackQueue() {
        return new SerialExecutor(callbackPool, callbackTasks, callbackBytes, callbackBudget);
    }

    /** Queues a listener callback of {@code ps} (or of the endpoint if null); a full queue drops it and counts the drop. */
    private void callback(PeerSession ps, Runnable r, long weight) {
        SerialExecutor q = ps != null ? ps.callbacks : endpointCallbacks;
        if (!q.submit(() -> safely(r), weight)) (ps != null ? ps.counters() : counters).inc(Counters.Counter.CALLBACKS_DROPPED);
    }

    /** The receive thread's id (tests measure its CPU time). */
    long receiveThreadId() {
        return receiver.threadId();
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
    private void closeSession(PeerSession ps, String reason, Throwable failure) {
        if (!ps.markClosed(reason)) return;
        sessions.remove(ps);
        Session<PeerSession> s = ps.session();
        if (s != null) s.close();
        counters.inc(Counters.Counter.SESSIONS_CLOSED);
        ps.failEstablished(failure != null ? failure
                : new EndpointClosedException("session with " + format(ps.remoteAddress()) + " closed before it was established (" + reason + ")"));
        emit(ps, EndpointEvent.Kind.CLOSED, reason);
        log.debug("session with {} at {} closed: {}", ps.peer(), format(ps.remoteAddress()), reason);
    }

    // ---------------------------------------------------------------- receive path

    private DatagramChannel channelFor(InetSocketAddress address) {
        boolean v4 = address.getAddress() instanceof Inet4Address;
        DatagramChannel dualStack = null;
        for (int i = 0; i < channels.size(); i++) {
            InetAddress local = localAddresses.get(i).getAddress();
            if (v4 ? local instanceof Inet4Address : local instanceof Inet6Address) return channels.get(i);
            if (v4 && local instanceof Inet6Address && local.isAnyLocalAddress()) dualStack = channels.get(i);
        }
        if (dualStack != null) return dualStack;
        throw new IllegalArgumentException("no socket of this endpoint can reach " + format(address) + " (bound to " + localAddresses
                + "); bind an " + (v4 ? "IPv4" : "IPv6") + " address too");
    }

    private void receiveLoop() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        byte[] array = buf.array();
        while (open) {
            try {
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) continue;
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    for (int n = 0; n < 512 && open; n++) { // drain, but let the other socket have a turn
                        buf.clear();
                        SocketAddress src = ch.receive(buf);
                        if (src == null) break;
                        if (src instanceof InetSocketAddress isa) handleDatagram(ch, isa, array, buf.position());
                    }
                }
            } catch (ClosedChannelException | ClosedSelectorException e) {
                if (open) log.warn("socket closed unexpectedly: {}", e.toString());
                return;
            } catch (IOException e) {
                // e.g. an ICMP error reported on the socket: not fatal for a datagram endpoint
                log.debug("receive error: {}", e.toString());
            } catch (RuntimeException | Error e) {
                counters.inc(Counters.Counter.INTERNAL_ERRORS);
                log.error("unexpected error in the receive loop (continuing)", e);
            }
        }
    }

    private void handleDatagram(DatagramChannel ch, InetSocketAddress src, byte[] data, int len) {
        counters.inc(Counters.Counter.PACKETS_IN);
        counters.add(Counters.Counter.BYTES_IN, len);
        Received<PeerSession> r = context.receive(data, 0, len, sourceRemote(ch, src));
        long h = context.hellosReceived();
        if (h != hellosSeen) {
            long n = h - hellosSeen;
            hellosSeen = h;
            counters.add(Counters.Counter.HELLOS_IN, n);
            apply(hellos.record(n, System.nanoTime()));
        }
        if (r instanceof Received.Dropped<PeerSession> d) {
            counters.drop(d.fault());
            if (d.fault() == Fault.CHALLENGE_ISSUED) {
                counters.inc(Counters.Counter.CHALLENGES_ISSUED);
                // Under a flood (auto-challenge on) one event per Hello would itself be a cost the
                // attacker controls: the counter still counts, the ON/OFF events summarise.
                if (!hellos.active()) emitEndpoint(EndpointEvent.Kind.CHALLENGE_ISSUED, null, src, "Hello from " + format(src) + " answered with a challenge");
            }
            if (d.fault() == Fault.INTERNAL) log.warn("engine error on {} bytes from {} (dropped): {}", len, format(src), d.reason());
            else if (log.isTraceEnabled()) log.trace("dropped {} bytes from {}: {} ({})", len, format(src), d.fault(), d.reason());
        } else if (r instanceof Event<PeerSession> e) {
            onEvent(e, ch, src, len);
        }
        if (!expiredOnReceive.isEmpty()) {
            for (PeerSession ps : expiredOnReceive) closeExpired(ps);
            expiredOnReceive.clear();
        }
    }

    boolean hasPayloadHandler() {
        return payloadHandler != null;
    }

    /** The Remote for a datagram's source; UdpRemote is immutable, so one serves a run of datagrams from one address. */
    private UdpRemote sourceRemote(DatagramChannel ch, InetSocketAddress src) {
        UdpRemote last = lastSource;
        if (last != null && last.channel == ch && (last.address == src || last.address.equals(src))) return last;
        return lastSource = new UdpRemote(this, ch, src, null);
    }

    private void onEvent(Event<PeerSession> e, DatagramChannel ch, InetSocketAddress src, int len) {
        Session<PeerSession> s = e.session();
        PeerSession ps = s.data();
        if (ps == null) { // cannot happen: every session is created with a PeerSession
            s.close();
            return;
        }
        ps.attach(s);
        Counters c = ps.counters();
        // Per-session "in": authenticated packets; the endpoint counted the datagram already.
        c.addLocal(Counters.Counter.PACKETS_IN, 1);
        c.addLocal(Counters.Counter.BYTES_IN, len);
        followPeer(ps, s, ch, src);
        switch (e) {
            case Event.Data<PeerSession> d -> deliver(ps, d.payload());
            case Event.NewSession<PeerSession> n -> accepted(ps, false);
            case Event.NewDowngradedSession<PeerSession> n -> accepted(ps, true);
            case Event.Established<PeerSession> est -> {
                if (ps.isClosed()) return;
                counters.inc(Counters.Counter.HANDSHAKES);
                ps.completeEstablished();
                emit(ps, EndpointEvent.Kind.ESTABLISHED, String.format(java.util.Locale.ROOT, "handshake %.1f ms", ps.handshakeMillis()));
            }
            case Event.Rejected<PeerSession> rej -> {
                counters.inc(Counters.Counter.REJECTED_BY_PEER);
                emit(ps, EndpointEvent.Kind.REJECTED, "Session-Rejected received");
                closeSession(ps, "rejected by peer", new SessionRejectedException(src));
            }
            case Event.DowngradedRatchetKey<PeerSession> dg -> {
                ps.markDowngraded();
                c.inc(Counters.Counter.DOWNGRADES);
                emit(ps, EndpointEvent.Kind.DOWNGRADED, "the peer has no ratchet state for us: handshake used the empty ratchet");
            }
            case Event.RekeyCompleted<PeerSession> rk -> {
                c.inc(Counters.Counter.REKEYS);
                emit(ps, EndpointEvent.Kind.REKEYED, "rekey " + ps.counters().get(Counters.Counter.REKEYS));
            }
            case Event.Control<PeerSession> ctl -> { }
        }
    }

    /** Path following: an authenticated packet from a new address moves the session there. */
    private void followPeer(PeerSession ps, Session<PeerSession> s, DatagramChannel ch, InetSocketAddress src) {
        UdpRemote current = ps.remote();
        if (current != null && current.address.equals(src) && current.channel == ch && s.remote() == current) return;
        UdpRemote moved = new UdpRemote(this, ch, src, ps);
        s.setRemote(moved);
        ps.setRemote(moved);
        if (current != null && !current.address.equals(src)) {
            ps.counters().inc(Counters.Counter.PATH_CHANGES);
            emit(ps, EndpointEvent.Kind.PATH_CHANGED, "moved from " + format(current.address) + " to " + format(src));
        }
    }

    private void accepted(PeerSession ps, boolean downgraded) {
        counters.inc(Counters.Counter.HANDSHAKES);
        if (downgraded) {
            ps.markDowngraded();
            ps.counters().inc(Counters.Counter.DOWNGRADES);
        }
        sessions.add(ps);
        ps.completeEstablished();
        if (!acceptQueue.offer(ps)) {
            acceptQueue.poll();
            acceptQueue.offer(ps);
        }
        emit(ps, downgraded ? EndpointEvent.Kind.NEW_DOWNGRADED_SESSION : EndpointEvent.Kind.NEW_SESSION,
                downgraded ? "the peer used the empty ratchet although we had state for it" : "");
        if (listener != null) callback(ps, () -> listener.onSession(ps), 0);
    }

    private void deliver(PeerSession ps, byte[] payload) {
        Counters c = ps.counters();
        c.inc(Counters.Counter.PAYLOADS_IN);
        c.add(Counters.Counter.PAYLOAD_BYTES_IN, payload.length);
        if (payloadHandler != null) {
            try {
                payloadHandler.onPayload(ps, payload);
            } catch (RuntimeException | Error e) {
                c.inc(Counters.Counter.HANDLER_ERRORS);
                log.warn("payload handler threw (ignored)", e);
            }
            return;
        }
        if (!ps.enqueue(payload)) c.inc(Counters.Counter.RECEIVE_QUEUE_OVERFLOWS);
        if (listener != null) callback(ps, () -> listener.onData(ps, payload), payload.length);
    }

    private void emit(PeerSession ps, EndpointEvent.Kind kind, String detail) {
        if (listener == null) return;
        EndpointEvent ev = new EndpointEvent(kind, System.currentTimeMillis(), ps.peer(), ps.remoteAddress(), ps, detail);
        callback(ps, () -> listener.onEvent(ev), 0);
    }

    private void emitEndpoint(EndpointEvent.Kind kind, StaticPublicKey peer, InetSocketAddress remote, String detail) {
        if (listener == null) return;
        EndpointEvent ev = new EndpointEvent(kind, System.currentTimeMillis(), peer, remote, null, detail);
        callback(null, () -> listener.onEvent(ev), 0);
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.warn("listener callback threw (ignored)", e);
        }
    }

    /** Acts on an auto-challenge transition (receive or timer thread). */
    private void apply(AutoChallenge.Transition t) {
        if (t == AutoChallenge.Transition.NONE || !autoChallenge) return;
        double rate = hellos.rate(System.nanoTime());
        if (t == AutoChallenge.Transition.ON) {
            context.setChallengeEnabled(true);
            counters.inc(Counters.Counter.AUTO_CHALLENGE_ACTIVATIONS);
            log.info("auto-challenge on: {} Hellos/s (threshold {})", Math.round(rate), hellos.onRate());
            emitEndpoint(EndpointEvent.Kind.AUTO_CHALLENGE_ON, null, null,
                    String.format(java.util.Locale.ROOT, "%.0f Hellos/s >= %.0f: challenging Hellos", rate, hellos.onRate()));
        } else {
            context.setChallengeEnabled(manualChallenge);
            log.info("auto-challenge off: {} Hellos/s", Math.round(rate));
            emitEndpoint(EndpointEvent.Kind.AUTO_CHALLENGE_OFF, null, null,
                    String.format(java.util.Locale.ROOT, "%.0f Hellos/s < %.0f: challenge off", rate, hellos.onRate() / 2));
        }
    }

    // ---------------------------------------------------------------- timers

    private void wakeTimer() {
        LockSupport.unpark(timer);
    }

    private void timerLoop() {
        while (open) {
            long waitMs;
            try {
                waitMs = context.service();
                waitMs = Math.min(waitMs, housekeeping());
                if (autoChallenge) {
                    apply(hellos.tick(System.nanoTime()));
                    if (hellos.active()) waitMs = Math.min(waitMs, Math.max(1, TimeUnit.NANOSECONDS.toMillis(hellos.bucketNanos())));
                }
            } catch (RuntimeException | Error e) {
                counters.inc(Counters.Counter.INTERNAL_ERRORS);
                log.error("unexpected error in the timer loop (continuing)", e);
                waitMs = 100;
            }
            if (!open) return;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, waitMs)));
        }
    }

    /** Closes a session the engine expired, unless it was closed already (e.g. as rejected by its peer). */
    private void closeExpired(PeerSession ps) {
        Session<PeerSession> s = ps.session();
        if (s == null || s.isExpired()) closeSession(ps, "expired (no answer to a key confirmation or rekey in time)");
    }

    /**
     * Handshake timeouts and sessions the engine expired; returns ms until the next connect deadline.
     * Visits only the sessions still connecting and those the engine reported expired, never all.
     */
    private long housekeeping() {
        for (PeerSession ps; (ps = expired.poll()) != null; ) closeExpired(ps);
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (PeerSession ps : connecting) {
            if (!ps.isPendingConnect()) {
                connecting.remove(ps);
                continue;
            }
            long left = ps.connectDeadline() - now;
            if (left <= 0) {
                long elapsed = (now - ps.startNanos) / 1_000_000;
                counters.inc(Counters.Counter.HANDSHAKE_TIMEOUTS);
                emit(ps, EndpointEvent.Kind.HANDSHAKE_TIMEOUT, "no handshake after " + elapsed + " ms");
                closeSession(ps, "handshake timeout", new HandshakeTimeoutException(ps.remoteAddress(), elapsed));
                connecting.remove(ps);
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
            wakeTimer();
        }

        /**
         * The engine expired a session. On the receive thread (a rejection, the hard key-use limit)
         * the receive path closes its {@link PeerSession} after handling the datagram's event, so
         * that a rejection fails the connect with {@link SessionRejectedException}, not a generic
         * close raced in by the timer thread; elsewhere the timer thread's next pass closes it (not
         * woken for it: a timeout expires it on that thread already).
         */
        @Override
        public void sessionExpired(Session<PeerSession> session) {
            PeerSession ps = session.data();
            if (ps == null || ps.isClosed()) return;
            if (Thread.currentThread() == receiver) expiredOnReceive.add(ps);
            else expired.add(ps);
        }

        @Override
        protected InetSocketAddress sourceAddress(Remote source) {
            return source instanceof UdpRemote u ? u.address : null;
        }

        @Override
        protected void beforeAccept(StaticPublicKey peer) {
            for (PeerSession old : sessionsWith(peer)) closeSession(old, "replaced by a new session from the peer");
        }

        @Override
        protected void refused(StaticPublicKey peer, byte[] identity, InetSocketAddress source, boolean silently) {
            counters.inc(Counters.Counter.REFUSED);
            log.debug("refused session from {} at {}{}", peer, format(source), silently ? " (silently)" : "");
            emitEndpoint(EndpointEvent.Kind.REFUSED, peer, source, silently ? "refused silently" : "refused with Session-Rejected");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void join(Thread t) {
        if (t == Thread.currentThread()) return;
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
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

        private Builder() {}

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
         * Delivers every payload to {@code handler} on the receive thread, instead of queueing it for
         * {@link PeerSession#receive} and {@link EndpointListener#onData} (which then see none). The
         * fastest way in; the handler must not block. See {@link PayloadHandler}.
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

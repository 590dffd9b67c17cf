package dev.planetary.transport;

import dev.planetary.zssp.DataTooLargeException;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.SessionStateException;
import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A ZSSP session with one peer, bound to an {@link Endpoint}: send payloads, receive them
 * (blocking calls suit virtual threads), read counters, close.
 *
 * <p>All methods are thread-safe. {@link #send} never blocks on the network (a full socket buffer
 * drops the datagram and counts a send failure, as UDP would).
 */
public final class PeerSession implements AutoCloseable {
    /** Marks the end of the receive queue. */
    private static final byte[] EOF = new byte[0];

    private final Endpoint endpoint;
    private final StaticPublicKey peer;
    private final byte[] identity;
    private final boolean initiator;
    private final Counters counters;
    private final BlockingQueue<byte[]> inbox;
    /** Payload bytes in {@link #inbox}, bounded by the endpoint's {@code receiveQueueBytes}. */
    private final AtomicLong inboxBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<PeerSession> established = new CompletableFuture<>();
    private final CompletableFuture<PeerSession> closedFuture = new CompletableFuture<>();
    final SerialExecutor callbacks;
    final long startNanos = System.nanoTime();

    private volatile Session<PeerSession> session;
    /** Where the session's payloads are decrypted into ({@link #receiveArrays}); null: new arrays. */
    private volatile java.util.function.IntFunction<byte[]> receiveArrays;
    /** The address {@link Endpoint#connect} aimed at, until the engine session (which holds the path) exists. */
    private volatile UdpRemote connectTarget;
    private volatile int mtu;
    private volatile boolean downgraded;
    private volatile long handshakeNanos = -1;
    private volatile long connectDeadlineNanos;
    private volatile String closeReason;

    PeerSession(Endpoint endpoint, StaticPublicKey peer, byte[] identity, boolean initiator, int mtu, int queueCapacity) {
        this.endpoint = endpoint;
        this.peer = peer;
        this.identity = identity;
        this.initiator = initiator;
        this.mtu = mtu;
        this.counters = new Counters(endpoint.counters());
        this.inbox = queueCapacity > 0 ? new LinkedBlockingQueue<>(queueCapacity + 1) : null;
        this.callbacks = endpoint.newCallbackQueue();
    }

    // ---------------------------------------------------------------- public API

    /** The peer's authenticated static public key. */
    public StaticPublicKey peer() {
        return peer;
    }

    /** The peer's current address (follows the peer when it moves). */
    public InetSocketAddress remoteAddress() {
        UdpRemote r = remote();
        return r == null ? null : r.address;
    }

    /** The identity blob: what we sent (initiator) or what the peer presented (responder). A copy. */
    public byte[] identity() {
        return identity.clone();
    }

    /** True if this side opened the session ({@link Endpoint#connect}). */
    public boolean isInitiator() {
        return initiator;
    }

    /** The endpoint this session belongs to. */
    public Endpoint endpoint() {
        return endpoint;
    }

    /** True once payloads can be sent. */
    public boolean isEstablished() {
        Session<PeerSession> s = session;
        return s != null && !closed.get() && s.isEstablished();
    }

    /** True once closed (locally, by the engine, or because the endpoint closed). */
    public boolean isClosed() {
        return closed.get();
    }

    /** The engine state, or {@link Session.State#A1} before the engine session exists. */
    public Session.State state() {
        Session<PeerSession> s = session;
        return s == null ? Session.State.A1 : s.state();
    }

    /** True if the handshake fell back to the empty ratchet (a downgrade warning was raised). */
    public boolean wasDowngraded() {
        return downgraded;
    }

    /** Initiator: milliseconds from {@link Endpoint#connect} to Established; -1 otherwise / before. */
    public double handshakeMillis() {
        long n = handshakeNanos;
        return n < 0 ? -1 : n / 1e6;
    }

    /** Completes with this session when it is established (immediately for accepted sessions). */
    public CompletableFuture<PeerSession> established() {
        return established.copy();
    }

    /** Completes with this session when it closes. */
    public CompletableFuture<PeerSession> closedFuture() {
        return closedFuture.copy();
    }

    /** Why the session closed ("closed locally", "expired", "endpoint closed", …), or null while open. */
    public String closeReason() {
        return closeReason;
    }

    /** This session's counters (their sums also appear in the endpoint's). */
    public Counters counters() {
        return counters;
    }

    /** The MTU (largest datagram) used for this peer. */
    public int mtu() {
        return mtu;
    }

    /** Changes the MTU for this peer (at least 128, at most 65507). */
    public void setMtu(int mtu) {
        this.mtu = Endpoint.checkMtu(mtu);
    }

    /** The largest payload one {@link #send} can carry at the current MTU: {@link Limits#maxPayload(int)} (48 fragments). */
    public int maxPayload() {
        return Limits.maxPayload(mtu);
    }

    /**
     * Encrypts and sends one payload as one ZSSP packet.
     *
     * @throws DataTooLargeException if the payload is larger than {@link #maxPayload()}
     * @throws SessionStateException if the session is not established yet, or is closed
     */
    public void send(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        send(payload, 0, payload.length);
    }

    /** As {@link #send(byte[])} for {@code payload[off, off+len)}. */
    public void send(byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        if (closed.get()) throw new SessionStateException("session with " + Endpoint.format(remoteAddress()) + " is closed (" + closeReason + ")");
        Session<PeerSession> s = session;
        if (s == null) throw new SessionStateException("session with " + Endpoint.format(remoteAddress()) + " is not established yet (handshake in progress)");
        s.send(payload, off, len);
        counters.inc(Counters.Counter.PAYLOADS_OUT);
        counters.add(Counters.Counter.PAYLOAD_BYTES_OUT, len);
    }

    /** Sends the buffer's remaining bytes and advances its position. */
    public void send(ByteBuffer payload) {
        Objects.requireNonNull(payload, "payload");
        int len = payload.remaining();
        if (payload.hasArray()) {
            send(payload.array(), payload.arrayOffset() + payload.position(), len);
            payload.position(payload.position() + len);
        } else {
            byte[] copy = new byte[len];
            payload.get(copy);
            send(copy);
        }
    }

    /**
     * Blocks until a payload arrives; returns {@code null} once the session is closed and every
     * queued payload was taken (end of stream). Suits virtual threads.
     *
     * @throws IllegalStateException if the endpoint was built without a receive queue
     */
    public byte[] receive() throws InterruptedException {
        BlockingQueue<byte[]> q = requireInbox();
        byte[] p = taken(q.take());
        if (p == EOF) {
            q.offer(EOF); // keep end-of-stream visible to other readers
            return null;
        }
        return p;
    }

    /**
     * Waits at most {@code timeout} for a payload; returns {@code null} on timeout or at end of
     * stream (check {@link #isClosed()} to tell them apart).
     */
    public byte[] receive(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        BlockingQueue<byte[]> q = requireInbox();
        byte[] p = taken(q.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS));
        if (p == EOF) {
            q.offer(EOF);
            return null;
        }
        return p;
    }

    /** Payloads waiting in the receive queue. */
    public int available() {
        BlockingQueue<byte[]> q = inbox;
        if (q == null) return 0;
        int n = q.size();
        return closed.get() && n > 0 ? n - (q.contains(EOF) ? 1 : 0) : n;
    }

    /** Closes the session (no packet is sent: ZSSP has no close message); idempotent. */
    @Override
    public void close() {
        endpoint.closeSession(this, "closed locally");
    }

    /** Chain length of the ratchet state the session's newest keys descend from; -1 before the engine created the session. */
    public long ratchetChainLength() {
        Session<PeerSession> s = session;
        return s == null ? -1 : s.ratchetChainLength();
    }

    @Override
    public String toString() {
        return "PeerSession[" + peer + " at " + Endpoint.format(remoteAddress()) + ", " + state() + (initiator ? ", initiator" : ", responder")
                + (closed.get() ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- endpoint side

    private BlockingQueue<byte[]> requireInbox() {
        if (inbox == null) throw new IllegalStateException(endpoint.hasPayloadHandler()
                ? "this endpoint delivers payloads to its PayloadHandler (Builder.payloadHandler): PeerSession.receive has none"
                : "this endpoint was built with receiveQueueCapacity(0): use EndpointListener.onData");
        return inbox;
    }

    void attach(Session<PeerSession> s) {
        if (session == null) {
            session = s;
            s.receiveArrays(receiveArrays);
        }
    }

    /**
     * This session's payloads are decrypted into arrays from {@code arrays} (each exactly the payload's
     * length) instead of new ones ({@link Session#receiveArrays}): a {@link PayloadHandler} that is done
     * with a payload may hand its array back for a later one. Null restores new arrays.
     */
    public void receiveArrays(java.util.function.IntFunction<byte[]> arrays) {
        receiveArrays = arrays;
        Session<PeerSession> s = session;
        if (s != null) s.receiveArrays(arrays);
    }

    Session<PeerSession> session() {
        return session;
    }

    /** The path: the engine session's remote (the one record of it), or the connect target before the session exists. */
    UdpRemote remote() {
        Session<PeerSession> s = session;
        return s != null && s.remote() instanceof UdpRemote u ? u : connectTarget;
    }

    void connectingTo(UdpRemote r) {
        this.connectTarget = r;
    }

    boolean hasInbox() {
        return inbox != null;
    }

    void markDowngraded() {
        downgraded = true;
    }

    void connectDeadline(long nanos) {
        connectDeadlineNanos = nanos;
    }

    long connectDeadline() {
        return connectDeadlineNanos;
    }

    boolean completeEstablished() {
        if (initiator && handshakeNanos < 0) handshakeNanos = System.nanoTime() - startNanos;
        return established.complete(this);
    }

    boolean isPendingConnect() {
        return initiator && !established.isDone() && !closed.get();
    }

    void failEstablished(Throwable t) {
        established.completeExceptionally(t);
    }

    /** Queues a payload for {@link #receive}; false if the queue was full (the payload is dropped). */
    boolean enqueue(byte[] payload) {
        BlockingQueue<byte[]> q = inbox;
        if (q == null || closed.get()) return true;
        if (q.remainingCapacity() <= 1) return false; // one slot stays free for EOF
        long before = inboxBytes.getAndAdd(payload.length);
        // a payload past the byte bound is dropped, unless the queue is empty (one is always taken)
        if ((before > 0 && before + payload.length > endpoint.receiveQueueBytes()) || !q.offer(payload)) {
            inboxBytes.addAndGet(-payload.length);
            return false;
        }
        return true;
    }

    /** Bytes of the payloads waiting in the receive queue. */
    long queuedBytes() {
        return inboxBytes.get();
    }

    private byte[] taken(byte[] p) {
        if (p != null && p != EOF) inboxBytes.addAndGet(-p.length);
        return p;
    }

    /** Marks closed; true if this call closed it. */
    boolean markClosed(String reason) {
        if (!closed.compareAndSet(false, true)) return false;
        closeReason = reason;
        BlockingQueue<byte[]> q = inbox;
        if (q != null) q.offer(EOF);
        closedFuture.complete(this);
        return true;
    }
}

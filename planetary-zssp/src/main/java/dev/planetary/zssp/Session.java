package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HARD_KEY_USE_LIMIT;
import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_DATA;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.KemKeyPair;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.SymmetricState;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One instance of the Zeta state machine with one remote peer (spec §7), in either role.
 *
 * <p>Thread model: handshake, rekey and timer steps run under this session's own lock; the data
 * path ({@link #send} and DATA receipt) takes no lock at all. It reads an immutable snapshot of the
 * two key slots, draws counters from an atomic, and updates a lock-free replay window, so any number
 * of threads may send and receive on one session at once.
 */
public final class Session<D> {

    /** The states of spec §7.2. */
    public enum State {
        /** Initiator: Hello (X1) sent, waiting for the Response. */
        A1,
        /** Initiator: Completion (X3) sent, waiting for key confirmation. */
        A3,
        /** Key confirmation (C1) sent, waiting for its acknowledgement; data may flow. */
        S1,
        /** Established and idle until the next rekey. */
        S2,
        /** Rekey initiator: K1 sent. */
        R1,
        /** Rekey responder: K2 sent. */
        R2,
        /** Closed for good. */
        EXPIRED;

        boolean canSend() {
            return this == S1 || this == S2 || this == R1 || this == R2;
        }
    }

    /** Both key slots, swapped as a unit (spec §7.6). */
    record Keys(KeySlot current, KeySlot other) {
        Keys flip() {
            return new Keys(other, current);
        }

        /** The slot whose receive kid is {@code kid}, or null. */
        KeySlot forRecvKid(int kid) {
            if (current.recvKid() == kid) return current;
            if (other.recvKid() == kid) return other;
            return null;
        }
    }

    /**
     * Header-protection keys from the session's latest Hello, with its reassembly buffer — made on
     * the first multi-fragment packet (most sessions never need one: 120 bytes saved per session).
     */
    static final class Headers implements javax.security.auth.Destroyable {
        private final HeaderCipher send;
        private final HeaderCipher recv;
        private final Context<?> context;
        private volatile Reassembler reassembler;

        Headers(HeaderCipher send, HeaderCipher recv, Context<?> context) {
            this.send = send;
            this.recv = recv;
            this.context = context;
        }

        HeaderCipher send() {
            return send;
        }

        HeaderCipher recv() {
            return recv;
        }

        /** The reassembly buffer, created on first use. */
        Reassembler reassembler() {
            Reassembler r = reassembler;
            if (r == null) {
                synchronized (this) {
                    r = reassembler;
                    if (r == null) reassembler = r = context.newSessionReassembler();
                }
            }
            return r;
        }

        /** Expires stale partial packets, if there is a buffer at all. */
        void expire(long now) {
            Reassembler r = reassembler;
            if (r != null) r.expire(now);
        }

        int pending() {
            Reassembler r = reassembler;
            return r == null ? 0 : r.pending();
        }

        /** One idle-sweep step over both header keys ({@code AesKey.dropIdleCiphers}). */
        void dropIdleCiphers() {
            send.dropIdleCiphers();
            recv.dropIdleCiphers();
        }

        /** Wipes both header keys (through {@link KeyRetirement}: the data path may still hold them). */
        @Override
        public void destroy() {
            send.destroy();
            recv.destroy();
        }

        @Override
        public boolean isDestroyed() {
            return send.isDestroyed();
        }
    }

    /** Per-state data (spec §7.1, last row). */
    sealed interface Offer {}

    /** A1: the Hello in flight and what is needed to consume its Response. */
    record HelloOffer(SymmetricState noise, P384KeyPair ephemeral, KemKeyPair kem, byte[] identity, byte[] hello) implements Offer {}

    /** A3: the Completion in flight. */
    record CompletionOffer(byte[] identity, byte[] completion) implements Offer {}

    /** R1: our rekey init in flight (inner K1, 69 bytes). */
    record RekeyOffer(SymmetricState noise, P384KeyPair ephemeral, byte[] inner) implements Offer {}

    /** R2: our rekey answer in flight (inner K2, 69 bytes). */
    record RekeyAnswer(byte[] inner) implements Offer {}

    final Context<D> context;
    final long serial;
    final StaticPublicKey peer;
    final boolean wasBob;
    final ReentrantLock lock = new ReentrantLock();
    final ReplayWindow window = new ReplayWindow();
    /** The send counter (§7.7), shared by all key generations; updated through {@link #COUNTER}. */
    @SuppressWarnings("unused")
    private volatile long sendCounter;
    private static final java.lang.invoke.VarHandle COUNTER;

    static {
        try {
            COUNTER = java.lang.invoke.MethodHandles.lookup().findVarHandle(Session.class, "sendCounter", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    volatile State state;
    volatile Keys keys;
    volatile Headers headers;
    volatile long keyCreationCounter;
    volatile Remote remote;
    private volatile D data;

    // Guarded by lock.
    RatchetState ratchet1;
    RatchetState ratchet2;
    long resendAt = Long.MAX_VALUE;
    long timeoutAt = Long.MAX_VALUE;
    /** Set by the data path when the soft key-use limit is reached; acted on by the timer service. */
    volatile boolean rekeyWanted;
    /**
     * When {@link Context#service()} must next visit this session: its earliest timer, or
     * {@link Long#MIN_VALUE} when something needs it at once (a wanted rekey, partial packets to
     * expire). Lets the service pass skip idle sessions without taking their locks. Written after
     * the conditions it summarises, so a racing "visit me" is never lost (see {@link Timers#service}).
     */
    volatile long due = Long.MIN_VALUE;
    Offer offer;

    Session(Context<D> context, StaticPublicKey peer, D data, boolean wasBob, long firstCounter, Remote remote) {
        this.context = context;
        this.serial = context.nextSerial();
        this.peer = peer;
        this.data = data;
        this.wasBob = wasBob;
        this.sendCounter = firstCounter;
        this.remote = remote;
    }

    // ---------------------------------------------------------------- public API

    /** The peer's static public key. */
    public StaticPublicKey peer() {
        return peer;
    }

    /** The application's data for this session. */
    public D data() {
        return data;
    }

    public State state() {
        return state;
    }

    /** True once keys are confirmed in at least one direction (S1, S2, R1, R2): {@link #send} works. */
    public boolean isEstablished() {
        return state.canSend();
    }

    public boolean isExpired() {
        return state == State.EXPIRED;
    }

    /** True if this side was the responder (Bob) of the handshake that created the session. */
    public boolean wasResponder() {
        return wasBob;
    }

    /** Where packets for this session go; the transport updates it when the peer moves. */
    public Remote remote() {
        return remote;
    }

    public void setRemote(Remote remote) {
        this.remote = Objects.requireNonNull(remote, "remote");
    }

    /** Chain length of the ratchet state this session's newest keys descend from. */
    public long ratchetChainLength() {
        lock.lock();
        try {
            return ratchet1 == null ? 0 : ratchet1.chainLength();
        } finally {
            lock.unlock();
        }
    }

    /** Number of send-counter values used so far (data and control packets). */
    public long packetsSent() {
        return counter();
    }

    /**
     * Encrypts {@code payload} and sends it to {@link #remote()} as one DATA packet, fragmented to the
     * remote's MTU (spec §7.4). Safe to call from many threads at once.
     *
     * @throws DataTooLargeException     if it needs more than 48 fragments (the counter is still consumed)
     * @throws SessionStateException     if the session is not established or has expired
     */
    public void send(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        send(payload, 0, payload.length);
    }

    /** As {@link #send(byte[])} for {@code payload[off, off+len)}. */
    public void send(byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        State s = state;
        if (!s.canSend()) {
            throw new SessionStateException(s == State.EXPIRED ? "session has expired" : "session is not established yet (state " + s + ")");
        }
        Keys k = keys;
        long c = nextCounter();
        long uses = c - keyCreationCounter;
        if (Long.compareUnsigned(uses, HARD_KEY_USE_LIMIT) >= 0) { // §7.7 hard limit (§13 D7)
            expireLocked();
            throw new SessionStateException("session expired: key used 2^32-1 times without a rekey");
        }
        if (Long.compareUnsigned(uses, context.settings.rekeyAfterKeyUses()) >= 0 && state == State.S2) {
            wantRekey(); // §7.7 soft limit: rekey at the next service (in S2, fixing §13 D5)
        }
        Remote r = remote;
        int mtu = r.mtu();
        if (len > Limits.maxPayload(mtu)) {
            throw new DataTooLargeException(len, Limits.maxPayload(mtu));
        }
        KeySlot current = k.current();
        int packetLen = len + AesGcm.TAG_SIZE;
        if (Fragmenter.fragmentCount(packetLen, mtu) == 1) { // the common case: seal straight into the datagram
            int datagramLen = HEADER_SIZE + packetLen;
            byte[] buf = Fragmenter.borrowScratch(datagramLen);
            boolean scratch = buf != null;
            if (!scratch) buf = new byte[datagramLen];
            try {
                current.nkSend().seal(TYPE_DATA, c, null, payload, off, len, buf, HEADER_SIZE);
                Fragmenter.header(buf, current.sendKid(), 0, 1, TYPE_DATA, c, headers.send());
                r.send(buf, 0, datagramLen);
            } finally {
                if (scratch) Fragmenter.returnScratch();
            }
            return;
        }
        byte[] packet = new byte[packetLen];
        int n = current.nkSend().seal(TYPE_DATA, c, null, payload, off, len, packet, 0);
        Fragmenter.send(r, mtu, packet, n, current.sendKid(), TYPE_DATA, c, headers.send());
    }

    /** Expires the session now (spec: application close); its key ids stop being valid. */
    public void close() {
        expireLocked();
    }

    @Override
    public String toString() {
        return "Session[" + peer + ", " + state + (wasBob ? ", responder" : ", initiator") + "]";
    }

    // ---------------------------------------------------------------- engine internals

    /** Takes the next send-counter value (lock-free). */
    long nextCounter() {
        return (long) COUNTER.getAndAdd(this, 1L);
    }

    /** The next counter value that will be sent. */
    long counter() {
        return (long) COUNTER.getVolatile(this);
    }

    void setData(D data) {
        this.data = data;
    }

    private void expireLocked() {
        lock.lock();
        try {
            expire();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Expired state: unregister both receive kids, drop per-state data (spec §7.5), and retire every
     * key (destroyed after the grace period: a sender may have read the keys before the state
     * changed). Caller holds the lock.
     */
    void expire() {
        if (state == State.EXPIRED) return;
        state = State.EXPIRED;
        Keys k = keys;
        if (k != null) {
            context.kids.release(k.current().recvKid(), this);
            context.kids.release(k.other().recvKid(), this);
            context.retire(k.current());
            context.retire(k.other());
        }
        context.retire(headers);
        resendAt = Long.MAX_VALUE;
        timeoutAt = Long.MAX_VALUE;
        due = Long.MAX_VALUE;
        discardOffer();
        context.forget(this);
    }

    void discardOffer() {
        Offer o = offer;
        offer = null;
        if (o instanceof HelloOffer h) {
            h.noise().destroy();
            h.ephemeral().destroy();
            h.kem().destroy();
        } else if (o instanceof RekeyOffer r) {
            r.noise().destroy();
            r.ephemeral().destroy();
        }
    }

    /**
     * One idle-sweep step over every key the session holds (lock-free, like the data path): keys
     * unused for a whole sweep period give their Ciphers back (see {@link Context#CIPHER_SWEEP_MS}).
     */
    void dropIdleCiphers() {
        Keys k = keys;
        if (k != null) {
            k.current().dropIdleCiphers();
            k.other().dropIdleCiphers();
        }
        Headers h = headers;
        if (h != null) h.dropIdleCiphers();
    }

    /** Asks the next service pass to start a rekey (in S2). Lock-free. */
    void wantRekey() {
        rekeyWanted = true;
        due = Long.MIN_VALUE; // after the flag: see Timers.service
    }

    /** Sets both timers from a state entry (spec §7.2). */
    void timers(long now, long resendIn, long timeoutIn) {
        resendAt = resendIn == Long.MAX_VALUE ? Long.MAX_VALUE : now + resendIn;
        timeoutAt = now + timeoutIn;
        due = Math.min(due, Math.min(resendAt, timeoutAt));
    }

    /** The S2 timeout: {@code rekeyAfterTime − (random u64 mod jitter)}, resend never (spec §7.2). */
    void enterEstablished(long now) {
        long jitter = Long.remainderUnsigned(context.rng.nextLong(), context.settings.rekeyTimeMaxJitter());
        state = State.S2;
        resendAt = Long.MAX_VALUE;
        timeoutAt = now + context.settings.rekeyAfterTime() - jitter;
        due = Math.min(due, timeoutAt);
    }

    /**
     * Installs {@code slot} as the other slot, unregistering the old other slot's receive kid if the
     * new slot does not reuse it (the end of a remap, spec §7.5), and retiring the old other slot's
     * keys (the previous generation, or an unconfirmed one). Caller holds the lock and has
     * registered {@code slot.recvKid()} already.
     */
    void installOther(KeySlot slot) {
        Keys k = keys;
        if (k.other().recvKid() != slot.recvKid()) context.kids.release(k.other().recvKid(), this);
        keys = new Keys(k.current(), slot);
        context.retire(k.other());
    }

    /** Replaces the header keys (a new Hello), retiring the old ones. Caller holds the lock. */
    void installHeaders(Headers h) {
        Headers old = headers;
        headers = h;
        context.retire(old);
    }

    /** Sends a packet on this session's current header keys, to its remote. */
    void sendPacket(byte[] packet, int len, int kid, int type, long counter) {
        Remote r = remote;
        Fragmenter.send(r, r.mtu(), packet, len, kid, type, counter, headers.send());
    }

    /** Tag-only control packet (C1, C2): {@code GCM(kek, N(type, c), ∅, ∅)} with a fresh counter. */
    void sendTagOnly(AesGcm kek, int kid, int type) {
        long c = nextCounter();
        byte[] tag = new byte[AesGcm.TAG_SIZE];
        kek.seal(type, c, null, tag, 0, 0, tag, 0);
        sendPacket(tag, tag.length, kid, type, c);
    }
}

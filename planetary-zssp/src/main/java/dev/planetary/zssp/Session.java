package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HARD_KEY_USE_LIMIT;
import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_DATA;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.HeaderCipher;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One instance of the Zeta state machine with one remote peer (spec §7), in either role.
 *
 * <p>Thread model: handshake, rekey and timer steps run under this session's own lock; the data
 * path ({@link #send} and DATA receipt) takes no lock at all. It reads an immutable snapshot of the
 * two key slots, draws counters from an atomic, and updates a lock-free replay window, so any number
 * of threads may send and receive on one session at once.
 *
 * <p>The lock rule (stated here once): the state ({@code Zeta}, one record per state with its own
 * data), the ratchet pair, the timers and every change of the key slots or header keys are read and
 * written under the session's lock; the fields the data path reads without it are volatile and
 * replaced whole. The state changes in one place, {@code enter}, which checks that the caller holds
 * the lock.
 */
public final class Session<D> {

    /** The names of the states of spec §7.2 (the engine's state records are {@code Zeta}). */
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
        EXPIRED
    }

    /**
     * Both key slots, swapped as a unit (spec §7.6), with each slot's receive kid and DATA receive
     * key copied beside them, so that DATA receipt reads this object and the key, not the slots too
     * (docs/architecture.md, "The DATA receive path": one cache line fewer per packet).
     */
    record Keys(KeySlot current, KeySlot other, int currentKid, AesGcm currentData, int otherKid, AesGcm otherData) {
        Keys(KeySlot current, KeySlot other) {
            this(current, other, current.recvKid(), current.nkRecv(), other.recvKid(), other.nkRecv());
        }

        Keys flip() {
            return new Keys(other, current);
        }

        /** The DATA receive key of the slot whose receive kid is {@code kid}, or null (no such slot, or no keys yet). */
        AesGcm dataKey(int kid) {
            if (currentKid == kid) return currentData;
            return otherKid == kid ? otherData : null;
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

    /**
     * The state and its data; changed only by {@link #enter}. Null only while the session is being
     * created (an initiator's, between {@link Context#track} and its first Hello).
     */
    volatile Zeta zeta;
    volatile Keys keys;
    volatile Headers headers;
    /**
     * {@code headers.recv()}, read by every received datagram without going through {@link Headers}
     * (one cache line fewer per packet); set with {@link #headers} by {@link #installHeaders}.
     */
    volatile HeaderCipher headerRecv;
    volatile long keyCreationCounter;
    volatile Remote remote;
    private volatile D data;
    /** Where DATA payloads are decrypted into ({@link #receiveArrays}); null: a new array each. */
    private volatile java.util.function.IntFunction<byte[]> receiveArrays;

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
    /** The time of this session's live entry in the context's {@link TimerQueue}; MAX_VALUE when none. */
    volatile long queuedAt = Long.MAX_VALUE;
    /** Which of the queue's entries for this session is the live one (guarded by the queue). */
    int timerStamp;
    /** In the context's session map ({@link Context#track} until {@link Context#forget}): only then queued. */
    volatile boolean tracked;

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

    /** The current state's name (A1 for an initiator's session still being created). */
    public State state() {
        Zeta z = zeta;
        return z == null ? State.A1 : z.state();
    }

    /** True once keys are confirmed in at least one direction (S1, S2, R1, R2): {@link #send} works. */
    public boolean isEstablished() {
        return zeta instanceof Zeta.Established;
    }

    public boolean isExpired() {
        return zeta instanceof Zeta.Expired;
    }

    /** True if this side was the responder (Bob) of the handshake that created the session. */
    public boolean wasResponder() {
        return wasBob;
    }

    /** Where packets for this session go; the transport updates it when the peer moves. */
    public Remote remote() {
        return remote;
    }

    /** Package-private: Planetary's transport and VL1 reach it through {@code EngineAccess.setRemote}. */
    void setRemote(Remote remote) {
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

    /**
     * DATA payloads of this session are decrypted into arrays from {@code arrays} (each exactly the
     * payload's length, which the decryption overwrites whole) instead of new ones, so a receiver that
     * is done with a payload may hand its array back for the next (issue 19: no fresh 64 KiB array per
     * packet). Null restores new arrays. The wire and the checks are the same either way; an array
     * whose packet fails authentication or replay is simply not delivered.
     */
    public void receiveArrays(java.util.function.IntFunction<byte[]> arrays) {
        this.receiveArrays = arrays;
    }

    /** An array for a DATA payload of {@code length} bytes (see {@link #receiveArrays}). */
    byte[] receiveArray(int length) {
        java.util.function.IntFunction<byte[]> a = receiveArrays;
        if (a == null) return new byte[length];
        byte[] b = a.apply(length);
        if (b == null || b.length != length) throw new IllegalStateException("receiveArrays gave " + (b == null ? "null" : b.length + " bytes") + " for a payload of " + length);
        return b;
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
        Zeta z = zeta; // the data path's one read of the state
        if (!(z instanceof Zeta.Established)) {
            throw new SessionStateException(z instanceof Zeta.Expired ? "session has expired" : "session is not established yet (state " + state() + ")");
        }
        Keys k = keys;
        long c = nextCounter();
        long uses = c - keyCreationCounter;
        if (Long.compareUnsigned(uses, HARD_KEY_USE_LIMIT) >= 0) { // §7.7 hard limit (§13 D7)
            lockAndExpire(Transition.Cause.HARD_LIMIT);
            throw new SessionStateException("session expired: key used 2^32-1 times without a rekey");
        }
        if (Long.compareUnsigned(uses, context.settings.rekeyAfterKeyUses()) >= 0 && z instanceof Zeta.S2) {
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
        lockAndExpire(Transition.Cause.CLOSE);
    }

    @Override
    public String toString() {
        return "Session[" + peer + ", " + state() + (wasBob ? ", responder" : ", initiator") + "]";
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

    private void lockAndExpire(Transition.Cause cause) {
        lock.lock();
        try {
            expire(cause);
        } finally {
            lock.unlock();
        }
    }

    /** Enters Expired, unless the session is there already. */
    void expire(Transition.Cause cause) {
        if (!(zeta instanceof Zeta.Expired)) enter(Zeta.Expired.INSTANCE, cause, Long.MIN_VALUE);
    }

    /**
     * The one place the state changes (spec §7.2), under the lock: leaves the current state (wiping
     * its own secrets), enters {@code next} with its timers ("entering a state sets both timers"),
     * and reports the {@link Transition} to the application. Entering Expired also unregisters both
     * receive kids and retires every key (spec §7.5; destroyed after the grace period, as a sender
     * may have read the keys before the state changed), and leaves the context's tables.
     *
     * @param now the time, for the new state's timers (unused for Expired)
     */
    void enter(Zeta next, Transition.Cause cause, long now) {
        if (!lock.isHeldByCurrentThread()) throw new IllegalStateException("a session's state changed without its lock");
        Zeta was = zeta;
        if (was instanceof Zeta.Expired) throw new IllegalStateException("an expired session cannot enter " + next.state());
        zeta = next;
        if (was != null) was.destroySecrets();
        Settings st = context.settings;
        if (next instanceof Zeta.Expired) {
            leave();
        } else if (next instanceof Zeta.S2) { // timeout rekeyAfterTime − (random u64 mod jitter), resend never
            long jitter = Long.remainderUnsigned(context.rng.nextLong(), st.rekeyTimeMaxJitter());
            resendAt = Long.MAX_VALUE;
            timeoutAt = now + st.rekeyAfterTime() - jitter;
            visitBy(timeoutAt);
        } else {
            resendAt = now + st.resendTime();
            timeoutAt = now + Zeta.timeoutInterval(next, st);
            visitBy(Math.min(resendAt, timeoutAt));
        }
        context.app.stateChanged(new Transition<>(this, was == null ? null : was.state(), next.state(), cause));
        if (next instanceof Zeta.Expired) context.app.sessionExpired(this);
    }

    /** Entering Expired: no kid, no key, no timer, no longer in the context's tables (spec §7.5). */
    private void leave() {
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
        context.forget(this);
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
        visitBy(Long.MIN_VALUE); // after the flag: see Timers.service
    }

    /**
     * Asks for a {@link Context#service()} visit at {@code at} or earlier: lowers {@link #due} and
     * queues the visit (lock-free when one is queued by then already).
     */
    void visitBy(long at) {
        if (at < due) due = at;
        context.schedule(this, at);
    }

    /**
     * Asks the next {@link Context#service()} pass, whenever the caller runs it, to visit this
     * session (partial packets to expire), without asking for that pass sooner: no
     * {@link Application#timersChanged()} per fragmented packet.
     */
    void visitAtNextPass() {
        due = Long.MIN_VALUE;
        if (tracked) context.timers.schedule(this, Long.MIN_VALUE);
    }

    /**
     * Installs {@code slot} as the other slot, unregistering the old other slot's receive kid if the
     * new slot does not reuse it (the end of a remap, spec §7.5), and retiring the old other slot's
     * keys (the previous generation, or an unconfirmed one). The caller has registered
     * {@code slot.recvKid()} already.
     */
    void installOther(KeySlot slot) {
        Keys k = keys;
        if (k.other().recvKid() != slot.recvKid()) context.kids.release(k.other().recvKid(), this);
        keys = new Keys(k.current(), slot);
        context.retire(k.other());
    }

    /** Replaces the header keys (a new Hello), retiring the old ones. */
    void installHeaders(Headers h) {
        Headers old = headers;
        headers = h;
        headerRecv = h.recv();
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

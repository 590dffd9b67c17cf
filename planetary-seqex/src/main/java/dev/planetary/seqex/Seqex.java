package dev.planetary.seqex;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A thread-safe SEQEX endpoint for one peer: the {@link SeqexCore} behind one
 * {@link ReentrantLock}, with blocking and {@link CompletableFuture} APIs per {@link Channel}.
 *
 * <p>Datagrams are handed to the {@link Carrier} and futures are completed after the lock is
 * released, so carriers may deliver synchronously to another endpoint and future callbacks may call
 * back into this one. Timers run either from the caller's loop ({@link #service()}) or from
 * {@link #startServiceThread()}.
 *
 * <pre>{@code
 * Seqex seqex = new Seqex(new ZsspCarrier(session), SeqexConfig.defaults(), Seqex.systemClock());
 * seqex.startServiceThread();
 * // transport: on Event.Data d -> seqex.receive(d.payload())
 * Channel control = seqex.channel(0);
 * byte[] answer = control.request("hello".getBytes());
 * }</pre>
 */
public final class Seqex implements AutoCloseable {

    /** A queued send or reply (also the attachment the core hands back). */
    static final class Op {
        final int channel;
        final byte[] payload;
        final int off;
        final int len;
        final boolean seqCst;
        final boolean expectReply;
        final Message replyTo; // non-null for replies
        final CompletableFuture<Void> accepted; // null for a blocking op: its caller waits on inWindow (no future, no callback per packet)
        final CompletableFuture<byte[]> replyFuture;
        boolean inWindow;
        byte[] reply;
        RuntimeException error;

        Op(int channel, byte[] payload, boolean seqCst, boolean expectReply, Message replyTo, boolean async) {
            this(channel, payload, 0, payload.length, seqCst, expectReply, replyTo, async);
        }

        Op(int channel, byte[] payload, int off, int len, boolean seqCst, boolean expectReply, Message replyTo, boolean async) {
            this.channel = channel;
            this.payload = payload;
            this.off = off;
            this.len = len;
            this.seqCst = seqCst;
            this.expectReply = expectReply;
            this.replyTo = replyTo;
            this.accepted = async ? new CompletableFuture<>() : null;
            this.replyFuture = expectReply && async ? new CompletableFuture<>() : null;
        }
    }

    private final class ChanState {
        final int id;
        final ArrayDeque<Op> replies = new ArrayDeque<>();
        final ArrayDeque<Op> sends = new ArrayDeque<>();
        final ArrayDeque<Message> inbox = new ArrayDeque<>();
        final ArrayDeque<CompletableFuture<Message>> receivers = new ArrayDeque<>();
        /** Senders wait here (window room, replies); receivers wait on {@link #readable}: an ACK wakes no reader, a payload no sender. */
        final Condition sendable = lock.newCondition();
        final Condition readable = lock.newCondition();
        boolean dirty;
        /** Callbacks of a channel served without a thread of its own ({@link Channel#onReady}), and whether each is armed. */
        Runnable onReadable;
        Runnable onSendable;
        boolean wantRead;
        boolean wantSend;
        int wantLen; // the length of the payload trySendSeqCst could not send: the receive window the peer advertises must take it

        ChanState(int id) {
            this.id = id;
        }
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition timer = lock.newCondition();
    private final SeqexCore core;
    private final Carrier carrier;
    private final LongSupplier clock;
    private final ChanState[] chans;
    private final List<ChanState> active = new ArrayList<>();
    private final List<ChanState> dirty = new ArrayList<>();
    /** Datagrams to send once the lock is released: byte[] (the carrier may keep it) or a pinned {@link PacketPool.OutPacket}. */
    private List<Object> outbox = new ArrayList<>();
    private List<Runnable> actions = new ArrayList<>();
    private final int maxQueued;
    private boolean closed;
    private long timerWakeAt = Long.MAX_VALUE;
    /** A payload scheduled a delayed ACK since the service thread last slept (see {@link #serviceLoop}). */
    private boolean ackActivity;
    private Thread serviceThread;
    /** Takes back the datagrams of {@link #receiveOwned} once done with them ({@link #recycleReceived}); null: none. */
    private volatile java.util.function.Consumer<byte[]> recycler;

    /**
     * @param clock milliseconds (any epoch); {@link #systemClock()} for real time, a virtual clock in tests
     */
    public Seqex(Carrier carrier, SeqexConfig config, LongSupplier clock) {
        this.carrier = Objects.requireNonNull(carrier, "carrier");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.core = new SeqexCore(config, new Outbox(carrier.keepsPackets()), new Listener());
        this.chans = new ChanState[config.maxChannels()];
        this.maxQueued = Math.max(1024, 4 * config.window());
    }

    /** As {@link #Seqex(Carrier, SeqexConfig, LongSupplier)}, with receive limits against a hostile peer ({@link SeqexCore#restrict}). */
    public Seqex(Carrier carrier, SeqexConfig config, LongSupplier clock, java.util.function.IntPredicate channelOpen, int maxHeldPackets) {
        this(carrier, config, clock);
        core.restrict(channelOpen, maxHeldPackets);
    }

    /** As above, with the held packets also bounded in payload bytes ({@link SeqexCore#restrict(java.util.function.IntPredicate, int, long)}). */
    public Seqex(Carrier carrier, SeqexConfig config, LongSupplier clock, java.util.function.IntPredicate channelOpen, int maxHeldPackets, long maxHeldBytes) {
        this(carrier, config, clock);
        core.restrict(channelOpen, maxHeldPackets, maxHeldBytes);
    }

    /** A monotonic millisecond clock. */
    public static LongSupplier systemClock() {
        return () -> System.nanoTime() / 1_000_000L;
    }

    public SeqexConfig config() {
        return core.config();
    }

    /** The handle of channel {@code id} in {@code [0, maxChannels)}. */
    public Channel channel(int id) {
        if (id < 0 || id >= chans.length) throw new IllegalArgumentException("channel must be in [0, " + chans.length + "), got " + id);
        return new Channel(this, id);
    }

    // ---------------------------------------------------------------- transport side

    /** Hands one datagram from the peer to SEQEX. Never throws for bad input (see {@link #stats()}). */
    public void receive(byte[] datagram) {
        receive(datagram, false);
    }

    /**
     * As {@link #receive(byte[])}, but the array becomes this endpoint's: payloads are delivered without
     * a copy, sharing it ({@link Message#payloadBuffer()}), so the caller must never modify it
     * afterwards. For a datagram made for this call alone, such as a freshly decrypted ZSSP payload.
     */
    public void receiveOwned(byte[] datagram) {
        receive(datagram, true);
    }

    /**
     * Hands the arrays of {@link #receiveOwned} back to {@code recycler} once this endpoint is done with
     * them (docs/seqex.md "Pooled packets"): at once when the datagram delivered nothing (an ACK, a
     * duplicate, a drop), else when the message it delivered is freed by the next {@link
     * Channel#receiveBatch}/{@link Channel#pollBatch} or {@link Channel#consumed} — so such a batch's
     * messages must be read (and their {@link Message#payloadBuffer()} views written) before they are
     * freed; reading one afterwards throws. Messages taken by {@code receive}, {@code poll} or
     * {@code receiveAsync} stay the application's and are never recycled; neither are the datagrams
     * still buffered when the endpoint closes. Set it before the first datagram; null stops it.
     */
    public void recycleReceived(java.util.function.Consumer<byte[]> recycler) {
        this.recycler = recycler;
    }

    private void receive(byte[] datagram, boolean owned) {
        java.util.function.Consumer<byte[]> r = owned ? recycler : null;
        boolean done = false;
        lock.lock();
        try {
            if (closed) return;
            if (r != null) done = !core.receiveLent(datagram, clock.getAsLong());
            else if (owned) core.receiveOwned(datagram, clock.getAsLong());
            else core.receive(datagram, clock.getAsLong());
            settle();
            if (core.ackDeadline() != Long.MAX_VALUE) {
                ackActivity = true;
                if (core.ackDeadline() < timerWakeAt) timer.signal(); // a delayed ACK is due before the timer wakes
            }
            if (core.timerHint() < timerWakeAt) timer.signal(); // a reorder timer or probe is due before the timer wakes
        } finally {
            unlockAndFlush();
            if (done && datagram != null) r.accept(datagram); // nothing refers to it any more
        }
    }

    /** Runs due resends; returns milliseconds until it should be called again (Long.MAX_VALUE: idle). */
    public long service() {
        lock.lock();
        try {
            if (closed) return Long.MAX_VALUE;
            long now = clock.getAsLong();
            long next = core.service(now);
            settle();
            return next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, next - now);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Starts a virtual thread that calls {@link #service()} when due (woken early by new sends) until
     * {@link #close()}. Uses the endpoint's clock for deadlines and real time for sleeping.
     */
    public Thread startServiceThread() {
        return startServiceThread(Thread.ofVirtual().name("seqex-service"));
    }

    /**
     * As {@link #startServiceThread()} on a thread made by {@code builder}: a platform thread wakes
     * for a timer or a delayed ACK with one futex call, a virtual one through its scheduler's threads
     * (BENCHMARKS.md, issue 19 sixth round), so a bulk endpoint may prefer one.
     */
    public Thread startServiceThread(Thread.Builder builder) {
        java.util.Objects.requireNonNull(builder, "builder");
        lock.lock();
        try {
            if (serviceThread != null) return serviceThread;
            serviceThread = builder.unstarted(this::serviceLoop);
            serviceThread.start();
            return serviceThread;
        } finally {
            lock.unlock();
        }
    }

    private void serviceLoop() {
        while (true) {
            long wait = service();
            lock.lock();
            try {
                if (closed) return;
                long now = clock.getAsLong();
                long next = core.nextDeadline();
                wait = next == Long.MAX_VALUE ? 1_000 : Math.max(1, next - now);
                if (ackActivity && core.config().ackDelayMillis() > 0) {
                    // While payloads keep arriving, tick every ACK delay instead of being signalled for each
                    // delayed ACK: a receiver then wakes this thread once per delay, not once per ACK.
                    wait = Math.min(wait, core.config().ackDelayMillis());
                    ackActivity = false;
                }
                timerWakeAt = now + wait;
                timer.await(wait, TimeUnit.MILLISECONDS);
                timerWakeAt = Long.MAX_VALUE;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }

    /** The arrays of sent payload packets kept for reuse, or null when the carrier keeps its packets (tests). */
    PacketPool packetPool() {
        return core.packetPool();
    }

    public Stats stats() {
        lock.lock();
        try {
            return core.stats();
        } finally {
            lock.unlock();
        }
    }

    /** Current base resend timeout in ms. */
    public long rto() {
        lock.lock();
        try {
            return core.rto();
        } finally {
            lock.unlock();
        }
    }

    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the endpoint locally: nothing more is sent or delivered, and every waiter (blocked
     * sends, requests, receives, and all pending futures) fails with {@link ClosedException}.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            ClosedException ex = new ClosedException();
            for (Object a : core.close()) if (a instanceof Op op) fail(op, ex);
            for (ChanState cs : active) {
                for (Op op : cs.replies) fail(op, ex);
                for (Op op : cs.sends) fail(op, ex);
                cs.replies.clear();
                cs.sends.clear();
                cs.inbox.clear();
                for (CompletableFuture<Message> f : cs.receivers) actions.add(() -> f.completeExceptionally(ex));
                cs.receivers.clear();
                cs.sendable.signalAll();
                cs.readable.signalAll();
                if (cs.onReadable != null) actions.add(cs.onReadable); // they find the endpoint closed
                if (cs.onSendable != null) actions.add(cs.onSendable);
            }
            timer.signalAll();
        } finally {
            unlockAndFlush();
        }
    }

    // ---------------------------------------------------------------- channel operations

    byte[] sendBlocking(int ch, byte[] payload, boolean seqCst, boolean expectReply) throws InterruptedException {
        return sendBlocking(ch, checkPayload(payload), 0, payload.length, seqCst, expectReply);
    }

    /** Blocks until {@code payload[off, off+len)} is in the send window (copied into its packet) and, for a request, answered. */
    byte[] sendBlocking(int ch, byte[] payload, int off, int len, boolean seqCst, boolean expectReply) throws InterruptedException {
        Objects.checkFromIndexSize(off, len, payload.length);
        checkLength(len);
        Op op = new Op(ch, payload, off, len, seqCst, expectReply, null, false);
        lock.lock();
        try {
            ChanState cs = open(ch);
            cs.sends.add(op);
            pump(cs);
            try {
                while (op.error == null && !op.inWindow) cs.sendable.await();
                while (expectReply && op.error == null && op.reply == null) cs.sendable.await();
            } catch (InterruptedException e) {
                if (!op.inWindow) cs.sends.remove(op);
                throw e;
            }
            if (op.error != null) throw op.error;
            return op.reply;
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Our ACKs advertise each channel's free receive bytes from now on ({@link SeqexCore#advertiseWindow}):
     * call it once the peer is known to understand them.
     */
    public void advertiseWindow() {
        lock.lock();
        try {
            core.advertiseWindow();
        } finally {
            lock.unlock();
        }
    }

    /** Shares the receive buffer among the channels ({@link SeqexCore#sharePool}); before the first {@link #receive}. */
    public void sharePool(long guaranteedPerChannel, long sharedBytes) {
        lock.lock();
        try {
            core.sharePool(guaranteedPerChannel, sharedBytes);
        } finally {
            lock.unlock();
        }
    }

    /** The free receive bytes the peer last advertised for {@code channel}, -1 if none ({@link SeqexCore#peerWindow}). */
    public long peerWindow(int channel) {
        lock.lock();
        try {
            return core.peerWindow(channel);
        } finally {
            lock.unlock();
        }
    }

    void limitSend(int ch, int packets) {
        lock.lock();
        try {
            ChanState cs = open(ch);
            core.limitSend(ch, packets);
            pump(cs);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Sends {@code payload[off, off+len)} as a SeqCst payload if the channel's window has room and no
     * send is queued before it; otherwise sends nothing, arms the channel's sendable callback and returns false.
     */
    boolean trySendSeqCst(int ch, byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        checkLength(len);
        lock.lock();
        try {
            ChanState cs = open(ch);
            if (cs.sends.isEmpty()) { // through pump(), the one place that decides what may be sent
                Op op = new Op(ch, payload, off, len, true, false, null, false);
                cs.sends.add(op);
                pump(cs);
                if (op.inWindow) return true;
                cs.sends.remove(op);
            }
            cs.wantSend = true; // pump() runs onSendable once there is room
            cs.wantLen = len;
            return false;
        } finally {
            unlockAndFlush();
        }
    }

    /** Sets the callbacks of {@link Channel#onReady}; null clears one. Both start disarmed. */
    void onReady(int ch, Runnable readable, Runnable sendable) {
        lock.lock();
        try {
            ChanState cs = open(ch);
            cs.onReadable = readable;
            cs.onSendable = sendable;
            cs.wantRead = false;
            cs.wantSend = false;
        } finally {
            unlockAndFlush();
        }
    }

    Op sendAsync(int ch, byte[] payload, boolean seqCst, boolean expectReply) {
        Op op = new Op(ch, checkPayload(payload), seqCst, expectReply, null, true);
        lock.lock();
        try {
            if (closed) {
                fail(op, new ClosedException());
                return op;
            }
            ChanState cs = state(ch);
            if (cs.sends.size() >= maxQueued) {
                fail(op, new SeqexException("more than " + maxQueued + " sends queued on channel " + ch + "; wait for earlier futures"));
                return op;
            }
            cs.sends.add(op);
            pump(cs);
            return op;
        } finally {
            unlockAndFlush();
        }
    }

    void replyBlocking(Message m, byte[] payload, boolean seqCst) throws InterruptedException {
        Op op = new Op(m.channel(), checkPayload(payload), seqCst, false, m, false);
        lock.lock();
        try {
            ChanState cs = open(m.channel());
            claimReply(m);
            cs.replies.add(op);
            pump(cs);
            try {
                while (op.error == null && !op.inWindow) cs.sendable.await();
            } catch (InterruptedException e) {
                if (!op.inWindow && cs.replies.remove(op)) m.replied = false;
                throw e;
            }
            if (op.error != null) throw op.error;
        } finally {
            unlockAndFlush();
        }
    }

    CompletableFuture<Void> replyAsync(Message m, byte[] payload, boolean seqCst) {
        Op op = new Op(m.channel(), checkPayload(payload), seqCst, false, m, true);
        lock.lock();
        try {
            if (closed) {
                fail(op, new ClosedException());
                return op.accepted;
            }
            ChanState cs = state(m.channel());
            claimReply(m);
            cs.replies.add(op);
            pump(cs);
            return op.accepted;
        } finally {
            unlockAndFlush();
        }
    }

    private static void claimReply(Message m) {
        if (!m.expectsReply()) throw new IllegalStateException("message " + m + " is not a request");
        if (m.replied) throw new IllegalStateException("message " + m + " was already answered");
        m.replied = true;
    }

    Message receiveBlocking(int ch, long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            ChanState cs = open(ch);
            long left = timeoutNanos;
            while (cs.inbox.isEmpty()) {
                if (timeoutNanos < 0) cs.readable.await();
                else if (left <= 0) return null;
                else left = cs.readable.awaitNanos(left);
                if (closed) throw new ClosedException();
            }
            return take(cs);
        } finally {
            unlockAndFlush();
        }
    }

    /**
     * Frees the slots of the messages already in {@code into} (the previous batch, done with; those
     * freed already are skipped) and clears it; then waits for at least one buffered message of {@code ch} and moves up to
     * {@code max} of them into {@code into}, stopping after the first that {@code last} accepts. They
     * stay counted in the receive buffer until the next call or {@link #consumed(Message)}. One lock
     * round per batch.
     */
    int receiveBatch(int ch, List<Message> into, int max, java.util.function.Predicate<Message> last) throws InterruptedException {
        return takeBatch(ch, into, max, last, true);
    }

    /** {@link #receiveBatch} without waiting: 0 if nothing is buffered, and then the channel's readable callback is armed. */
    int pollBatch(int ch, List<Message> into, int max, java.util.function.Predicate<Message> last) {
        try {
            return takeBatch(ch, into, max, last, false);
        } catch (InterruptedException e) {
            throw new AssertionError("pollBatch never waits", e);
        }
    }

    private int takeBatch(int ch, List<Message> into, int max, java.util.function.Predicate<Message> last, boolean wait) throws InterruptedException {
        if (max < 1) throw new IllegalArgumentException("max must be positive, got " + max);
        Objects.requireNonNull(into, "into");
        Objects.requireNonNull(last, "last");
        lock.lock();
        try {
            for (Message m : into) if (m.held) checkHeld(m, ch); // one freed already (consumed) is just dropped from the list
            if (!closed) for (Message m : into) if (m.held) release(m);
            into.clear();
            ChanState cs = open(ch);
            while (cs.inbox.isEmpty()) {
                if (!wait) {
                    cs.wantRead = true; // the next delivery runs onReadable
                    return 0;
                }
                if (lock.getHoldCount() == 1 && (!outbox.isEmpty() || !actions.isEmpty())) {
                    // freeing slots may have queued a window-open ACK: send it before sleeping, not with the next lock round
                    unlockAndFlush();
                    lock.lock();
                    open(ch);
                    continue;
                }
                cs.readable.await();
                if (closed) throw new ClosedException();
            }
            int n = 0;
            while (n < max && !cs.inbox.isEmpty()) {
                Message m = cs.inbox.poll();
                m.held = true;
                into.add(m);
                n++;
                if (last.test(m)) break;
            }
            return n;
        } finally {
            unlockAndFlush();
        }
    }

    /** Frees the receive-buffer slot of a message taken by {@link #receiveBatch}. */
    void consumed(Message m) {
        lock.lock();
        try {
            checkHeld(m, m.channel());
            if (!closed) release(m);
        } finally {
            unlockAndFlush();
        }
    }

    private void checkHeld(Message m, int ch) {
        if (m.owner() != this || !m.held || m.channel() != ch) {
            throw new IllegalStateException("message " + m + " was not taken by receiveBatch on channel " + ch + ", or is consumed already");
        }
    }

    private void release(Message m) {
        m.held = false;
        core.consumed(m.channel(), m.seq(), m.payloadLength(), clock.getAsLong());
        java.util.function.Consumer<byte[]> r = recycler;
        if (r != null && m.sharesDatagram()) { // a batch's message, freed: its reader is done with it (recycleReceived)
            m.recycled = true;
            r.accept(m.datagram());
        }
    }

    Message poll(int ch) {
        lock.lock();
        try {
            ChanState cs = open(ch);
            return cs.inbox.isEmpty() ? null : take(cs);
        } finally {
            unlockAndFlush();
        }
    }

    CompletableFuture<Message> receiveAsync(int ch) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (closed) {
                f.completeExceptionally(new ClosedException());
                return f;
            }
            ChanState cs = state(ch);
            cs.receivers.add(f);
            dispatch(cs);
            return f;
        } finally {
            unlockAndFlush();
        }
    }

    // ---------------------------------------------------------------- internals (lock held)

    private byte[] checkPayload(byte[] payload) {
        checkLength(Objects.requireNonNull(payload, "payload").length);
        return payload;
    }

    private void checkLength(int len) {
        if (len > core.config().maxPayload()) {
            throw new IllegalArgumentException("payload is " + len + " bytes; at most " + core.config().maxPayload() + " fit in a packet");
        }
    }

    private ChanState open(int ch) {
        if (closed) throw new ClosedException();
        return state(ch);
    }

    private ChanState state(int ch) {
        ChanState cs = chans[ch];
        if (cs == null) {
            cs = new ChanState(ch);
            chans[ch] = cs;
            active.add(cs);
        }
        return cs;
    }

    private Message take(ChanState cs) {
        Message m = cs.inbox.poll();
        core.consumed(cs.id, m.seq(), m.payloadLength(), clock.getAsLong());
        return m;
    }

    /** Moves queued ops into the send window while it has room (replies first). */
    private void pump(ChanState cs) {
        boolean moved = false;
        long now = clock.getAsLong();
        while (!closed) {
            Op op;
            if (!cs.replies.isEmpty() && core.canReply(cs.id)) op = cs.replies.poll();
            else if (!cs.sends.isEmpty() && core.canSend(cs.id, cs.sends.peek().len)) op = cs.sends.poll();
            else break;
            if (op.replyTo != null) core.reply(cs.id, op.replyTo.seq(), op.payload, op.seqCst, op, now);
            else core.send(cs.id, op.payload, op.off, op.len, op.seqCst, op.expectReply, op, now);
            op.inWindow = true;
            if (op.accepted != null) actions.add(() -> op.accepted.complete(null));
            moved = true;
        }
        if (moved) {
            cs.sendable.signalAll();
            // packets sent now time out at now + rto; earlier deadlines are already in timerWakeAt
            if (now + core.rto() < timerWakeAt || core.timerHint() < timerWakeAt) timer.signal();
        }
        if (cs.wantSend && !closed && cs.sends.isEmpty() && core.canSend(cs.id, cs.wantLen)) {
            cs.wantSend = false;
            if (cs.onSendable != null) actions.add(cs.onSendable);
        }
    }

    /** Hands buffered messages to async receivers (dropping cancelled ones) and wakes blocked readers. */
    private void dispatch(ChanState cs) {
        while (!cs.inbox.isEmpty() && !cs.receivers.isEmpty()) {
            CompletableFuture<Message> f = cs.receivers.poll();
            if (f.isDone()) continue;
            Message m = take(cs);
            actions.add(() -> {
                if (!f.complete(m)) requeue(m); // cancelled meanwhile: keep the message for the next reader
            });
        }
        if (!cs.inbox.isEmpty()) {
            cs.readable.signalAll();
            if (cs.wantRead) {
                cs.wantRead = false;
                if (cs.onReadable != null) actions.add(cs.onReadable);
            }
        }
    }

    private void requeue(Message m) {
        lock.lock();
        try {
            if (closed) return;
            ChanState cs = state(m.channel());
            cs.inbox.addFirst(m); // already counted as consumed by the core (documented slack)
            dispatch(cs);
        } finally {
            unlockAndFlush();
        }
    }

    private void settle() {
        for (ChanState cs : dirty) {
            cs.dirty = false;
            dispatch(cs);
            pump(cs);
        }
        dirty.clear();
    }

    private void markDirty(ChanState cs) {
        if (!cs.dirty) {
            cs.dirty = true;
            dirty.add(cs);
        }
    }

    private void fail(Op op, RuntimeException ex) {
        op.error = ex;
        if (op.accepted == null && op.replyFuture == null) return; // a blocking op: its caller sees op.error
        actions.add(() -> {
            if (op.accepted != null) op.accepted.completeExceptionally(ex);
            if (op.replyFuture != null) op.replyFuture.completeExceptionally(ex);
        });
    }

    private void unlockAndFlush() {
        List<Object> out = null;
        List<Runnable> acts = null;
        if (lock.getHoldCount() == 1) {
            if (!outbox.isEmpty()) {
                out = outbox;
                outbox = new ArrayList<>();
            }
            if (!actions.isEmpty()) {
                acts = actions;
                actions = new ArrayList<>();
            }
        }
        lock.unlock();
        if (out != null) {
            for (Object o : out) {
                PacketPool.OutPacket p = o instanceof PacketPool.OutPacket q ? q : null;
                try {
                    if (p == null) carrier.send((byte[]) o);
                    else carrier.send(p.bytes, 0, p.length);
                } catch (RuntimeException e) {
                    // loss; the core resends
                } finally {
                    if (p != null) p.release(); // sent (encrypted): only now may the array go back to the pool
                }
            }
        }
        if (acts != null) for (Runnable r : acts) r.run();
    }

    /** The core's carrier: queues datagrams under the lock for {@link #unlockAndFlush} to send after it. */
    private final class Outbox implements SeqexCore.Outbox {
        private final boolean keepsPackets;

        Outbox(boolean keepsPackets) {
            this.keepsPackets = keepsPackets;
        }

        @Override
        public void send(byte[] payload) {
            outbox.add(payload);
        }

        @Override
        public void send(PacketPool.OutPacket packet) {
            packet.pin(); // the queued transmission owns the array until unlockAndFlush has sent it
            outbox.add(packet);
        }

        @Override
        public boolean keepsPackets() {
            return keepsPackets;
        }
    }

    private final class Listener implements SeqexCore.Listener {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
            onMessage(channel, seq, payload, 0, payload.length, seqCst, expectsReply);
        }

        @Override
        public void onMessage(int channel, int seq, byte[] buf, int off, int len, boolean seqCst, boolean expectsReply) {
            ChanState cs = state(channel);
            cs.inbox.add(new Message(Seqex.this, channel, seq, buf, off, len, seqCst, expectsReply));
            markDirty(cs);
        }

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {
            ChanState cs = state(channel);
            if (attachment instanceof Op op) {
                op.reply = payload;
                if (op.replyFuture != null) actions.add(() -> op.replyFuture.complete(payload));
                cs.sendable.signalAll();
            }
            markDirty(cs);
        }

        @Override
        public void onAcked(int channel, int seq, Object attachment) {
            markDirty(state(channel));
        }

        @Override
        public void onWindow(int channel) {
            markDirty(state(channel));
        }
    }
}

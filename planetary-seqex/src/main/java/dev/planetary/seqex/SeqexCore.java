package dev.planetary.seqex;

import dev.planetary.seqex.Codec.Packet;
import dev.planetary.seqex.PacketPool.OutPacket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The sans-IO SEQEX state machine for one peer: every channel's send window, receive window and
 * resend timers. It performs no I/O and reads no clock: datagrams go out through the
 * {@link Carrier}, arrive through {@link #receive}, deliveries come back through the
 * {@link Listener}, and the caller passes the current time (milliseconds, any epoch) to every call
 * and calls {@link #service} by the deadline {@link #nextDeadline()} returns.
 *
 * <p>Not thread-safe: use it from one thread or under one lock ({@link Seqex} does the latter).
 * Listener callbacks run synchronously inside the calls and must not call back into the core.
 *
 * <h2>Memory bounds (hostile peer included)</h2>
 * Per channel: at most {@code 2 * window} send entries (payloads use {@code window}, replies may
 * run {@code window} further); at most {@code 2 * window - 1} held (out-of-order SeqCst) packets;
 * payloads are accepted only while delivered-but-unconsumed messages are below
 * {@code receiveCapacity} and their payload bytes stay within {@link SeqexConfig#receiveBytes()}, so
 * unconsumed + held never exceeds {@code receiveCapacity + 2 * window - 1};
 * at most {@code window} delivered requests await a reply. Every packet is at most {@code maxPacketSize} bytes, and at
 * most {@code maxChannels} channels exist.
 */
public final class SeqexCore {

    /** Deliveries to the application. Called inside core methods; must not re-enter the core. */
    public interface Listener {
        /**
         * A payload, delivered exactly once. The application must later call
         * {@link SeqexCore#consumed} once for it, and if {@code expectsReply}, answer it with
         * {@link SeqexCore#reply}.
         */
        void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply);

        /**
         * As {@link #onMessage(int, int, byte[], boolean, boolean)} for the payload
         * {@code buf[off, off+len)}, which may share the array of a datagram given to
         * {@link SeqexCore#receiveOwned}; by default a copy of its own length goes to the other method.
         */
        default void onMessage(int channel, int seq, byte[] buf, int off, int len, boolean seqCst, boolean expectsReply) {
            onMessage(channel, seq, Codec.exact(buf, off, len), seqCst, expectsReply);
        }

        /** The reply to our request {@code requestSeq} (sent with {@code attachment}), exactly once. */
        void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst);

        /** A packet we sent without expecting a reply was acknowledged: window space was freed. */
        default void onAcked(int channel, int seq, Object attachment) {}

        /**
         * The peer's advertised receive window for {@code channel} grew, or a zero-window probe may go
         * out (docs/seqex.md §4): payloads that did not fit may fit now.
         */
        default void onWindow(int channel) {}
    }

    /** Initial congestion window in packets (RFC 6928's ten segments). */
    static final int INITIAL_CWND = 10;
    /**
     * Later-sent packets acknowledged before an unacknowledged one is presumed lost, at first (RFC
     * 5681 §3.2, RFC 6675's DupThresh); a channel raises it to the reordering it has seen (as RFC 4653
     * and Linux's tcp_reordering do).
     */
    static final int DUP_THRESH = 3;
    /** CUBIC's multiplicative decrease factor (RFC 9438 §4.6). */
    static final double CUBIC_BETA = 0.7;
    /** CUBIC's scaling constant C, in packets per second cubed (RFC 9438 §5). */
    static final double CUBIC_C = 0.4;
    /** The Reno-friendly additive increase per RTT, 3(1 − β)/(1 + β) (RFC 9438 §4.3). */
    static final double CUBIC_ALPHA = 3 * (1 - CUBIC_BETA) / (1 + CUBIC_BETA);

    /** Why a channel could not send (Chan.limitedBy): the congestion window, the peer's window, the in-flight cap (Stats' *LimitedMillis). */
    static final int LIMITED_BY_CWND = 0;
    static final int LIMITED_BY_RECEIVER = 1;
    static final int LIMITED_BY_CAP = 2;

    static final byte EMPTY = 0;
    static final byte DONE = 1;
    static final byte HELD = 2;

    /**
     * A carrier that queues transmissions to send them later ({@link Seqex}'s outbox, after its lock is
     * released): it takes a pooled packet with {@link OutPacket#pin()} and releases it once sent.
     */
    interface Outbox extends Carrier {
        void send(OutPacket packet);
    }

    static final class SendEntry {
        final int seq;
        /** The packet when it has an array of its own; null when it is {@link #out}. */
        final byte[] packet;
        /** The packet in a pooled array (the carrier does not keep packets), else null; released when the entry leaves the window. */
        final OutPacket out;
        final boolean expectReply;
        final boolean isReply;
        final int replyTo;
        final Object attachment;
        /** Payload bytes the peer's receive buffer takes for it (0 for a reply: replies need no buffer). */
        final int len;
        final long firstSent;
        /** Time of the latest transmission (first send or resend). */
        long lastSent;
        /** Order of the latest transmission among all of this core's transmissions. */
        long txOrder;
        /** Packets sent after its latest transmission and acknowledged since (DupThresh). */
        int laterAcked;
        long deadline;
        /** The deadline is RACK's reorder timer (RFC 8985 §6.3), not the resend timeout. */
        boolean rack;
        int transmits;

        SendEntry(int seq, byte[] packet, OutPacket out, boolean expectReply, boolean isReply, int replyTo, Object attachment, int len, long now) {
            this.seq = seq;
            this.packet = packet;
            this.out = out;
            this.expectReply = expectReply;
            this.isReply = isReply;
            this.replyTo = replyTo;
            this.attachment = attachment;
            this.len = len;
            this.firstSent = now;
            this.lastSent = now;
        }
    }

    final class Chan {
        final int id;
        // send side: entries for [sendBase, sendNext); ring index of sendBase is sendHead
        final SendEntry[] sent;
        int sendBase;
        int sendNext;
        int sendHead;
        int inFlight; // non-null entries
        // receive side: slots for [recvNext, recvNext + window); ring index of recvNext is recvHead
        final byte[] state;
        final Packet[] held;
        final Object[] heldAttachment;
        int recvNext;
        int recvHead;
        int held_;
        int unconsumed;
        long unconsumedBytes; // payload bytes of the unconsumed messages (config.receiveBytes() bounds them)
        final Set<Integer> awaitingReply = new HashSet<>();
        /** Requests delivered but not yet consumed (a subset of awaitingReply). */
        final Set<Integer> unconsumedRequests = new HashSet<>();
        boolean starved;
        long lastWindowOpen = Long.MIN_VALUE;
        // delayed acknowledgement (config.ackEvery() > 1): in-order packets not yet acknowledged
        int ackPending;
        long ackDue = Long.MAX_VALUE;
        // CUBIC congestion window (config.congestionControl(); RFC 9438), in packets
        double cwnd = INITIAL_CWND;
        double ssthresh = Double.MAX_VALUE;
        boolean inRecovery;
        int recover; // recovery ends when everything before this is acknowledged (RFC 6582)
        double wMax;            // the window before the last reduction
        long epochStart = -1;   // start of the current congestion-avoidance epoch (ms), -1: none
        double k;               // seconds until the cubic function reaches wMax again
        double wEst;            // the Reno-friendly estimate
        double cwndPrior;       // the window when ssthresh was last set (RFC 9438 §4.3: α becomes 1 once wEst reaches it)
        long lastSent = Long.MIN_VALUE; // when this channel last sent new data (the restart window after idle)
        // Proportional Rate Reduction during recovery (RFC 6937 §3), in packets
        int prrDelivered;       // packets acknowledged since recovery began
        int prrOut;             // packets sent (new and resent) since recovery began
        int recoverFs;          // packets in flight when recovery began (RecoverFS)
        int dupThresh = DUP_THRESH;
        int sendLimit = config.window(); // payloads in flight the peer can buffer (limitSend), at most window
        int highestAcked;       // the highest sequence number acknowledged selectively (reordering detection)
        long bytesInFlight;     // payload bytes of the payloads in flight (what they take of the peer's buffer)
        long peerWindow = -1;   // the peer's last advertised free receive bytes (docs/seqex.md §4); -1: it advertises none
        boolean probeAllowed;   // a zero-window probe may go out (the persist timer expired)
        long persistDue = Long.MAX_VALUE;
        long tlpDue = Long.MAX_VALUE; // tail loss probe timeout (RFC 8985 §7)
        boolean tlpOut;         // a probe is out and no acknowledgement came since
        int lastLen;            // the length of the last payload sent (the next is assumed alike, for the stall counters)
        boolean frto;           // a resend timeout awaits its F-RTO verdict (RFC 5682)
        long frtoTx;            // the txOrder of the timeout's resend: acknowledged transmissions before it were not lost
        boolean frtoOriginal;   // this ACK acknowledged a transmission from before the timeout
        boolean frtoOther;      // this ACK acknowledged the resend or later packets
        double undoCwnd, undoSsthresh, undoWMax; // the window before the last reduction (F-RTO, spurious early resends)
        final int[] episodeSeqs = new int[8]; // early resends of the current recovery (undoSpurious); beyond 8 no undo
        int episodeResends;
        int episodeSpurious;
        int reorderMultiplier = 1;
        long limitedSince = -1; // when the last send filled the window (Stats.cwndLimitedMillis / receiverLimitedMillis / sendLimitedMillis)
        int limitedBy;          // LIMITED_BY_CWND, LIMITED_BY_RECEIVER or LIMITED_BY_CAP
        long heldBytes;         // payload bytes of this channel's held (out-of-order SeqCst) packets
        long lastAdvertised = -1; // the free bytes our last ACK on this channel advertised; -1: none yet

        Chan(int id) {
            this.id = id;
            int w = 2 * config.window(); // payloads use the first half, replies may use all of it
            sent = new SendEntry[w];
            state = new byte[w];
            held = new Packet[w];
            heldAttachment = new Object[w];
            int isn = Seq.initial(config.initialSequence(), id);
            sendBase = sendNext = recvNext = isn;
            highestAcked = isn - 1;
        }

        SendEntry entry(int seq) {
            if (!Seq.inWindow(seq, sendBase, sendNext - sendBase)) return null;
            return sent[(sendHead + (seq - sendBase)) % sent.length];
        }

        void remove(SendEntry e) {
            int idx = (sendHead + (e.seq - sendBase)) % sent.length;
            sent[idx] = null;
            inFlight--;
            bytesInFlight -= e.len;
            if (e.out != null) e.out.release(); // the window's ownership ends; a queued transmission keeps it until sent
            while (sendBase != sendNext && sent[sendHead] == null) {
                sendBase++;
                sendHead = (sendHead + 1) % sent.length;
            }
        }

        boolean canSend(int len) {
            return sendNext - sendBase < sendLimit && (!config.congestionControl() || inFlight < (int) cwnd) && windowTakes(len);
        }

        /** The peer's advertised window takes {@code len} more bytes (or it advertises none, or a probe is due). */
        boolean windowTakes(int len) {
            return peerWindow < 0 || bytesInFlight + len <= peerWindow || probeAllowed && bytesInFlight == 0;
        }

        boolean canReply() {
            return sendNext - sendBase < sent.length;
        }
    }

    private final SeqexConfig config;
    private final Carrier carrier;
    /** The carrier when it queues transmissions ({@link Outbox}), else null. */
    private final Outbox outbox;
    /** Arrays of acknowledged payload packets for reuse, when the carrier keeps none ({@link Carrier#keepsPackets()}), else null. */
    private final PacketPool pool;
    private final Listener listener;
    private final Chan[] chans;
    private final List<Chan> active = new ArrayList<>();
    private boolean closed;

    // RFC 6298 estimator
    private long srtt = -1;
    private long rttvar;
    private long rto;

    private long txCount; // transmissions so far (SendEntry.txOrder)
    private long packetsIn, packetsOut, delivered, retransmits, duplicates, malformed, outOfWindow, droppedNoSpace, staleAcks,
            internalErrors, carrierErrors, droppedClosedChannel, windowProbes, windowUpdates, cwndLimitedMillis, receiverLimitedMillis, sendLimitedMillis;
    /** Loss detection and recovery: RACK, the tail loss probe, F-RTO, the resend timeout, undo. */
    private final LossRecovery recovery;
    private long minRtt = -1;
    private long ackSamples;
    private double cwndSum, inFlightSum; // sampled at every acknowledged packet (Stats.meanCwnd, meanInFlight)
    /** Our ACKs carry the free bytes of the channel's receive buffer (the peer understands them: {@link #advertiseWindow}). */
    private boolean advertise;
    // a receive pool shared by the channels (see sharePool): each channel's guaranteed bytes, the shared rest, its use
    private long guaranteed = Long.MAX_VALUE;
    private long sharedPool;
    private long sharedUsed;
    private int overGuarantee; // channels using part of the shared pool

    // receive limits for a hostile peer (see restrict)
    private IntPredicate channelOpen = c -> true;
    private int maxHeld = Integer.MAX_VALUE;
    private long maxHeldBytes = Long.MAX_VALUE;
    private int heldTotal;
    private long heldBytes;
    /** No delayed ACK is due before this (may be early: an ACK sent meanwhile leaves it); see {@link #ackDeadline()}. */
    private long ackDeadline = Long.MAX_VALUE;
    /** The earliest loss-detection timer (RACK reorder timer, tail loss probe, persist) armed since the last {@link #service}; see {@link #timerHint()}. */
    private long timerHint = Long.MAX_VALUE;

    public SeqexCore(SeqexConfig config, Carrier carrier, Listener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.carrier = Objects.requireNonNull(carrier, "carrier");
        this.outbox = carrier instanceof Outbox o ? o : null;
        this.pool = carrier.keepsPackets() ? null : new PacketPool(config.maxPacketSize());
        this.listener = Objects.requireNonNull(listener, "listener");
        this.chans = new Chan[config.maxChannels()];
        this.rto = config.initialRtoMillis();
        this.recovery = new LossRecovery(this);
    }

    public SeqexConfig config() {
        return config;
    }

    /**
     * Receive limits against a hostile peer, set before the first {@link #receive}. A new payload on a
     * channel for which {@code channelOpen} is false is dropped unacked and counted
     * ({@link Stats#droppedClosedChannel}); duplicates, replies and acks are handled as usual, so a
     * channel that just closed still ends clean. At most {@code maxHeldPackets} out-of-order SeqCst
     * packets are held across all channels (default: only the per-channel window bounds them);
     * past it a packet is dropped unacked ({@link Stats#droppedNoSpace}) and resent by its sender.
     */
    public void restrict(IntPredicate channelOpen, int maxHeldPackets) {
        restrict(channelOpen, maxHeldPackets, Long.MAX_VALUE);
    }

    /**
     * As {@link #restrict(IntPredicate, int)}, and the held packets' payloads together stay within
     * {@code maxHeldBytes} (at least {@link SeqexConfig#maxPayload()}): memory is bounded in bytes
     * whatever size the peer's packets have.
     */
    public void restrict(IntPredicate channelOpen, int maxHeldPackets, long maxHeldBytes) {
        if (maxHeldPackets < 1) throw new IllegalArgumentException("maxHeldPackets must be positive, got " + maxHeldPackets);
        if (maxHeldBytes < config.maxPayload()) throw new IllegalArgumentException("maxHeldBytes must be at least maxPayload " + config.maxPayload() + ", got " + maxHeldBytes);
        this.channelOpen = Objects.requireNonNull(channelOpen, "channelOpen");
        this.maxHeld = maxHeldPackets;
        this.maxHeldBytes = maxHeldBytes;
    }

    /**
     * Our acknowledgements carry the free bytes of the channel's receive buffer from now on (docs/seqex.md
     * §1 flag WINDOW, §4), and we send window updates when a reader frees space. Call it only once the
     * peer is known to run a SEQEX that understands the flag (an older one drops such ACKs as
     * malformed); the tunnel learns it from the peer's announcement. Whether the peer advertises its
     * own window needs no setting: a channel whose peer never advertised one is sent to as before.
     */
    public void advertiseWindow() {
        advertise = true;
    }

    /**
     * Shares the receive buffer among the channels, set before the first {@link #receive}: each channel
     * may buffer {@code guaranteedPerChannel} payload bytes whatever the others do, and beyond that
     * takes from a pool of {@code sharedBytes} that all channels share (always within {@link
     * SeqexConfig#receiveBytes()} per channel). Unconsumed payloads then total at most {@code channels ×
     * guaranteedPerChannel + sharedBytes}: one busy channel may use most of the pool, many split it. The
     * window a channel advertises is its guaranteed room plus an even part of the free pool among the
     * channels using it.
     */
    public void sharePool(long guaranteedPerChannel, long sharedBytes) {
        if (guaranteedPerChannel < config.maxPayload()) {
            throw new IllegalArgumentException("guaranteedPerChannel must be at least maxPayload " + config.maxPayload() + ", got " + guaranteedPerChannel);
        }
        if (sharedBytes < 0) throw new IllegalArgumentException("sharedBytes must not be negative, got " + sharedBytes);
        this.guaranteed = guaranteedPerChannel;
        this.sharedPool = sharedBytes;
    }

    // ---------------------------------------------------------------- sending

    /**
     * True if {@code channel}'s send window has room for one more payload of the largest size ({@link
     * SeqexConfig#maxPayload()}); {@link #canSend(int, int)} asks for a given length.
     */
    public boolean canSend(int channel) {
        return chan(channel).canSend(config.maxPayload());
    }

    /**
     * True if {@code channel} may send a payload of {@code length} bytes now: its send window, the
     * congestion window, and the receive window the peer advertised (if it advertises one) have room.
     */
    public boolean canSend(int channel, int length) {
        return chan(channel).canSend(length);
    }

    /**
     * True if {@code channel} has room for one more reply. Replies may run up to {@code window}
     * packets past the payload window, so two peers whose windows are full of unanswered requests
     * can still answer each other.
     */
    public boolean canReply(int channel) {
        return chan(channel).canReply();
    }

    /**
     * Limits {@code channel}'s payloads in flight to {@code packets} (1..window) from now on, e.g. to
     * the receive buffer the peer said it has for the channel: a sender that never has more in
     * flight than the receiver can buffer does not learn the buffer's size by loss. Replies keep
     * their reserve. Packets already in flight stay.
     */
    public void limitSend(int channel, int packets) {
        if (packets < 1 || packets > config.window()) throw new IllegalArgumentException("send limit must be in [1, " + config.window() + "], got " + packets);
        Chan c = chan(channel);
        c.sendLimit = packets;
        if (c.cwnd > packets) c.cwnd = packets;
    }

    /**
     * Sends a payload on {@code channel}; returns its sequence number.
     *
     * @param seqCst      deliver it only after everything sent before it on this channel
     * @param expectReply the peer answers with a reply (delivered through {@link Listener#onReply}) instead of an ack
     * @param attachment  handed back with the reply or ack (e.g. a future); may be null
     * @throws IllegalStateException    if the window is full ({@link #canSend}) or the core is closed
     * @throws IllegalArgumentException if the payload exceeds {@link SeqexConfig#maxPayload()}
     */
    public int send(int channel, byte[] payload, boolean seqCst, boolean expectReply, Object attachment, long now) {
        return send(channel, payload, 0, Objects.requireNonNull(payload, "payload").length, seqCst, expectReply, attachment, now);
    }

    /** As {@link #send(int, byte[], boolean, boolean, Object, long)} for {@code payload[off, off+len)}, which is copied. */
    public int send(int channel, byte[] payload, int off, int len, boolean seqCst, boolean expectReply, Object attachment, long now) {
        Objects.checkFromIndexSize(off, len, payload.length);
        Chan c = checkSend(channel, len);
        if (!c.canSend(len)) throw new IllegalStateException("send window of channel " + channel + " is full (canSend(" + channel + ", " + len + ") is false)");
        if (c.peerWindow >= 0 && c.bytesInFlight + len > c.peerWindow) { // beyond the advertised window: the zero-window probe (§4)
            windowProbes++;
            c.probeAllowed = false;
        }
        int seq = c.sendNext;
        c.lastLen = len;
        OutPacket out = null;
        byte[] packet = null;
        if (pool != null && pool.pools(Codec.HEADER + len)) {
            out = pool.take(Codec.HEADER + len);
            Codec.payloadInto(out.bytes, channel, seq, seqCst, expectReply, payload, off, len);
        } else {
            packet = Codec.payload(channel, seq, seqCst, expectReply, payload, off, len);
        }
        push(c, new SendEntry(seq, packet, out, expectReply, false, 0, attachment, len, now), now);
        if (!c.canSend(len) && c.limitedSince < 0) {
            c.limitedSince = now;
            boolean cwndFull = config.congestionControl() && c.inFlight >= (int) c.cwnd;
            c.limitedBy = cwndFull && (int) c.cwnd < c.sendLimit ? LIMITED_BY_CWND
                    : cwndFull || c.sendNext - c.sendBase >= c.sendLimit ? LIMITED_BY_CAP : LIMITED_BY_RECEIVER;
        }
        return seq;
    }

    /**
     * Answers the delivered request {@code requestSeq} of {@code channel}; returns the reply's own
     * sequence number. Exactly one reply per request.
     *
     * @throws IllegalArgumentException if {@code requestSeq} is not a delivered request awaiting a reply
     * @throws IllegalStateException    if the window is full or the core is closed
     */
    public int reply(int channel, int requestSeq, byte[] payload, boolean seqCst, Object attachment, long now) {
        Chan c = checkSend(channel, Objects.requireNonNull(payload, "payload").length);
        if (!c.canReply()) throw new IllegalStateException("reply window of channel " + channel + " is full");
        if (!c.awaitingReply.contains(requestSeq)) {
            throw new IllegalArgumentException("no request " + Integer.toUnsignedString(requestSeq) + " awaits a reply on channel " + channel);
        }
        c.awaitingReply.remove(requestSeq);
        c.unconsumedRequests.remove(requestSeq);
        int seq = c.sendNext;
        push(c, new SendEntry(seq, Codec.reply(channel, seq, requestSeq, seqCst, payload), null, false, true, requestSeq, attachment, 0, now), now);
        maybeWindowOpen(c, now);
        return seq;
    }

    private Chan checkSend(int channel, int length) {
        if (closed) throw new IllegalStateException("closed");
        if (length > config.maxPayload()) {
            throw new IllegalArgumentException("payload is " + length + " bytes; at most " + config.maxPayload() + " fit in a packet");
        }
        return chan(channel);
    }

    private int push(Chan c, SendEntry e, long now) {
        if (config.congestionControl() && !e.isReply) restartAfterIdle(c, now);
        c.sent[(c.sendHead + (c.sendNext - c.sendBase)) % c.sent.length] = e;
        c.sendNext++;
        c.inFlight++;
        c.bytesInFlight += e.len;
        e.transmits = 1;
        e.deadline = now + rto;
        e.txOrder = ++txCount;
        if (c.inRecovery) c.prrOut++;
        if (!e.expectReply) recovery.armProbe(c, now); // new data restarts the probe timeout (RFC 8985 §7.2)
        transmit(e);
        return e.seq;
    }

    // ---------------------------------------------------------------- application feedback

    /**
     * The application took the delivered payload {@code seq} of {@code channel}, {@code bytes} long,
     * off its buffer. A request keeps its buffer slot until it is replied to.
     *
     * @throws IllegalStateException if nothing (or fewer bytes) delivered is unconsumed on the channel
     */
    public void consumed(int channel, int seq, int bytes, long now) {
        Chan c = chan(channel);
        if (c.unconsumed <= 0) throw new IllegalStateException("nothing delivered is unconsumed on channel " + channel);
        if (bytes < 0 || bytes > c.unconsumedBytes) {
            throw new IllegalStateException(bytes + " bytes consumed on channel " + channel + ", but " + c.unconsumedBytes + " are unconsumed");
        }
        c.unconsumed--;
        addUnconsumed(c, -bytes);
        c.unconsumedRequests.remove(seq);
        maybeWindowOpen(c, now);
    }

    /** Adds {@code delta} to the channel's unconsumed bytes and keeps the shared pool's use in step. */
    private void addUnconsumed(Chan c, long delta) {
        long before = overGuarantee(c.unconsumedBytes);
        c.unconsumedBytes += delta;
        long after = overGuarantee(c.unconsumedBytes);
        sharedUsed += after - before;
        overGuarantee += (after > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    }

    private long overGuarantee(long bytes) {
        return guaranteed == Long.MAX_VALUE ? 0 : Math.max(0, bytes - guaranteed);
    }

    /**
     * Receive-buffer slots in use: delivered payloads not yet consumed. (Consumed requests awaiting
     * a reply are bounded separately by the sender's window, see {@link #onData}.)
     */
    private static int occupancy(Chan c) {
        return c.unconsumed;
    }

    /** True if the channel's receive buffer takes a payload of {@code bytes} (messages and bytes, §4). */
    private boolean hasRoom(Chan c, int bytes) {
        return occupancy(c) < config.receiveCapacity() && c.unconsumedBytes + bytes <= config.receiveBytes()
                && sharedUsed + overGuarantee(c.unconsumedBytes + bytes) - overGuarantee(c.unconsumedBytes) <= sharedPool;
    }

    /**
     * The free bytes channel {@code c} advertises (§4): what its buffer takes beside the unconsumed and
     * held payloads, with a shared pool its guaranteed room plus an even part of the free pool among
     * the channels using it; 0 when its message count is full.
     */
    private long freeBytes(Chan c) {
        if (c.unconsumed + c.held_ >= config.receiveCapacity()) return 0;
        long used = c.unconsumedBytes + c.heldBytes;
        long free = config.receiveBytes() - used;
        if (guaranteed != Long.MAX_VALUE) {
            int sharing = overGuarantee + (overGuarantee(c.unconsumedBytes) > 0 ? 0 : 1);
            free = Math.min(free, Math.max(0, guaranteed - used) + Math.max(0, sharedPool - sharedUsed) / sharing);
        }
        return Math.max(0, free);
    }

    /**
     * After the buffer was full and dropped a payload: tell the sender there is room again (for a packet
     * of the largest size). When advertising windows, also send a window update once a reader has freed
     * at least a largest packet (or half the buffer) beyond what was last advertised and doubled it, as
     * receivers avoid advertising small windows (RFC 9293 §3.8.6.2.2); a lost update is covered by the
     * sender's zero-window probe.
     */
    private void maybeWindowOpen(Chan c, long now) {
        if (c.starved && hasRoom(c, config.maxPayload())) {
            c.starved = false;
            transmit(ack(c, c.recvNext, Codec.FLAG_WINDOW_OPEN));
            return;
        }
        if (!advertise || c.lastAdvertised < 0) return;
        long free = freeBytes(c);
        long last = c.lastAdvertised;
        long capacity = free + c.unconsumedBytes + c.heldBytes; // what it would advertise empty
        if (free - last >= Math.min(config.maxPayload(), capacity / 2) && (free >= 2 * last || last < capacity / 2)) {
            windowUpdates++;
            c.ackPending = 0; // the update is a cumulative ACK: it also stands for a pending delayed one
            c.ackDue = Long.MAX_VALUE;
            transmit(ack(c, c.recvNext, Codec.FLAG_CUMULATIVE));
        }
    }

    /** An ACK of {@code seq} with {@code flags} on channel {@code c}; with {@link #advertiseWindow} it carries the free bytes. */
    private byte[] ack(Chan c, int seq, int flags) {
        if (!advertise) return Codec.ack(c.id, seq, flags);
        long free = freeBytes(c);
        c.lastAdvertised = free;
        return Codec.ack(c.id, seq, flags | Codec.FLAG_WINDOW, free);
    }

    // ---------------------------------------------------------------- receiving

    /** Processes one datagram from the peer. Never throws; bad input is dropped and counted. */
    public void receive(byte[] datagram, long now) {
        receive(datagram, 0, datagram == null ? 0 : datagram.length, now);
    }

    /** As {@link #receive(byte[], long)} for {@code datagram[off, off+len)}. */
    public void receive(byte[] datagram, int off, int len, long now) {
        receive(datagram, off, len, now, true);
    }

    /**
     * As {@link #receive(byte[], long)}, but the array becomes the core's: a payload is delivered
     * without a copy, sharing it ({@link Listener#onMessage(int, int, byte[], int, int, boolean, boolean)}),
     * so the caller must never modify it afterwards (a freshly decrypted datagram, for example).
     */
    public void receiveOwned(byte[] datagram, long now) {
        receive(datagram, 0, datagram == null ? 0 : datagram.length, now, false);
    }

    /**
     * As {@link #receiveOwned}; returns whether the core kept the array (its payload was delivered or is
     * held for ordering). False: the core is done with it when this returns, and it may be reused.
     */
    public boolean receiveLent(byte[] datagram, long now) {
        lent = datagram;
        kept = false;
        try {
            receive(datagram, 0, datagram == null ? 0 : datagram.length, now, false);
            return kept;
        } finally {
            lent = null;
        }
    }

    /** The datagram {@link #receiveLent} is receiving, and whether a payload sharing it was delivered or held. */
    private byte[] lent;
    private boolean kept;

    private void receive(byte[] datagram, int off, int len, long now, boolean copy) {
        packetsIn++;
        if (closed) return;
        try {
            Packet p = Codec.decode(datagram, off, len, config.maxPacketSize(), copy);
            if (p == null || p.channel() >= chans.length) {
                malformed++;
                return;
            }
            Chan c = chan(p.channel());
            if (p.isAck()) onAck(c, p, now);
            else onData(c, p, now);
        } catch (RuntimeException e) {
            internalErrors++;
        }
    }

    private void onAck(Chan c, Packet p, long now) {
        long window = c.peerWindow;
        if (p.hasWindow()) c.peerWindow = p.window(); // the receiver's free bytes after what this ACK reports (§4)
        try {
            if (p.cumulative()) {
                onCumulativeAck(c, p.seq(), p.hasWindow(), now);
            } else if (p.windowOpen()) {
                // The receiver has buffer space again: resend what is unacked now (at most once per minRto).
                if (now - c.lastWindowOpen < config.minRtoMillis()) return;
                c.lastWindowOpen = now;
                for (int i = 0, n = c.sendNext - c.sendBase; i < n; i++) { // in sequence order
                    SendEntry e = c.sent[(c.sendHead + i) % c.sent.length];
                    if (e != null) resend(e, now, rto);
                }
            } else {
                onSelectiveAck(c, p.seq(), now);
            }
        } finally {
            afterAck(c, window, now);
        }
    }

    private void onSelectiveAck(Chan c, int seq, long now) {
        SendEntry e = c.entry(seq);
        if (e == null) {
            staleAcks++;
            recovery.undoSpurious(c, seq);
            return;
        }
        if (e.expectReply) { // a request must be answered by a reply, never acked
            malformed++;
            return;
        }
        if (e.transmits == 1) {
            sample(now - e.firstSent); // Karn: only unambiguous samples
            if (Seq.before(e.seq, c.highestAcked)) {
                // reordering: a packet sent later was acknowledged first; tolerate that much from now on
                c.dupThresh = Math.max(c.dupThresh, Math.min(config.window(), c.highestAcked - e.seq + 1));
            } else {
                c.highestAcked = e.seq;
            }
        }
        recovery.earlyRetransmit(c, e, now);
        acked(c, e, now);
    }

    /** {@code e} was acknowledged: out of the window, the window grows, the probe timeout restarts. */
    private void acked(Chan c, SendEntry e, long now) {
        if (c.frto) { // evidence for the F-RTO verdict (frtoVerdict), weighed once the whole ACK is processed
            if (e.txOrder < c.frtoTx) c.frtoOriginal = true;
            else c.frtoOther = true;
        }
        ackSamples++;
        cwndSum += c.cwnd;
        inFlightSum += c.inFlight;
        c.remove(e);
        grow(c, now);
        c.tlpOut = false;
        if (c.inFlight > 0) recovery.armProbe(c, now); // an ACK of new data restarts the probe timeout (RFC 8985 §7.2)
        else c.tlpDue = Long.MAX_VALUE;
        listener.onAcked(c.id, e.seq, e.attachment);
    }

    /**
     * After an ACK: account the time the window was full, arm the persist timer if the peer's window
     * is too small for a packet and nothing is in flight to bring a larger one (§4), and tell the
     * application when the window grew.
     */
    private void afterAck(Chan c, long window, long now) {
        recovery.frtoVerdict(c, now);
        if (c.limitedSince >= 0 && c.canSend(c.lastLen)) {
            long t = now - c.limitedSince;
            switch (c.limitedBy) {
                case LIMITED_BY_CWND -> cwndLimitedMillis += t;
                case LIMITED_BY_CAP -> sendLimitedMillis += t;
                default -> receiverLimitedMillis += t;
            }
            c.limitedSince = -1;
        }
        persist(c, now);
        if (c.peerWindow > window) listener.onWindow(c.id);
    }

    /**
     * The persist timer (§4, RFC 9293 §3.8.6.1): with nothing in flight to bring a new window and the
     * peer's last one too small for a largest payload, a probe may go out one RTO from now.
     */
    private void persist(Chan c, long now) {
        if (c.peerWindow < 0) return;
        if (c.bytesInFlight == 0 && c.peerWindow < config.maxPayload()) {
            if (c.persistDue == Long.MAX_VALUE && !c.probeAllowed) {
                c.persistDue = now + rto;
                hint(c.persistDue);
            }
        } else {
            c.persistDue = Long.MAX_VALUE;
            c.probeAllowed = false;
        }
    }

    /**
     * A cumulative ACK: the peer received every packet before {@code next}. Acknowledges each such
     * packet still in our window except requests (they wait for their reply); one RTT sample from
     * the newest, if it was sent once (Karn). An ACK beyond what we sent is malformed.
     */
    private void onCumulativeAck(Chan c, int next, boolean windowUpdate, long now) {
        int n = next - c.sendBase;
        if (n > c.sendNext - c.sendBase) {
            malformed++; // acknowledges packets we never sent
            return;
        }
        if (n <= 0) {
            if (!windowUpdate) staleAcks++; // a window update acknowledges nothing new
            return;
        }
        SendEntry newest = null;
        for (int seq = c.sendBase; seq != next; seq++) {
            SendEntry e = c.entry(seq); // null once removal moved sendBase past it
            if (e == null || e.expectReply) continue;
            newest = e;
            acked(c, e, now);
        }
        if (newest == null) {
            if (!windowUpdate) staleAcks++;
        } else if (newest.transmits == 1) {
            sample(now - newest.firstSent);
        }
    }

    /** {@code e} is presumed lost before its resend timeout: resend it now, with one CUBIC reduction per window of data. */
    /** A congestion event: remember the window (with fast convergence, RFC 9438 §4.7) and set ssthresh to β·cwnd. */
    static void reduce(Chan c) {
        c.cwndPrior = c.cwnd;
        c.wMax = c.cwnd < c.wMax ? c.cwnd * (1 + CUBIC_BETA) / 2 : c.cwnd;
        c.ssthresh = Math.max(2, c.cwnd * CUBIC_BETA);
        c.epochStart = -1;
    }

    /**
     * One more packet acknowledged: slow start below ssthresh (RFC 5681 §3.1), CUBIC's congestion
     * avoidance above (RFC 9438 §4.2–4.4): the window follows {@code W(t) = C(t − K)³ + Wmax} one RTT
     * ahead, or the Reno-friendly estimate when that is larger (on short-RTT paths it always is).
     */
    private void grow(Chan c, long now) {
        if (!config.congestionControl()) return;
        if (c.inRecovery && !Seq.before(c.sendBase, c.recover)) { // everything before `recover` is acknowledged
            c.inRecovery = false;
            c.cwnd = c.ssthresh; // RFC 6937 §3: recovery ends at ssthresh
        }
        if (c.inRecovery) {
            proportionalRateReduction(c);
            return;
        }
        if (c.cwnd < c.ssthresh) {
            c.cwnd += 1;
        } else {
            if (c.epochStart < 0) {
                c.epochStart = now;
                c.k = c.wMax > c.cwnd ? Math.cbrt((c.wMax - c.cwnd) / CUBIC_C) : 0;
                c.wEst = c.cwnd;
            }
            double t = (now - c.epochStart + Math.max(1, srtt)) / 1000.0;
            double target = Math.min(1.5 * c.cwnd, Math.max(c.cwnd, CUBIC_C * Math.pow(t - c.k, 3) + c.wMax));
            c.wEst += (c.wEst >= c.cwndPrior ? 1 : CUBIC_ALPHA) / c.cwnd; // RFC 9438 §4.3: α = 1 once wEst reaches cwnd_prior
            c.cwnd = c.wEst > target ? c.wEst : c.cwnd + (target - c.cwnd) / c.cwnd;
        }
        if (c.cwnd > c.sendLimit) c.cwnd = c.sendLimit;
    }

    /**
     * One packet acknowledged during recovery (RFC 6937 §3, PRR with the slow-start reduction bound):
     * while more than ssthresh is in flight, send {@code ceil(prrDelivered · ssthresh / RecoverFS) −
     * prrOut}; below it, grow back towards ssthresh by at most one more than was delivered. The
     * window is what is in flight plus that count ({@link Chan#canSend} compares the two).
     */
    private static void proportionalRateReduction(Chan c) {
        c.prrDelivered++;
        int pipe = c.inFlight;
        long sndcnt = pipe > c.ssthresh
                ? (long) Math.ceil(c.prrDelivered * c.ssthresh / c.recoverFs) - c.prrOut
                : (long) Math.min(c.ssthresh - pipe, Math.max(c.prrDelivered - c.prrOut, 1) + 1);
        c.cwnd = pipe + Math.max(0, sndcnt);
    }

    private void onData(Chan c, Packet p, long now) {
        int w = c.state.length;
        int d = p.seq() - c.recvNext;
        if (d < 0) {
            if (d >= -w) duplicate(c, p, now);
            else outOfWindow++;
            return;
        }
        if (d >= w) {
            outOfWindow++;
            return;
        }
        int idx = (c.recvHead + d) % w;
        if (c.state[idx] != EMPTY) {
            duplicate(c, p, now);
            return;
        }
        Object attachment = null;
        if (p.isReply()) {
            SendEntry req = c.entry(p.replyTo());
            if (req == null || !req.expectReply) {
                malformed++; // a reply to nothing we asked (or asked already answered)
                return;
            }
            attachment = req.attachment;
            c.remove(req); // answered: stop resending the request
            persist(c, now);
        } else if (!channelOpen.test(c.id)) {
            droppedClosedChannel++; // nobody reads this channel: buffering it would only cost memory
            return;
        } else if (!hasRoom(c, p.length())) {
            c.starved = true;
            droppedNoSpace++;
            return; // not acked: the sender resends once we have room
        } else if (p.expectReply() && c.awaitingReply.size() >= config.window()) {
            malformed++; // an honest peer never has more than `window` requests outstanding
            return;
        }
        if (p.seqCst() && d != 0 && (heldTotal >= maxHeld || heldBytes + p.length() > maxHeldBytes)) {
            droppedNoSpace++;
            return; // not acked: resent later, when the gap before it has been filled
        }
        // Delayed acknowledgement only for a packet that arrives in order: anything else (a gap, a
        // duplicate) is acknowledged at once, since it tells the sender about a loss.
        boolean delayAck = config.ackEvery() > 1 && d == 0 && !p.expectReply();
        boolean ackNow = !p.expectReply() && !delayAck;
        if (ackNow) flushAck(c); // first the cumulative ACK, so the sender does not take delayed packets for lost
        int before = c.recvNext;
        if (p.seqCst() && d != 0) {
            heldTotal++;
            heldBytes += p.length();
            c.heldBytes += p.length();
            c.state[idx] = HELD;
            c.held[idx] = p;
            if (p.bytes() == lent) kept = true;
            c.heldAttachment[idx] = attachment;
            c.held_++;
        } else {
            c.state[idx] = DONE;
            deliver(c, p, attachment);
        }
        while (c.state[c.recvHead] != EMPTY) {
            int h = c.recvHead;
            if (c.state[h] == HELD) {
                Packet q = c.held[h];
                Object a = c.heldAttachment[h];
                c.held[h] = null;
                c.heldAttachment[h] = null;
                c.held_--;
                heldTotal--;
                heldBytes -= q.length();
                c.heldBytes -= q.length();
                deliver(c, q, a);
            }
            c.state[h] = EMPTY;
            c.recvHead = (h + 1) % w;
            c.recvNext++;
        }
        if (ackNow) transmit(ack(c, p.seq(), 0)); // after accepting it: the window it advertises counts it
        if (delayAck) {
            c.ackPending++;
            // a filled gap is acknowledged at once (the sender is waiting on it), like TCP (RFC 5681 §4.2)
            if (c.ackPending >= config.ackEvery() || c.recvNext - before > 1) flushAck(c);
            else if (c.ackDue == Long.MAX_VALUE) {
                c.ackDue = now + config.ackDelayMillis();
                if (c.ackDue < ackDeadline) ackDeadline = c.ackDue;
            }
        }
    }

    /** Sends the channel's pending cumulative ACK, if any. */
    private void flushAck(Chan c) {
        if (c.ackPending == 0) return;
        c.ackPending = 0;
        c.ackDue = Long.MAX_VALUE;
        transmit(ack(c, c.recvNext, Codec.FLAG_CUMULATIVE));
    }

    private void duplicate(Chan c, Packet p, long now) {
        duplicates++;
        if (p.expectReply()) {
            // Answered by a reply, never an ack: resend the reply if it is still unacked; if the
            // application has not replied yet, stay silent.
            for (SendEntry e : c.sent) {
                if (e != null && e.isReply && e.replyTo == p.seq()) {
                    resend(e, now, e.deadline - now);
                    return;
                }
            }
            return;
        }
        // the pending cumulative ACK first: a re-ACK of a newer packet (a probe's duplicate) ahead of
        // it would make the sender take the delayed packets for lost (RACK, §3)
        flushAck(c);
        transmit(ack(c, p.seq(), 0));
    }

    private void deliver(Chan c, Packet p, Object attachment) {
        delivered++;
        if (p.isReply()) {
            listener.onReply(c.id, p.replyTo(), attachment, p.payload(), p.seqCst());
        } else {
            if (p.bytes() == lent) kept = true;
            c.unconsumed++;
            addUnconsumed(c, p.length());
            if (p.expectReply()) {
                c.awaitingReply.add(p.seq());
                c.unconsumedRequests.add(p.seq());
            }
            listener.onMessage(c.id, p.seq(), p.bytes(), p.payloadOff(), p.length(), p.seqCst(), p.expectReply());
        }
    }

    // ---------------------------------------------------------------- timers

    /** Resends every packet whose timer expired; returns {@link #nextDeadline()}. */
    public long service(long now) {
        if (closed) return Long.MAX_VALUE;
        ackDeadline = Long.MAX_VALUE;
        timerHint = Long.MAX_VALUE;
        for (int i = 0; i < active.size(); i++) {
            Chan c = active.get(i);
            if (c.ackDue - now <= 0) flushAck(c);
            else if (c.ackDue < ackDeadline) ackDeadline = c.ackDue;
            persist(c, now);
            if (c.persistDue - now <= 0) { // the persist timer (§4): one payload may go beyond the peer's window
                c.persistDue = Long.MAX_VALUE;
                c.probeAllowed = true;
                listener.onWindow(c.id);
            }
            if (c.inFlight == 0) continue;
            recovery.onTimers(c, now);
        }
        return nextDeadline();
    }

    /** The earliest resend or delayed-ACK deadline, or {@link Long#MAX_VALUE} if nothing is due. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (int i = 0; i < active.size(); i++) {
            Chan c = active.get(i);
            if (c.ackDue < next) next = c.ackDue;
            if (c.persistDue < next) next = c.persistDue;
            if (c.inFlight == 0) continue;
            if (c.tlpDue < next) next = c.tlpDue;
            for (SendEntry e : c.sent) if (e != null && e.deadline < next) next = e.deadline;
        }
        return next;
    }

    /**
     * A cheap lower bound of the earliest delayed-ACK deadline (Long.MAX_VALUE if none was scheduled
     * since the last {@link #service}): lets a timer thread know it must wake sooner without a scan.
     */
    public long ackDeadline() {
        return ackDeadline;
    }

    /**
     * A cheap lower bound of the loss-detection timers (RACK's reorder timer, the tail loss probe,
     * the persist timer) armed since the last {@link #service} (Long.MAX_VALUE if none): a timer
     * thread sleeping until a later deadline must wake sooner. These timers are shorter than the
     * RTO, so a thread that only watched resend deadlines would run them late.
     */
    public long timerHint() {
        return timerHint;
    }

    void hint(long deadline) {
        if (deadline < timerHint) timerHint = deadline;
    }

    void resend(SendEntry e, long now, long timeout) {
        e.transmits++;
        e.lastSent = now;
        e.txOrder = ++txCount;
        e.laterAcked = 0;
        e.rack = false;
        e.deadline = now + Math.max(1, timeout);
        retransmits++;
        transmit(e);
    }

    /** RTO doubled per resend so far, clamped to maxRto. */
    long backoff(int transmits) {
        int shift = Math.min(transmits, 20);
        long t = rto << shift;
        return t <= 0 || t > config.maxRtoMillis() ? config.maxRtoMillis() : t;
    }

    private void sample(long r) {
        if (r >= 0 && (minRtt < 0 || r < minRtt)) minRtt = r;
        if (!config.adaptiveRto() || r < 0) return;
        if (srtt < 0) {
            srtt = r;
            rttvar = r / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        long v = srtt + Math.max(1, 4 * rttvar);
        rto = Math.max(config.minRtoMillis(), Math.min(config.maxRtoMillis(), v));
    }

    /** The order the next transmission will have (SendEntry.txOrder). */
    long nextTxOrder() {
        return txCount + 1;
    }

    /** The current base resend timeout (before backoff). */
    public long rto() {
        return rto;
    }

    /** The smoothed RTT, or -1 before the first sample. */
    public long srtt() {
        return srtt;
    }

    // ---------------------------------------------------------------- lifecycle and introspection

    /**
     * Stops the core: nothing more is sent or delivered. Returns the attachments of every packet
     * still in flight and every held reply, so the caller can fail their waiters.
     */
    public List<Object> close() {
        closed = true;
        List<Object> out = new ArrayList<>();
        for (Chan c : active) {
            for (int i = 0; i < c.sent.length; i++) {
                SendEntry e = c.sent[i];
                if (e != null && e.attachment != null) out.add(e.attachment);
                if (e != null && e.out != null) e.out.release();
                c.sent[i] = null;
                if (c.heldAttachment[i] != null) out.add(c.heldAttachment[i]);
                c.heldAttachment[i] = null;
                c.held[i] = null;
            }
            c.inFlight = 0;
        }
        return out;
    }

    public boolean isClosed() {
        return closed;
    }

    public Stats stats() {
        LossRecovery r = recovery;
        return new Stats(packetsIn, packetsOut, delivered, retransmits, r.earlyRetransmits, duplicates, malformed, outOfWindow, droppedNoSpace, staleAcks,
                internalErrors, carrierErrors, droppedClosedChannel, r.timeoutRetransmits, r.tailLossProbes, windowProbes, windowUpdates, cwndLimitedMillis,
                receiverLimitedMillis, r.spuriousTimeouts, r.spuriousRetransmits, r.congestionReductions, sendLimitedMillis, minRtt, srtt,
                ackSamples == 0 ? 0 : cwndSum / ackSamples, ackSamples == 0 ? 0 : inFlightSum / ackSamples);
    }

    /** The free receive bytes the peer last advertised for {@code channel}, or -1 if it advertises none (docs/seqex.md §4). */
    public long peerWindow(int channel) {
        Chan c = existing(channel);
        return c == null ? -1 : c.peerWindow;
    }

    /** Payload bytes of {@code channel} in flight (sent, not yet acknowledged or answered). */
    public long bytesInFlight(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.bytesInFlight;
    }

    /** Packets of {@code channel} sent and not yet acked or answered. */
    public int inFlight(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.inFlight;
    }

    /** The congestion window of {@code channel} in packets (meaningful with {@link SeqexConfig#congestionControl()}). */
    public double congestionWindow(int channel) {
        Chan c = existing(channel);
        return c == null ? INITIAL_CWND : c.cwnd;
    }

    /** Delivered payloads of {@code channel} not yet {@link #consumed}. */
    public int unconsumed(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.unconsumed;
    }

    /** Payload bytes of {@code channel} delivered and not yet {@link #consumed}. */
    public long unconsumedBytes(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.unconsumedBytes;
    }

    /** Payload bytes of out-of-order SeqCst packets held for ordering, across all channels. */
    public long heldBytes() {
        return heldBytes;
    }

    /** Out-of-order SeqCst packets of {@code channel} held for ordering. */
    public int held(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.held_;
    }

    /** Receive-buffer slots of {@code channel} in use (unconsumed payloads and unanswered requests, each once). */
    public int occupancy(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : occupancy(c);
    }

    /** Delivered requests of {@code channel} the application has not replied to. */
    public int awaitingReply(int channel) {
        Chan c = existing(channel);
        return c == null ? 0 : c.awaitingReply.size();
    }

    /** Channels with state (created by a send or a received packet). */
    public int activeChannels() {
        return active.size();
    }

    private Chan existing(int channel) {
        return channel < 0 || channel >= chans.length ? null : chans[channel];
    }

    private Chan chan(int channel) {
        if (channel < 0 || channel >= chans.length) {
            throw new IllegalArgumentException("channel must be in [0, " + chans.length + "), got " + channel);
        }
        Chan c = chans[channel];
        if (c == null) {
            c = new Chan(channel);
            chans[channel] = c;
            active.add(c);
        }
        return c;
    }

    /** Arrays of sent payload packets kept for reuse, or null when the carrier keeps its packets (tests). */
    PacketPool packetPool() {
        return pool;
    }

    /**
     * The restart window (RFC 5681 §4.1): a channel that sent nothing for longer than the resend timeout
     * starts again from at most the initial window, not with a burst of the window it had grown to
     * before (its ACK clock is gone; a reused channel may carry a new stream). The cubic epoch starts
     * again too (RFC 9438 §5.8). {@code ssthresh} stays, so slow start soon regains the old window.
     */
    private void restartAfterIdle(Chan c, long now) {
        if (c.inFlight == 0 && c.lastSent != Long.MIN_VALUE && now - c.lastSent > rto && c.cwnd > INITIAL_CWND) {
            c.cwnd = INITIAL_CWND;
            c.epochStart = -1;
        }
        c.lastSent = now;
    }

    /** Sends a payload or reply entry: its own array, or its pooled one (a queued transmission owns it until sent). */
    private void transmit(SendEntry e) {
        OutPacket p = e.out;
        if (p == null) {
            transmit(e.packet);
            return;
        }
        packetsOut++;
        try {
            if (outbox != null) outbox.send(p);
            else carrier.send(p.bytes, 0, p.length); // the carrier is done with it when this returns (keepsPackets false)
        } catch (RuntimeException x) {
            carrierErrors++;
        }
    }

    private void transmit(byte[] packet) {
        packetsOut++;
        try {
            carrier.send(packet);
        } catch (RuntimeException e) {
            carrierErrors++;
        }
    }
}

package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.seqex.SeqexConfig;
import dev.planetary.seqex.SeqexCore;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * SEQEX over VL1 (VL.md §6): one {@link SeqexCore} per ZSSP session with a peer, carried as VL1
 * messages {@code 0x1e ‖ packet} (§6.2), created lazily on the first send or on the first packet
 * of a channel this node uses with that peer (§6.3, the others are dropped before any state
 * exists), and dropped with the session: pending exchanges then fail with "session lost" and the
 * layer above retries on the next session (§6.4). A packet neither acknowledged nor answered
 * {@link #GIVE_UP_MS} after its first transmission closes the session (§6.4 give-up).
 *
 * <p>Delivered messages are consumed at once (§6.4: channels 0 and 2); a request must be answered
 * through {@link Incoming#reply} (now or later in the same session), and one whose inner verb does
 * not belong on its channel is answered ERROR {@code UNSUPPORTED_OPERATION} here (§6.2).
 *
 * <p>Thread model: the node's. No thread of its own: {@link #service} runs from the driver's loop.
 */
public final class SeqexLink {
    /** §6.3 channels. */
    public static final int CHANNEL_CONTROL = 0;
    public static final int CHANNEL_RESERVED = 1;
    public static final int CHANNEL_USER = 2;
    public static final int CHANNEL_PORT_FORWARD = 3;
    /** §6.5 {@code maxChannels}. */
    public static final int CHANNELS = 4;
    /** §6.4 {@code T_SEQEX_GIVEUP}. */
    public static final long GIVE_UP_MS = 30_000;
    /** §6.2: the largest inner message (verb byte plus the 12-byte REPLY header inside MAX_VL1_MESSAGE). */
    public static final int MAX_INNER = Vl1Limits.MAX_VL1_MESSAGE - 13;
    /** §6.5: window 64, receiveCapacity 64, RTO 250 ms (50 ms..8 s), maxPacketSize MAX_VL1_MESSAGE − 1, 4 channels, isn(c) from 0. */
    public static final SeqexConfig CONFIG = new SeqexConfig(64, 64, 250, 50, 8_000, true, Vl1Limits.MAX_VL1_MESSAGE - 1, CHANNELS, 0);
    private static final int HEADER = 8; // the SEQEX header up to the channel and seq (§6.2)
    private static final int MAX_HELD = 64;

    /** One channel's user: the §6.3 policy for a peer and the delivered messages. */
    public interface ChannelHandler {
        /** Whether this node uses the channel with {@code peer} (§6.3); if not, its packets are dropped before any state is created. */
        boolean accepts(Fingerprint peer);

        /** A message delivered exactly once (hostile bytes: decode before use). */
        void onMessage(Incoming message);

        /**
         * Whether this channel's user frees each delivered message's receive-buffer slot itself with
         * {@link Incoming#consume} (channel 3, §12.8: DATA holds its slot until written locally, so
         * the window is the flow control); false (default): consumed at once (§6.4, channels 0 and 2).
         */
        default boolean consumesLater() {
            return false;
        }
    }

    /** The outcome of a request: exactly one of the two, exactly once. */
    public interface ReplyHandler {
        /** The REPLY's inner message (hostile bytes). */
        void onReply(byte[] message);

        /** The exchange failed ("session lost"). */
        void onFailure(String reason);
    }

    /** A delivered inner message. */
    public final class Incoming {
        private final Endpoint endpoint;
        private final int channel;
        private final int seq;
        private final byte[] message;
        private final boolean expectsReply;
        private boolean replied, consumed;

        Incoming(Endpoint endpoint, int channel, int seq, byte[] message, boolean expectsReply) {
            this.endpoint = endpoint;
            this.channel = channel;
            this.seq = seq;
            this.message = message;
            this.expectsReply = expectsReply;
        }

        public Fingerprint peer() {
            return endpoint.peer;
        }

        /** The peer's address as bound when the message arrived, or null (§2.6). */
        public Address address() {
            return endpoint.address;
        }

        public int channel() {
            return channel;
        }

        /** The inner VL1 message (verb ‖ body), owned by the callee. */
        public byte[] message() {
            return message;
        }

        public boolean expectsReply() {
            return expectsReply;
        }

        /** Frees the message's receive-buffer slot (§6.2 receiveCapacity); idempotent, a no-op once the session is gone. */
        public void consume() {
            if (consumed) return;
            consumed = true;
            if (endpoint.closed || endpoints.get(endpoint.peer) != endpoint) return;
            endpoint.core.consumed(channel, seq, message.length, node.now()); // at most a WINDOW_OPEN ACK: nothing is delivered
        }

        /**
         * Answers the request with {@code inner} (an OK or ERROR with in-re request id 0, or the
         * answer message, §6.1). Exactly once; a no-op once the session is gone.
         *
         * @return false if the session ended or the reply window is full (the peer will give up)
         */
        public boolean reply(byte[] inner, boolean seqCst) {
            checkInner(inner);
            if (!expectsReply) throw new IllegalStateException("not a request: it was acknowledged, there is nothing to reply to");
            if (replied) throw new IllegalStateException("this request was already answered");
            replied = true;
            if (endpoint.closed || endpoints.get(endpoint.peer) != endpoint) return false;
            if (!endpoint.core.canReply(channel)) {
                repliesDropped++;
                return false;
            }
            Pending p = endpoint.track(null);
            endpoint.core.reply(channel, seq, inner.clone(), seqCst, p, node.now());
            endpoint.drain();
            return true;
        }

        @Override
        public String toString() {
            return "Incoming[" + endpoint.peer.toShortString() + " ch " + channel + " " + Verb.name(message.length == 0 ? -1 : message[0] & 0xff)
                    + (expectsReply ? ", request" : "") + "]";
        }
    }

    /** A packet this side sent and that is not yet acknowledged or answered (the give-up clock). */
    private static final class Pending {
        final long sentAt;
        final ReplyHandler handler;

        Pending(long sentAt, ReplyHandler handler) {
            this.sentAt = sentAt;
            this.handler = handler;
        }
    }

    /** The SEQEX state of one session. */
    private final class Endpoint implements SeqexCore.Listener {
        final Fingerprint peer;
        Address address;
        final SeqexCore core;
        final LinkedHashSet<Pending> outstanding = new LinkedHashSet<>();
        final List<Runnable> inbox = new ArrayList<>();
        boolean closed;

        Endpoint(Fingerprint peer) {
            this.peer = peer;
            this.core = new SeqexCore(CONFIG, packet -> carry(peer, packet), this);
            core.restrict(c -> c == CHANNEL_RESERVED || accepts(peer, c), MAX_HELD);
        }

        Pending track(ReplyHandler h) {
            Pending p = new Pending(node.now(), h);
            outstanding.add(p);
            return p;
        }

        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
            inbox.add(() -> deliver(this, channel, seq, payload, expectsReply));
        }

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {
            Pending p = (Pending) attachment;
            outstanding.remove(p);
            if (p != null && p.handler != null) inbox.add(() -> p.handler.onReply(payload));
        }

        @Override
        public void onAcked(int channel, int seq, Object attachment) {
            outstanding.remove(attachment);
        }

        /** Runs the deliveries collected during a core call (the core's listener must not re-enter it). */
        void drain() {
            while (!inbox.isEmpty() && !closed) inbox.removeFirst().run();
            inbox.clear();
        }
    }

    private final Node node;
    private final ChannelHandler[] handlers = new ChannelHandler[CHANNELS];
    private final Map<Fingerprint, Endpoint> endpoints = new HashMap<>();
    private long droppedChannel, droppedMalformed, unsupportedInner, givenUp, sessionsLost, exchangesFailed, repliesDropped;

    SeqexLink(Node node) {
        this.node = node;
    }

    /** Registers the user of {@code channel} (0, 2 or 3; channel 1 is reserved, §6.3). */
    public void handle(int channel, ChannelHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (channel < 0 || channel >= CHANNELS || channel == CHANNEL_RESERVED) {
            throw new IllegalArgumentException("channel " + channel + " cannot carry messages (0, 2, 3: §6.3)");
        }
        if (handlers[channel] != null) throw new IllegalStateException("channel " + channel + " already has a handler");
        handlers[channel] = handler;
    }

    /**
     * Sends a request on {@code channel} to {@code peer} (§6.1: every control message that needs
     * an answer); its handler gets the REPLY or "session lost".
     *
     * @return false (and the handler is not called) if there is no session with {@code peer} or the
     *         channel's window is full: retry on the next session or later
     */
    public boolean request(Fingerprint peer, int channel, byte[] inner, boolean seqCst, ReplyHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return send(peer, channel, inner, seqCst, true, handler);
    }

    /** Sends a payload that is only acknowledged (reliable USER_MESSAGE, PORT_FORWARD DATA, §6.1); false as for {@link #request}. */
    public boolean send(Fingerprint peer, int channel, byte[] inner, boolean seqCst) {
        return send(peer, channel, inner, seqCst, false, null);
    }

    /** Whether a payload to {@code peer} on {@code channel} would be accepted now (a session, and room in the channel's window). */
    public boolean canSend(Fingerprint peer, int channel) {
        if (!node.hasSession(peer)) return false;
        Endpoint e = endpoints.get(peer);
        return e == null || e.core.canSend(channel);
    }

    private boolean send(Fingerprint peer, int channel, byte[] inner, boolean seqCst, boolean expectReply, ReplyHandler handler) {
        Objects.requireNonNull(peer, "peer");
        checkInner(inner);
        if (channel < 0 || channel >= CHANNELS || channel == CHANNEL_RESERVED) throw new IllegalArgumentException("channel " + channel + " cannot carry messages (0, 2, 3: §6.3)");
        if (!node.hasSession(peer)) return false;
        Endpoint e = endpoint(peer, node.boundAddress(peer).orElse(null));
        if (!e.core.canSend(channel)) return false;
        Pending p = e.track(handler);
        e.core.send(channel, inner.clone(), seqCst, expectReply, p, node.now());
        e.drain();
        return true;
    }

    private static void checkInner(byte[] inner) {
        Objects.requireNonNull(inner, "message");
        if (inner.length == 0) throw new IllegalArgumentException("an inner message needs at least its verb byte");
        if (inner.length > MAX_INNER) throw new IllegalArgumentException("inner message of " + inner.length + " bytes exceeds " + MAX_INNER + " (§6.2)");
    }

    /** Runs every endpoint's resends and the give-up; returns the absolute next deadline. */
    public long service(long now) {
        for (Endpoint e : List.copyOf(endpoints.values())) {
            if (e.closed) continue;
            e.core.service(now);
            e.drain();
            Iterator<Pending> it = e.outstanding.iterator();
            if (it.hasNext() && now - it.next().sentAt >= GIVE_UP_MS) {
                givenUp++;
                node.closeSession(e.peer, "SEQEX give-up"); // calls sessionDown, which drops the endpoint
                dropEndpoint(e.peer, "session lost"); // in case the node had no session to close
            }
        }
        return nextDeadline();
    }

    public long nextDeadline() {
        long t = Long.MAX_VALUE;
        for (Endpoint e : endpoints.values()) {
            t = Math.min(t, e.core.nextDeadline());
            if (!e.outstanding.isEmpty()) t = Math.min(t, e.outstanding.getFirst().sentAt + GIVE_UP_MS);
        }
        return t;
    }

    /** Peers with SEQEX state now. */
    public int endpoints() {
        return endpoints.size();
    }

    /** True if SEQEX state exists for {@code peer}. */
    public boolean hasEndpoint(Fingerprint peer) {
        return endpoints.containsKey(peer);
    }

    /** Counters: dropped input by reason, give-ups, lost sessions and failed exchanges. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("seqexDroppedChannel", droppedChannel);
        m.put("seqexDroppedMalformed", droppedMalformed);
        m.put("seqexUnsupportedInner", unsupportedInner);
        m.put("seqexGivenUp", givenUp);
        m.put("seqexSessionsLost", sessionsLost);
        m.put("seqexExchangesFailed", exchangesFailed);
        m.put("seqexRepliesDropped", repliesDropped);
        long malformed = 0;
        for (Endpoint e : endpoints.values()) malformed += e.core.stats().malformed();
        m.put("seqexMalformedLive", malformed);
        return m;
    }

    // ---------------------------------------------------------------- from Vl2Layer

    void received(Fingerprint peer, Address address, byte[] message) {
        if (message.length < 1 + HEADER) {
            droppedMalformed++;
            return;
        }
        int channel = ((message[3] & 0xff) << 8) | (message[4] & 0xff); // §6.2: packet offset 2
        Endpoint e = endpoints.get(peer);
        boolean inUse = e != null && (channel == CHANNEL_RESERVED || e.core.inFlight(channel) > 0);
        if (channel >= CHANNELS || !inUse && !accepts(peer, channel)) { // §6.3: before any state is created
            droppedChannel++;
            return;
        }
        if (e == null) e = endpoint(peer, address);
        if (address != null) e.address = address;
        e.core.receive(message, 1, message.length - 1, node.now());
        e.drain();
    }

    void sessionUp(Fingerprint peer) {
        Endpoint e = endpoints.get(peer);
        if (e != null) dropEndpoint(peer, "session lost"); // state of an older session never carries over (§6.4)
    }

    void sessionDown(Fingerprint peer, String reason) {
        dropEndpoint(peer, "session lost");
    }

    // ---------------------------------------------------------------- internals

    private boolean accepts(Fingerprint peer, int channel) {
        ChannelHandler h = channel >= 0 && channel < CHANNELS ? handlers[channel] : null;
        return h != null && h.accepts(peer);
    }

    private Endpoint endpoint(Fingerprint peer, Address address) {
        Endpoint e = endpoints.get(peer);
        if (e == null) {
            e = new Endpoint(peer);
            endpoints.put(peer, e);
        }
        if (address != null) e.address = address;
        return e;
    }

    private void carry(Fingerprint peer, byte[] packet) {
        byte[] m = new byte[packet.length + 1];
        m[0] = (byte) Verb.SEQEX;
        System.arraycopy(packet, 0, m, 1, packet.length);
        node.sendUpper(peer, m);
    }

    private void dropEndpoint(Fingerprint peer, String reason) {
        Endpoint e = endpoints.remove(peer);
        if (e == null) return;
        e.closed = true;
        e.inbox.clear();
        sessionsLost++;
        List<Object> pending = e.core.close();
        for (Object o : pending) {
            if (o instanceof Pending p && p.handler != null) {
                exchangesFailed++;
                p.handler.onFailure(reason);
            }
        }
    }

    /** A delivered message: consumed at once (§6.4), checked against its channel (§6.2), handed to the channel's user. */
    private void deliver(Endpoint e, int channel, int seq, byte[] payload, boolean expectsReply) {
        Incoming in = new Incoming(e, channel, seq, payload, expectsReply);
        ChannelHandler h = handlers[channel];
        if (h == null || !h.consumesLater()) in.consume();
        if (h == null || payload.length == 0 || !belongs(channel, payload[0] & 0xff)) {
            in.consume();
            unsupportedInner++;
            if (expectsReply) in.reply(ErrorMessage.unsupported(payload.length == 0 ? 0 : payload[0] & 0xff).encode(), false);
            return;
        }
        h.onMessage(in);
    }

    /** §6.2: which inner verbs each channel carries. */
    static boolean belongs(int channel, int verb) {
        return switch (channel) {
            case CHANNEL_CONTROL -> verb == Verb.NETWORK_CONFIG_REQUEST || verb == Verb.NETWORK_CONFIG || verb == Verb.NETWORK_CREDENTIALS;
            case CHANNEL_USER -> verb == Verb.USER_MESSAGE;
            case CHANNEL_PORT_FORWARD -> verb == Verb.PORT_FORWARD;
            default -> false;
        };
    }
}

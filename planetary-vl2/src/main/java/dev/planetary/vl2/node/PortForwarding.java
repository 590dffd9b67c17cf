package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.Nop;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.PortForward;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Vl2Limits;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Port forwarding over SEQEX channel 3 (VL.md §12.8), sans-IO: streams of PORT_FORWARD messages
 * between two members, the local TCP sockets being the {@link Local} side's business (the daemon's
 * NIO). The initiator {@link #open}s a stream to the member owning a target address; the target's
 * node connects its local socket only if the port is in {@code forward.expose}.
 *
 * <p>Flow control is SEQEX's: a delivered DATA keeps its receive-buffer slot until {@link Local}
 * reports it written ({@link Stream#written}), so at most {@code receiveCapacity} DATA per session
 * wait here; a stream whose data could not be written for {@value Vl2Limits#PORT_FORWARD_STALL_MS}
 * ms is closed with reason 3 and its queued DATA discarded (§12.8 stall rule). Outbound, {@link
 * Stream#send} is refused while the channel's window is full ({@link Stream#canSend}).
 *
 * <p>Rules (§12.8): a synthesised TCP SYN through the network's rules, outbound at the initiator and
 * inbound at the target — {@link ForwardRules} over the member table ({@link Rules#ACCEPT_ALL} is for
 * tests of the stream machinery only).
 *
 * <p>Thread model: the node's (one thread); {@link Local} callbacks run on it and {@link Local}
 * calls back on it (the daemon posts socket events to its loop).
 */
public final class PortForwarding implements SeqexLink.ChannelHandler, Vl2Layer.SessionListener {
    /** §6.4: a responder answers within 10 s; the local connect gets less so the OPEN is answered in time. */
    public static final long CONNECT_TIMEOUT_MS = 5_000;
    /** How long an {@link #open} waits for a session and the peer's credential before it fails (reason 3). */
    public static final long OPEN_TIMEOUT_MS = 10_000;
    /**
     * Local: the DATA size a sender reads and sends on a direct path, the largest the wire allows
     * (§12.8). ZSSP fragments it to the path's MTU under one packet counter and reassembles it per
     * replay slot (ZSSP §10.5), so a full window of it (channel 3's 64 × 16 KiB = 1 MiB per session)
     * completes. See {@link Stream#sendChunk}.
     */
    public static final int SEND_CHUNK = Vl2Limits.PORT_FORWARD_MAX_DATA;
    /**
     * Local: the DATA size while the session goes through a root: one DATA per datagram at the
     * relayed MTU. There each ZSSP fragment is its own RELAY packet on the root sessions (§5.3), so a
     * window of fragmented 16 KiB DATA would be ≈ 800 packets at once: past the 128-packet replay
     * window (ZSSP §3.4) as soon as the path reorders, and past the root's per-pair relay limit.
     */
    public static final int RELAYED_SEND_CHUNK = 1024;
    /** Streams waiting for a session or credential, all peers together (bounded). */
    public static final int MAX_WAITING = 64;

    /** The membership facts forwarding needs (implemented over {@link MemberNetworks} by {@link #membership}). */
    public interface Membership {
        /** The gate (§8.3): {@code peer} holds a valid credential for {@code network}. */
        boolean allowed(Fingerprint peer, NetworkId network);

        /** Whether {@code peer} passes the gate of some network this node is a member of (§6.3 channel policy). */
        boolean sharesNetwork(Fingerprint peer);

        /** The member (fingerprint, address) whose credential assigns {@code target} on {@code network}, among the credentials known here. */
        Optional<Member> owner(NetworkId network, InetAddress target);
    }

    /** A member that owns a target address. */
    public record Member(Fingerprint fingerprint, Address address) {}

    /** §12.8 rules hook: evaluated on a synthesised TCP SYN, outbound at the initiator and inbound at the target. */
    @FunctionalInterface
    public interface Rules {
        /** Accepts everything: for tests of the stream machinery; a node uses {@link ForwardRules}. */
        Rules ACCEPT_ALL = (network, peer, target, port, inbound) -> true;

        boolean permits(NetworkId network, Fingerprint peer, InetAddress target, int port, boolean inbound);
    }

    /** The socket side (the daemon): every call comes on the node's thread. */
    public interface Local {
        /** Target side: connect to {@code 127.0.0.1:port} for {@code s}, then call {@link Stream#connected} or {@link Stream#close}. */
        void connect(Stream s, int port);

        /** Initiator side: the peer accepted; data may flow. */
        default void opened(Stream s) {}

        /** In-order stream bytes for the local socket; call {@link Stream#written} once each chunk is written, in order. */
        void deliver(Stream s, byte[] data);

        /**
         * The stream ended: {@code reason} per §12.8 (a peer's unknown reason is passed as is). The
         * local side writes what it was delivered, then closes its socket; it calls nothing else.
         */
        void closed(Stream s, int reason);
    }

    /** One forwarding stream; its identity is (peer, id). */
    public final class Stream {
        private enum State { WAITING, OPENING, CONNECTING, OPEN, CLOSED }

        private final Fingerprint peer;
        private final Address address;
        private int id; // an opener's is final once OPEN is sent (its top bit is the ZSSP role then)
        private final boolean opener;
        private final NetworkId network;
        private final InetAddress target;
        private final int port;
        private final Local local;
        private final long createdAt;
        private State state;
        private SeqexLink.Incoming openRequest; // target side, until answered
        private final ArrayDeque<SeqexLink.Incoming> queued = new ArrayDeque<>(); // delivered DATA not yet written
        private long progressAt; // last write progress (or when the queue became non-empty)
        private boolean closeToSend; // a local close waiting for window room
        private boolean abandoned; // closed locally while OPEN was outstanding: an OPEN_OK is answered by CLOSE
        private int closeReason;

        Stream(Fingerprint peer, Address address, int id, boolean opener, NetworkId network, InetAddress target, int port, Local local, State state) {
            this.peer = peer;
            this.address = address;
            this.id = id;
            this.opener = opener;
            this.network = network;
            this.target = target;
            this.port = port;
            this.local = local;
            this.state = state;
            this.createdAt = layer.node().now();
        }

        public Fingerprint peer() {
            return peer;
        }

        public int id() {
            return id;
        }

        public NetworkId network() {
            return network;
        }

        public InetAddress target() {
            return target;
        }

        public int port() {
            return port;
        }

        public boolean isOpen() {
            return state == State.OPEN;
        }

        public boolean isClosed() {
            return state == State.CLOSED;
        }

        /** Delivered chunks the local side has not yet reported written. */
        public int queued() {
            return queued.size();
        }

        /** The DATA size to read and {@link #send} now: {@link #SEND_CHUNK}, or {@link #RELAYED_SEND_CHUNK} while the session is relayed. */
        public int sendChunk() {
            return layer.node().relayed(peer) ? RELAYED_SEND_CHUNK : SEND_CHUNK;
        }

        /** Whether {@link #send} would be accepted now (the stream is open and channel 3's window has room). */
        public boolean canSend() {
            return state == State.OPEN && !closeToSend && layer.seqex().canSend(peer, SeqexLink.CHANNEL_PORT_FORWARD);
        }

        /**
         * Sends 1..{@value Vl2Limits#PORT_FORWARD_MAX_DATA} bytes read from the local socket.
         *
         * @return false if the window is full (read again later) or the stream is not open
         */
        public boolean send(byte[] data) {
            return send(Objects.requireNonNull(data, "data"), 0, data.length);
        }

        /** {@link #send(byte[])} of {@code buf[off, off+len)}, copied once (the daemon sends from its read buffer). */
        public boolean send(byte[] buf, int off, int len) {
            Objects.requireNonNull(buf, "data");
            if (len < 1 || len > Vl2Limits.PORT_FORWARD_MAX_DATA) {
                throw new IllegalArgumentException("DATA must be 1.." + Vl2Limits.PORT_FORWARD_MAX_DATA + " bytes, got " + len);
            }
            Objects.checkFromIndexSize(off, len, buf.length);
            if (!canSend()) return false;
            boolean sent = layer.seqex().send(peer, SeqexLink.CHANNEL_PORT_FORWARD, PortForward.Data.encode(id, buf, off, len), true);
            if (sent) dataSent++;
            return sent;
        }

        /** The local side wrote the oldest delivered chunk: frees its SEQEX slot. */
        public void written() {
            SeqexLink.Incoming in = queued.pollFirst();
            if (in == null) throw new IllegalStateException("stream " + Integer.toUnsignedString(id) + " has no delivered chunk to mark written");
            in.consume();
            progressAt = layer.node().now();
            if (queued.isEmpty() && state == State.CLOSED && !closeToSend) streams.remove(new Key(peer, id));
        }

        /** Target side: the local connect succeeded. */
        public void connected() {
            if (state != State.CONNECTING) return; // timed out or closed meanwhile
            state = State.OPEN;
            answer(new PortForward.OpenOk(id));
        }

        /** Ends the stream from the local side (EOF: reason 0; a failed connect or socket error: 3). */
        public void close(int reason) {
            if (state == State.CLOSED) return;
            if (state == State.WAITING) {
                waiting.remove(this);
                state = State.CLOSED;
                return;
            }
            if (state == State.OPENING) {
                abandoned = true;
                state = State.CLOSED; // stays in the table until the OPEN's answer
                return;
            }
            if (state == State.CONNECTING) {
                answer(new PortForward.Close(id, reason));
                finish(reason, false);
                return;
            }
            if (state == State.OPEN) {
                closeReason = reason;
                closeToSend = true;
                flushClose();
            }
            finish(reason, false);
        }

        private void answer(PortForward m) {
            SeqexLink.Incoming req = openRequest;
            openRequest = null;
            if (req != null) req.reply(m.encode(), true); // §6.1: REPLY_SEQCST
        }

        private void flushClose() {
            if (closeToSend && layer.seqex().send(peer, SeqexLink.CHANNEL_PORT_FORWARD, new PortForward.Close(id, closeReason).encode(), true)) {
                closeToSend = false;
            }
        }

        /** Marks the stream closed; tells the local side unless it asked; it leaves the table once its queue is written. */
        private void finish(int reason, boolean tellLocal) {
            state = State.CLOSED;
            if (!closeToSend && queued.isEmpty() && !abandoned) streams.remove(new Key(peer, id));
            if (tellLocal) local.closed(this, reason);
        }

        @Override
        public String toString() {
            return "Stream[" + peer.toShortString() + " " + Integer.toHexString(id) + " " + state + "]";
        }
    }

    private final Vl2Layer layer;
    private final Membership membership;
    private final Rules rules;
    private final Local targetSide;
    private volatile Set<Integer> exposed;
    private final Map<Key, Stream> streams = new LinkedHashMap<>();
    private final List<Stream> waiting = new ArrayList<>();
    private final Map<Fingerprint, Integer> nextId = new HashMap<>();
    private long opened, refusedNotExposed, refusedDenied, refusedOther, stalled, dataSent, dataReceived, dropped;

    /**
     * Registers on channel 3 of {@code layer} and for its session events.
     *
     * @param targetSide the local side for streams peers open to this node
     * @param exposed    the ports of {@code forward.expose} (planetary.json); empty refuses every OPEN with reason 1
     */
    public PortForwarding(Vl2Layer layer, Membership membership, Rules rules, Local targetSide, Set<Integer> exposed) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.targetSide = Objects.requireNonNull(targetSide, "target side");
        expose(exposed);
        layer.seqex().handle(SeqexLink.CHANNEL_PORT_FORWARD, this);
        layer.addSessionListener(this);
    }

    /** Replaces the exposed ports (1..65535). */
    public void expose(Set<Integer> ports) {
        for (int p : Objects.requireNonNull(ports, "exposed ports")) {
            if (p < 1 || p > 65_535) throw new IllegalArgumentException("exposed port " + p + " is outside 1..65535");
        }
        exposed = Set.copyOf(ports);
    }

    /** {@link Membership} over this node's {@link MemberNetworks}: gate, owner of an address among the known credentials. */
    public static Membership membership(MemberNetworks networks) {
        Objects.requireNonNull(networks, "networks");
        return new Membership() {
            @Override
            public boolean allowed(Fingerprint peer, NetworkId network) {
                return networks.network(network).map(n -> n.status() != MemberNetwork.Status.ACCESS_DENIED && n.allowed(peer)).orElse(false);
            }

            @Override
            public boolean sharesNetwork(Fingerprint peer) {
                for (MemberNetwork n : networks.networks()) if (!peer.equals(n.pin) && n.allowed(peer)) return true;
                return false;
            }

            @Override
            public Optional<Member> owner(NetworkId network, InetAddress target) {
                Optional<MemberNetwork> n = networks.network(network);
                if (n.isEmpty()) return Optional.empty();
                for (Map.Entry<Fingerprint, Signed<MemberCredential>> e : n.get().peerCredentials.entrySet()) {
                    for (AssignedAddress a : e.getValue().value().addresses()) {
                        if (a.ip().address().equals(target)) return Optional.of(new Member(e.getKey(), e.getValue().value().issuedToAddress()));
                    }
                }
                return Optional.empty();
            }
        };
    }

    /**
     * Opens a stream to {@code target:port} on {@code network}: resolves the member owning
     * {@code target}, waits (at most {@value #OPEN_TIMEOUT_MS} ms) for a session and its credential,
     * sends OPEN; {@code local} then hears {@link Local#opened} or {@link Local#closed}.
     *
     * @throws IllegalArgumentException if no known member owns {@code target} on {@code network}
     * @throws IllegalStateException    if too many streams are waiting or open
     */
    public Stream open(NetworkId network, InetAddress target, int port, Local local) {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(local, "local side");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("target port " + port + " is outside 1..65535");
        Member owner = membership.owner(network, target).orElseThrow(() -> new IllegalArgumentException(
                "no known member of " + network + " owns " + target.getHostAddress() + " (its credential has not been seen yet: ping it first)"));
        if (waiting.size() >= MAX_WAITING) throw new IllegalStateException("too many forwarding streams waiting for a session (" + MAX_WAITING + ")");
        int counter = nextId.merge(owner.fingerprint(), 1, Integer::sum);
        Stream s = new Stream(owner.fingerprint(), owner.address(), counter, true, network, target, port, local, Stream.State.WAITING);
        waiting.add(s);
        if (!layer.node().hasSession(s.peer)) layer.node().send(s.address, Nop.empty()); // resolve and open a session
        tryOpen(s);
        return s;
    }

    // ---------------------------------------------------------------- ChannelHandler

    @Override
    public boolean accepts(Fingerprint peer) {
        return membership.sharesNetwork(peer); // §6.3: channel 3 only with peers that pass the gate of a shared network
    }

    @Override
    public boolean consumesLater() {
        return true;
    }

    @Override
    public void onMessage(SeqexLink.Incoming in) {
        Decoded<PortForward> d = PortForward.decode(in.message());
        if (!(d instanceof Decoded.Ok<PortForward> ok)) {
            dropped++;
            in.consume();
            if (in.expectsReply()) in.reply(new PortForward.Close(0, PortForward.REASON_ERROR).encode(), true);
            return;
        }
        PortForward m = ok.value();
        Stream s = streams.get(new Key(in.peer(), m.streamId()));
        switch (m) {
            case PortForward.Open o -> {
                in.consume();
                if (in.expectsReply()) openRequested(in, o);
                else dropped++;
            }
            case PortForward.Data data -> {
                if (in.expectsReply() || s == null || s.state != Stream.State.OPEN) {
                    dropped++;
                    in.consume();
                    if (in.expectsReply()) in.reply(new PortForward.Close(m.streamId(), PortForward.REASON_ERROR).encode(), true);
                    return;
                }
                dataReceived++;
                if (s.queued.isEmpty()) s.progressAt = layer.node().now();
                s.queued.addLast(in);
                s.local.deliver(s, data.data().toArray());
            }
            case PortForward.Close c -> {
                in.consume();
                if (s == null) return;
                if (s.state == Stream.State.CLOSED) {
                    if (s.queued.isEmpty() && !s.closeToSend && !s.abandoned) streams.remove(new Key(s.peer, s.id));
                    return;
                }
                if (s.state == Stream.State.CONNECTING) s.openRequest = null; // the opener gave up: nothing to answer
                s.finish(c.reason(), true);
            }
            case PortForward.OpenOk x -> {
                dropped++; // OPEN_OK only comes as a REPLY
                in.consume();
            }
        }
    }

    private void openRequested(SeqexLink.Incoming in, PortForward.Open o) {
        Fingerprint peer = in.peer();
        int reason = -1;
        // §12.8: the opener's role is in the top bit; a peer that picks our half could collide with our ids
        boolean peerInitiated = !layer.node().initiatedSession(peer);
        if (((o.streamId() & PortForward.INITIATOR_BIT) != 0) != peerInitiated || streams.containsKey(new Key(peer, o.streamId()))) {
            reason = PortForward.REASON_ERROR;
        } else if (!membership.allowed(peer, o.networkId()) || !rules.permits(o.networkId(), peer, o.target(), o.port(), true)) {
            reason = PortForward.REASON_DENIED; // gate (§8.3) or rules (§12.8)
        } else if (!exposed.contains(o.port())) {
            reason = PortForward.REASON_NOT_EXPOSED;
        } else if (streamsWith(peer) >= Vl2Limits.PORT_FORWARD_MAX_STREAMS) {
            reason = PortForward.REASON_ERROR;
        }
        if (reason >= 0) {
            switch (reason) {
                case PortForward.REASON_NOT_EXPOSED -> refusedNotExposed++;
                case PortForward.REASON_DENIED -> refusedDenied++;
                default -> refusedOther++;
            }
            in.reply(new PortForward.Close(o.streamId(), reason).encode(), true);
            return;
        }
        Stream s = new Stream(peer, in.address(), o.streamId(), false, o.networkId(), o.target(), o.port(), targetSide, Stream.State.CONNECTING);
        s.openRequest = in;
        streams.put(new Key(peer, o.streamId()), s);
        opened++;
        targetSide.connect(s, o.port());
    }

    // ---------------------------------------------------------------- initiator side

    private void tryOpen(Stream s) {
        Fingerprint peer = s.peer;
        if (!layer.node().hasSession(peer) || !membership.allowed(peer, s.network)) return; // wait (service retries)
        if (!rules.permits(s.network, peer, s.target, s.port, false)) {
            fail(s, PortForward.REASON_DENIED);
            return;
        }
        if (streamsWith(peer) >= Vl2Limits.PORT_FORWARD_MAX_STREAMS) {
            fail(s, PortForward.REASON_ERROR);
            return;
        }
        int id = PortForward.streamId(layer.node().initiatedSession(peer), s.id);
        byte[] m = new PortForward.Open(id, s.network, s.target, s.port).encode();
        boolean sent = layer.seqex().request(peer, SeqexLink.CHANNEL_PORT_FORWARD, m, true, new SeqexLink.ReplyHandler() {
            @Override
            public void onReply(byte[] reply) {
                answered(s, reply);
            }

            @Override
            public void onFailure(String reason) {
                if (s.abandoned) streams.remove(new Key(s.peer, s.id));
                else if (s.state != Stream.State.CLOSED) s.finish(PortForward.REASON_ERROR, true);
            }
        });
        if (!sent) return; // window full: service retries
        waiting.remove(s);
        s.id = id;
        s.state = Stream.State.OPENING;
        streams.put(new Key(peer, id), s);
    }

    /** The target's answer to an OPEN: OPEN_OK or CLOSE for the same stream id (anything else closes it, reason 3). */
    private void answered(Stream s, byte[] reply) {
        PortForward m = PortForward.decode(reply) instanceof Decoded.Ok<PortForward> ok && ok.value().streamId() == s.id ? ok.value() : null;
        if (s.abandoned) { // closed locally meanwhile: an accepted stream is closed at once
            s.abandoned = false;
            streams.remove(new Key(s.peer, s.id));
            if (m instanceof PortForward.OpenOk) layer.seqex().send(s.peer, SeqexLink.CHANNEL_PORT_FORWARD, new PortForward.Close(s.id, PortForward.REASON_NORMAL).encode(), true);
            return;
        }
        if (s.state != Stream.State.OPENING) return;
        switch (m) {
            case PortForward.OpenOk x -> {
                s.state = Stream.State.OPEN;
                opened++;
                s.local.opened(s);
            }
            case PortForward.Close c -> s.finish(c.reason(), true);
            case null, default -> {
                dropped++;
                s.finish(PortForward.REASON_ERROR, true);
            }
        }
    }

    private void fail(Stream s, int reason) {
        waiting.remove(s);
        s.finish(reason, true);
    }

    // ---------------------------------------------------------------- session events and time

    @Override
    public void sessionUp(Fingerprint peer, Address address) {
        lost(peer); // a replaced session's SEQEX state is gone (§6.4)
    }

    @Override
    public void sessionDown(Fingerprint peer, String reason) {
        lost(peer);
    }

    /** §12.8: a lost session closes all its streams (waiting opens wait for the next session). */
    private void lost(Fingerprint peer) {
        for (Stream s : List.copyOf(streams.values())) {
            if (!s.peer.equals(peer)) continue;
            s.queued.clear(); // the SEQEX state went with the session: nothing to consume
            s.closeToSend = false;
            s.abandoned = false;
            streams.remove(new Key(s.peer, s.id));
            if (s.state != Stream.State.CLOSED) s.finish(PortForward.REASON_ERROR, true);
        }
    }

    /** Retries waiting opens and pending closes, times out connects, applies the stall rule; returns the next deadline. */
    public long service(long now) {
        long next = Long.MAX_VALUE;
        for (Stream s : List.copyOf(waiting)) {
            if (now - s.createdAt >= OPEN_TIMEOUT_MS) fail(s, PortForward.REASON_ERROR);
            else {
                tryOpen(s);
                if (s.state == Stream.State.WAITING) next = Math.min(next, now + 100); // poll the session and credential
            }
        }
        for (Stream s : List.copyOf(streams.values())) {
            if (s.state == Stream.State.CONNECTING) {
                if (now - s.createdAt >= CONNECT_TIMEOUT_MS) s.close(PortForward.REASON_ERROR);
                else next = Math.min(next, s.createdAt + CONNECT_TIMEOUT_MS);
            }
            if (s.closeToSend) {
                s.flushClose();
                if (s.closeToSend) next = Math.min(next, now + 50);
                else if (s.queued.isEmpty() && s.state == Stream.State.CLOSED) streams.remove(new Key(s.peer, s.id));
            }
            if (!s.queued.isEmpty()) {
                if (now - s.progressAt >= Vl2Limits.PORT_FORWARD_STALL_MS) { // §12.8 stall rule
                    stalled++;
                    while (!s.queued.isEmpty()) s.queued.pollFirst().consume();
                    if (s.state == Stream.State.OPEN) {
                        s.closeReason = PortForward.REASON_ERROR;
                        s.closeToSend = true;
                        s.flushClose();
                        s.finish(PortForward.REASON_ERROR, true);
                    } else {
                        streams.remove(new Key(s.peer, s.id));
                    }
                } else {
                    next = Math.min(next, s.progressAt + Vl2Limits.PORT_FORWARD_STALL_MS);
                }
            }
        }
        return next;
    }

    /** Streams in the table (opening, open, or closed with data still to write or an answer to wait for) plus those waiting for a session. */
    public int streams() {
        return streams.size() + waiting.size();
    }

    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("forwardOpened", opened);
        m.put("forwardRefusedNotExposed", refusedNotExposed);
        m.put("forwardRefusedDenied", refusedDenied);
        m.put("forwardRefusedOther", refusedOther);
        m.put("forwardStalled", stalled);
        m.put("forwardDataSent", dataSent);
        m.put("forwardDataReceived", dataReceived);
        m.put("forwardDropped", dropped);
        return m;
    }

    // ---------------------------------------------------------------- internals

    /** A stream's identity: the peer and the opener's id (§12.8). */
    private record Key(Fingerprint peer, int id) {}

    private int streamsWith(Fingerprint peer) {
        int n = 0;
        for (Stream s : streams.values()) if (s.peer.equals(peer)) n++;
        return n;
    }
}

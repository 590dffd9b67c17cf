package dev.planetary.tunnel;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.ClosedException;
import dev.planetary.seqex.Message;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The listener side of a tunnel, for one session: answers OPEN requests for allowed targets by
 * connecting to them and carrying the connection on the requested channel (see {@link TunnelProtocol}).
 */
public final class TunnelServer implements AutoCloseable {
    private static final String SIDE = "listener";
    private final TunnelLink link;
    private final Channel control;
    private final List<TunnelTarget> allowed;
    private final TunnelEvents out;
    private final int connectTimeoutMs;
    private final String peer;
    private final String remote;
    private final String shortPeer;
    /** The tunnel's packet size and receive buffer (its PINGs announce them; an older tunnel's none: base packets). */
    private volatile TunnelProtocol.Sizes peerSizes = TunnelProtocol.Sizes.BASE;
    private final int mtu;
    private final Map<Integer, TunnelStream> streams = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> reserved = new ConcurrentHashMap<>();
    private final TunnelLimits limits;
    private final TunnelStream.Hooks hooks = new TunnelStream.Hooks() {
        @Override
        public void reset(TunnelStream s, String reason) {
            TunnelServer.this.reset(s, reason);
        }

        @Override
        public boolean ended(TunnelStream s) {
            return TunnelServer.this.ended(s);
        }

        @Override
        public void finished(TunnelStream s) {
            TunnelServer.this.finished(s);
        }
    };
    final AtomicLong opened = new AtomicLong();
    final AtomicLong refused = new AtomicLong();

    private final IdleTimer idle;

    /** A listener side with {@link TunnelLimits#DEFAULT} limits. */
    public TunnelServer(PeerSession session, List<TunnelTarget> allowed, TunnelEvents out, int connectTimeoutMs) {
        this(session, allowed, out, connectTimeoutMs, TunnelLimits.DEFAULT, null);
    }

    /**
     * The listener side for {@code session}: from now on, hand every payload of the session to {@link #receive}.
     *
     * @param allowed          the targets peers may open streams to
     * @param out              where events go
     * @param connectTimeoutMs how long a connection to a target may take
     * @param limits           streams and buffer per session
     * @param idle             the timer for {@code limits.streamIdleMs()} (null if that is 0)
     */
    public TunnelServer(PeerSession session, List<TunnelTarget> allowed, TunnelEvents out, int connectTimeoutMs, TunnelLimits limits, IdleTimer idle) {
        this.limits = limits;
        this.idle = limits.streamIdleMs() > 0 ? java.util.Objects.requireNonNull(idle, "idle") : null;
        // channel 0 and the channels of accepted OPENs (reserved before the reply) take data; others are dropped
        this.link = new TunnelLink(session, limits.seqex(session.mtu()), c -> c == 0 || reserved.containsKey(c), limits.maxHeld(), limits.maxHeldBytes());
        link.seqex.sharePool(limits.guaranteedBytes(), limits.sharedBytes()); // a busy stream may use the pool, many split it
        this.control = link.seqex.channel(0);
        this.allowed = List.copyOf(allowed);
        this.out = out;
        this.connectTimeoutMs = connectTimeoutMs;
        this.peer = session.peer().toHex();
        this.remote = Endpoint.format(session.remoteAddress());
        this.shortPeer = session.peer().toHex().substring(0, 16) + "\u2026";
        this.mtu = session.mtu();
        link.onControl(this::control);
    }

    /**
     * A payload of this session (from the endpoint's PayloadHandler or EndpointListener.onData; never blocks).
     * The array becomes the tunnel's: never modify it afterwards (stream data is read from it without a copy).
     */
    public void receive(byte[] payload) {
        link.receive(payload);
    }

    /** Streams open now. */
    public int activeStreams() {
        return streams.size();
    }

    /** Unexpected errors the process's tunnel socket selector caught and survived (each kind is also logged, rate-limited). */
    public static long ioErrors() {
        return TunnelIo.errors();
    }

    TunnelLink link() {
        return link;
    }

    /** Closes the SEQEX link: open streams end ("tunnel closed"); the session itself stays the caller's. */
    @Override
    public void close() {
        link.close();
    }

    /**
     * A control message, on the thread that delivered it (the endpoint's receive thread, {@link
     * TunnelLink#onControl}): a PING or a bad request is answered without waiting, an OPEN starts a
     * non-blocking connect. No thread per OPEN (issue 19, set-up). Never blocks.
     */
    private void control(Message m) {
        TunnelProtocol.Control c = TunnelProtocol.Control.decode(m.payload());
        if (c != null && c.type() == TunnelProtocol.PING && m.expectsReply()) {
            // the tunnel's first PING precedes its first OPEN on this SeqCst channel: sizes known before any stream
            peerSizes = TunnelProtocol.pingSizes(m.payload());
            if (peerSizes.windowAcks()) link.seqex.advertiseWindow(); // the tunnel reads windows in our ACKs (docs/seqex.md §4)
            m.replyAsync(TunnelProtocol.reply(TunnelProtocol.OK, ""), true);
        } else if (c != null && c.type() == TunnelProtocol.OPEN && m.expectsReply()) {
            OpenTrace.mark(SIDE, c.stream(), "open-datagram", link.lastReceived);
            OpenTrace.mark(SIDE, c.stream(), "open-received");
            open(m, c);
        } else if (m.expectsReply()) {
            m.replyAsync(TunnelProtocol.reply(TunnelProtocol.BAD, "unknown request"), true);
        } else if (c != null && c.type() == TunnelProtocol.RESET) {
            TunnelStream s = streams.get(c.channel());
            if (s != null && s.id == c.stream()) s.abort("reset by the peer: " + out.peerText(c.text()));
        }
    }

    /**
     * Serves an OPEN without blocking: admits it (target allowed, channel free), connects to the target
     * without blocking ({@link TunnelIo#connect}; on loopback the connect completes at once, here on the
     * receive thread) and then {@link #connected answers}. Refusals are answered at once.
     */
    private void open(Message m, TunnelProtocol.Control c) {
        TunnelTarget t;
        try {
            t = admit(c);
        } catch (Refusal r) {
            m.replyAsync(r.answer, true);
            return;
        }
        SocketChannel socket;
        try {
            socket = SocketChannel.open();
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            connected(m, c, null, e);
            return;
        }
        TunnelIo.get().connect(socket, t.address(), connectTimeoutMs, failure -> connected(m, c, socket, failure));
    }

    /** The connect of an admitted OPEN ended: answer, and only then start the stream; events go out on a thread of their own. Never blocks. */
    private void connected(Message m, TunnelProtocol.Control c, SocketChannel socket, IOException failure) {
        String target = c.text();
        if (failure != null) {
            reserved.remove(c.channel());
            closeQuietly(socket);
            String why = "cannot connect to " + target + ": " + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
            later(() -> out.peerEvent("stream.failed", "tunnel stream " + Integer.toUnsignedString(c.stream()) + " from " + remote + ": " + why,
                    "peer", peer, "remote", remote, "stream", Integer.toUnsignedLong(c.stream()), "target", target, "reason", why));
            m.replyAsync(TunnelProtocol.reply(TunnelProtocol.FAILED, why), true);
            return;
        }
        OpenTrace.mark(SIDE, c.stream(), "connected");
        // registered before the answer: a RESET the tunnel sends right after it finds its stream
        TunnelProtocol.Sizes tunnel = peerSizes;
        int chunk = tunnel.chunkFor(link.seqex.config(), mtu);
        TunnelStream s;
        try {
            Channel ch = link.seqex.channel(c.channel());
            ch.limitSendWindow(tunnel.sendLimit(chunk)); // no more in flight than the tunnel buffers (an older tunnel: the window)
            s = new TunnelStream(c.stream(), SIDE, ch, target, socket, chunk, hooks);
        } catch (ClosedException e) {
            reserved.remove(c.channel());
            closeQuietly(socket);
            return; // session over
        }
        streams.put(c.channel(), s);
        m.replyAsync(TunnelProtocol.opened(limits.receiveCapacity(), TunnelProtocol.Sizes.of(link.seqex.config())), true);
        OpenTrace.mark(SIDE, c.stream(), "answer-sent");
        String local = s.localAddress() instanceof InetSocketAddress a ? Endpoint.format(a) : null; // before a short stream closes it
        s.start();
        opened.incrementAndGet();
        if (out.silent()) { // an open nobody sees: no thread for it (issue 19, set-up)
            s.announced.countDown();
            if (idle != null) watchIdle(s);
            return;
        }
        later(() -> {
            try {
                out.event("stream.open", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(c.stream()) + " from " + remote + " to " + s.target : null,
                        "peer", peer, "remote", remote, "stream", Integer.toUnsignedLong(c.stream()), "channel", c.channel(), "target", s.target,
                        "local", local);
            } finally {
                s.announced.countDown();
            }
            if (idle != null) watchIdle(s);
        });
    }

    /** Runs {@code r} (events: output may block) on a virtual thread of its own. */
    private static void later(Runnable r) {
        Thread.ofVirtual().start(r);
    }

    /** An OPEN not served: the answer that says why. */
    private static final class Refusal extends Exception {
        final byte[] answer;

        Refusal(byte status, String why) {
            super(why, null, false, false);
            this.answer = TunnelProtocol.reply(status, why);
        }
    }

    /** Checks an OPEN and reserves its channel: the target to connect to. Its events go out on a thread of their own. */
    private TunnelTarget admit(TunnelProtocol.Control c) throws Refusal {
        String target = c.text();
        String shown = out.peerText(target); // peer-chosen: escaped and truncated wherever it is printed
        if (c.channel() < 1 || c.channel() > TunnelLimits.MAX_STREAMS) {
            throw new Refusal(TunnelProtocol.BAD, "channel " + c.channel() + " is out of range 1.." + TunnelLimits.MAX_STREAMS);
        }
        TunnelTarget t = TunnelProtocol.find(allowed, target);
        if (t == null) {
            refused.incrementAndGet();
            String why = "target " + shown + " is not allowed by the listener (not in its --allow-tunnel list)";
            later(() -> out.peerEvent("stream.refused", "refused tunnel stream " + Integer.toUnsignedString(c.stream()) + " from " + shortPeer + " at " + remote + " to " + shown
                            + ": not in --allow-tunnel",
                    "peer", peer, "remote", remote, "stream", Integer.toUnsignedLong(c.stream()), "target", shown, "reason", why));
            throw new Refusal(TunnelProtocol.REFUSED, why);
        }
        synchronized (reserved) {
            if (reserved.containsKey(c.channel())) throw new Refusal(TunnelProtocol.BAD, "channel " + c.channel() + " is still in use");
            if (reserved.size() >= limits.maxStreams()) {
                refused.incrementAndGet();
                String why = "too many streams on this session (the listener's --max-streams is " + limits.maxStreams() + ")";
                later(() -> out.event("stream.refused", "refused tunnel stream " + Integer.toUnsignedString(c.stream()) + " from " + shortPeer + " at " + remote + ": " + why,
                        "peer", peer, "remote", remote, "stream", Integer.toUnsignedLong(c.stream()), "target", target, "reason", why));
                throw new Refusal(TunnelProtocol.REFUSED, why);
            }
            reserved.put(c.channel(), Boolean.TRUE);
        }
        return t;
    }

    /** Resets {@code s} once it carried no byte for --stream-idle-timeout: an idle peer does not pin a connection to the target for ever. */
    private void watchIdle(TunnelStream s) {
        idle.watch(new IdleTimer.Watched() {
            @Override
            public long lastActivity() {
                return s.lastActivity();
            }

            @Override
            public boolean isDone() {
                return s.isFinished() || s.aborted();
            }

            @Override
            public void idle(long idleMs) {
                String reason = "idle for " + idleMs / 1000 + " s (the listener's --stream-idle-timeout)";
                reset(s, reason);
                s.abort(reason);
            }
        }, limits.streamIdleMs());
    }

    /** Queues a RESET for {@code s} on the control channel; never blocks (a stream's turn calls it). */
    private void reset(TunnelStream s, String reason) {
        control.sendAsync(new TunnelProtocol.Control(TunnelProtocol.RESET, s.id, s.channelId, reason).encode(), true); // fails quietly once the session is over
    }

    /**
     * Both directions of {@code s} ended (markers sent and received), on the thread that ended them:
     * the channel is free again, and CLOSE tells the tunnel so, queued here without blocking. Sent from
     * this platform thread, not the events' virtual thread: encryption on a virtual thread runs a branch
     * the bulk path's compiled code never took, and its deoptimisation (with the recompilations it
     * starts) fell right on the next stream's OPEN (BENCHMARKS.md, issue 19 seventh round).
     */
    private boolean ended(TunnelStream s) {
        streams.remove(s.channelId, s);
        reserved.remove(s.channelId); // before CLOSE: the tunnel may reuse the channel as soon as CLOSE arrives
        control.sendAsync(new TunnelProtocol.Control(TunnelProtocol.CLOSE, s.id, s.channelId, "").encode(), true); // fails quietly once the session is over
        return !out.silent(); // stream.closed to print
    }

    private void finished(TunnelStream s) {
        try {
            s.announced.await(); // its stream.open first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.event("stream.closed", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(s.id) + " to " + s.target + " closed: "
                        + s.bytesReceived.get() + " bytes in, " + s.bytesSent.get() + " out" : null,
                "peer", peer, "remote", remote, "stream", Integer.toUnsignedLong(s.id), "channel", s.channelId, "target", s.target,
                "bytesIn", s.bytesReceived.get(), "bytesOut", s.bytesSent.get(), "reset", s.abortReason());
    }

    private static void closeQuietly(java.io.Closeable s) {
        if (s == null) return;
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

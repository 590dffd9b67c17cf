package dev.planetary.tunnel;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.ClosedException;
import dev.planetary.seqex.Message;
import dev.planetary.transport.PeerSession;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connecting side of a tunnel: accepts TCP connections on a local socket and opens one stream
 * per connection to {@code target} at the listener (see {@link TunnelProtocol}). Channel ids come
 * from a pool of {@code maxStreams}; a connection waits for a free channel when all are in use. A
 * channel returns to the pool when this side's stream finished and the listener's CLOSE arrived.
 *
 * <p>Only payloads of its own session are taken ({@link #receive(PeerSession, byte[])}), and only
 * on channels it opened. A keepalive request on the control channel every {@code keepalive} finds
 * a session the listener no longer has (it was replaced by another client with the same key, or the
 * listener restarted): no answer within three intervals reports the session lost.
 */
public final class TunnelClient implements AutoCloseable {
    private static final String SIDE = "tunnel";
    private final TunnelLink link;
    private final Channel control;
    private final ServerSocket local;
    private final String target;
    private final TunnelEvents out;
    /**
     * Free channel ids, most recently freed first: a new stream reuses a channel whose SEQEX state
     * exists (a channel's first use runs code the bulk path's compiled code never took, and its
     * deoptimisation fell on the new stream, BENCHMARKS.md issue 19 seventh round); at most maxStreams.
     */
    private final LinkedBlockingDeque<Integer> free;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    /** Channels that take data: 0, a channel whose OPEN is on its way, and the channels of open streams. */
    private final Set<Integer> open = ConcurrentHashMap.newKeySet();
    private final PeerSession session;
    private final TunnelStream.Hooks hooks = new TunnelStream.Hooks() {
        @Override
        public void reset(TunnelStream s, String reason) {
            TunnelClient.this.reset(s, reason);
        }

        @Override
        public boolean ended(TunnelStream s) {
            return TunnelClient.this.ended(s);
        }

        @Override
        public void finished(TunnelStream s) {
            TunnelClient.this.finished(s);
        }
    };
    private volatile long keepaliveMs;
    private volatile Consumer<String> lost = reason -> {};
    final AtomicLong foreign = new AtomicLong();
    private final AtomicInteger nextStream = new AtomicInteger(1);
    /** Every PING announces our packet size and receive buffer per stream (issue 19). */
    private final byte[] ping;
    private volatile boolean closed;
    final AtomicLong opened = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong finished = new AtomicLong();
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();

    /** A channel in use: free again once both our stream and the listener are done with it. */
    private static final class Slot {
        final TunnelStream stream;
        boolean localDone;
        boolean remoteDone;
        boolean released;

        Slot(TunnelStream stream) {
            this.stream = stream;
        }
    }

    /**
     * The connecting side for {@code session}: from now on, hand every payload of the endpoint to {@link #receive}.
     *
     * @param local      the local socket to accept connections on ({@link #start}), or null if they come through {@link #handle};
     *                   the socket of a {@link java.nio.channels.ServerSocketChannel} ({@code ServerSocketChannel.open().socket()}),
     *                   whose connections the tunnel serves without blocking
     * @param target     what each stream asks the listener for, {@code HOST:PORT}
     * @param maxStreams concurrent streams, 1..{@link TunnelLimits#MAX_STREAMS}
     * @param out        where events go
     * @throws IllegalArgumentException if {@code maxStreams} is out of range, or {@code local} is not a channel's socket
     */
    public TunnelClient(PeerSession session, ServerSocket local, String target, int maxStreams, TunnelEvents out) {
        TunnelLimits.checkStreams(maxStreams);
        checkChannel(local);
        this.session = session;
        open.add(0);
        // held out-of-order packets: what (2·window − 1) base packets per channel came to before issue 19, whatever the packet size
        long maxHeldBytes = (long) (maxStreams + 1) * (2 * TunnelProtocol.WINDOW - 1) * TunnelProtocol.BASE_PACKET;
        this.link = new TunnelLink(session, TunnelProtocol.config(TunnelProtocol.packetSize(session.mtu())), open::contains, Integer.MAX_VALUE, maxHeldBytes);
        this.ping = TunnelProtocol.ping(TunnelProtocol.Sizes.of(link.seqex.config()));
        this.control = link.seqex.channel(0);
        this.local = local;
        this.target = target;
        this.out = out;
        this.free = new LinkedBlockingDeque<>(maxStreams);
        for (int c = 1; c <= maxStreams; c++) free.addLast(c);
    }

    /**
     * Starts accepting connections on the local socket and reading control messages. Connections are
     * accepted on the process's tunnel selector thread ({@link TunnelIo#accept}), which then sends the
     * OPEN: a thread that encrypts for the session anyway (a stream's end marker, uploads), so the OPEN
     * after a long transfer finds its Cipher at hand, where a thread that only sent OPENs missed it and
     * deoptimised (BENCHMARKS.md, issue 19 seventh round); no accept thread of its own to wake.
     *
     * @throws java.io.UncheckedIOException if the local socket cannot be made non-blocking or registered
     */
    public TunnelClient start() {
        startLink();
        acceptOn(local, c -> {
            handle(c.socket(), System.nanoTime());
            return true;
        }, out, () -> closed);
        return this;
    }

    /**
     * Starts reading control messages (connections come through {@link #handle}); with
     * {@code keepaliveMs > 0}, also the keepalive, which calls {@code lost} once if the listener stops answering.
     */
    public TunnelClient startLink(long keepaliveMs, Consumer<String> lost) {
        this.keepaliveMs = keepaliveMs;
        this.lost = lost;
        return startLink();
    }

    private TunnelClient startLink() {
        link.onControl(this::control);
        if (keepaliveMs > 0) Thread.ofVirtual().name("tunnel-keepalive").start(this::keepaliveLoop);
        // One PING at once: the first OPEN otherwise pays for running both sides' control path for the
        // first time (class loading, interpreted code: ~175 ms on a fresh pair of JVMs, BENCHMARKS.md).
        control.requestAsync(ping, true); // and it announces our sizes before the first OPEN
        return this;
    }

    /** The session this client runs on. */
    public PeerSession session() {
        return session;
    }

    /**
     * A payload the endpoint received (PayloadHandler or EndpointListener.onData; never blocks). Only this tunnel's own session
     * carries tunnel data; a payload of any other session is dropped and counted. The array becomes the
     * tunnel's: never modify it afterwards (stream data is read from it without a copy).
     */
    public void receive(PeerSession from, byte[] payload) {
        if (from != session) {
            foreign.incrementAndGet();
            return;
        }
        link.receive(payload);
    }

    /**
     * Carries one accepted local connection (its OPEN is sent at once if a channel is free; else on a virtual thread that waits for one).
     *
     * @param socket the socket of a {@link java.nio.channels.SocketChannel} (as a {@link java.nio.channels.ServerSocketChannel}'s socket accepts)
     * @throws IllegalArgumentException if it is not
     */
    public void handle(Socket socket) {
        if (socket.getChannel() == null) {
            throw new IllegalArgumentException("a tunnel needs the socket of a SocketChannel (accept on ServerSocketChannel.open().socket()), got a plain " + socket);
        }
        handle(socket, System.nanoTime());
    }

    /** Streams are non-blocking SocketChannels: a local ServerSocket must be a ServerSocketChannel's. */
    /**
     * Accepts {@code local}'s connections on the tunnel selector thread ({@link TunnelIo#accept}): each
     * to {@code accepted} (false pauses accepting until {@link TunnelIo#resumeAccept}); a failure is a
     * warning unless {@code stopped} says the socket was closed on purpose.
     */
    static void acceptOn(ServerSocket local, java.util.function.Predicate<java.nio.channels.SocketChannel> accepted, TunnelEvents out,
                         java.util.function.BooleanSupplier stopped) {
        try {
            TunnelIo.get().accept(local.getChannel(), accepted, e -> {
                if (!stopped.getAsBoolean()) out.warn("tunnel: accepting on the local socket failed: " + e.getMessage());
            });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot accept on the tunnel's local socket " + local, e);
        }
    }

    static void checkChannel(ServerSocket local) {
        if (local != null && local.getChannel() == null) {
            throw new IllegalArgumentException("a tunnel's local socket must be a ServerSocketChannel's (ServerSocketChannel.open().socket()), got a plain " + local);
        }
    }

    /** As {@link #handle(Socket)}, for a connection accepted at {@code acceptedNanos} ({@link System#nanoTime()}), a SocketChannel's; never blocks. */
    void handle(Socket socket, long acceptedNanos) {
        int id = nextStream.getAndIncrement();
        OpenTrace.mark(SIDE, id, "accepted", acceptedNanos);
        Integer channel = free.pollFirst();
        if (channel != null) {
            open(socket, id, channel, acceptedNanos);
            return;
        }
        Thread.ofVirtual().name("tunnel-open").start(() -> {
            try {
                open(socket, id, free.takeFirst(), acceptedNanos);
            } catch (InterruptedException e) {
                closeQuietly(socket);
            }
        });
    }

    TunnelLink link() {
        return link;
    }

    /** The streams open now (tests). */
    List<TunnelStream> streams() {
        return slots.values().stream().map(s -> s.stream).toList();
    }

    /** Streams open now. */
    public int activeStreams() {
        return slots.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (local != null) local.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        link.close();
    }

    private void keepaliveLoop() {
        try {
            while (!closed) {
                Thread.sleep(keepaliveMs);
                try {
                    control.requestAsync(ping, true).get(3 * keepaliveMs, TimeUnit.MILLISECONDS); // any answer will do, also BAD from an old listener
                } catch (TimeoutException e) {
                    if (!closed) lost.accept("the listener did not answer keepalives for " + String.format(java.util.Locale.ROOT, "%.1f s", 3 * keepaliveMs / 1e3)
                            + " (its session was replaced by another client with our key, or it restarted or is unreachable)");
                    return;
                } catch (ExecutionException e) {
                    return; // the link closed
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /**
     * Sends the OPEN for {@code socket} on {@code channel} without waiting (issue 19, set-up): the
     * listener's answer starts the stream on the thread that delivered it (the endpoint's receive
     * thread: a stream starts without blocking and has no threads), so the first bytes wait for no other
     * hand-off; a virtual thread reports the outcome (events may block on output).
     */
    private void open(Socket socket, int id, int channel, long accepted) {
        Opening o = new Opening(socket, id, channel, accepted);
        try {
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            o.fail();
            return;
        }
        open.add(channel); // the listener's data may arrive before its answer
        OpenTrace.mark(SIDE, id, "open-sent");
        CompletableFuture<byte[]> answer = control.requestAsync(new TunnelProtocol.Control(TunnelProtocol.OPEN, id, channel, target).encode(), true);
        OpenTrace.mark(SIDE, id, "open-queued"); // encrypted and sent, unless the window was full
        // the report's thread starts once the answer is in (answered() done): no thread waits through the round trip
        answer.whenComplete((a, error) -> {
            try {
                o.answered(a);
            } finally { // if answered() failed, the report finds no stream and cleans up
                if (error == null && o.slot != null && out.silent()) o.report(a, null); // an open nobody sees: no thread for it
                else Thread.ofVirtual().name("tunnel-open-" + Integer.toUnsignedString(id)).start(() -> o.report(a, error));
            }
        });
    }

    /** One stream between its OPEN and the listener's answer. */
    private final class Opening {
        final Socket socket;
        final int id;
        final int channel;
        final long accepted;
        volatile long answeredNanos;
        volatile Slot slot; // set on an OK answer, before the stream starts

        Opening(Socket socket, int id, int channel, long accepted) {
            this.socket = socket;
            this.id = id;
            this.channel = channel;
            this.accepted = accepted;
        }

        /** The answer arrived (null: the link closed); on OK the stream starts here. Never blocks. */
        void answered(byte[] answer) {
            answeredNanos = System.nanoTime();
            OpenTrace.mark(SIDE, id, "answer-datagram", link.lastReceived);
            OpenTrace.mark(SIDE, id, "answer-received");
            if (answer == null || answer.length == 0 || answer[0] != TunnelProtocol.OK) return; // report() cleans up
            Channel ch = link.seqex.channel(channel);
            TunnelProtocol.Sizes listener = TunnelProtocol.sizes(answer);
            if (listener.windowAcks()) link.seqex.advertiseWindow(); // the listener reads windows in our ACKs (docs/seqex.md §4)
            int chunk = listener.chunkFor(link.seqex.config(), session.mtu());
            try {
                ch.limitSendWindow(listener.sendLimit(chunk)); // no more in flight than the listener buffers for it
            } catch (ClosedException e) {
                return;
            }
            Slot s = new Slot(new TunnelStream(id, SIDE, ch, target, socket.getChannel(), chunk, hooks));
            slots.put(channel, s);
            slot = s;
            s.stream.start();
        }

        /** Reports the answer {@code a} (or the link's failure) after {@link #answered}: events, refusals, failures; on a virtual thread of its own. */
        void report(byte[] a, Throwable linkClosed) {
            if (linkClosed != null) {
                fail();
                return;
            }
            Slot s = slot;
            if (s == null) {
                refused(a);
                return;
            }
            opened.incrementAndGet();
            long openMs = (answeredNanos - accepted) / 1_000_000; // accepted to the listener's answer (it connected to the target)
            try {
                if (!out.silent()) out.event("stream.open", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(id) + " from " + socket.getRemoteSocketAddress() + " to " + target
                    + " (opened in " + openMs + " ms)" : null,
                    "stream", Integer.toUnsignedLong(id), "channel", channel, "target", target, "openMs", openMs,
                    "client", String.valueOf(socket.getRemoteSocketAddress()).replaceFirst("^/", ""));
            } finally {
                s.stream.announced.countDown();
            }
        }

        private void refused(byte[] answer) {
            byte status = answer.length == 0 ? TunnelProtocol.BAD : answer[0];
            if (status == TunnelProtocol.OK) { // OK, but the link closed before the stream started
                fail();
                return;
            }
            String why = answer.length <= 1 ? "no reason given" : out.peerText(new String(answer, 1, answer.length - 1, StandardCharsets.UTF_8));
            refused.incrementAndGet();
            String kind = status == TunnelProtocol.REFUSED ? "refused" : status == TunnelProtocol.FAILED ? "failed" : "rejected";
            String text = "the listener " + kind + " tunnel stream " + Integer.toUnsignedString(id) + " to " + target + ": " + why;
            if (out.json()) out.event("stream.refused", null, "stream", Integer.toUnsignedLong(id), "target", target, "status", kind, "reason", why);
            else out.warn(text);
            fail();
        }

        /** No stream: the channel goes back to the pool, the connection is closed. */
        void fail() {
            open.remove(channel);
            free.addFirst(channel);
            closeQuietly(socket);
        }
    }

    /**
     * A control message from the listener, on the thread that delivered it ({@link TunnelLink#onControl}:
     * no control thread to wake, so a CLOSE frees its channel for the next stream at once). Never blocks.
     */
    private void control(Message m) {
        if (m.expectsReply()) { // the listener sends no requests; answer anyway so nothing pins its window
            m.replyAsync(TunnelProtocol.reply(TunnelProtocol.BAD, "unknown request"), true);
            return;
        }
        TunnelProtocol.Control c = TunnelProtocol.Control.decode(m.payload());
        if (c == null) return;
        Slot slot = slots.get(c.channel());
        if (slot == null || slot.stream.id != c.stream()) return;
        if (c.type() == TunnelProtocol.CLOSE) {
            synchronized (slot) {
                slot.remoteDone = true;
            }
            maybeRelease(c.channel(), slot);
        } else if (c.type() == TunnelProtocol.RESET) {
            slot.stream.abort("reset by the listener: " + out.peerText(c.text()));
        }
    }

    private void maybeRelease(int channel, Slot slot) {
        synchronized (slot) {
            if (!slot.localDone || !slot.remoteDone || slot.released) return;
            slot.released = true;
        }
        slots.remove(channel, slot);
        open.remove(channel);
        free.addFirst(channel);
    }

    /** Queues a RESET for {@code s} on the control channel; never blocks (a stream's turn calls it). */
    private void reset(TunnelStream s, String reason) {
        control.sendAsync(new TunnelProtocol.Control(TunnelProtocol.RESET, s.id, s.channelId, reason).encode(), true); // fails quietly once the link is closed
    }

    /**
     * Our side of {@code s} ended, on the thread that ended it: counted, and its channel free once the
     * listener's CLOSE is in too (without waiting for the events' thread). Never blocks.
     *
     * @return whether stream.closed is to be printed ({@link #finished})
     */
    private boolean ended(TunnelStream s) {
        finished.incrementAndGet();
        bytesSent.addAndGet(s.bytesSent.get());
        bytesReceived.addAndGet(s.bytesReceived.get());
        Slot slot = slots.get(s.channelId);
        if (slot != null && slot.stream == s) {
            synchronized (slot) {
                slot.localDone = true;
            }
            maybeRelease(s.channelId, slot);
        }
        return !out.silent();
    }

    private void finished(TunnelStream s) {
        try {
            s.announced.await(); // stream.open first (every stream's open is reported, Opening.report)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.event("stream.closed", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(s.id) + " closed: " + s.bytesSent.get() + " bytes out, "
                        + s.bytesReceived.get() + " in" + (s.abortReason() == null ? "" : " (" + s.abortReason() + ")") : null,
                "stream", Integer.toUnsignedLong(s.id), "channel", s.channelId, "target", s.target,
                "bytesOut", s.bytesSent.get(), "bytesIn", s.bytesReceived.get(), "reset", s.abortReason());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

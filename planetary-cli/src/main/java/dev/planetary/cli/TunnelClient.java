package dev.planetary.cli;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.ClosedException;
import dev.planetary.seqex.Message;
import dev.planetary.transport.PeerSession;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connecting side of a tunnel: accepts TCP connections on a local socket and opens one stream
 * per connection to {@code target} at the listener (see {@link TunnelProtocol}). Channel ids come
 * from a pool of {@code maxStreams}; a connection waits for a free channel when all are in use. A
 * channel returns to the pool when this side's stream finished and the listener's CLOSE arrived.
 */
final class TunnelClient implements AutoCloseable, TunnelStream.Hooks {
    private final TunnelLink link;
    private final Channel control;
    private final ServerSocket local;
    private final String target;
    private final Output out;
    private final int chunk;
    private final BlockingQueue<Integer> free;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final AtomicInteger nextStream = new AtomicInteger(1);
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

    TunnelClient(PeerSession session, ServerSocket local, String target, int maxStreams, Output out) {
        if (maxStreams < 1 || maxStreams > TunnelProtocol.MAX_STREAMS) {
            throw new CliError(CliError.USAGE, "--max-streams must be between 1 and " + TunnelProtocol.MAX_STREAMS + ", got " + maxStreams);
        }
        this.link = new TunnelLink(session, TunnelProtocol.config());
        this.control = link.seqex.channel(0);
        this.local = local;
        this.target = target;
        this.out = out;
        this.chunk = TunnelProtocol.chunkSize(session.mtu());
        this.free = new ArrayBlockingQueue<>(maxStreams);
        for (int c = 1; c <= maxStreams; c++) free.add(c);
    }

    /** Starts accepting connections and reading control messages. */
    TunnelClient start() {
        Thread.ofVirtual().name("tunnel-control").start(this::controlLoop);
        Thread.ofVirtual().name("tunnel-accept").start(this::acceptLoop);
        return this;
    }

    /** A payload of the session (EndpointListener.onData). */
    void receive(byte[] payload) {
        link.receive(payload);
    }

    TunnelLink link() {
        return link;
    }

    int activeStreams() {
        return slots.size();
    }

    @Override
    public void close() {
        closed = true;
        try {
            local.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        link.close();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = local.accept();
            } catch (IOException e) {
                if (!closed) out.warn("tunnel: accepting on the local socket failed: " + e.getMessage());
                return;
            }
            Thread.ofVirtual().name("tunnel-open").start(() -> open(s));
        }
    }

    private void open(Socket socket) {
        Integer channel = null;
        int id = nextStream.getAndIncrement();
        try {
            socket.setTcpNoDelay(true);
            channel = free.take();
            byte[] answer = control.requestSeqCst(new TunnelProtocol.Control(TunnelProtocol.OPEN, id, channel, target).encode());
            byte status = answer.length == 0 ? TunnelProtocol.BAD : answer[0];
            if (status != TunnelProtocol.OK) {
                String why = answer.length <= 1 ? "no reason given" : Output.peer(new String(answer, 1, answer.length - 1, StandardCharsets.UTF_8));
                refused.incrementAndGet();
                String kind = status == TunnelProtocol.REFUSED ? "refused" : status == TunnelProtocol.FAILED ? "failed" : "rejected";
                String text = "the listener " + kind + " tunnel stream " + Integer.toUnsignedString(id) + " to " + target + ": " + why;
                if (out.json()) out.event("stream.refused", null, "stream", Integer.toUnsignedLong(id), "target", target, "status", kind, "reason", why);
                else out.warn(text);
                free.add(channel);
                channel = null;
                closeQuietly(socket);
                return;
            }
            TunnelStream stream = new TunnelStream(id, link.seqex.channel(channel), target, socket, chunk, this);
            slots.put(channel, new Slot(stream));
            channel = null;
            opened.incrementAndGet();
            out.event("stream.open", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(id) + " from " + socket.getRemoteSocketAddress() + " to " + target : null,
                    "stream", Integer.toUnsignedLong(id), "channel", stream.channelId, "target", target,
                    "client", String.valueOf(socket.getRemoteSocketAddress()).replaceFirst("^/", ""));
            stream.start();
        } catch (IOException | ClosedException | InterruptedException e) {
            if (channel != null) free.add(channel);
            closeQuietly(socket);
        }
    }

    private void controlLoop() {
        try {
            while (true) {
                Message m = control.receive();
                if (m.expectsReply()) { // the listener sends no requests; answer anyway so nothing pins its window
                    m.replySeqCst(TunnelProtocol.reply(TunnelProtocol.BAD, "unknown request"));
                    continue;
                }
                TunnelProtocol.Control c = TunnelProtocol.Control.decode(m.payload());
                if (c == null) continue;
                Slot slot = slots.get(c.channel());
                if (slot == null || slot.stream.id != c.stream()) continue;
                if (c.type() == TunnelProtocol.CLOSE) {
                    synchronized (slot) {
                        slot.remoteDone = true;
                    }
                    maybeRelease(c.channel(), slot);
                } else if (c.type() == TunnelProtocol.RESET) {
                    slot.stream.abort("reset by the listener: " + Output.peer(c.text()));
                }
            }
        } catch (ClosedException | InterruptedException e) {
            // closed
        }
    }

    private void maybeRelease(int channel, Slot slot) {
        synchronized (slot) {
            if (!slot.localDone || !slot.remoteDone || slot.released) return;
            slot.released = true;
        }
        slots.remove(channel, slot);
        free.add(channel);
    }

    @Override
    public void reset(TunnelStream s, String reason) {
        try {
            control.sendSeqCst(new TunnelProtocol.Control(TunnelProtocol.RESET, s.id, s.channelId, reason).encode());
        } catch (ClosedException | InterruptedException e) {
            // closed
        }
    }

    @Override
    public void finished(TunnelStream s) {
        finished.incrementAndGet();
        bytesSent.addAndGet(s.bytesSent.get());
        bytesReceived.addAndGet(s.bytesReceived.get());
        out.event("stream.closed", out.verbose() ? "tunnel stream " + Integer.toUnsignedString(s.id) + " closed: " + s.bytesSent.get() + " bytes out, "
                        + s.bytesReceived.get() + " in" + (s.abortReason() == null ? "" : " (" + s.abortReason() + ")") : null,
                "stream", Integer.toUnsignedLong(s.id), "channel", s.channelId, "target", s.target,
                "bytesOut", s.bytesSent.get(), "bytesIn", s.bytesReceived.get(), "reset", s.abortReason());
        Slot slot = slots.get(s.channelId);
        if (slot == null || slot.stream != s) return;
        synchronized (slot) {
            slot.localDone = true;
        }
        maybeRelease(s.channelId, slot);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

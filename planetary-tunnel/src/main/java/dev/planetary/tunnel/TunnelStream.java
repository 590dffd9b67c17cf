package dev.planetary.tunnel;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.ClosedException;
import dev.planetary.seqex.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TCP connection carried on one SEQEX channel, on either side of a tunnel. Two virtual threads:
 * the reader takes bytes from the socket and sends them with blocking {@link Channel#sendSeqCst}
 * (which blocks while the peer is not consuming: back-pressure onto the TCP sender); the writer
 * takes every buffered payload per wake-up ({@link Channel#receiveBatch}) and writes to the socket (a slow local reader stops it receiving,
 * and the channel's bounded receive buffer stops the remote sender). Memory per stream is bounded
 * by the SEQEX window and receive buffer, plus the reader's buffer of whole chunks, about {@link TunnelProtocol#READ_BYTES}.
 *
 * <p>End of stream: the reader sends one empty payload after the socket's input ended (or failed);
 * the writer shuts the socket's output down when that marker arrives (half-close). Each direction
 * always ends with exactly one marker, also after an abort (the writer then discards until it), so
 * both sides agree when the channel is finished and it can carry the next stream.
 */
final class TunnelStream {
    /** What a stream reports to its side of the tunnel. */
    interface Hooks {
        /** The local socket failed: tell the peer to abort its socket (RESET). May block. */
        void reset(TunnelStream stream, String reason);

        /** Both directions ended (marker sent and received, or the link closed); the socket is closed. */
        void finished(TunnelStream stream);
    }

    final int id;
    final int channelId;
    final String target;
    /** "tunnel" or "listener", for {@link OpenTrace}. */
    private final String side;
    private final Socket socket;
    private final Channel channel;
    private final int chunk;
    private final Hooks hooks;
    private final AtomicInteger running = new AtomicInteger(2);
    final AtomicLong bytesSent = new AtomicLong();     // local socket -> tunnel
    final AtomicLong bytesReceived = new AtomicLong(); // tunnel -> local socket
    private volatile boolean aborted;
    private volatile String abortReason;
    private volatile boolean finished;
    /** {@link System#nanoTime()} of the last byte either way (for the listener's --stream-idle-timeout). */
    private volatile long lastActivity = System.nanoTime();

    TunnelStream(int id, String side, Channel channel, String target, Socket socket, int chunk, Hooks hooks) {
        this.id = id;
        this.side = side;
        this.channelId = channel.id();
        this.channel = channel;
        this.target = target;
        this.socket = socket;
        this.chunk = chunk;
        this.hooks = hooks;
    }

    void start() {
        Thread.ofVirtual().name("tunnel-" + id + "-read").start(this::readLoop);
        Thread.ofVirtual().name("tunnel-" + id + "-write").start(this::writeLoop);
    }

    /** The socket's local address. */
    java.net.SocketAddress localAddress() {
        return socket.getLocalSocketAddress();
    }

    boolean aborted() {
        return aborted;
    }

    /** Why the stream was aborted, or null. */
    String abortReason() {
        return abortReason;
    }

    /** Aborts the local socket (RST); the end-of-stream markers still follow. */
    void abort(String reason) {
        if (aborted) return;
        abortReason = reason;
        aborted = true;
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closed already
        }
        closeSocket();
    }

    private void readLoop() {
        OpenTrace.mark(side, id, "reader-start");
        try {
            try {
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[chunk * Math.max(1, TunnelProtocol.READ_BYTES / chunk)]; // 4 chunks of 16 KiB, or one of 64 KiB
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (OpenTrace.ENABLED && bytesSent.get() == 0 && n > 0) OpenTrace.mark(side, id, "first-read");
                    for (int off = 0; off < n; off += chunk) {
                        int len = Math.min(chunk, n - off);
                        channel.sendSeqCst(buf, off, len); // copied into its SEQEX packet: that part of buf is free again when it returns
                        bytesSent.addAndGet(len);
                    }
                    if (n > 0) lastActivity = System.nanoTime();
                }
            } catch (IOException e) {
                if (!aborted) {
                    String reason = "read from the local socket failed: " + e.getMessage();
                    abort(reason);
                    hooks.reset(this, reason);
                }
            }
            channel.sendSeqCst(TunnelProtocol.EOF);
        } catch (ClosedException | InterruptedException e) {
            abort("tunnel closed");
        } finally {
            done();
        }
    }

    private void writeLoop() {
        OpenTrace.mark(side, id, "writer-start");
        boolean broken = false;
        try {
            OutputStream out = socket.getOutputStream();
            List<Message> batch = new ArrayList<>();
            boolean ended = false;
            while (!ended) {
                // every payload already buffered, in one wake-up; each keeps its receive-buffer slot until
                // written (the next call frees the previous batch)
                channel.receiveBatch(batch, TunnelProtocol.WINDOW, m -> m.payload().length == 0);
                for (Message m : batch) {
                    byte[] p = m.payload();
                    if (p.length == 0) {
                        ended = true; // the marker is the batch's last message
                    } else if (!broken && !aborted) { // else drain to the marker so the channel ends clean
                        try {
                            out.write(p);
                            if (OpenTrace.ENABLED && bytesReceived.get() == 0) OpenTrace.mark(side, id, "first-written");
                            bytesReceived.addAndGet(p.length);
                            lastActivity = System.nanoTime();
                        } catch (IOException e) {
                            broken = true;
                            if (!aborted) {
                                String reason = "write to the local socket failed: " + e.getMessage();
                                abort(reason);
                                hooks.reset(this, reason);
                            }
                        }
                    }
                }
            }
            for (Message m : batch) channel.consumed(m);
            if (!broken && !aborted) {
                try {
                    socket.shutdownOutput();
                } catch (IOException ignored) {
                    // the reader sees the failure
                }
            }
        } catch (IOException | ClosedException | InterruptedException e) {
            abort("tunnel closed");
        } finally {
            done();
        }
    }

    long lastActivity() {
        return lastActivity;
    }

    /** Both directions ended. */
    boolean isFinished() {
        return finished;
    }

    private void done() {
        if (running.decrementAndGet() != 0) return;
        finished = true;
        closeSocket();
        hooks.finished(this);
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

package dev.planetary.tunnel;

import dev.planetary.seqex.Channel;
import dev.planetary.seqex.ClosedException;
import dev.planetary.seqex.Message;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TCP connection carried on one SEQEX channel, on either side of a tunnel, without a thread of its
 * own (issue 19, fifth round): the socket is a non-blocking {@link SocketChannel} and each direction is
 * a <em>turn</em> that runs on whichever thread has work for it, never blocks, and never runs twice at
 * once.
 *
 * <ul>
 * <li><b>Socket → tunnel</b> (read turn): reads whole chunks and sends them with {@link
 * Channel#trySendSeqCst}. It stops when the socket is empty (the selector runs it again when it is
 * readable, {@link TunnelIo}) or when the SEQEX window is full (the ACK that opens it runs it again, on
 * the transport's receive thread): then the socket is not read, and the local TCP sender is
 * back-pressured. At most {@link #READS_PER_TURN} reads per turn, so a fast socket shares the selector.
 * <li><b>Tunnel → socket</b> (write turn): takes every buffered payload ({@link Channel#pollBatch}) and
 * writes them with one gathering non-blocking write, on the thread that delivered them (the receive
 * thread): no hand-off per packet. What the socket does not take stays in the batch, whose payloads
 * keep their receive-buffer slots until written, so the peer's sender is held back by SEQEX's flow
 * control (the receive buffer, docs/seqex.md §4) and memory stays bounded; the selector finishes the
 * batch when the socket drains.
 * </ul>
 *
 * <p>End of stream: the read turn sends one empty payload after the socket's input ended (or failed);
 * the write turn shuts the socket's output down when that marker arrives (half-close). Each direction
 * always ends with exactly one marker, also after an abort (the write turn then discards until it), so
 * both sides agree when the channel is finished and it can carry the next stream.
 */
final class TunnelStream implements TunnelIo.Ready {
    /** What a stream reports to its side of the tunnel. */
    interface Hooks {
        /** The local socket failed: tell the peer to abort its socket (RESET). Must not block. */
        void reset(TunnelStream stream, String reason);

        /**
         * Both directions ended (marker sent and received, or the link closed); the socket is closed. On
         * the thread that ended the stream (usually a receive or selector thread), before {@link
         * #finished}: must not block.
         *
         * @return whether {@link #finished} has anything to do (events to print): it then runs on a thread of its own
         */
        boolean ended(TunnelStream stream);

        /** After {@link #ended} returned true, on a thread of its own (events): may block. */
        void finished(TunnelStream stream);
    }

    /**
     * Socket reads per read turn: a socket that always has data gives the selector (or the receive
     * thread) back after this many, and the selector comes back to it since it is still readable.
     */
    static final int READS_PER_TURN = 4;

    /**
     * Where the ACK that opens a full window resumes reading: on the thread that received it (the
     * default: no hand-off), or with {@code -Dplanetary.tunnel.resumeReads=selector} on the selector
     * thread (a wake-up per window opening, but reading and encrypting beside the receive thread), for
     * benchmarks (BENCHMARKS.md, issue 19 fifth round).
     */
    static final boolean RESUME_READS_ON_SELECTOR = "selector".equals(System.getProperty("planetary.tunnel.resumeReads"));

    final int id;
    final int channelId;
    final String target;
    /** "tunnel" or "listener", for {@link OpenTrace}. */
    private final String side;
    private final SocketChannel socket;
    private final Channel channel;
    private final int chunk;
    private final Hooks hooks;
    private final TunnelIo io = TunnelIo.get();
    private volatile SelectionKey key;
    private final AtomicInteger running = new AtomicInteger(2);
    /** Counted down once its side printed stream.open: stream.closed waits for it. */
    final CountDownLatch announced = new CountDownLatch(1);
    final AtomicLong bytesSent = new AtomicLong();     // local socket -> tunnel
    final AtomicLong bytesReceived = new AtomicLong(); // tunnel -> local socket
    /** Times the local socket took less than the batch: the rest waited for the selector (tests). */
    final AtomicLong socketFull = new AtomicLong();
    private volatile boolean aborted;
    private volatile String abortReason;
    private volatile boolean finished;
    private volatile boolean started;
    /** {@link System#nanoTime()} of the last byte either way (for the listener's --stream-idle-timeout). */
    private volatile long lastActivity = System.nanoTime();

    // read turn (socket -> SEQEX); only the thread in the turn touches these
    private final Turn reads = new Turn(this::readSome);
    /** Whole chunks read from the socket: [position, limit) not sent yet (the window was full). */
    private final ByteBuffer readBuf;
    private boolean inputEnded;
    private boolean readDone;

    // write turn (SEQEX -> socket)
    private final Turn writes = new Turn(this::writeSome);
    private final List<Message> batch = new ArrayList<>();
    private ByteBuffer[] pending = new ByteBuffer[TunnelProtocol.WINDOW];
    private int pendingFrom;
    private int pendingTo;
    private boolean markerTaken;
    private boolean broken;
    private boolean writeDone;

    /**
     * @param socket a connected socket (made non-blocking when the stream starts)
     * @param chunk  payload bytes per SEQEX packet towards the peer
     */
    TunnelStream(int id, String side, Channel channel, String target, SocketChannel socket, int chunk, Hooks hooks) {
        this.id = id;
        this.side = side;
        this.channelId = channel.id();
        this.channel = channel;
        this.target = target;
        this.socket = socket;
        this.chunk = chunk;
        this.hooks = hooks;
        this.readBuf = ByteBuffer.allocate(chunk * Math.max(1, TunnelProtocol.READ_BYTES / chunk)).flip(); // 4 chunks of 16 KiB, or one of 64 KiB; empty
    }

    /** Starts both directions on this thread (never blocks): registers the socket and runs each turn once. */
    void start() {
        try {
            key = io.register(socket, this);
        } catch (IOException e) {
            abort("cannot register the local socket: " + e.getMessage()); // the turns then end the stream
        }
        channel.onReady(this::writeTurn, RESUME_READS_ON_SELECTOR ? () -> io.execute(this::readTurn) : this::readTurn);
        started = true;
        OpenTrace.mark(side, id, "reader-start");
        readTurn();
        OpenTrace.mark(side, id, "writer-start");
        writeTurn();
    }

    /** The socket's local address. */
    SocketAddress localAddress() {
        try {
            return socket.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    boolean aborted() {
        return aborted;
    }

    /** Why the stream was aborted, or null. */
    String abortReason() {
        return abortReason;
    }

    /** Aborts the local socket (RST); the end-of-stream markers still follow. Never blocks. */
    void abort(String reason) {
        if (aborted) return;
        abortReason = reason;
        aborted = true;
        try {
            socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException ignored) {
            // closed already
        }
        closeSocket();
        if (!started) return; // start() runs the turns, which find the socket closed
        // a closed socket's key never fires: run both turns here so each direction reaches its marker
        readTurn();
        writeTurn();
    }

    @Override
    public void readable() {
        readTurn();
    }

    @Override
    public void writable() {
        writeTurn();
    }

    /** Runs the read turn here, or has the thread that is in it run it once more. */
    private void readTurn() {
        reads.run();
    }

    private void readSome() {
        if (readDone) return;
        try {
            if (!inputEnded && !sendRead()) return;
            if (!channel.trySendSeqCst(TunnelProtocol.EOF, 0, 0)) return; // the window is full: the ACK that opens it calls us
            readDone = true;
        } catch (ClosedException e) {
            readDone = true;
            abort("tunnel closed");
        } catch (RuntimeException e) {
            readDone = true;
            fail("the tunnel stream failed: " + e);
        }
        done();
    }

    /** Sends what was read and reads on; true once the socket's input ended, false when it must wait (socket empty, window full). */
    private boolean sendRead() {
        byte[] buf = readBuf.array();
        for (int turnReads = 0; ; ) {
            if (aborted) readBuf.position(readBuf.limit()); // discard: the peer aborts its side too
            while (readBuf.hasRemaining()) {
                int len = Math.min(chunk, readBuf.remaining());
                if (!channel.trySendSeqCst(buf, readBuf.position(), len)) return false; // copied into its packet when true
                readBuf.position(readBuf.position() + len);
                bytesSent.addAndGet(len);
            }
            if (turnReads == READS_PER_TURN) {
                await(SelectionKey.OP_READ); // still readable: the selector comes back after the others' turns
                return false;
            }
            readBuf.clear();
            int n;
            try {
                n = socket.read(readBuf);
            } catch (IOException e) {
                if (!aborted) fail("read from the local socket failed: " + e.getMessage());
                n = -1;
            }
            readBuf.flip();
            if (n < 0) {
                inputEnded = true;
                return true;
            }
            if (n == 0) {
                await(SelectionKey.OP_READ);
                return false;
            }
            if (OpenTrace.ENABLED && bytesSent.get() == 0) OpenTrace.mark(side, id, "first-read");
            lastActivity = System.nanoTime();
            turnReads++;
        }
    }

    /** Runs the write turn here, or has the thread that is in it run it once more. */
    private void writeTurn() {
        writes.run();
    }

    private void writeSome() {
        if (writeDone) return;
        try {
            while (true) {
                if (!writePending()) return; // the socket is full: the selector calls us when it drains
                if (markerTaken) break;
                // frees the batch just written, takes every buffered payload up to the marker
                if (channel.pollBatch(batch, TunnelProtocol.WINDOW, m -> m.payloadLength() == 0) == 0) return; // the next delivery calls us
                pendingFrom = 0;
                pendingTo = 0;
                for (Message m : batch) {
                    if (m.payloadLength() == 0) markerTaken = true; // the batch's last message
                    else pending[pendingTo++] = m.payloadBuffer(); // no copy: a view of the decrypted datagram
                }
            }
            for (Message m : batch) channel.consumed(m);
            batch.clear();
            if (!broken && !aborted) {
                try {
                    socket.shutdownOutput(); // the peer's FIN
                } catch (IOException ignored) {
                    // the read turn sees the failure
                }
            }
        } catch (ClosedException e) {
            abort("tunnel closed");
        } catch (RuntimeException e) {
            fail("the tunnel stream failed: " + e);
        }
        writeDone = true;
        java.util.Arrays.fill(pending, null);
        done();
    }

    /** Writes the taken batch without blocking; true when it is all written (or discarded after a failure). */
    private boolean writePending() {
        if (pendingFrom == pendingTo) return true;
        if (broken || aborted) { // drain to the marker so the channel ends clean
            pendingFrom = pendingTo;
            return true;
        }
        long w;
        try {
            w = socket.write(pending, pendingFrom, pendingTo - pendingFrom);
        } catch (IOException e) {
            broken = true;
            if (!aborted) fail("write to the local socket failed: " + e.getMessage());
            pendingFrom = pendingTo;
            return true;
        }
        if (w > 0) {
            if (OpenTrace.ENABLED && bytesReceived.get() == 0) OpenTrace.mark(side, id, "first-written");
            bytesReceived.addAndGet(w);
            lastActivity = System.nanoTime();
        }
        while (pendingFrom < pendingTo && !pending[pendingFrom].hasRemaining()) pending[pendingFrom++] = null;
        if (pendingFrom < pendingTo) {
            socketFull.incrementAndGet();
            await(SelectionKey.OP_WRITE);
            return false;
        }
        return true;
    }

    private void await(int op) {
        SelectionKey k = key;
        if (k != null) io.await(k, op);
    }

    /** The local socket failed: abort it and have the peer abort its side (RESET, queued without blocking). */
    private void fail(String reason) {
        if (aborted) return;
        hooks.reset(this, reason); // queued before our end-of-stream marker goes out
        abort(reason);
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
        if (hooks.ended(this)) Thread.ofVirtual().name("tunnel-" + Integer.toUnsignedString(id) + "-done").start(() -> hooks.finished(this)); // events may block
    }

    /**
     * Work that runs on whichever thread asks for it, never on two at once: a request while another
     * thread is in it makes that thread run it once more (so no request is lost), instead of waiting.
     */
    private static final class Turn {
        private final AtomicInteger requests = new AtomicInteger();
        private final Runnable body;

        Turn(Runnable body) {
            this.body = body;
        }

        void run() {
            if (requests.getAndIncrement() != 0) return;
            int missed = 1;
            do {
                body.run();
                missed = requests.addAndGet(-missed);
            } while (missed != 0);
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        io.wakeup(); // the selector releases the descriptor (and sends the RST of an abort) at its next select
    }
}

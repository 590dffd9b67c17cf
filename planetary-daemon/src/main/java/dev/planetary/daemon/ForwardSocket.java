package dev.planetary.daemon;

import dev.planetary.vl2.PortForward;
import dev.planetary.vl2.Vl2Limits;
import dev.planetary.vl2.node.PortForwarding;
import dev.planetary.vl2.node.SeqexLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One forwarded local TCP connection (VL.md §12.8) bound to one stream, driven by the {@link
 * UdpDriver}'s loop thread through its selector: the socket is non-blocking, so nothing here ever
 * blocks the loop.
 *
 * <p>Back-pressure both ways. Outbound: the socket is read only while the stream's window has room
 * ({@link Link#canSend}); when it is full, {@code OP_READ} is dropped and the bytes stay in the
 * kernel, so the local writer blocks, until {@link #pump} sees room again. Inbound: a delivered
 * chunk is held here until the socket took it, and only then reported {@link Link#written}, which
 * frees its SEQEX receive slot; the peer can therefore have at most the session's receive
 * capacity of chunks here ({@link #MAX_PENDING_BYTES}), however slow the local reader is. More
 * would be a bug of the layer below: the stream is closed with reason 3 instead of buffering.
 */
final class ForwardSocket implements UdpDriver.Watcher {
    /** §6.5 receiveCapacity × the largest DATA (§12.8): what a peer can have delivered and not yet written, per session. */
    static final int MAX_PENDING_BYTES = SeqexLink.CONFIG.receiveCapacity() * Vl2Limits.PORT_FORWARD_MAX_DATA;

    /** The stream end a socket drives: a {@link PortForwarding.Stream} in the daemon, a fake in tests. */
    interface Link {
        boolean canSend();

        /** The most bytes one {@link #send} should carry now (the stream's DATA size for its path). */
        int chunk();

        /** Sends {@code buf[0, len)} (copied). */
        boolean send(byte[] buf, int len);

        /** The oldest delivered chunk was written to the socket. */
        void written();

        void close(int reason);

        static Link of(PortForwarding.Stream s) {
            return new Link() {
                @Override
                public boolean canSend() {
                    return s.canSend();
                }

                @Override
                public int chunk() {
                    return s.sendChunk();
                }

                @Override
                public boolean send(byte[] buf, int len) {
                    return s.send(buf, 0, len);
                }

                @Override
                public void written() {
                    if (s.queued() > 0) s.written(); // a stall or a lost session already discarded the queue
                }

                @Override
                public void close(int reason) {
                    s.close(reason);
                }
            };
        }
    }

    private final UdpDriver driver;
    private final SocketChannel channel;
    private final Consumer<ForwardSocket> gone;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(Vl2Limits.PORT_FORWARD_MAX_DATA); // a read is limited to the link's chunk
    private SelectionKey key;
    private Link link;
    private Runnable onConnected;
    private boolean reading; // the stream is open and the socket has not reached EOF
    private boolean flushThenClose; // the stream ended (or the socket's EOF): write what is pending, then close
    private long flushSince;
    private boolean closed;
    private long pendingBytes, maxPendingBytes, bytesIn, bytesOut;

    /** {@code gone} hears once that the socket closed (on the loop thread). */
    ForwardSocket(UdpDriver driver, SocketChannel channel, Consumer<ForwardSocket> gone) throws IOException {
        this.driver = driver;
        this.channel = channel;
        this.gone = gone;
        channel.configureBlocking(false);
        key = driver.watch(channel, 0, this);
    }

    /**
     * Target side: connects to {@code 127.0.0.1:port} without blocking, then runs {@code
     * onConnected} (or closes the link, reason 3, when refused).
     */
    static ForwardSocket connect(UdpDriver driver, int port, Link link, Runnable onConnected, Consumer<ForwardSocket> gone) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ForwardSocket s = new ForwardSocket(driver, ch, gone);
            s.link = link;
            s.onConnected = onConnected;
            if (ch.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port))) s.connectedNow();
            else s.key.interestOps(SelectionKey.OP_CONNECT);
            return s;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The stream is open: bytes flow both ways from now on. */
    void start(Link l) {
        if (closed) {
            l.close(PortForward.REASON_NORMAL); // the local client went away while the OPEN was on its way
            return;
        }
        link = l;
        reading = true;
        interest();
    }

    /** In-order stream bytes for the socket (the stream's {@code deliver}). */
    void deliver(byte[] data) {
        if (closed) {
            link.written(); // nobody to write to: free the slot at once
            return;
        }
        if (pendingBytes + data.length > MAX_PENDING_BYTES) { // the layer below broke its bound: never buffer past it
            link.written();
            fail();
            return;
        }
        pending.addLast(ByteBuffer.wrap(data));
        pendingBytes += data.length;
        maxPendingBytes = Math.max(maxPendingBytes, pendingBytes);
        write();
    }

    /** The stream ended from the peer's side: a normal end writes what is pending first, any other drops it. */
    void streamClosed(int reason) {
        reading = false;
        if (reason == PortForward.REASON_NORMAL) {
            flushThenClose = true;
            flushSince = driver.now();
            write();
        } else {
            closeSocket();
        }
    }

    /** After each loop round: resumes reading when the window has room again; gives up on a flush that cannot progress (§12.8 stall). */
    void pump() {
        if (closed) return;
        if (flushThenClose && !pending.isEmpty() && driver.now() - flushSince >= Vl2Limits.PORT_FORWARD_STALL_MS) {
            closeSocket();
            return;
        }
        if (reading && (key.interestOps() & SelectionKey.OP_READ) == 0 && link.canSend()) interest();
    }

    @Override
    public void ready(SelectionKey k) {
        if (closed) return;
        if (k.isConnectable()) {
            try {
                if (!channel.finishConnect()) return;
            } catch (IOException e) {
                Link l = link;
                closeSocket();
                l.close(PortForward.REASON_ERROR); // refused: the opener hears CLOSE 3
                return;
            }
            connectedNow();
            return;
        }
        if (k.isWritable()) write();
        if (!closed && k.isReadable()) read();
    }

    private void connectedNow() {
        key.interestOps(0);
        Runnable r = onConnected;
        onConnected = null;
        r.run();
    }

    private void read() {
        while (reading && link.canSend()) {
            int n;
            readBuffer.clear().limit(link.chunk());
            try {
                n = channel.read(readBuffer);
            } catch (IOException e) {
                fail();
                return;
            }
            if (n == 0) break;
            if (n < 0) { // EOF: the stream ends normally once what is pending is written
                reading = false;
                link.close(PortForward.REASON_NORMAL);
                flushThenClose = true;
                flushSince = driver.now();
                write();
                return;
            }
            bytesIn += n;
            if (!link.send(readBuffer.array(), n)) { // canSend said yes: a refusal is a broken stream
                fail();
                return;
            }
        }
        interest();
    }

    private void write() {
        while (!pending.isEmpty()) {
            ByteBuffer b = pending.peekFirst();
            try {
                bytesOut += channel.write(b);
            } catch (IOException e) {
                fail();
                return;
            }
            if (b.hasRemaining()) break;
            pending.pollFirst();
            pendingBytes -= b.capacity();
            link.written();
        }
        if (pending.isEmpty() && flushThenClose) closeSocket();
        else interest();
    }

    private void interest() {
        if (closed || !key.isValid()) return;
        int ops = (reading && link.canSend() ? SelectionKey.OP_READ : 0) | (pending.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        key.interestOps(ops);
    }

    /** A socket error: the stream ends with reason 3, what is pending is dropped. */
    private void fail() {
        closeSocket();
        if (link != null) link.close(PortForward.REASON_ERROR); // a no-op on a stream that already ended
    }

    /** Closes the socket and ends its stream normally (a forward removed, the daemon stopping). */
    void close() {
        closeSocket();
        if (link != null) link.close(PortForward.REASON_NORMAL); // a no-op on a stream that already ended
    }

    /** Closes the socket; every chunk still pending is reported written so its receive slot frees at once. */
    void closeSocket() {
        if (closed) return;
        closed = true;
        reading = false;
        while (!pending.isEmpty()) {
            pending.pollFirst();
            if (link != null) link.written();
        }
        pendingBytes = 0;
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        gone.accept(this);
    }

    boolean isClosed() {
        return closed;
    }

    /** Bytes held for the socket now, and at most so far (the back-pressure bound's witness). */
    long pendingBytes() {
        return pendingBytes;
    }

    long maxPendingBytes() {
        return maxPendingBytes;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }
}

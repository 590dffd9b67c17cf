package dev.planetary.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * The one selector of this process for the tunnels' TCP sockets (issue 19, fifth round). A stream does
 * its socket I/O without blocking on whichever thread has work for it (the transport's receive thread
 * for data and acknowledgements from the peer); only when its socket has nothing to read, or takes no
 * more, does it ask here ({@link #await}) and the selector thread runs the stream's turn once the socket
 * is ready. Interest is one-shot: the selector clears what fired before it runs the turn. The turns never
 * block, so one slow socket cannot hold up another; each read turn is bounded ({@link TunnelStream}).
 */
final class TunnelIo {
    /** What the selector runs when a socket is ready (never blocks). */
    interface Ready {
        void readable();

        void writable();
    }

    private static final class Holder {
        static final TunnelIo INSTANCE = new TunnelIo();
    }

    private final Selector selector;
    private final Thread thread;

    private TunnelIo() {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for the tunnels' sockets", e);
        }
        // a platform thread: the kernel wakes it, no poller-to-carrier hand-off as for a virtual thread's socket
        thread = Thread.ofPlatform().daemon().name("tunnel-io").start(this::loop);
    }

    /** The process's selector, started on first use. */
    static TunnelIo get() {
        return Holder.INSTANCE;
    }

    /** Registers {@code channel} (non-blocking from now on) with no interest yet. */
    SelectionKey register(SocketChannel channel, Ready ready) throws IOException {
        channel.configureBlocking(false);
        return channel.register(selector, 0, ready);
    }

    /**
     * Runs {@code key}'s {@link Ready} once for {@code op} ({@link SelectionKey#OP_READ} or {@link
     * SelectionKey#OP_WRITE}) when its socket is ready. A closed socket's key never fires: whoever
     * closes it runs the turns itself.
     */
    void await(SelectionKey key, int op) {
        try {
            key.interestOpsOr(op);
        } catch (CancelledKeyException e) {
            return; // closed: the closer runs the turns
        }
        if (Thread.currentThread() != thread) selector.wakeup(); // an interest change takes effect at the next select
    }

    /** Lets the selector drop the keys of closed sockets now (a closed socket's descriptor is released at its next select). */
    void wakeup() {
        if (Thread.currentThread() != thread) selector.wakeup();
    }

    private void loop() {
        while (true) {
            try {
                selector.select(this::fire);
            } catch (IOException | RuntimeException e) {
                // not expected (the turns catch their own failures); keep serving the other sockets
            }
        }
    }

    private void fire(SelectionKey key) {
        Ready r = (Ready) key.attachment();
        int ready;
        try {
            ready = key.readyOps();
            key.interestOpsAnd(~ready); // one-shot: the turn asks again if it needs to
        } catch (CancelledKeyException e) {
            return;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) r.writable();
        if ((ready & SelectionKey.OP_READ) != 0) r.readable();
    }
}

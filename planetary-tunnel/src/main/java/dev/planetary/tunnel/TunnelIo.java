package dev.planetary.tunnel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

        /** A connect started by {@link #connect} can be finished. */
        default void connectable() {}

        /** A server socket given to {@link #accept} has connections waiting. */
        default void acceptable() {}
    }

    /**
     * Connections accepted per turn of an {@link #accept} server socket: a burst of connections shares the
     * selector with the streams' turns (the selector comes back while more wait).
     */
    static final int ACCEPTS_PER_TURN = 16;

    /** A server socket whose connections the selector thread accepts ({@link #accept}). */
    private final class Acceptor implements Ready {
        final ServerSocketChannel server;
        final java.util.function.Predicate<SocketChannel> accepted;
        final Consumer<IOException> failed;

        Acceptor(ServerSocketChannel server, java.util.function.Predicate<SocketChannel> accepted, Consumer<IOException> failed) {
            this.server = server;
            this.accepted = accepted;
            this.failed = failed;
        }

        @Override
        public void readable() {}

        @Override
        public void writable() {}

        @Override
        public void acceptable() {
            for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (java.nio.channels.ClosedChannelException e) {
                    return; // closed by its owner
                } catch (IOException e) {
                    failed.accept(e); // as a blocking accept loop that ends: no spinning on a lasting failure
                    return;
                }
                if (c == null) break; // none left: wait for the next
                if (!accepted.test(c)) return; // paused until its owner calls resumeAccept
            }
            await(server.keyFor(selector), SelectionKey.OP_ACCEPT); // one-shot interest: ask again (at once if more are waiting)
        }
    }

    /** A connect in progress: settled once, by the selector (done or failed) or by its deadline. */
    private final class Connecting implements Ready, Comparable<Connecting> {
        final SocketChannel channel;
        final Consumer<IOException> done;
        final long deadline;
        final long timeoutMs;
        private final AtomicBoolean settled = new AtomicBoolean();

        Connecting(SocketChannel channel, Consumer<IOException> done, long timeoutMs) {
            this.channel = channel;
            this.done = done;
            this.timeoutMs = timeoutMs;
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        }

        @Override
        public void readable() {}

        @Override
        public void writable() {}

        @Override
        public void connectable() {
            try {
                if (channel.finishConnect()) settle(null);
                else await(channel.keyFor(selector), SelectionKey.OP_CONNECT);
            } catch (IOException e) {
                settle(e);
            }
        }

        void settle(IOException failure) {
            if (!settled.compareAndSet(false, true)) return;
            synchronized (connecting) {
                connecting.remove(this);
            }
            if (failure != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
            done.accept(failure);
        }

        @Override
        public int compareTo(Connecting o) {
            return Long.compare(deadline, o.deadline);
        }
    }

    private static final class Holder {
        static final TunnelIo INSTANCE = new TunnelIo();
    }

    private static final Logger log = LoggerFactory.getLogger(TunnelIo.class);
    /** At most one warning per kind of unexpected error in this interval (the first at once). */
    static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Kinds remembered for rate-limiting; beyond them every error is one kind ("other"). */
    static final int MAX_WARN_KINDS = 32;
    /** The pause after the selector itself failed (not a turn): a broken selector must not spin a core. */
    private static final long AFTER_SELECTOR_ERROR_MS = 10;

    /** Unexpected errors in the selector thread, process-wide (a turn's, a task's or the selector's own). */
    private static final AtomicLong ERRORS = new AtomicLong();
    /** Per kind (where and exception class): when it was last warned about, and how many since. Guarded by itself. */
    private static final java.util.Map<String, long[]> WARNED = new java.util.HashMap<>();

    private final Selector selector;
    private final Thread thread;
    private final PriorityQueue<Connecting> connecting = new PriorityQueue<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

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
     * Connects {@code channel} (non-blocking from now on) to {@code address} without blocking this
     * thread: {@code done} runs once, with null when connected or with the failure (the channel is then
     * closed; a {@link SocketTimeoutException} after {@code timeoutMs}) — here if the connect completes
     * at once (as on loopback), else on the selector thread. It must not block.
     */
    void connect(SocketChannel channel, InetSocketAddress address, long timeoutMs, Consumer<IOException> done) {
        Connecting c = new Connecting(channel, done, timeoutMs);
        try {
            channel.configureBlocking(false);
            // Linux answers a non-blocking connect with EINPROGRESS even on loopback, where the handshake
            // is done by the time it returns: finishConnect then completes it here, without the selector
            if (channel.connect(address) || channel.finishConnect()) {
                c.settle(null);
                return;
            }
            synchronized (connecting) {
                connecting.add(c);
            }
            channel.register(selector, SelectionKey.OP_CONNECT, c);
            selector.wakeup(); // for the registration, and the deadline
        } catch (IOException e) {
            c.settle(e);
        } catch (UnresolvedAddressException | UnsupportedAddressTypeException e) {
            c.settle(new IOException("cannot connect to " + address + ": " + e.getClass().getSimpleName(), e));
        }
    }

    /**
     * Accepts the connections of {@code server} (non-blocking from now on) on the selector thread until it
     * is closed: {@code accepted} runs there for each (it must not block; false pauses accepting until
     * {@link #resumeAccept}, the kernel's backlog holds the next ones), {@code failed} once if accepting
     * fails, which ends accepting. A connection's first work (a tunnel's OPEN) then runs on the thread
     * that also runs the streams' turns, instead of waking a thread of its own (issue 19, seventh round).
     */
    void accept(ServerSocketChannel server, java.util.function.Predicate<SocketChannel> accepted, Consumer<IOException> failed) throws IOException {
        Acceptor a = new Acceptor(server, accepted, failed);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, a);
        selector.wakeup(); // the registration takes effect at the next select
    }

    /** Accepts on {@code server} again after its {@link #accept} callback paused it. */
    void resumeAccept(ServerSocketChannel server) {
        SelectionKey k = server.keyFor(selector);
        if (k != null) await(k, SelectionKey.OP_ACCEPT);
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

    /** Runs {@code task} (which must not block) on the selector thread, soon. */
    void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) selector.wakeup();
    }

    /** Lets the selector drop the keys of closed sockets now (a closed socket's descriptor is released at its next select). */
    void wakeup() {
        if (Thread.currentThread() != thread) selector.wakeup();
    }

    /** Unexpected errors the selector thread caught and survived, process-wide (the tunnel's {@code ioErrors} total). */
    static long errors() {
        return ERRORS.get();
    }

    /** Kinds of unexpected error remembered for rate-limiting its warnings (tests: at most {@link #MAX_WARN_KINDS}). */
    static int warnKinds() {
        synchronized (WARNED) {
            return WARNED.size();
        }
    }

    private void loop() {
        while (true) {
            try {
                long wait = expireConnects();
                if (tasks.isEmpty()) selector.select(this::fire, wait); // a task added meanwhile has woken it (wakeup is sticky)
                else selector.selectNow(this::fire);
                for (Runnable t; (t = tasks.poll()) != null; ) {
                    try {
                        t.run();
                    } catch (RuntimeException | Error e) {
                        unexpected("a task", e);
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                unexpected("the selector", e); // keep serving the other sockets, after a pause
                try {
                    Thread.sleep(AFTER_SELECTOR_ERROR_MS);
                } catch (InterruptedException ignored) {
                    // a daemon thread nobody interrupts
                }
            }
        }
    }

    /**
     * Counts an error the selector thread did not expect (the turns catch their own failures) and warns
     * about it: the first of each kind at once, then at most once per {@link #WARN_INTERVAL_NANOS} per
     * kind with how many came since. The thread goes on serving the other sockets.
     */
    static void unexpected(String where, Throwable e) {
        ERRORS.incrementAndGet();
        String kind = where + ": " + e.getClass().getName();
        long now = System.nanoTime();
        long suppressed;
        synchronized (WARNED) {
            if (!WARNED.containsKey(kind) && WARNED.size() >= MAX_WARN_KINDS - 1) kind = "other"; // bounded: the last slot is for every other kind
            long[] w = WARNED.get(kind);
            if (w == null) {
                WARNED.put(kind, new long[] {now, 0});
                suppressed = -1;
            } else if (now - w[0] >= WARN_INTERVAL_NANOS) {
                suppressed = w[1];
                w[0] = now;
                w[1] = 0;
            } else {
                w[1]++;
                return;
            }
        }
        if (suppressed < 0) log.warn("tunnel sockets: unexpected error in {} (counted as ioErrors; serving the other sockets)", where, e);
        else log.warn("tunnel sockets: unexpected error in {} again ({} more of this kind not logged in the last minute)", where, suppressed, e);
    }

    /** Fails the connects past their deadline; returns the milliseconds to the next deadline (0: none). */
    private long expireConnects() {
        while (true) {
            Connecting c;
            synchronized (connecting) {
                c = connecting.peek();
            }
            if (c == null) return 0;
            long left = c.deadline - System.nanoTime();
            if (left > 0) return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
            c.settle(new SocketTimeoutException("connect timed out after " + c.timeoutMs + " ms"));
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
        try {
            if ((ready & SelectionKey.OP_ACCEPT) != 0) r.acceptable();
            if ((ready & SelectionKey.OP_CONNECT) != 0) r.connectable();
            if ((ready & SelectionKey.OP_WRITE) != 0) r.writable();
            if ((ready & SelectionKey.OP_READ) != 0) r.readable();
        } catch (RuntimeException | Error e) {
            unexpected("a socket's turn", e); // this socket's; the others in this select still run
        }
    }
}

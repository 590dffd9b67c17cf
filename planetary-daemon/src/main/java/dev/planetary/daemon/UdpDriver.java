package dev.planetary.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O half of a daemon (VL.md §3.1): one UDP {@link DatagramChannel} and one thread that owns
 * the {@link Vl1Engine}. The thread waits on the socket until the engine's next timer deadline,
 * hands every datagram to {@link Vl1Engine#receive}, calls {@link Vl1Engine#service} when the
 * deadline passes, and runs the API's queries between datagrams, so the engine is only ever
 * touched by this thread.
 *
 * <p>Nothing from the network stops the loop: an engine exception is logged and counted
 * ({@code engine_errors}), and a datagram the kernel refuses to send is counted
 * ({@code send_errors}).
 */
public final class UdpDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpDriver.class);
    /** The largest UDP payload; datagrams are never truncated. */
    static final int MAX_DATAGRAM = 65_535;
    /** Datagrams read in one round before timers and queries get their turn. */
    private static final int READ_BURST = 256;
    /** NIC frames waiting for the loop; more are dropped and counted. */
    private static final int MAX_TASKS = 4096;
    /** API queries waiting for the loop, in a queue of their own so that traffic never starves the API; more get 503. */
    private static final int MAX_CALLS = 256;

    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress local;
    private final BlockingQueue<Runnable> tasks = new ArrayBlockingQueue<>(MAX_TASKS);
    private final BlockingQueue<Runnable> calls = new ArrayBlockingQueue<>(MAX_CALLS);
    private final long originNanos = System.nanoTime();
    private final Counters counters = new Counters();
    private volatile Set<InetSocketAddress> directAllowedOnly; // --debug-block-direct: only these remotes
    private volatile boolean running = true;
    private Vl1Engine engine;
    private Thread thread;
    private volatile Thread loopThread;
    private final java.util.List<Runnable> roundHooks = new java.util.ArrayList<>(); // loop thread only

    /** A local channel the loop thread watches beside the UDP socket (forwarded TCP, VL.md §12.8); runs on the loop thread. */
    @FunctionalInterface
    public interface Watcher {
        void ready(SelectionKey key);
    }

    /** The driver's own counts (read by the metrics from any thread). */
    public static final class Counters {
        public final LongAdder datagramsIn = new LongAdder(), datagramsOut = new LongAdder();
        public final LongAdder bytesIn = new LongAdder(), bytesOut = new LongAdder();
        public final LongAdder sendErrors = new LongAdder(), engineErrors = new LongAdder(), blockedDirect = new LongAdder();
        /** Tasks {@link #post} could not queue (a full loop queue): frames from a NIC, dropped. */
        public final LongAdder tasksDropped = new LongAdder();
    }

    private UdpDriver(DatagramChannel channel, Selector selector) throws IOException {
        this.channel = channel;
        this.selector = selector;
        this.local = (InetSocketAddress) channel.getLocalAddress();
    }

    /** Binds {@code bind} (port 0: any free port); IPv4 or IPv6 after the address's family. */
    public static UdpDriver bind(InetSocketAddress bind) throws IOException {
        DatagramChannel ch = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            ch.bind(bind);
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            return new UdpDriver(ch, sel);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return local;
    }

    public Counters counters() {
        return counters;
    }

    /** Milliseconds on the driver's monotonic clock (what the engine sees as now). */
    public long now() {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    /**
     * Debug (VL.md §16.1 {@code --debug-block-direct}): drop datagrams to and from every remote but
     * {@code allowed} (the roots' endpoints), so that peers can only talk through RELAY.
     */
    public void blockDirectExcept(Set<InetSocketAddress> allowed) {
        directAllowedOnly = Set.copyOf(allowed);
    }

    /** What the engine transmits through. */
    public Vl1Engine.Output transmitter(java.util.function.BiConsumer<String, java.util.Map<String, Object>> events) {
        return new Vl1Engine.Output() {
            @Override
            public void transmit(InetSocketAddress to, byte[] datagram) {
                send(to, datagram);
            }

            @Override
            public void event(String name, java.util.Map<String, Object> fields) {
                events.accept(name, fields);
            }
        };
    }

    /** Starts the loop thread driving {@code engine}. */
    public synchronized void start(Vl1Engine engine) {
        if (thread != null) throw new IllegalStateException("the driver is already started");
        this.engine = engine;
        thread = Thread.ofPlatform().name("planetary-udp-" + local.getPort()).daemon(false).start(this::loop);
    }

    /**
     * Runs {@code task} on the loop thread soon, without waiting (the NICs' frames, VL.md §9.3); false
     * when the loop's queue is full or the driver stopped (the task is dropped and counted).
     */
    public boolean post(Runnable task) {
        if (!running || !tasks.offer(task)) {
            counters.tasksDropped.increment();
            return false;
        }
        selector.wakeup();
        return true;
    }

    /**
     * Registers a non-blocking {@code ch} on the loop's selector for {@code ops}; {@code watcher}
     * runs on the loop thread when it is ready (and must not block). Loop thread only.
     */
    public SelectionKey watch(java.nio.channels.SelectableChannel ch, int ops, Watcher watcher) throws java.nio.channels.ClosedChannelException {
        requireLoopThread();
        return ch.register(selector, ops, watcher);
    }

    /** Runs {@code hook} on the loop thread after every round (datagrams, queries, tasks), e.g. to resume reads a window blocked. Loop thread only. */
    public void afterEachRound(Runnable hook) {
        requireLoopThread();
        roundHooks.add(hook);
    }

    /**
     * Completes the closing of watched channels closed since the last select: a closed channel
     * keeps its socket until the selector deregisters it, so a listener closed now would still
     * accept until the loop's next turn. Loop thread only.
     */
    public void releaseClosed() {
        requireLoopThread();
        try {
            selector.selectNow(); // deregisters the cancelled keys; what it selects is served on the next turn
        } catch (IOException e) {
            LOG.debug("selectNow failed: {}", e.toString());
        }
    }

    private void requireLoopThread() {
        if (Thread.currentThread() != loopThread) throw new IllegalStateException("only the driver's loop thread may watch channels");
    }

    /** {@link #call(Function, long)} with a 2 s limit. */
    public <T> T call(Function<Vl1Engine, T> query) {
        return call(query, 2000);
    }

    /**
     * Runs {@code query} on the loop thread and returns its result (at most {@code timeoutMs});
     * throws {@link IllegalStateException} if the loop is busy, stopped or too slow.
     */
    public <T> T call(Function<Vl1Engine, T> query, long timeoutMs) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!running || !calls.offer(() -> {
            try {
                f.complete(query.apply(engine));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        })) {
            throw new IllegalStateException("the daemon is busy or stopping");
        }
        selector.wakeup();
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("engine query failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the daemon did not answer within " + timeoutMs + " ms");
        }
    }

    private void loop() {
        loopThread = Thread.currentThread();
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        long deadline = 0;
        while (running) {
            try {
                long now = now();
                if (now >= deadline) deadline = serviceSafely(now);
                long wait = Math.max(1, deadline - now());
                selector.select(wait);
                Set<SelectionKey> selected = selector.selectedKeys();
                if (selected.size() > 1 || !selected.isEmpty() && selected.iterator().next().attachment() != null) {
                    SelectionKey[] ready = selected.toArray(SelectionKey[]::new); // a watcher may select again (releaseClosed)
                    selected.clear();
                    for (SelectionKey k : ready) {
                        if (k.attachment() instanceof Watcher w && k.isValid()) runSafely(() -> w.ready(k));
                    }
                }
                selected.clear();
                for (int i = 0; i < READ_BURST && running; i++) {
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                    if (from == null) break;
                    buf.flip();
                    counters.datagramsIn.increment();
                    counters.bytesIn.add(buf.remaining());
                    if (blocked(from)) continue;
                    byte[] d = new byte[buf.remaining()];
                    buf.get(d);
                    try {
                        engine.receive(d, local, from, now());
                    } catch (RuntimeException e) {
                        engineError("receive", e);
                    }
                }
                for (Runnable t; (t = calls.poll()) != null; ) t.run(); // the API first (its tasks catch what they throw)
                for (int i = 0, n = tasks.size(); i < n; i++) runSafely(tasks.poll()); // then the frames queued so far (new ones wait a turn)
                for (Runnable h : roundHooks) runSafely(h);
                deadline = Math.min(deadline, nextDeadlineSafely()); // a datagram or a send may have brought work forward
            } catch (java.nio.channels.ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
                break;
            } catch (IOException e) {
                LOG.warn("UDP receive failed: {}", e.toString()); // e.g. ICMP port unreachable on some systems; keep going
            }
        }
        for (Runnable t; (t = calls.poll()) != null; ) t.run(); // callers get their answer, not a timeout
        tasks.clear();
        try {
            engine.close();
        } catch (RuntimeException e) {
            engineError("close", e);
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            engineError("task", e);
        }
    }

    private long nextDeadlineSafely() {
        try {
            return engine.nextDeadline();
        } catch (RuntimeException e) {
            engineError("nextDeadline", e);
            return now() + 100;
        }
    }

    private long serviceSafely(long now) {
        try {
            long next = engine.service(now);
            return Math.max(next, now + 1);
        } catch (RuntimeException e) {
            engineError("service", e);
            return now + 100;
        }
    }

    private void engineError(String where, RuntimeException e) {
        counters.engineErrors.increment();
        LOG.error("engine {} failed (a bug; the daemon goes on)", where, e);
    }

    private boolean blocked(InetSocketAddress remote) {
        Set<InetSocketAddress> only = directAllowedOnly;
        if (only == null || only.contains(remote)) return false;
        counters.blockedDirect.increment();
        return true;
    }

    private void send(InetSocketAddress to, byte[] datagram) {
        if (blocked(to)) return;
        try {
            int n = channel.send(ByteBuffer.wrap(datagram), to);
            if (n == 0) {
                counters.sendErrors.increment(); // socket buffer full: dropped like a lost datagram
            } else {
                counters.datagramsOut.increment();
                counters.bytesOut.add(n);
            }
        } catch (IOException | RuntimeException e) {
            counters.sendErrors.increment();
            LOG.debug("UDP send to {} failed: {}", to, e.toString());
        }
    }

    /** Stops the loop (bounded wait) and closes the socket. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

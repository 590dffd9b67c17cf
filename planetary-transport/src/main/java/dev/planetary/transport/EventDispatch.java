package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers an {@link Endpoint}'s listener callbacks: on virtual threads, one bounded
 * {@link SerialExecutor} per session (in order per session) and one for endpoint-wide events. A
 * callback that finds its queue full is dropped and counted; a plane thread never waits for a
 * listener.
 *
 * <p>A handshake thread runs at a raised nice value ({@link ThreadNice}), and on Linux a thread
 * inherits the nice value of the thread that starts it: had a handshake thread started a virtual
 * thread itself, the JDK's scheduler could have started a carrier thread right there, and every
 * virtual thread of the process would then share a niced carrier. So the callbacks such a thread
 * queues are started by the {@code planetary-callback-starter} thread instead (made here, at the
 * process's nice value; only when the endpoint nices its handshake threads).
 */
final class EventDispatch {
    private static final Logger log = LoggerFactory.getLogger(EventDispatch.class);
    /** How long {@link #close} lets queued callbacks finish. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final EndpointListener listener;
    private final Counters counters;
    private final ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("planetary-callback-", 0).factory());
    /** Starts what niced plane threads queue (at most one drain per callback queue waits here); null if none are niced. */
    private final BlockingQueue<Runnable> starts;
    private final Thread starter;
    private final Executor base;
    private final int tasks;
    private final long bytesPerSession;
    private final SerialExecutor.Budget budget;
    private final SerialExecutor endpointQueue;

    /** @param nicedPlanes true if some plane threads raise their nice value ({@link PlaneThread#niced}) */
    EventDispatch(EndpointListener listener, Counters counters, int tasks, long bytesPerSession, long bytesPerEndpoint, boolean nicedPlanes) {
        this.listener = listener;
        this.counters = counters;
        this.tasks = tasks;
        this.bytesPerSession = bytesPerSession;
        this.budget = new SerialExecutor.Budget(bytesPerEndpoint);
        if (nicedPlanes) {
            starts = new LinkedBlockingQueue<>();
            starter = Thread.ofPlatform().daemon().name("planetary-callback-starter").start(this::startLoop);
            base = this::start;
        } else {
            starts = null;
            starter = null;
            base = pool;
        }
        this.endpointQueue = newQueue();
    }

    boolean hasListener() {
        return listener != null;
    }

    /** A new bounded, in-order callback queue (one per session). */
    SerialExecutor newQueue() {
        return new SerialExecutor(base, tasks, bytesPerSession, budget);
    }

    void session(PeerSession ps) {
        if (listener != null) callback(ps, () -> listener.onSession(ps), 0);
    }

    void data(PeerSession ps, byte[] payload) {
        if (listener != null) callback(ps, () -> listener.onData(ps, payload), payload.length);
    }

    void emit(PeerSession ps, EndpointEvent.Kind kind, String detail) {
        if (listener == null) return;
        EndpointEvent ev = new EndpointEvent(kind, System.currentTimeMillis(), ps.peer(), ps.remoteAddress(), ps, detail);
        callback(ps, () -> listener.onEvent(ev), 0);
    }

    void emitEndpoint(EndpointEvent.Kind kind, StaticPublicKey peer, InetSocketAddress remote, String detail) {
        if (listener == null) return;
        EndpointEvent ev = new EndpointEvent(kind, System.currentTimeMillis(), peer, remote, null, detail);
        callback(null, () -> listener.onEvent(ev), 0);
    }

    /** Lets queued callbacks finish for a moment, then stops the rest. */
    void close() {
        stopStarter();
        if (starts != null) {
            for (Runnable drain; (drain = starts.poll()) != null; ) pool.execute(drain); // the last events, like any others
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    void shutdownNow() {
        stopStarter();
        pool.shutdownNow();
    }

    /** Starts a callback drain: on the starter thread if the caller is a niced plane thread, else here. */
    private void start(Runnable drain) {
        PlaneThread plane = PlaneThread.current();
        if (plane == null || !plane.niced) {
            pool.execute(drain);
        } else if (pool.isShutdown() || !starts.offer(drain)) {
            throw new RejectedExecutionException("the endpoint is closing");
        }
    }

    private void startLoop() {
        try {
            while (true) {
                Runnable drain = starts.take();
                try {
                    pool.execute(drain);
                } catch (RejectedExecutionException e) {
                    return; // closing: what is queued is dropped with the pool
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void stopStarter() {
        if (starter == null) return;
        starter.interrupt();
        Endpoint.join(starter);
    }

    /** Queues a callback of {@code ps} (or of the endpoint if null); a full queue drops it and counts the drop. */
    private void callback(PeerSession ps, Runnable r, long weight) {
        SerialExecutor q = ps != null ? ps.callbacks : endpointQueue;
        if (!q.submit(() -> safely(r), weight)) (ps != null ? ps.counters() : counters).inc(Counters.Counter.CALLBACKS_DROPPED);
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            log.warn("listener callback threw (ignored)", e);
        }
    }
}

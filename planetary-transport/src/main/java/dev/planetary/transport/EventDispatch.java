package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers an {@link Endpoint}'s listener callbacks: on virtual threads, one bounded
 * {@link SerialExecutor} per session (in order per session) and one for endpoint-wide events. A
 * callback that finds its queue full is dropped and counted; a plane thread never waits for a
 * listener.
 */
final class EventDispatch {
    private static final Logger log = LoggerFactory.getLogger(EventDispatch.class);
    /** How long {@link #close} lets queued callbacks finish. */
    private static final long CLOSE_WAIT_SECONDS = 2;

    private final EndpointListener listener;
    private final Counters counters;
    private final ExecutorService pool = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("planetary-callback-", 0).factory());
    private final int tasks;
    private final long bytesPerSession;
    private final SerialExecutor.Budget budget;
    private final SerialExecutor endpointQueue;

    EventDispatch(EndpointListener listener, Counters counters, int tasks, long bytesPerSession, long bytesPerEndpoint) {
        this.listener = listener;
        this.counters = counters;
        this.tasks = tasks;
        this.bytesPerSession = bytesPerSession;
        this.budget = new SerialExecutor.Budget(bytesPerEndpoint);
        this.endpointQueue = newQueue();
    }

    boolean hasListener() {
        return listener != null;
    }

    /** A new bounded, in-order callback queue (one per session). */
    SerialExecutor newQueue() {
        return new SerialExecutor(pool, tasks, bytesPerSession, budget);
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
        pool.shutdown();
        try {
            if (!pool.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    void shutdownNow() {
        pool.shutdownNow();
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

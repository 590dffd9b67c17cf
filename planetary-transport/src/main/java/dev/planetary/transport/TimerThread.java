package dev.planetary.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that runs a pass (the engine's timers and the endpoint's housekeeping) and
 * sleeps for as long as the pass asks, or until {@link #wake}.
 */
final class TimerThread {
    private static final Logger log = LoggerFactory.getLogger(TimerThread.class);
    /** The pause after a pass that failed unexpectedly. */
    private static final long AFTER_ERROR_MS = 100;

    private final Thread thread;
    private final LongSupplier pass;
    private final Counters counters;
    private volatile boolean open = true;

    /** @param pass runs the timers; returns the milliseconds until it wants to run again */
    TimerThread(String name, LongSupplier pass, Counters counters) {
        this.pass = pass;
        this.counters = counters;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Runs the next pass now (cheap: callable from any thread, including the data path). */
    void wake() {
        LockSupport.unpark(thread);
    }

    void stop() {
        open = false;
        LockSupport.unpark(thread);
        Endpoint.join(thread);
    }

    private void run() {
        while (open) {
            long waitMs;
            try {
                waitMs = pass.getAsLong();
            } catch (RuntimeException | Error e) {
                counters.inc(Counters.Counter.INTERNAL_ERRORS);
                log.error("unexpected error in the timer loop (continuing)", e);
                waitMs = AFTER_ERROR_MS;
            }
            if (!open) return;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(Math.max(1, waitMs)));
        }
    }
}

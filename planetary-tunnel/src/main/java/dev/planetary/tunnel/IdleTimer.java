package dev.planetary.tunnel;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Idle timeouts of {@code listen} (--idle-timeout for sessions, --stream-idle-timeout for tunnel
 * streams), like sshd's ClientAliveInterval: one timer per watched thing, re-armed for the rest of
 * the timeout when it fires early; nothing scans all sessions or streams.
 */
public final class IdleTimer implements AutoCloseable {
    /** Something that can go idle. */
    public interface Watched {
        /** {@link System#nanoTime()} of the last activity. */
        long lastActivity();

        /** True once it ended by itself: the timer stops. */
        boolean isDone();

        /** It was idle for {@code idleMs} (at least the timeout): end it. Called once, on the timer thread. */
        void idle(long idleMs);
    }

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("idle-timer").unstarted(r));

    /** Calls {@code w.idle} once {@code w} had no activity for {@code timeoutMs}, unless it is done by then. */
    public void watch(Watched w, long timeoutMs) {
        arm(w, timeoutMs, timeoutMs);
    }

    private void arm(Watched w, long delayMs, long timeoutMs) {
        if (timer.isShutdown()) return;
        try {
            timer.schedule(() -> check(w, timeoutMs), delayMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // shutting down
        }
    }

    private void check(Watched w, long timeoutMs) {
        if (w.isDone()) return;
        long idleMs = (System.nanoTime() - w.lastActivity()) / 1_000_000;
        if (idleMs < timeoutMs) {
            arm(w, timeoutMs - idleMs, timeoutMs);
            return;
        }
        try {
            w.idle(idleMs);
        } catch (RuntimeException e) {
            // ending it anyway; nothing to report to
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

package dev.planetary.cli;

import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Closes sessions that sent no payload for a while ({@code listen --idle-timeout}), like sshd's
 * ClientAliveInterval: a peer that vanished (there is no close message in ZSSP) does not hold its
 * place under {@code --max-sessions} for ever. One timer per session, re-armed when it fires early;
 * nothing scans all sessions.
 */
final class IdleSessions implements AutoCloseable {
    private final Output out;
    private final Map<PeerSession, Long> last = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("idle-sessions").unstarted(r));

    IdleSessions(Output out) {
        this.out = out;
    }

    void watch(PeerSession s, long timeoutMs) {
        last.put(s, System.nanoTime());
        s.closedFuture().thenRun(() -> last.remove(s));
        arm(s, timeoutMs, timeoutMs);
    }

    /** A payload arrived on {@code s}. */
    void touch(PeerSession s) {
        last.computeIfPresent(s, (k, v) -> System.nanoTime());
    }

    private void arm(PeerSession s, long delayMs, long timeoutMs) {
        if (timer.isShutdown()) return;
        timer.schedule(() -> check(s, timeoutMs), delayMs, TimeUnit.MILLISECONDS);
    }

    private void check(PeerSession s, long timeoutMs) {
        Long t = last.get(s);
        if (t == null || s.isClosed()) return;
        long idleMs = (System.nanoTime() - t) / 1_000_000;
        if (idleMs < timeoutMs) {
            arm(s, timeoutMs - idleMs, timeoutMs);
            return;
        }
        last.remove(s);
        out.event("idle", "closing the session of " + AllowList.fingerprint(s.peer()) + " at " + Endpoint.format(s.remoteAddress()) + ": no payload for "
                + idleMs / 1000 + " s (--idle-timeout)", "peer", s.peer().toHex(), "remote", Endpoint.format(s.remoteAddress()), "idleMs", idleMs);
        s.close();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

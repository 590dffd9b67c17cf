package dev.planetary.daemon;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerLink;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.NetworkIds;
import dev.planetary.controller.Push;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl2.node.Vl2Layer;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller part of {@code planetary controller} (VL.md §7.5, §13.3, §14.2): its store
 * ({@code controller.db} in the home, or PostgreSQL), the engine signing as the daemon's identity
 * (which it does not own), the API router for {@code /controller…}, and — once {@link #attach}ed
 * to the node's VL2 layer — the {@link ControllerLink} that answers members and sends the pushes.
 */
public final class ControllerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);
    /** How often unauthorised rows older than 30 days are deleted (§7.5 step 2). */
    static final long MAINTENANCE_PERIOD_MS = 3_600_000;
    /** After the start, once the node is online: members without a session reached per period (§6.4). */
    static final int REACH_PER_PERIOD = 32;
    static final long REACH_PERIOD_MS = 1_000;
    /**
     * Passes over the members without a session, one every {@code REACH_PASS_MS}: a member that opened
     * its side less than T_GLARE (20 s) before may refuse the controller's session by the glare rule
     * (§3.2); after 60 s its own T_SESSION_DEAD reopens it anyway.
     */
    static final int REACH_PASSES = 6;
    static final long REACH_PASS_MS = 10_000;

    private final JdbcControllerStore store;
    private final Controller controller;
    private final ControllerApi api;
    private volatile Consumer<List<Push>> pushes = p -> LOG.debug("{} push(es) dropped: no VL1 side attached", p.size());
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "planetary-controller-maintenance");
        t.setDaemon(true);
        return t;
    });

    private ControllerService(JdbcControllerStore store, SecretIdentity identity, EventSink events) {
        this.store = store;
        ControllerEvents ev = new ControllerEvents() {
            @Override
            public void collision(long nwid, Address address, Fingerprint bound, Fingerprint claimed) {
                events.emit("identity.collision", Map.of("nwid", NetworkIds.format(nwid), "address", address.toString(),
                        "fingerprint", bound.toBase32(), "claimed", claimed.toBase32()));
            }
        };
        this.controller = new Controller(identity.address(), store, new Vl2Issuer(identity), IdentityCheck.verifying(new IdentityVerifier()), ev,
                new SecureRandom());
        this.api = new ControllerApi(controller, System::currentTimeMillis, p -> pushes.accept(p));
        maintenance.scheduleWithFixedDelay(this::maintain, MAINTENANCE_PERIOD_MS, MAINTENANCE_PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the store ({@code postgresUrl} null: SQLite {@code <home>/controller.db}) and the engine.
     *
     * @throws IOException the store cannot be opened (the message says why)
     */
    public static ControllerService open(Path home, String postgresUrl, SecretIdentity identity, EventSink events) throws IOException {
        JdbcControllerStore store = postgresUrl == null ? JdbcControllerStore.openSqlite(home)
                : JdbcControllerStore.openPostgres(postgresUrl, new Properties(), "");
        return new ControllerService(store, identity, events);
    }

    /**
     * Attaches the engine to the node's VL2 layer (on the node's thread, before its loop starts);
     * {@code onLoop} runs a task on that thread (the API's pushes go through it). Returns the
     * counters of the engine and its link (refusals, issuances, pushes, LIKEs and GATHERs with their
     * drops), to be read on the node's thread.
     */
    Supplier<Map<String, Long>> attach(Vl2Layer layer, Consumer<Runnable> onLoop) {
        // the per-prefix new-row rate (§7.5) needs the peer's source address, which the node does not expose: per peer for now
        ControllerLink l = new ControllerLink(controller, layer, Fingerprint::toShortString, System::currentTimeMillis); // the API's clock
        pushes = p -> {
            try {
                onLoop.accept(() -> l.send(p));
            } catch (IllegalStateException e) { // the loop is busy or stopping: the members get the state when they next ask
                LOG.warn("{} push(es) not sent: {}", p.size(), e.getMessage());
            }
        };
        long[] reach = {0, 0, 0}; // the next member to reach (-1: pass done), passes begun, when the last began
        maintenance.scheduleWithFixedDelay(() -> {
            try {
                onLoop.accept(() -> {
                    if (!layer.node().isOnline()) return; // a lookup needs the roots
                    l.reachRevoked();
                    long now = layer.node().now();
                    if (reach[0] < 0) {
                        if (reach[1] >= REACH_PASSES) return; // the start's passes are done; revoked members are still reached above
                        if (now - reach[2] < REACH_PASS_MS) return;
                        reach[0] = 0;
                    }
                    if (reach[0] == 0) {
                        reach[1]++;
                        reach[2] = now;
                    }
                    reach[0] = l.reachMembers((int) reach[0], REACH_PER_PERIOD) ? reach[0] + REACH_PER_PERIOD : -1;
                });
            } catch (RuntimeException e) { // the loop is busy or stopping: try in the next period
                LOG.debug("reaching members deferred: {}", e.toString());
            }
        }, REACH_PERIOD_MS, REACH_PERIOD_MS, TimeUnit.MILLISECONDS);
        return () -> {
            Map<String, Long> all = new java.util.TreeMap<>(controller.counters());
            l.counters().forEach((k, v) -> all.put("link" + Character.toUpperCase(k.charAt(0)) + k.substring(1), v));
            return all;
        };
    }

    private void maintain() {
        try {
            int n = controller.expirePending(System.currentTimeMillis());
            if (n > 0) LOG.info("deleted {} unauthorised member row(s) idle for 30 days", n);
        } catch (RuntimeException e) {
            LOG.warn("controller maintenance failed: {}", e.toString());
        }
    }

    public Controller controller() {
        return controller;
    }

    /** The API router for {@code /controller…} (§13.3). */
    public HttpMessages.Router api() {
        return api;
    }

    @Override
    public synchronized void close() {
        maintenance.shutdownNow();
        store.close();
    }
}

package dev.planetary.daemon;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Push;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's engine, store and API (VL.md §7.5, §13.3, §14.2) in one process: the home's
 * identity signs; the store is {@code controller.db} (SQLite) or a PostgreSQL database; the API is
 * served on the Unix socket and, optionally, on loopback TCP with {@code authtoken.secret}.
 *
 * <p>The VL1 side (answering NETWORK_CONFIG_REQUEST over SEQEX, sending the pushes) attaches with
 * {@link #controller()} and {@link #onPushes}; until it does, pushes are counted and dropped.
 */
public final class ControllerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControllerService.class);
    /** How often unauthorised rows older than 30 days are deleted (§7.5 step 2). */
    static final long MAINTENANCE_PERIOD_MS = 3_600_000;

    /**
     * @param postgresUrl null: SQLite {@code controller.db} in the home
     * @param apiSocket   null: {@code <home>/planetary.sock}
     * @param apiPort     null: 9993; 0: any free port
     */
    public record Options(Path home, String postgresUrl, Path apiSocket, boolean apiTcp, Integer apiPort) {}

    private SecretIdentity identity;
    private JdbcControllerStore store;
    private Controller controller;
    private ApiServer api;
    private Path socket;
    private int apiPort = -1;
    private volatile Consumer<List<Push>> pushes = p -> LOG.debug("{} push(es) dropped: no VL1 side attached", p.size());
    private final ScheduledExecutorService maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "planetary-controller-maintenance");
        t.setDaemon(true);
        return t;
    });

    private ControllerService() {}

    /** Starts it; on failure everything opened so far is closed again. */
    public static ControllerService start(Options o, EventSink events) throws Daemon.StartException {
        ControllerService s = new ControllerService();
        try {
            s.open(o, events);
            return s;
        } catch (Daemon.StartException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void open(Options o, EventSink events) throws Daemon.StartException {
        Path home = o.home();
        boolean created;
        try {
            DaemonHome.Loaded loaded = DaemonHome.identity(home);
            identity = loaded.identity();
            created = loaded.created();
        } catch (DaemonHome.HomeException | IOException e) {
            throw new Daemon.StartException(1, e.getMessage());
        }
        try {
            store = o.postgresUrl() == null ? JdbcControllerStore.openSqlite(home)
                    : JdbcControllerStore.openPostgres(o.postgresUrl(), new Properties(), "");
        } catch (IOException | IllegalArgumentException e) {
            throw new Daemon.StartException(1, e.getMessage());
        }
        ControllerEvents ev = new ControllerEvents() {
            @Override
            public void collision(long nwid, Address address, Fingerprint bound, Fingerprint claimed) {
                events.emit("identity.collision", Map.of("nwid", dev.planetary.controller.NetworkIds.format(nwid), "address", address.toString(),
                        "fingerprint", bound.toBase32(), "claimed", claimed.toBase32()));
            }
        };
        controller = new Controller(identity.address(), store, new Vl2Issuer(identity), IdentityCheck.verifying(new IdentityVerifier()), ev,
                new SecureRandom());
        api = new ApiServer(new ControllerApi(controller, System::currentTimeMillis, p -> pushes.accept(p)));
        socket = (o.apiSocket() != null ? o.apiSocket() : DaemonConfig.defaults().apiSocket(home)).toAbsolutePath();
        try {
            api.listenUnix(socket);
        } catch (IOException e) {
            throw new Daemon.StartException(1, "cannot serve the API socket " + socket + ": " + e.getMessage());
        }
        if (o.apiTcp()) {
            int p = o.apiPort() != null ? o.apiPort() : DaemonConfig.DEFAULT_PORT;
            try {
                apiPort = api.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), DaemonHome.authToken(home));
            } catch (IOException | DaemonHome.HomeException e) {
                throw new Daemon.StartException(1, "cannot serve the TCP API on 127.0.0.1 port " + p + ": " + e.getMessage());
            }
        }
        maintenance.scheduleWithFixedDelay(this::maintain, MAINTENANCE_PERIOD_MS, MAINTENANCE_PERIOD_MS, TimeUnit.MILLISECONDS);
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("address", identity.address().toString());
        ready.put("role", "controller");
        ready.put("fingerprint", identity.fingerprint().toBase32());
        ready.put("socket", socket.toString());
        if (apiPort >= 0) ready.put("apiPort", apiPort);
        ready.put("store", o.postgresUrl() == null ? "sqlite" : "postgresql");
        ready.put("identityCreated", created);
        events.emit("ready", ready);
        LOG.info("controller {} ready: API socket {}{}, store {}", identity.address(), socket, apiPort >= 0 ? ", TCP API 127.0.0.1:" + apiPort : "",
                o.postgresUrl() == null ? home.resolve(JdbcControllerStore.SQLITE_FILE) : "PostgreSQL");
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

    /** Where the pushes of operator changes go (the VL1 side sends them over SEQEX, §7.5 "Pushes"). */
    public void onPushes(Consumer<List<Push>> sink) {
        this.pushes = sink;
    }

    public Path socket() {
        return socket;
    }

    /** The TCP API's port, -1 if not served. */
    public int apiPort() {
        return apiPort;
    }

    @Override
    public synchronized void close() {
        maintenance.shutdownNow();
        if (api != null) api.close();
        if (store != null) store.close();
        if (identity != null) identity.close();
        api = null;
        store = null;
        identity = null;
    }
}

package dev.planetary.daemon;

import dev.planetary.daemon.EngineContext.Role;
import dev.planetary.identity.Address;
import dev.planetary.identity.IdentityText;
import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A running root or node daemon: the home directory and its identity, the root sets, the UDP
 * driver with its engine, and the local API. {@link #start} does everything in order and emits
 * {@code ready} last; {@link #close} undoes it (socket file removed, identity wiped).
 */
public final class Daemon implements AutoCloseable {

    /**
     * What the command line asked for (null fields: from {@code planetary.json}, else defaults).
     *
     * @param rootset          {@code --rootset}: replaces the embedded default set
     * @param debugBlockDirect drop datagrams to and from every remote but the roots (§16.1)
     * @param nic              a node's NIC mode ({@code --nic}, §12.1, §12.7); null: no data plane (networks join, no NIC)
     */
    public record Options(Role role, Path home, Path rootset, Integer port, boolean apiTcp, Integer apiPort, Path apiSocket,
                          boolean debugBlockDirect, String version, String controllerPostgres, dev.planetary.nic.NicMode nic) {
        /** Options of a root or node (no controller store, no data plane). */
        public Options(Role role, Path home, Path rootset, Integer port, boolean apiTcp, Integer apiPort, Path apiSocket,
                       boolean debugBlockDirect, String version) {
            this(role, home, rootset, port, apiTcp, apiPort, apiSocket, debugBlockDirect, version, null, null);
        }

        /** Options with a controller store ({@code controllerPostgres} null: SQLite) and no data plane. */
        public Options(Role role, Path home, Path rootset, Integer port, boolean apiTcp, Integer apiPort, Path apiSocket,
                       boolean debugBlockDirect, String version, String controllerPostgres) {
            this(role, home, rootset, port, apiTcp, apiPort, apiSocket, debugBlockDirect, version, controllerPostgres, null);
        }
    }

    /** A start that cannot go on, for the operator (exit non-zero). */
    public static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;
        public final int exitCode;

        public StartException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    private final Options options;
    private final EventSink events;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private SecretIdentity identity;
    private volatile List<RootSets.Accepted> rootSets = List.of();
    private UdpDriver driver;
    private PortMapService portMap;
    private boolean portMapping;
    private dev.planetary.store.PeerRatchetStore ratchets;
    private ApiServer api;
    private ControllerService controller;
    private LocalForwards forwards;
    private DaemonMetrics metrics;
    private Path socket;
    private int apiPort = -1;
    private boolean identityCreated;

    private Daemon(Options options, EventSink events) {
        this.options = options;
        this.events = events;
    }

    /** Starts a daemon; on failure everything opened so far is closed again. */
    public static Daemon start(Options o, DaemonConfig config, EventSink events) throws StartException {
        Daemon d = new Daemon(o, events);
        try {
            d.open(config);
            return d;
        } catch (StartException e) {
            d.close();
            throw e;
        } catch (IOException e) {
            d.close();
            throw new StartException(1, e.getMessage() == null ? e.toString() : e.toString());
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    private void open(DaemonConfig config) throws StartException, IOException {
        Path home = options.home;
        // §4.1: a node needs roots; check before anything is created for it
        RootSetSources.Loaded sets;
        try {
            sets = RootSetSources.load(home, options.rootset);
        } catch (RootSetSources.RootSetException e) {
            throw new StartException(2, e.getMessage());
        }
        List<RootSets.EffectiveRoot> roots = sets.effectiveRoots();
        if (options.role != Role.ROOT && roots.isEmpty()) {
            throw new StartException(1, "no roots configured: the embedded default root set is empty until public roots exist, and "
                    + home.resolve("roots.d") + " holds no set; give --rootset FILE (build one with 'planetary rootset create')");
        }
        rootSets = sets.all();
        try {
            DaemonHome.Loaded loaded = DaemonHome.identity(home);
            identity = loaded.identity();
            identityCreated = loaded.created();
        } catch (DaemonHome.HomeException e) {
            throw new StartException(1, e.getMessage());
        }
        int port = options.port != null ? options.port : config.port();
        InetAddress bind = InetAddress.getByName(config.bind());
        try {
            driver = UdpDriver.bind(new InetSocketAddress(bind, port));
        } catch (java.net.BindException e) {
            throw new StartException(1, "cannot bind UDP " + config.bind() + " port " + port + ": " + e.getMessage());
        }
        if (options.debugBlockDirect) {
            Set<InetSocketAddress> allowed = new HashSet<>();
            for (RootSets.EffectiveRoot r : roots) r.root().endpoints().forEach(ep -> ep.socketAddress().ifPresent(allowed::add));
            driver.blockDirectExcept(allowed);
        }
        if (options.role == Role.CONTROLLER) {
            try {
                controller = ControllerService.open(home, options.controllerPostgres, identity, events);
            } catch (IOException | IllegalArgumentException e) {
                throw new StartException(1, e.getMessage());
            }
        }
        NodeApi nodeApi = new NodeApi(this);
        HttpMessages.Router controllerApi = controller == null ? null : controller.api();
        api = controllerApi == null ? new ApiServer(nodeApi)
                : new ApiServer(r -> r.path().equals("/controller") || r.path().startsWith("/controller/") ? controllerApi.handle(r) : nodeApi.handle(r),
                        new ConsoleAssets()); // the web console's static files need no token (docs/console.md)
        metrics = new DaemonMetrics(options.role.label(), driver.counters(), api);
        if (options.role != Role.ROOT) { // §3.3: a member's (and a controller's) ratchets survive restarts in node.db
            try {
                ratchets = DaemonHome.ratchets(home);
            } catch (DaemonHome.HomeException e) {
                throw new StartException(1, e.getMessage());
            }
        } else { // §3.3: a root's are an in-memory LRU, lost on restart by design
            ratchets = new dev.planetary.store.MemoryRatchetStore(dev.planetary.vl1.Vl1Limits.ROOT_RATCHET_PEERS);
        }
        EngineContext.DataPlane dataPlane = options.role == Role.NODE && options.nic != null ? new EngineContext.DataPlane(options.nic, driver::post) : null;
        Vl1Engine engine = Vl1Engines.create(new EngineContext(options.role, identity, driver.localAddress(), roots, ratchets, rootSets,
                        this::rootSetPushed, home, dataPlane, config.rendezvousAllow()),
                driver.transmitter(events::emit), driver.now());
        if (controller != null) {
            UdpDriver d = driver;
            NodeEngine ne = (NodeEngine) engine;
            ne.attachedCounters(controller.attach(ne.vl2(), task -> d.call(e -> {
                task.run();
                return null;
            })));
        }
        if (options.role == Role.NODE) { // §12.8: the forwards' sockets live in the daemon, on the loop thread
            NodeEngine node = (NodeEngine) engine;
            forwards = new LocalForwards(driver, home, events);
            forwards.attach(node.startForwarding(forwards, config.forwardExpose()), new LocalForwards.Node() {
                @Override
                public String targetProblem(dev.planetary.nic.NetworkId network, InetAddress target) {
                    return node.forwardTargetProblem(network, target);
                }

                @Override
                public void wake() {
                    node.wakeForwarding();
                }
            });
        }
        driver.start(engine);
        if (forwards != null) {
            LocalForwards f = forwards;
            driver.call(e -> {
                f.start();
                return null;
            });
        }
        portMapping = config.portMapping() && options.role != Role.ROOT;
        if (portMapping) startPortMapping(engine);
        socket = (options.apiSocket != null ? options.apiSocket : config.apiSocket(home)).toAbsolutePath();
        try {
            api.listenUnix(socket);
        } catch (IOException e) {
            throw new StartException(1, "cannot serve the API socket " + socket + ": " + e.getMessage());
        }
        boolean tcp = options.apiTcp || config.apiTcp();
        if (tcp) {
            String token;
            try {
                token = DaemonHome.authToken(home);
            } catch (DaemonHome.HomeException e) {
                throw new StartException(1, e.getMessage());
            }
            int p = options.apiPort != null ? options.apiPort : config.apiPort();
            try {
                apiPort = api.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), token);
            } catch (IOException e) {
                throw new StartException(1, "cannot serve the TCP API on 127.0.0.1 port " + p + ": " + e.getMessage());
            }
        }
        Map<String, Object> ready = new LinkedHashMap<>();
        ready.put("address", identity.address().toString());
        ready.put("identity", publicIdentity());
        ready.put("port", driver.localAddress().getPort());
        ready.put("role", options.role.label());
        ready.put("fingerprint", fingerprint());
        ready.put("socket", socket.toString());
        if (apiPort >= 0) ready.put("apiPort", apiPort);
        ready.put("roots", roots.size());
        if (dataPlane != null) ready.put("nic", dataPlane.nic().flag());
        if (controller != null) ready.put("store", options.controllerPostgres == null ? "sqlite" : "postgresql");
        ready.put("identityCreated", identityCreated);
        events.emit("ready", ready);
        org.slf4j.LoggerFactory.getLogger(Daemon.class).info("{} {} ready: UDP {}, API socket {}{}, {} root(s)", options.role.label(), identity.address(),
                driver.localAddress(), socket, apiPort >= 0 ? ", TCP API 127.0.0.1:" + apiPort : "", roots.size());
    }

    UdpDriver driver() {
        return driver;
    }

    /** A node's port forwards (§12.8), used on the loop thread only; null for a root or controller. */
    LocalForwards forwards() {
        return forwards;
    }

    DaemonMetrics metrics() {
        return metrics;
    }

    Role role() {
        return options.role;
    }

    Address address() {
        return identity.address();
    }

    String publicIdentity() {
        return IdentityText.publicText(identity.identity(), identity.address());
    }

    String fingerprint() {
        return identity.fingerprint().toBase32();
    }

    List<RootSets.Accepted> rootSets() {
        return rootSets;
    }

    /** §4.2: an accepted push replaces its set (engine thread); kept as {@code roots.d/<name>.pushed}. */
    /** §5.9: asks the default gateway for a mapping of the primary port; without one the node runs on (warning). */
    private void startPortMapping(Vl1Engine engine) {
        InetSocketAddress server = PortMapService.defaultGatewayServer();
        if (server == null) {
            events.emit("warning", Map.of("message", "portMapping: no IPv4 default route in " + DefaultGateway.PROC_NET_ROUTE + ", so no gateway to ask"));
            return;
        }
        UdpDriver d = driver;
        try {
            portMap = PortMapService.start(server, d.localAddress().getPort(), m -> {
                d.post(() -> engine.mappedEndpoint(m));
                events.emit("portmap.changed", m == null ? Map.of("mapped", false)
                        : Map.of("mapped", true, "endpoint", m.getAddress().getHostAddress() + "/" + m.getPort(), "gateway", server.getAddress().getHostAddress()));
            });
        } catch (IOException | RuntimeException e) {
            events.emit("warning", Map.of("message", "portMapping: cannot ask the gateway " + server + ": " + e.getMessage()));
        }
    }

    /** Whether port mapping is on (the status's {@code portMappingEnabled}). */
    boolean portMapping() {
        return portMapping;
    }

    private void rootSetPushed(RootSets.Accepted set) {
        RootSetSources.savePushed(options.home, set.valid().set(), events);
        List<RootSets.Accepted> l = new java.util.ArrayList<>(rootSets);
        l.replaceAll(a -> a.name().equals(set.name()) ? set : a);
        rootSets = List.copyOf(l);
    }

    /** Re-reads the home's root sets and switches the engine to them ({@code planetary roots add|remove}). */
    synchronized void reloadRootSets() throws RootSetSources.RootSetException, IOException {
        List<RootSets.Accepted> l = RootSetSources.load(options.home, options.rootset).all();
        driver.call(e -> {
            e.useRootSets(l);
            return null;
        }, 2000);
        rootSets = l;
    }

    Path home() {
        return options.home;
    }

    EventSink events() {
        return events;
    }

    int port() {
        return driver.localAddress().getPort();
    }

    String version() {
        return options.version;
    }

    int[] versionNumbers() {
        int[] v = {0, 0, 0};
        String[] parts = options.version.split("[.-]");
        for (int i = 0; i < 3 && i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                break;
            }
        }
        return v;
    }

    /** The API's Unix socket path. */
    public Path socket() {
        return socket;
    }

    /** Blocks until {@link #close} ran. */
    public void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) return;
        if (api != null) api.close();
        if (portMap != null) portMap.close(); // §5.9: the mapping is deleted at shutdown
        if (forwards != null) {
            LocalForwards f = forwards;
            try {
                driver.call(e -> {
                    f.close();
                    return null;
                });
            } catch (IllegalStateException e) {
                events.emit("warning", Map.of("message", "closing the port forwards: " + e.getMessage()));
            }
        }
        if (driver != null) driver.close();
        if (controller != null) controller.close();
        if (ratchets != null) {
            try {
                ratchets.close();
            } catch (IOException e) {
                events.emit("warning", java.util.Map.of("message", "closing the ratchet store " + ratchets + ": " + e.getMessage()));
            }
        }
        if (identity != null) identity.close();
        stopped.countDown();
    }
}

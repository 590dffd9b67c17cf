package dev.planetary.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.PortForward;
import dev.planetary.vl2.node.PortForwarding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's port forwards (VL.md §12.8) on the daemon side: the listeners of {@code planetary
 * forward} on {@code 127.0.0.1:<local-port>} (each accepted connection opens one stream to the
 * member owning the target address), and the target side's connects to {@code 127.0.0.1:<port>}
 * for the ports of {@code forward.expose}. The listeners live in the daemon, so they outlive the
 * CLI that created them, and they are kept in {@value #FILE} in the home so they come back after
 * a restart. Everything runs on the {@link UdpDriver}'s loop thread over its selector.
 */
final class LocalForwards implements PortForwarding.Local {
    static final String FILE = "forwards.json";
    /** Forwards a node keeps at most. */
    static final int MAX_FORWARDS = 64;
    /** Local connections per forward at most (a session carries 16 streams, §12.8; more wait for a session or fail). */
    static final int MAX_CONNECTIONS = 64;
    private static final int MAX_FILE = 64 * 1024;

    /** What a forward needs from the node: the joined networks and the member owning an address (§12.8, as for ARP/NDP). */
    interface Node {
        /** Null when {@code target} on {@code network} can be forwarded to, else why not. */
        String targetProblem(NetworkId network, InetAddress target);

        /** A stream was opened: the forwarding engine wants its {@code service} soon (it polls for the session). */
        void wake();
    }

    /** One {@code planetary forward}: its listener, connections and the last outcome. */
    final class Forward {
        final int localPort;
        final NetworkId network;
        final InetAddress target;
        final int port;
        ServerSocketChannel server;
        String listenError;
        final Set<ForwardSocket> connections = new LinkedHashSet<>();
        long accepted, refused, bytesIn, bytesOut;
        int lastCloseReason = -1;
        String lastError;

        Forward(int localPort, NetworkId network, InetAddress target, int port) {
            this.localPort = localPort;
            this.network = network;
            this.target = target;
            this.port = port;
        }

        void listen() {
            try {
                ServerSocketChannel ch = ServerSocketChannel.open();
                try {
                    ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), localPort));
                    ch.configureBlocking(false);
                    driver.watch(ch, SelectionKey.OP_ACCEPT, k -> accept());
                } catch (IOException | RuntimeException e) {
                    ch.close();
                    throw e;
                }
                server = ch;
                listenError = null;
            } catch (IOException e) {
                listenError = "cannot listen on 127.0.0.1:" + localPort + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }

        private void accept() {
            while (server != null) {
                SocketChannel c;
                try {
                    c = server.accept();
                } catch (IOException e) {
                    lastError = "accept failed: " + e.getMessage();
                    return;
                }
                if (c == null) return;
                accepted++;
                ForwardSocket sock;
                try {
                    sock = new ForwardSocket(driver, c, s -> {
                        connections.remove(s);
                        bytesIn += s.bytesIn();
                        bytesOut += s.bytesOut();
                    });
                } catch (IOException e) {
                    closeQuietly(c);
                    continue;
                }
                if (connections.size() >= MAX_CONNECTIONS) {
                    refused++;
                    lastError = "more than " + MAX_CONNECTIONS + " connections at once";
                    sock.closeSocket();
                    continue;
                }
                connections.add(sock);
                try {
                    forwarding.open(network, target, port, new Opener(this, sock));
                    node.wake();
                } catch (IllegalArgumentException | IllegalStateException e) {
                    refused++;
                    lastError = e.getMessage();
                    sock.closeSocket();
                }
            }
        }

        void close() {
            for (ForwardSocket s : List.copyOf(connections)) s.close();
            if (server != null) closeQuietly(server);
            server = null;
        }

        Map<String, Object> view() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", localPort);
            m.put("localPort", localPort);
            m.put("listen", "127.0.0.1:" + localPort);
            m.put("nwid", network.toString());
            m.put("target", target.getHostAddress());
            m.put("port", port);
            m.put("listening", server != null);
            m.put("listenError", listenError);
            m.put("connections", connections.size());
            m.put("accepted", accepted);
            m.put("refused", refused);
            long in = bytesIn, out = bytesOut;
            for (ForwardSocket s : connections) {
                in += s.bytesIn();
                out += s.bytesOut();
            }
            m.put("bytesSent", in); // read from local clients, sent to the target
            m.put("bytesReceived", out); // from the target, written to local clients
            m.put("lastCloseReason", lastCloseReason < 0 ? null : lastCloseReason);
            m.put("lastClose", lastCloseReason < 0 ? null : reasonText(lastCloseReason));
            m.put("lastError", lastError);
            return m;
        }
    }

    /** The opener side of one accepted connection's stream. */
    private final class Opener implements PortForwarding.Local {
        private final Forward forward;
        private final ForwardSocket socket;

        Opener(Forward forward, ForwardSocket socket) {
            this.forward = forward;
            this.socket = socket;
        }

        @Override
        public void connect(PortForwarding.Stream s, int port) {
            s.close(PortForward.REASON_ERROR); // only target-side streams connect
        }

        @Override
        public void opened(PortForwarding.Stream s) {
            socket.start(ForwardSocket.Link.of(s));
        }

        @Override
        public void deliver(PortForwarding.Stream s, byte[] data) {
            socket.deliver(data);
        }

        @Override
        public void closed(PortForwarding.Stream s, int reason) {
            forward.lastCloseReason = reason;
            socket.streamClosed(reason);
        }
    }

    private final UdpDriver driver;
    private final Path file;
    private final EventSink events;
    private PortForwarding forwarding;
    private Node node;
    private final Map<Integer, Forward> forwards = new LinkedHashMap<>();
    private final Map<PortForwarding.Stream, ForwardSocket> targets = new IdentityHashMap<>();

    /** {@code home} null: forwards are not kept across restarts. */
    LocalForwards(UdpDriver driver, Path home, EventSink events) {
        this.driver = driver;
        this.file = home == null ? null : home.resolve(FILE);
        this.events = events;
    }

    /** Binds to the node's forwarding engine (before the loop starts). */
    void attach(PortForwarding forwarding, Node node) {
        this.forwarding = forwarding;
        this.node = node;
    }

    /** On the loop thread once it runs: watches the sockets after each round and brings back the forwards kept in the home. */
    void start() {
        driver.afterEachRound(this::pump);
        for (Forward f : load()) {
            if (forwards.size() >= MAX_FORWARDS) break;
            f.listen();
            forwards.put(f.localPort, f);
            if (f.listenError != null) events.emit("warning", Map.of("message", "forward " + f.localPort + ": " + f.listenError));
        }
    }

    private void pump() {
        for (Forward f : forwards.values()) for (ForwardSocket s : List.copyOf(f.connections)) s.pump();
        for (ForwardSocket s : List.copyOf(targets.values())) s.pump();
    }

    // ---------------------------------------------------------------- the API's operations (loop thread)

    /** Creates a forward and listens; throws {@link IllegalArgumentException} naming what is wrong. */
    Map<String, Object> create(int localPort, NetworkId network, InetAddress target, int port) {
        if (localPort < 1 || localPort > 65_535) throw new IllegalArgumentException("local port " + localPort + " is outside 1..65535");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("target port " + port + " is outside 1..65535");
        if (forwards.containsKey(localPort)) throw new IllegalArgumentException("local port " + localPort + " is already forwarded (remove it first)");
        if (forwards.size() >= MAX_FORWARDS) throw new IllegalArgumentException("this node has " + MAX_FORWARDS + " forwards already");
        String problem = node.targetProblem(network, target);
        if (problem != null) throw new IllegalArgumentException(problem);
        Forward f = new Forward(localPort, network, target, port);
        f.listen();
        if (f.listenError != null) throw new IllegalArgumentException(f.listenError + " (port in use?)");
        forwards.put(localPort, f);
        save();
        return f.view();
    }

    List<Map<String, Object>> list() {
        List<Map<String, Object>> l = new ArrayList<>();
        for (Forward f : forwards.values()) l.add(f.view());
        return l;
    }

    Map<String, Object> get(int localPort) {
        Forward f = forwards.get(localPort);
        return f == null ? null : f.view();
    }

    /** Closes the listener and its connections; false if there was no such forward. */
    boolean remove(int localPort) {
        Forward f = forwards.remove(localPort);
        if (f == null) return false;
        f.close();
        driver.releaseClosed(); // the port is free when the API answers
        save();
        return true;
    }

    /** The daemon stops: every socket closes (the forwards stay in the home). */
    void close() {
        for (Forward f : forwards.values()) f.close();
        for (ForwardSocket s : List.copyOf(targets.values())) s.close();
        driver.releaseClosed();
    }

    // ---------------------------------------------------------------- target side (PortForwarding.Local)

    @Override
    public void connect(PortForwarding.Stream s, int port) {
        ForwardSocket.Link link = ForwardSocket.Link.of(s);
        try {
            ForwardSocket sock = ForwardSocket.connect(driver, port, link, () -> {
                s.connected();
                ForwardSocket t = targets.get(s);
                if (t != null) t.start(link);
            }, x -> targets.values().remove(x));
            if (!sock.isClosed()) targets.put(s, sock);
            if (s.isOpen()) sock.start(link); // connected at once: onConnected ran before the socket was listed
        } catch (IOException e) {
            s.close(PortForward.REASON_ERROR);
        }
    }

    @Override
    public void deliver(PortForwarding.Stream s, byte[] data) {
        ForwardSocket t = targets.get(s);
        if (t != null) t.deliver(data);
        else s.written(); // its socket is gone: free the slot
    }

    @Override
    public void closed(PortForwarding.Stream s, int reason) {
        ForwardSocket t = targets.remove(s);
        if (t != null) t.streamClosed(reason);
    }

    // ---------------------------------------------------------------- persistence

    private void save() {
        if (file == null) return;
        List<Map<String, Object>> l = new ArrayList<>();
        for (Forward f : forwards.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("localPort", f.localPort);
            m.put("nwid", f.network.toString());
            m.put("target", f.target.getHostAddress());
            m.put("port", f.port);
            l.add(m);
        }
        try {
            DaemonHome.writePrivate(file, HttpMessages.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(l));
        } catch (IOException e) {
            events.emit("warning", Map.of("message", "cannot save " + file + ": " + e.getMessage()));
        }
    }

    /** The forwards kept in the home; a malformed file or entry is skipped with a warning. */
    private List<Forward> load() {
        List<Forward> l = new ArrayList<>();
        if (file == null) return l;
        JsonNode root;
        try {
            if (Files.size(file) > MAX_FILE) throw new IOException("larger than " + MAX_FILE + " bytes");
            root = HttpMessages.JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return l;
        } catch (IOException e) {
            events.emit("warning", Map.of("message", "ignoring " + file + ": " + e.getMessage()));
            return l;
        }
        if (root == null || !root.isArray()) {
            events.emit("warning", Map.of("message", "ignoring " + file + ": not a JSON array"));
            return l;
        }
        for (JsonNode n : root) {
            try {
                int local = n.path("localPort").asInt(-1), port = n.path("port").asInt(-1);
                if (local < 1 || local > 65_535 || port < 1 || port > 65_535) throw new IllegalArgumentException("a port is outside 1..65535");
                l.add(new Forward(local, NetworkId.parse(n.path("nwid").asText("")), NodeEngine.ipLiteral(n.path("target").asText("")), port));
            } catch (IllegalArgumentException e) {
                events.emit("warning", Map.of("message", "ignoring a forward in " + file + ": " + e.getMessage()));
            }
        }
        return l;
    }

    /** §12.8 CLOSE reasons for people. */
    static String reasonText(int reason) {
        return switch (reason) {
            case PortForward.REASON_NORMAL -> "closed normally (0)";
            case PortForward.REASON_NOT_EXPOSED -> "the target does not expose that port: add it to forward.expose in its planetary.json (1)";
            case PortForward.REASON_DENIED -> "denied by the network's rules or membership (2)";
            case PortForward.REASON_ERROR -> "error: the target refused the connection, more than 16 streams to that member, no session within 10 s, a stall, or a lost session (3)";
            default -> "reason " + reason;
        };
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}

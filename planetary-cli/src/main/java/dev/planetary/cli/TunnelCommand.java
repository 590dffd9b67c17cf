package dev.planetary.cli;

import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.transport.AcceptPolicy;
import dev.planetary.tunnel.PathMtu;
import dev.planetary.tunnel.TunnelLimits;
import dev.planetary.tunnel.TunnelSupervisor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tunnel", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"TCP port forwarding over ZSSP (like ssh -L): connections to --local are carried to a",
                "'listen --allow-tunnel' peer, which connects them to --remote. Runs until interrupted (Ctrl-C)."})
final class TunnelCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The listener's UDP address.")
    String peerAddress;

    @Option(names = "--local", paramLabel = "HOST:PORT", required = true,
            description = "Local TCP address to accept connections on; :PORT or PORT binds the loopback address, like ssh -L (port 0 picks a free port; the 'tunnel' line/event names it).")
    String localAddress;

    @Option(names = "--remote", paramLabel = "HOST:PORT", required = true,
            description = "Target the listener connects each stream to; it must be in the listener's --allow-tunnel list.")
    String remote;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file.")
    Path key;

    @Option(names = "--peer", paramLabel = "PUBFILE", required = true, description = "The listener's public key file.")
    Path peer;

    @Option(names = "--identity", paramLabel = "TEXT", description = "An identity blob presented to the listener (UTF-8, at most 4096 bytes).")
    String identity;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Local UDP address (default: any address, a free port).")
    String bind;

    @Option(names = "--max-streams", paramLabel = "N", defaultValue = "" + TunnelLimits.DEFAULT_STREAMS,
            description = "Concurrent TCP streams, 1..256 (default: ${DEFAULT-VALUE}); further connections wait for a free one.")
    int maxStreams;

    @Option(names = "--disallow-downgrade", description = "π2: refuse a listener that has lost our ratchet state.")
    boolean disallowDowngrade;

    @Option(names = "--keepalive", paramLabel = "DURATION", defaultValue = "5s",
            description = "Ask the listener for a sign of life this often (default: ${DEFAULT-VALUE}); no answer for three intervals means the session is lost.")
    String keepalive;

    @Option(names = "--reconnect-attempts", paramLabel = "N", defaultValue = "5",
            description = "After losing the session, handshakes to try before exiting with an error (default: ${DEFAULT-VALUE}; 0: exit at once).")
    int reconnectAttempts;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        long jvmMs = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime(); // JVM start + option parsing
        long t0 = System.nanoTime();
        Output out = common.output(System.out, System.out);
        InetSocketAddress address = Addresses.parse("peer address", peerAddress, false);
        InetSocketAddress localTcp = Addresses.parse("--local address", loopbackByDefault(localAddress), true);
        checkTarget(remote);
        if (maxStreams < 1 || maxStreams > TunnelLimits.MAX_STREAMS) {
            throw new CliError(CliError.USAGE, "--max-streams must be between 1 and " + TunnelLimits.MAX_STREAMS + ", got " + maxStreams);
        }
        long keepaliveMs = Durations.parseMillis("--keepalive", keepalive, 100);
        if (reconnectAttempts < 0) throw new CliError(CliError.USAGE, "--reconnect-attempts must be 0 or more, got " + reconnectAttempts);
        InetSocketAddress localUdp = bind != null ? Addresses.parse("--bind address", bind, true) : Net.anyLocalFor(address);
        byte[] id = identity == null ? new byte[0] : identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 4096) throw new CliError(CliError.USAGE, "--identity is " + id.length + " bytes; at most 4096 are allowed");
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        StaticPublicKey peerKey = KeyFiles.readPublic(peer);
        int mtu = common.mtu();
        Duration timeout = common.handshakeTimeout();
        ServerSocket server = java.nio.channels.ServerSocketChannel.open().socket(); // a channel's: the streams' sockets are non-blocking channels
        try {
            server.setReuseAddress(true);
            server.bind(localTcp, 128);
        } catch (IOException e) {
            server.close();
            throw new CliError(CliError.FAILED, "cannot listen on TCP " + Endpoint.format(localTcp) + ": " + e.getMessage(), e);
        }
        RatchetStore store;
        try {
            store = common.openStore(keyPair.publicKey(), out);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        AtomicReference<TunnelSupervisor> supervisor = new AtomicReference<>();
        Endpoint ep;
        try {
            // A tunnel only initiates: every inbound session is refused, and only its own session's payloads reach the tunnel.
            ep = Net.build(Endpoint.builder().bind(localUdp).identity(keyPair).store(store).settings(common.settings()).mtu(mtu)
                    .policy(SecurityPolicy.builder().disallowDowngrade(disallowDowngrade).accept(AcceptPolicy.refuseAll()).build())
                    .handshakeTimeout(timeout)
                    .receiveQueueCapacity(0)
                    // payloads straight into SEQEX on the receive thread (it never blocks): no hand-off per packet
                    .payloadHandler((s, payload) -> {
                        TunnelSupervisor t = supervisor.get();
                        if (t != null) t.receive(s, payload);
                    })
                    .listener(new EventPrinter(out)));
        } catch (RuntimeException e) {
            server.close();
            CommonOptions.closeStore(store);
            throw e;
        }
        if (!common.mtuGiven()) ep.setMtu(address, PathMtu.forPeer(address, mtu)); // a listener on this host: its interface's MTU
        PeerSession first;
        long t1 = System.nanoTime();
        try {
            first = Net.connect(ep, peerKey, address, id, timeout);
        } catch (RuntimeException e) {
            ep.close();
            server.close();
            CommonOptions.closeStore(store);
            throw e;
        }
        long t2 = System.nanoTime();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("jvmMs", jvmMs);
        setup.put("prepareMs", (t1 - t0) / 1_000_000); // keys, ratchet store, sockets
        setup.put("handshakeMs", (t2 - t1) / 1_000_000);
        setup.put("mtu", first.mtu());
        CountDownLatch done = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        Map<String, Object> peerFields = new LinkedHashMap<>();
        peerFields.put("peer", peerKey.toHex());
        peerFields.put("remote", Endpoint.format(address));
        Runnable[] stop = new Runnable[1];
        TunnelSupervisor tunnel = new TunnelSupervisor(server, () -> Net.connect(ep, peerKey, address, id, timeout), remote, maxStreams, keepaliveMs,
                reconnectAttempts, out, Endpoint.format(address), peerFields, () -> stop[0].run());
        stop[0] = () -> {
            if (!stopping.compareAndSet(false, true)) return;
            tunnel.stop();
            ep.close();
            CommonOptions.closeStore(store);
            TunnelSupervisor.Totals totals = tunnel.totals();
            Object[] f = totals.fields();
            Object[] kv = java.util.Arrays.copyOf(f, f.length + 2);
            kv[f.length] = "counters";
            kv[f.length + 1] = ep.counters().snapshot();
            out.event("stopped", "stopped: " + totals.text(), kv);
            done.countDown();
        };
        supervisor.set(tunnel);
        tunnel.start(first);
        // Before the `tunnel` line (the "ready" signal): from then on a SIGTERM always ends with `stopped`.
        Thread hook = new Thread(() -> {
            stop[0].run();
            try {
                done.await();
            } catch (InterruptedException ignored) {
                // exiting
            }
        }, "planetary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String localText = Endpoint.format((InetSocketAddress) server.getLocalSocketAddress());
        out.event("tunnel", "tunnel " + localText + " -> " + Endpoint.format(address) + " (" + Net.shortKey(peerKey) + ") -> " + remote
                + (out.verbose() ? "; set-up: JVM start " + jvmMs + " ms, keys/store/sockets " + setup.get("prepareMs") + " ms, handshake "
                        + setup.get("handshakeMs") + " ms, MTU " + first.mtu() : ""),
                "local", localText, "peer", peerKey.toHex(), "remote", Endpoint.format(address), "target", remote, "maxStreams", maxStreams, "setup", setup);
        done.await();
        if (tunnel.failure() != null) throw new CliError(CliError.FAILED, tunnel.failure());
        return 0;
    }

    /** {@code :PORT} or {@code PORT} binds the loopback address, as {@code ssh -L} does; name a host (or 0.0.0.0) to bind others. */
    static String loopbackByDefault(String local) {
        String t = local.strip();
        if (t.matches("[0-9]+")) return "127.0.0.1:" + t;
        if (t.startsWith(":")) return "127.0.0.1" + t;
        return t;
    }

    /** The target is the listener's business; check only that it looks like HOST:PORT. */
    static void checkTarget(String target) {
        String t = target.strip();
        int colon = t.lastIndexOf(':');
        String port = colon < 0 ? "" : t.substring(colon + 1);
        boolean ok = colon > 0 && port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535
                && (!t.substring(0, colon).contains(":") || (t.startsWith("[") && t.substring(0, colon).endsWith("]")));
        if (!ok) throw new CliError(CliError.USAGE, "bad --remote target '" + target + "': expected HOST:PORT ([IPv6]:PORT)");
    }
}

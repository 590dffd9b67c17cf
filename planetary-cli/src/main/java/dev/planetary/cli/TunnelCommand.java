package dev.planetary.cli;

import dev.planetary.seqex.Stats;
import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
            description = "Local TCP address to accept connections on (port 0 picks a free port; the 'tunnel' line/event names it).")
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

    @Option(names = "--max-streams", paramLabel = "N", defaultValue = "" + TunnelProtocol.MAX_STREAMS,
            description = "Concurrent TCP streams, 1..256 (default: ${DEFAULT-VALUE}); further connections wait for a free one.")
    int maxStreams;

    @Option(names = "--disallow-downgrade", description = "π2: refuse a listener that has lost our ratchet state.")
    boolean disallowDowngrade;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Output out = common.output(System.out, System.out);
        InetSocketAddress address = Addresses.parse("peer address", peerAddress, false);
        InetSocketAddress localTcp = Addresses.parse("--local address", localAddress, true);
        checkTarget(remote);
        if (maxStreams < 1 || maxStreams > TunnelProtocol.MAX_STREAMS) {
            throw new CliError(CliError.USAGE, "--max-streams must be between 1 and " + TunnelProtocol.MAX_STREAMS + ", got " + maxStreams);
        }
        InetSocketAddress localUdp = bind != null ? Addresses.parse("--bind address", bind, true) : Net.anyLocalFor(address);
        byte[] id = identity == null ? new byte[0] : identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 4096) throw new CliError(CliError.USAGE, "--identity is " + id.length + " bytes; at most 4096 are allowed");
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        StaticPublicKey peerKey = KeyFiles.readPublic(peer);
        int mtu = common.mtu();
        Duration timeout = common.handshakeTimeout();
        ServerSocket server = new ServerSocket();
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
        AtomicReference<TunnelClient> client = new AtomicReference<>();
        Endpoint ep;
        try {
            ep = Net.build(Endpoint.builder().bind(localUdp).identity(keyPair).store(store).settings(common.settings()).mtu(mtu)
                    .policy(SecurityPolicy.builder().disallowDowngrade(disallowDowngrade).build())
                    .handshakeTimeout(timeout)
                    .receiveQueueCapacity(0)
                    .listener(new EventPrinter(out) {
                        @Override
                        public void onData(PeerSession s, byte[] payload) {
                            TunnelClient c = client.get();
                            if (c != null) c.receive(payload);
                        }
                    }));
        } catch (RuntimeException e) {
            server.close();
            CommonOptions.closeStore(store);
            throw e;
        }
        PeerSession session;
        try {
            session = Net.connect(ep, peerKey, address, id, timeout);
        } catch (RuntimeException e) {
            ep.close();
            server.close();
            CommonOptions.closeStore(store);
            throw e;
        }
        TunnelClient tunnel = new TunnelClient(session, server, remote, maxStreams, out);
        client.set(tunnel);
        tunnel.start();
        String localText = Endpoint.format((InetSocketAddress) server.getLocalSocketAddress());
        out.event("tunnel", "tunnel " + localText + " -> " + Endpoint.format(address) + " (" + Net.shortKey(peerKey) + ") -> " + remote,
                "local", localText, "peer", peerKey.toHex(), "remote", Endpoint.format(address), "target", remote, "maxStreams", maxStreams);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> failure = new AtomicReference<>();
        Runnable stop = () -> {
            tunnel.close();
            ep.close();
            CommonOptions.closeStore(store);
            Stats st = tunnel.link().seqex.stats();
            Counters c = ep.counters();
            Map<String, Object> seqex = new LinkedHashMap<>();
            seqex.put("packetsIn", st.packetsIn());
            seqex.put("packetsOut", st.packetsOut());
            seqex.put("retransmits", st.retransmits());
            seqex.put("earlyRetransmits", st.earlyRetransmits());
            seqex.put("duplicates", st.duplicates());
            seqex.put("droppedNoSpace", st.droppedNoSpace());
            out.event("stopped", "stopped: " + tunnel.opened.get() + " streams, " + tunnel.refused.get() + " refused, " + tunnel.bytesSent.get()
                            + " bytes sent, " + tunnel.bytesReceived.get() + " received, " + st.retransmits() + " resends",
                    "streams", tunnel.opened.get(), "refused", tunnel.refused.get(), "bytesOut", tunnel.bytesSent.get(), "bytesIn", tunnel.bytesReceived.get(),
                    "seqex", seqex, "counters", c.snapshot());
            done.countDown();
        };
        session.closedFuture().thenRun(() -> {
            if (ep.isOpen()) {
                failure.set("session with " + Endpoint.format(address) + " closed: " + session.closeReason());
                Thread.ofVirtual().start(stop);
            }
        });
        Thread hook = new Thread(() -> {
            if (failure.get() == null) stop.run();
            try {
                done.await();
            } catch (InterruptedException ignored) {
                // exiting
            }
        }, "planetary-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        done.await();
        if (failure.get() != null) throw new CliError(CliError.FAILED, failure.get());
        return 0;
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

package dev.planetary.cli;

import dev.planetary.transport.AcceptPolicy;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "connect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"netcat over ZSSP: stdin chunks become payloads, received payloads go to stdout.",
                "Each read from stdin is sent as one payload. Status lines and --json events go to stderr.",
                "Exits after stdin ends and the peer has been quiet for --linger."})
final class ConnectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "HOST:PORT", description = "The listener's address.")
    String target;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file.")
    Path key;

    @Option(names = "--peer", paramLabel = "PUBFILE", required = true, description = "The listener's public key file.")
    Path peer;

    @Option(names = "--identity", paramLabel = "TEXT", description = "Identity text sent to the peer after authentication (UTF-8, at most 4096 bytes).")
    String identity;

    @Option(names = "--bind", paramLabel = "HOST:PORT", description = "Local address (default: any address, a free port).")
    String bind;

    @Option(names = "--disallow-downgrade", description = "π2: refuse a listener that has lost our ratchet state.")
    boolean disallowDowngrade;

    @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "1s",
            description = "After stdin ends, wait until the peer has been quiet this long (default: ${DEFAULT-VALUE}).")
    String linger;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = System.out;
        Output out = common.output(System.err, System.err);
        InetSocketAddress address = Addresses.parse("peer address", target, false);
        InetSocketAddress local = bind != null ? Addresses.parse("--bind address", bind, true) : Net.anyLocalFor(address);
        long lingerMs = Durations.parseMillis("--linger", linger, 0);
        byte[] id = identity == null ? new byte[0] : identity.getBytes(StandardCharsets.UTF_8);
        if (id.length > 4096) throw new CliError(CliError.USAGE, "--identity is " + id.length + " bytes; at most 4096 are allowed");
        StaticKeyPair keyPair = KeyFiles.readPrivate(key);
        StaticPublicKey peerKey = KeyFiles.readPublic(peer);
        int mtu = common.mtu();
        var settings = common.settings();
        Duration timeout = common.handshakeTimeout();
        RatchetStore store = common.openStore(keyPair.publicKey(), out);
        try (Endpoint ep = Net.build(Endpoint.builder().bind(local).identity(keyPair).store(store).settings(settings).mtu(mtu)
                .policy(SecurityPolicy.builder().disallowDowngrade(disallowDowngrade).accept(AcceptPolicy.refuseAll()).build()) // a client: no inbound sessions
                .handshakeTimeout(timeout).listener(new EventPrinter(out)))) {
            PeerSession s = Net.connect(ep, peerKey, address, id, timeout);
            AtomicLong lastReceive = new AtomicLong(System.nanoTime());
            Thread receiver = Thread.ofVirtual().name("stdout").start(() -> {
                try {
                    byte[] p;
                    while ((p = s.receive()) != null) {
                        stdout.write(p);
                        stdout.flush();
                        lastReceive.set(System.nanoTime());
                    }
                } catch (InterruptedException | IOException e) {
                    // closing
                }
            });
            int chunk = Math.min(s.maxPayload(), 65_536);
            byte[] buf = new byte[chunk];
            InputStream in = System.in;
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (s.isClosed()) throw new CliError(CliError.FAILED, "session with " + Endpoint.format(address) + " closed: " + s.closeReason());
                if (n > 0) s.send(buf, 0, n);
            }
            // stdin ended: wait for the peer to go quiet
            lastReceive.set(Math.max(lastReceive.get(), System.nanoTime()));
            while (!s.isClosed() && System.nanoTime() - lastReceive.get() < lingerMs * 1_000_000L) {
                Thread.sleep(Math.max(1, Math.min(50, lingerMs)));
            }
            s.close();
            receiver.join(1000);
            stdout.flush();
            return 0;
        } finally {
            CommonOptions.closeStore(store);
        }
    }
}

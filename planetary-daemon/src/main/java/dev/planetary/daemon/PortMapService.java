package dev.planetary.daemon;

import dev.planetary.vl1.portmap.PortMapMessages;
import dev.planetary.vl1.portmap.PortMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket side of port mapping (VL.md §5.9): one thread drives the sans-IO {@link PortMapper}
 * over a UDP socket connected to the gateway's port 5351 (so only the gateway's datagrams arrive),
 * reports each change of the mapped endpoint to {@code onMapped} (null: lost), and on
 * {@link #close} sends the delete requests.
 */
final class PortMapService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortMapService.class);
    /** Longest wait between checks of {@link #running}. */
    private static final int MAX_WAIT_MS = 1_000;

    private final DatagramSocket socket;
    private final PortMapper mapper;
    private final Consumer<InetSocketAddress> onMapped;
    private final long origin = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    private InetSocketAddress announced;

    private PortMapService(DatagramSocket socket, PortMapper mapper, Consumer<InetSocketAddress> onMapped) {
        this.socket = socket;
        this.mapper = mapper;
        this.onMapped = onMapped;
        this.thread = Thread.ofPlatform().name("planetary-portmap").daemon(true).unstarted(this::loop);
    }

    /** The default gateway's PCP / NAT-PMP server, from {@code /proc/net/route}; null when there is no default route. */
    static InetSocketAddress defaultGatewayServer() {
        return DefaultGateway.find().map(g -> new InetSocketAddress(g, PortMapMessages.SERVER_PORT)).orElse(null);
    }

    /**
     * Starts mapping {@code internalPort} at {@code server} (the gateway's port 5351; tests pass a
     * double's). The PCP client address is the source address the host uses towards the server.
     */
    static PortMapService start(InetSocketAddress server, int internalPort, Consumer<InetSocketAddress> onMapped) throws IOException {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(onMapped, "onMapped");
        if (!(server.getAddress() instanceof Inet4Address)) throw new IllegalArgumentException("port mapping needs an IPv4 gateway, not " + server);
        DatagramSocket s = new DatagramSocket();
        try {
            s.connect(server);
            InetAddress local = s.getLocalAddress();
            if (!(local instanceof Inet4Address client) || local.isAnyLocalAddress()) {
                throw new IOException("no IPv4 source address towards the gateway " + server);
            }
            byte[] nonce = new byte[PortMapMessages.NONCE_LENGTH];
            new SecureRandom().nextBytes(nonce);
            PortMapService p = new PortMapService(s, new PortMapper(client, internalPort, nonce, 0), onMapped);
            p.thread.start();
            return p;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private long now() {
        return (System.nanoTime() - origin) / 1_000_000;
    }

    /** The mapped endpoint now (null: none). */
    synchronized InetSocketAddress mapped() {
        return mapper.mapped().orElse(null);
    }

    /** The local end of the socket to the gateway (tests send from the gateway double to it). */
    InetSocketAddress socketForTest() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Answers dropped as malformed or unexpected. */
    synchronized long dropped() {
        return mapper.dropped();
    }

    private void loop() {
        byte[] buf = new byte[1100]; // RFC 6887 §7: a PCP message is at most 1100 bytes
        while (running) {
            long deadline;
            try {
                List<byte[]> out;
                synchronized (this) {
                    out = mapper.poll(now());
                    deadline = mapper.nextDeadline();
                }
                for (byte[] d : out) socket.send(new DatagramPacket(d, d.length));
                announce();
                long wait = Math.max(1, Math.min(MAX_WAIT_MS, deadline - now()));
                socket.setSoTimeout((int) wait);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                synchronized (this) {
                    mapper.receive(Arrays.copyOf(p.getData(), p.getLength()), now());
                }
                announce();
            } catch (SocketTimeoutException e) {
                // nothing arrived: poll again
            } catch (IOException e) {
                if (!running) return;
                LOG.debug("port mapping: {}", e.toString()); // e.g. ICMP port unreachable: the gateway has no server
                sleepQuietly(MAX_WAIT_MS / 4);
            }
        }
    }

    private void announce() {
        InetSocketAddress m = mapped();
        if (Objects.equals(m, announced)) return;
        announced = m;
        if (m != null) LOG.info("port mapping: the gateway maps the primary port to {}", m);
        else LOG.info("port mapping: no mapping (any more)");
        onMapped.accept(m);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the thread and deletes the mapping (best effort: one datagram per request). */
    @Override
    public void close() {
        if (!running) return;
        running = false;
        List<byte[]> deletes;
        synchronized (this) {
            deletes = mapper.stop();
        }
        for (byte[] d : deletes) {
            try {
                socket.send(new DatagramPacket(d, d.length));
            } catch (IOException e) {
                LOG.debug("port mapping: delete not sent: {}", e.toString());
            }
        }
        socket.close();
        try {
            thread.join(2 * MAX_WAIT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

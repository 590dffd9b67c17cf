package dev.planetary.transport;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data plane of an {@link Endpoint}: its sockets and the receive threads that read them. With
 * one receive thread there is one socket per bind address; with N, each bind address gets N
 * sockets on the same port ({@code SO_REUSEPORT}) and each thread reads its own, so the kernel
 * spreads peers over the threads by their address and port and keeps each peer on one thread
 * (per-peer order). Each datagram goes to the endpoint's {@link Sink}, which decrypts DATA on the
 * spot and hands everything else to the {@link HandshakePlane}.
 */
final class ReceivePlane {
    private static final Logger log = LoggerFactory.getLogger(ReceivePlane.class);
    /** Datagrams read from one socket before the thread's other socket gets a turn. */
    private static final int BATCH = 512;

    /** Where the receive threads put each datagram (valid only during the call). */
    @FunctionalInterface
    interface Sink {
        void datagram(DatagramChannel channel, InetSocketAddress source, byte[] data, int len);
    }

    /** The first socket of each bind address: sending and {@link #channelFor} use these. */
    private final List<DatagramChannel> primary = new ArrayList<>();
    private final List<InetSocketAddress> localAddresses = new ArrayList<>();
    private final List<DatagramChannel> all = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private final List<PlaneThread> threads = new ArrayList<>();
    private final Counters counters;
    private volatile boolean open = true;

    /**
     * Binds {@code threads} sockets per address (falling back to one thread if the platform has no
     * {@code SO_REUSEPORT}).
     */
    ReceivePlane(List<InetSocketAddress> binds, int threads, int receiveBuffer, Sink sink, Counters counters) throws IOException {
        this.counters = counters;
        int n = threads > 1 && reusePortSupported() ? threads : 1;
        if (threads > 1 && n == 1) log.warn("SO_REUSEPORT is not supported here: one receive thread instead of {}", threads);
        try {
            List<List<DatagramChannel>> perThread = new ArrayList<>();
            for (int i = 0; i < n; i++) perThread.add(new ArrayList<>());
            for (InetSocketAddress a : binds) {
                DatagramChannel first = openChannel(n > 1 ? freePort(a) : a, n > 1, receiveBuffer);
                all.add(first);
                primary.add(first);
                InetSocketAddress bound = (InetSocketAddress) first.getLocalAddress();
                localAddresses.add(bound);
                perThread.get(0).add(first);
                for (int i = 1; i < n; i++) {
                    DatagramChannel ch = openChannel(bound, true, receiveBuffer);
                    all.add(ch);
                    perThread.get(i).add(ch);
                }
            }
            for (int i = 0; i < n; i++) {
                Selector sel = Selector.open();
                selectors.add(sel);
                for (DatagramChannel ch : perThread.get(i)) ch.register(sel, SelectionKey.OP_READ);
                this.threads.add(new PlaneThread(n == 1 ? "planetary-receive" : "planetary-receive-" + i, () -> run(sel, sink)));
            }
        } catch (IOException | RuntimeException e) {
            closeSockets();
            throw e;
        }
    }

    /** The smallest {@code SO_RCVBUF} of the sockets, as the JDK reports it (0 if it cannot tell). */
    int receiveBufferBytes() {
        int min = Integer.MAX_VALUE;
        for (DatagramChannel ch : all) {
            try {
                min = Math.min(min, ch.getOption(StandardSocketOptions.SO_RCVBUF));
            } catch (IOException | UnsupportedOperationException e) {
                return 0;
            }
        }
        return min == Integer.MAX_VALUE ? 0 : min;
    }

    void start() {
        for (Thread t : threads) t.start();
    }

    List<InetSocketAddress> localAddresses() {
        return localAddresses;
    }

    List<PlaneThread> threads() {
        return threads;
    }

    /** The socket that reaches {@code address}: one of its family, else a dual-stack IPv6 wildcard. */
    DatagramChannel channelFor(InetSocketAddress address) {
        boolean v4 = address.getAddress() instanceof Inet4Address;
        DatagramChannel dualStack = null;
        for (int i = 0; i < primary.size(); i++) {
            InetAddress local = localAddresses.get(i).getAddress();
            if (v4 ? local instanceof Inet4Address : local instanceof Inet6Address) return primary.get(i);
            if (v4 && local instanceof Inet6Address && local.isAnyLocalAddress()) dualStack = primary.get(i);
        }
        if (dualStack != null) return dualStack;
        throw new IllegalArgumentException("no socket of this endpoint can reach " + Endpoint.format(address) + " (bound to " + localAddresses
                + "); bind an " + (v4 ? "IPv4" : "IPv6") + " address too");
    }

    /** Stops the receive threads and waits for them; the sockets stay open (the engine may still send) until {@link #closeSockets}. */
    void stop() {
        open = false;
        for (Selector s : selectors) s.wakeup();
        for (PlaneThread t : threads) Endpoint.join(t);
    }

    void closeSockets() {
        for (DatagramChannel ch : all) Endpoint.closeQuietly(ch);
        for (Selector s : selectors) Endpoint.closeQuietly(s);
    }

    private void run(Selector selector, Sink sink) {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        byte[] array = buf.array();
        while (open) {
            try {
                selector.select(1000);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (!key.isValid()) continue;
                    DatagramChannel ch = (DatagramChannel) key.channel();
                    for (int n = 0; n < BATCH && open; n++) { // drain, but let the other socket have a turn
                        buf.clear();
                        SocketAddress src = ch.receive(buf);
                        if (src == null) break;
                        if (src instanceof InetSocketAddress isa) sink.datagram(ch, isa, array, buf.position());
                    }
                }
            } catch (ClosedChannelException | ClosedSelectorException e) {
                if (open) log.warn("socket closed unexpectedly: {}", e.toString());
                return;
            } catch (IOException e) {
                // e.g. an ICMP error reported on the socket: not fatal for a datagram endpoint
                log.debug("receive error: {}", e.toString());
            } catch (RuntimeException | Error e) {
                counters.inc(Counters.Counter.INTERNAL_ERRORS);
                log.error("unexpected error in the receive loop (continuing)", e);
            }
        }
    }

    private static boolean reusePortSupported() {
        try (DatagramChannel ch = DatagramChannel.open()) {
            return ch.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code a} with a port nobody holds: bound once without {@code SO_REUSEPORT} and released, so
     * that a port in use fails here as it would with one thread, instead of silently joining
     * another process's group (a process of another user cannot join ours either: Linux
     * requires one owner for a group).
     */
    private static InetSocketAddress freePort(InetSocketAddress a) throws IOException {
        try (DatagramChannel probe = openChannel(a, false, Endpoint.DEFAULT_SOCKET_BUFFER_BYTES)) {
            return (InetSocketAddress) probe.getLocalAddress();
        }
    }

    private static DatagramChannel openChannel(InetSocketAddress a, boolean reusePort, int receiveBuffer) throws IOException {
        DatagramChannel ch = a.getAddress() instanceof Inet6Address
                ? DatagramChannel.open(StandardProtocolFamily.INET6)
                : a.getAddress() instanceof Inet4Address ? DatagramChannel.open(StandardProtocolFamily.INET) : DatagramChannel.open();
        try {
            ch.configureBlocking(false);
            if (reusePort) ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            try {
                ch.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, Endpoint.DEFAULT_SOCKET_BUFFER_BYTES);
            } catch (IOException | UnsupportedOperationException ignored) {
                // best effort: the kernel caps these anyway
            }
            ch.bind(a);
            return ch;
        } catch (BindException e) {
            Endpoint.closeQuietly(ch);
            BindException be = new BindException("cannot bind " + Endpoint.format(a) + ": "
                    + (e.getMessage() == null ? "address unavailable" : e.getMessage().toLowerCase(Locale.ROOT)));
            be.initCause(e);
            throw be;
        } catch (IOException | RuntimeException e) {
            Endpoint.closeQuietly(ch);
            throw e;
        }
    }
}

package dev.planetary.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lossy UDP link for tests: clients send to {@link #address()}, the relay forwards to the server
 * and the server's answers back to the last client address, dropping, duplicating and reordering
 * (holding a datagram back until the next one passed) a given fraction of datagrams in each
 * direction. Seeded, so a run's decisions are reproducible per direction. Two platform threads.
 */
final class LossyUdpRelay implements AutoCloseable {
    private final DatagramChannel front;
    private final DatagramChannel back;
    private final InetSocketAddress server;
    private final double drop;
    private final double duplicate;
    private final double reorder;
    private final Thread up;
    private final Thread down;
    private volatile SocketAddress client;
    private volatile boolean open = true;
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();

    LossyUdpRelay(InetSocketAddress server, double drop, double duplicate, double reorder, long seed) throws IOException {
        this.server = server;
        this.drop = drop;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.front = open(new InetSocketAddress("127.0.0.1", 0));
        this.back = open(new InetSocketAddress("127.0.0.1", 0));
        up = Thread.ofPlatform().daemon().name("relay-up").start(() -> pump(front, back, true, new SplittableRandom(seed)));
        down = Thread.ofPlatform().daemon().name("relay-down").start(() -> pump(back, front, false, new SplittableRandom(seed ^ 0x5DEECE66DL)));
    }

    private static DatagramChannel open(InetSocketAddress bind) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
        ch.bind(bind);
        return ch;
    }

    /** Where clients send. */
    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) front.getLocalAddress();
    }

    /**
     * Forwards until closed. A cheap instrument (issue 19): direct buffers (a heap buffer costs the JDK
     * a copy through a temporary direct one on every receive and send) and no allocation per datagram;
     * the one held-back datagram waits in a second buffer, swapped with the receive buffer.
     */
    private void pump(DatagramChannel in, DatagramChannel out, boolean towardsServer, SplittableRandom rnd) {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        ByteBuffer spare = ByteBuffer.allocateDirect(65_536);
        ByteBuffer held = null;
        try {
            while (open) {
                buf.clear();
                SocketAddress from = in.receive(buf);
                if (from == null) continue;
                if (towardsServer) client = from;
                SocketAddress to = towardsServer ? server : client;
                if (to == null) continue;
                buf.flip();
                double r = rnd.nextDouble();
                if (r < drop) {
                    dropped.incrementAndGet();
                    continue;
                }
                if (held == null && r < drop + reorder) {
                    held = buf; // goes out after the next datagram
                    buf = spare;
                    spare = null;
                    reordered.incrementAndGet();
                    continue;
                }
                send(out, buf, to);
                if (r >= drop + reorder && r < drop + reorder + duplicate) {
                    duplicated.incrementAndGet();
                    send(out, buf.rewind(), to);
                }
                if (held != null) {
                    send(out, held, to);
                    spare = held;
                    held = null;
                }
            }
        } catch (AsynchronousCloseException e) {
            // closed
        } catch (IOException e) {
            if (open) throw new java.io.UncheckedIOException(e);
        }
    }

    private void send(DatagramChannel out, ByteBuffer b, SocketAddress to) throws IOException {
        out.send(b, to);
        forwarded.incrementAndGet();
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        try {
            front.close();
            back.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        up.join(2000);
        down.join(2000);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "relay: %d forwarded, %d dropped, %d duplicated, %d reordered (drop %.1f%%, dup %.1f%%, reorder %.1f%%)",
                forwarded.get(), dropped.get(), duplicated.get(), reordered.get(), drop * 100, duplicate * 100, reorder * 100);
    }

    /** Manual runs: {@code java LossyUdpRelay.java SERVER_PORT DROP DUP REORDER} prints the front port. */
    public static void main(String[] args) throws Exception {
        LossyUdpRelay r = new LossyUdpRelay(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])),
                Double.parseDouble(args[1]), Double.parseDouble(args[2]), Double.parseDouble(args[3]), 42);
        System.out.println(r.address().getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(r)));
        Thread.sleep(Long.MAX_VALUE);
    }
}

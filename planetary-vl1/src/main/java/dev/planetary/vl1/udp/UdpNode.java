package dev.planetary.vl1.udp;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.zssp.RandomSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A thin UDP driver for one {@link Node}: one {@link DatagramChannel} and one loop thread that
 * calls {@code receive} and {@code service}; application calls are handed to that thread with
 * {@link #call}. Events go to the given consumer on the loop thread (it must not block).
 *
 * <p>Not the node daemon: no configuration files, no API, no IPv6 socket beside the IPv4 one.
 */
public final class UdpNode implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel channel;
    private final Selector selector;
    private final InetSocketAddress local;
    private final Node node;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> calls = new ConcurrentLinkedQueue<>();
    private final AtomicLong sendErrors = new AtomicLong();
    private final java.util.List<java.util.function.LongUnaryOperator> companions = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final long epoch = System.nanoTime();
    private volatile boolean running = true;

    /**
     * Binds {@code bind} (port 0 picks one) and starts the loop thread.
     *
     * @param config the node's configuration for the bound socket
     */
    public UdpNode(String name, InetSocketAddress bind, SecretIdentity identity, Function<InetSocketAddress, NodeConfig> config, Consumer<NodeEvent> events) {
        Objects.requireNonNull(events, "events");
        try {
            channel = DatagramChannel.open(bind.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.bind(bind);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            local = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + bind, e);
        }
        NodeOutput out = new NodeOutput() {
            @Override
            public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
                try {
                    channel.send(ByteBuffer.wrap(datagram), to);
                } catch (IOException e) { // unreliable delivery anyway: counted, never thrown into the engine
                    sendErrors.incrementAndGet();
                }
            }

            @Override
            public void event(NodeEvent e) {
                events.accept(e);
            }
        };
        node = new Node(config.apply(local), identity, out, RandomSource.secure(), now());
        thread = Thread.ofPlatform().name("vl1-" + name).daemon().start(this::loop);
    }

    /** The bound socket address. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** Runs {@code f} on the loop thread with the node and returns its result. */
    public <T> CompletableFuture<T> call(Function<Node, T> f) {
        CompletableFuture<T> r = new CompletableFuture<>();
        calls.add(() -> {
            try {
                r.complete(f.apply(node));
            } catch (RuntimeException e) {
                r.completeExceptionally(e);
            }
        });
        selector.wakeup();
        return r;
    }

    /**
     * Drives {@code service} from the loop thread together with the node: the layers above VL1 (a
     * VL2 layer's SEQEX timers, a member or controller engine) get the loop's clock (ms) and return
     * their next deadline, as a daemon's loop does.
     */
    public void drive(java.util.function.LongUnaryOperator service) {
        companions.add(java.util.Objects.requireNonNull(service, "service"));
        selector.wakeup();
    }

    /** Datagrams the OS refused to send. */
    public long sendErrors() {
        return sendErrors.get();
    }

    private long now() {
        return (System.nanoTime() - epoch) / 1_000_000;
    }

    private void loop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        long deadline = now();
        while (running) {
            try {
                long wait = deadline - now();
                if (wait > 0) selector.select(Math.max(1, wait));
                else selector.selectNow();
                selector.selectedKeys().clear();
                for (int i = 0; i < 256; i++) { // bounded batch, then timers
                    buf.clear();
                    InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                    if (from == null) break;
                    buf.flip();
                    byte[] d = new byte[buf.remaining()];
                    buf.get(d);
                    node.receive(d, local, from, now());
                }
                for (Runnable r; (r = calls.poll()) != null; ) r.run();
                long t = now();
                deadline = Math.min(node.service(t), node.nextDeadline());
                for (java.util.function.LongUnaryOperator c : companions) deadline = Math.min(deadline, c.applyAsLong(t));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                sendErrors.incrementAndGet();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            selector.close();
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        node.close();
    }

    @Override
    public String toString() {
        return "UdpNode[" + local + ", " + node + "]";
    }
}

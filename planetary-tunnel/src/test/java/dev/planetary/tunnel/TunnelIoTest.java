package dev.planetary.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The selector's non-blocking connect (the listener's OPEN path): each outcome reported once, a loopback connect at once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunnelIoTest {

    /** Runs one connect; the future gets the failure (or a marker for success) and counts the callbacks. */
    private static CompletableFuture<Object> connect(SocketChannel ch, InetSocketAddress to, long timeoutMs, AtomicInteger calls, Thread[] on) {
        CompletableFuture<Object> done = new CompletableFuture<>();
        TunnelIo.get().connect(ch, to, timeoutMs, failure -> {
            calls.incrementAndGet();
            on[0] = Thread.currentThread();
            done.complete(failure == null ? "connected" : failure);
        });
        return done;
    }

    /**
     * A server socket's connections are accepted on the selector thread (a tunnel's OPEN is sent there),
     * a burst beyond one turn's {@link TunnelIo#ACCEPTS_PER_TURN} included; a callback that answers false
     * pauses accepting until {@link TunnelIo#resumeAccept}.
     */
    @Test
    void connectionsAreAcceptedOnTheSelectorThreadAndAcceptingPausesAndResumes() throws Exception {
        int burst = 3 * TunnelIo.ACCEPTS_PER_TURN;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2 * burst);
            java.util.concurrent.LinkedBlockingQueue<SocketChannel> got = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicBoolean pause = new java.util.concurrent.atomic.AtomicBoolean();
            TunnelIo.get().accept(server, c -> {
                threads.add(Thread.currentThread().getName());
                got.add(c);
                return !pause.get();
            }, e -> {});
            java.util.List<SocketChannel> clients = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < burst; i++) clients.add(SocketChannel.open(server.getLocalAddress()));
                for (int i = 0; i < burst; i++) assertNotNull(got.poll(10, TimeUnit.SECONDS), "connection " + i + " accepted");
                assertEquals(java.util.Set.of("tunnel-io"), threads);
                pause.set(true);
                clients.add(SocketChannel.open(server.getLocalAddress()));
                assertNotNull(got.poll(10, TimeUnit.SECONDS), "the connection that pauses accepting");
                clients.add(SocketChannel.open(server.getLocalAddress()));
                assertEquals(null, got.poll(300, TimeUnit.MILLISECONDS), "paused: the next one waits in the backlog");
                pause.set(false);
                TunnelIo.get().resumeAccept(server);
                assertNotNull(got.poll(10, TimeUnit.SECONDS), "accepted once resumed");
            } finally {
                for (SocketChannel c : clients) c.close();
                for (SocketChannel c; (c = got.poll()) != null; ) c.close();
            }
        }
    }

    @Test
    void aLoopbackConnectCompletesOnTheCallingThread() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); SocketChannel ch = SocketChannel.open()) {
            AtomicInteger calls = new AtomicInteger();
            Thread[] on = new Thread[1];
            CompletableFuture<Object> done = connect(ch, (InetSocketAddress) target.getLocalSocketAddress(), 5_000, calls, on);
            assertTrue(done.isDone(), "no selector round on loopback");
            assertEquals("connected", done.get());
            assertSame(Thread.currentThread(), on[0]);
            assertTrue(ch.isConnected());
            assertFalse(ch.isBlocking());
            target.accept().close();
            Thread.sleep(50);
            assertEquals(1, calls.get());
        }
    }

    @Test
    void aRefusedConnectIsReportedOnceAndClosesTheChannel() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        SocketChannel ch = SocketChannel.open();
        AtomicInteger calls = new AtomicInteger();
        Object r = connect(ch, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000, calls, new Thread[1]).get(30, TimeUnit.SECONDS);
        assertTrue(r instanceof IOException, "a failure, got " + r);
        assertFalse(ch.isOpen(), "the channel of a failed connect is closed");
        Thread.sleep(50);
        assertEquals(1, calls.get());
    }

    /** A connect that gets no answer (an address nothing answers; where the network refuses it at once, that failure) ends by itself. */
    @Test
    void aConnectWithoutAnswerFailsAtItsDeadline() throws Exception {
        SocketChannel ch = SocketChannel.open();
        AtomicInteger calls = new AtomicInteger();
        Object r = connect(ch, new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 9), 300, calls, new Thread[1]).get(30, TimeUnit.SECONDS); // TEST-NET-1
        assertNotNull(r);
        assertTrue(r instanceof IOException, "a failure, got " + r);
        assertFalse(ch.isOpen());
        Thread.sleep(400); // past the deadline again: still one report
        assertEquals(1, calls.get());
    }

    /** A connected pair on loopback: [0] is the one the selector watches, [1] its peer. */
    private static SocketChannel[] pair(ServerSocketChannel server) throws IOException {
        SocketChannel a = SocketChannel.open(server.getLocalAddress());
        return new SocketChannel[] {a, server.accept()};
    }

    /** What the selector runs for a socket: {@code readable} only. */
    private static TunnelIo.Ready onReadable(Runnable r) {
        return new TunnelIo.Ready() {
            @Override
            public void readable() {
                r.run();
            }

            @Override
            public void writable() {}
        };
    }

    /** An error a turn did not expect is counted, and the selector goes on serving the other sockets (and tasks). */
    @Test
    void anUnexpectedErrorInATurnIsCountedAndTheOtherSocketsAreStillServed() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketChannel[] bad = pair(server);
            SocketChannel[] good = pair(server);
            try {
                long before = TunnelIo.errors();
                CompletableFuture<Void> thrown = new CompletableFuture<>();
                SelectionKey badKey = TunnelIo.get().register(bad[0], onReadable(() -> {
                    thrown.complete(null);
                    throw new IllegalStateException("a bug in a turn (test)");
                }));
                TunnelIo.get().await(badKey, SelectionKey.OP_READ);
                bad[1].write(ByteBuffer.wrap(new byte[] {1}));
                thrown.get(30, TimeUnit.SECONDS);

                CompletableFuture<Thread> served = new CompletableFuture<>();
                SelectionKey goodKey = TunnelIo.get().register(good[0], onReadable(() -> served.complete(Thread.currentThread())));
                TunnelIo.get().await(goodKey, SelectionKey.OP_READ);
                good[1].write(ByteBuffer.wrap(new byte[] {2}));
                assertEquals("tunnel-io", served.get(30, TimeUnit.SECONDS).getName());
                assertEquals(before + 1, TunnelIo.errors(), "the turn's error is counted once");

                TunnelIo.get().execute(() -> {
                    throw new IllegalStateException("a bug in a task (test)");
                });
                CompletableFuture<Void> next = new CompletableFuture<>();
                TunnelIo.get().execute(() -> next.complete(null));
                next.get(30, TimeUnit.SECONDS);
                assertEquals(before + 2, TunnelIo.errors(), "the task's error is counted");
            } finally {
                for (SocketChannel c : new SocketChannel[] {bad[0], bad[1], good[0], good[1]}) c.close();
            }
        }
    }

    /** Each error is counted; the kinds remembered for rate-limiting the warnings stay bounded. */
    @Test
    void unexpectedErrorsAreCountedAndTheirKindsBounded() {
        long before = TunnelIo.errors();
        for (int i = 0; i < 3 * TunnelIo.MAX_WARN_KINDS; i++) TunnelIo.unexpected("test place " + i, new IllegalStateException("test"));
        for (int i = 0; i < 5; i++) TunnelIo.unexpected("test place 0", new IllegalStateException("again, not logged within the minute"));
        assertEquals(before + 3L * TunnelIo.MAX_WARN_KINDS + 5, TunnelIo.errors());
        assertTrue(TunnelIo.warnKinds() <= TunnelIo.MAX_WARN_KINDS, "kinds " + TunnelIo.warnKinds());
    }
}

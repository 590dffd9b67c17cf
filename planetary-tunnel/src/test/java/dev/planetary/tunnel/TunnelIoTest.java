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
}

package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The UDP driver: datagrams in and out, engine failures contained, queries on the loop thread, the debug block. */
class UdpDriverTest {
    /** Echoes every datagram back; throws on a datagram starting with 'X'. */
    static final class EchoEngine implements Vl1Engine {
        final List<String> threads = new CopyOnWriteArrayList<>();
        Output out;
        int received;

        @Override
        public void receive(byte[] datagram, InetSocketAddress local, InetSocketAddress from, long nowMs) {
            threads.add(Thread.currentThread().getName());
            if (datagram.length > 0 && datagram[0] == 'X') throw new IllegalStateException("engine bug");
            received++;
            out.transmit(from, datagram);
        }

        @Override
        public long service(long nowMs) {
            threads.add(Thread.currentThread().getName());
            return nowMs + 50;
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }

        @Override
        public String sendUserMessage(String address, long typeId, byte[] payload, long nowMs) {
            return null;
        }

        @Override
        public String lookup(String address, long nowMs) {
            return null;
        }

        @Override
        public void close() {}

        @Override
        public Snapshot snapshot(long nowMs) {
            return new Snapshot(false, List.of(), Map.of("received", (long) received), List.of(), Map.of());
        }
    }

    static String roundTrip(DatagramSocket s, InetSocketAddress to, String text) throws Exception {
        byte[] b = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        s.send(new DatagramPacket(b, b.length, to));
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void datagramsReachTheEngineOnOneThreadAndAnEngineFailureDoesNotStopTheLoop() throws Exception {
        EchoEngine e = new EchoEngine();
        try (UdpDriver d = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            e.out = d.transmitter((n, f) -> {});
            d.start(e);
            s.setSoTimeout(10_000);
            assertEquals("hello", roundTrip(s, d.localAddress(), "hello"));
            byte[] bad = {'X'};
            s.send(new DatagramPacket(bad, 1, d.localAddress()));
            assertEquals("again", roundTrip(s, d.localAddress(), "again"));
            assertEquals(1, d.counters().engineErrors.sum());
            assertEquals(2L, d.call(x -> x.snapshot(d.now())).counters().get("received"));
            assertEquals(Set.of("planetary-udp-" + d.localAddress().getPort()), Set.copyOf(e.threads));
        }
    }

    @Test
    void blockDirectDropsEveryRemoteButTheAllowedOnes() throws Exception {
        EchoEngine e = new EchoEngine();
        try (UdpDriver d = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket allowed = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            e.out = d.transmitter((n, f) -> {});
            d.blockDirectExcept(Set.of((InetSocketAddress) allowed.getLocalSocketAddress()));
            d.start(e);
            allowed.setSoTimeout(10_000);
            byte[] b = {'o'};
            other.send(new DatagramPacket(b, 1, d.localAddress()));
            assertEquals("ok", roundTrip(allowed, d.localAddress(), "ok"));
            assertEquals(1, d.counters().blockedDirect.sum());
            assertEquals(1L, d.call(x -> x.snapshot(d.now())).counters().get("received"));
        }
    }

    @Test
    void watchedChannelsAreServedOnTheLoopThreadAndOnlyItMayWatch() throws Exception {
        EchoEngine e = new EchoEngine();
        try (UdpDriver d = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open()) {
            e.out = d.transmitter((n, f) -> {});
            d.start(e);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).configureBlocking(false);
            IllegalStateException wrong = assertThrows(IllegalStateException.class, () -> d.watch(server, java.nio.channels.SelectionKey.OP_ACCEPT, k -> {}));
            assertTrue(wrong.getMessage().contains("loop thread"), wrong.getMessage());
            assertThrows(IllegalStateException.class, () -> d.afterEachRound(() -> {}));
            List<String> seen = new CopyOnWriteArrayList<>();
            d.call(x -> {
                try {
                    return d.watch(server, java.nio.channels.SelectionKey.OP_ACCEPT, k -> {
                        seen.add(Thread.currentThread().getName());
                        try {
                            java.nio.channels.SocketChannel c = server.accept();
                            if (c != null) c.close();
                        } catch (java.io.IOException ex) {
                            throw new java.io.UncheckedIOException(ex);
                        }
                    });
                } catch (java.nio.channels.ClosedChannelException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            new java.net.Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort()).close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(List.of("planetary-udp-" + d.localAddress().getPort()), seen);
        }
    }

    @Test
    void aFullFrameQueueNeverStarvesTheApi() throws Exception {
        EchoEngine e = new EchoEngine();
        try (UdpDriver d = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            e.out = d.transmitter((n, f) -> {});
            d.start(e);
            java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
            assertTrue(d.post(() -> {
                try {
                    hold.await(); // the loop is busy with a frame
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }));
            int posted = 0;
            while (d.post(() -> {}) && posted < 100_000) posted++; // a TAP flooding the loop: its queue fills up
            assertTrue(posted < 100_000, "the frame queue is bounded");
            assertTrue(d.counters().tasksDropped.sum() >= 1, "the frame beyond the bound was dropped and counted");
            java.util.concurrent.CompletableFuture<Long> q = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> d.call(x -> x.snapshot(d.now())).counters().get("received"));
            Thread.sleep(100);
            hold.countDown();
            assertEquals(0L, q.get(10, java.util.concurrent.TimeUnit.SECONDS), "the API query is answered, not refused as busy");
        }
    }

    @Test
    void queriesAfterCloseAreRefusedClearly() throws Exception {
        UdpDriver d = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        EchoEngine e = new EchoEngine();
        e.out = d.transmitter((n, f) -> {});
        d.start(e);
        d.close();
        IllegalStateException x = assertThrows(IllegalStateException.class, () -> d.call(en -> en.snapshot(0)));
        assertTrue(x.getMessage().contains("stopping"), x.getMessage());
    }
}

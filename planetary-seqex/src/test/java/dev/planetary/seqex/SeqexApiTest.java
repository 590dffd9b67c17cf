package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The thread-safe {@link Seqex} API: blocking calls on virtual threads, futures, flow control, close. */
class SeqexApiTest {

    /** A lossy carrier that delivers synchronously to the peer endpoint (seeded; safe for many threads). */
    static final class LossyLink implements Carrier {
        final ReentrantLock lock = new ReentrantLock();
        final SplittableRandom rnd;
        final double loss;
        volatile Seqex peer;
        final AtomicLong dropped = new AtomicLong();

        LossyLink(long seed, double loss) {
            this.rnd = new SplittableRandom(seed);
            this.loss = loss;
        }

        @Override
        public void send(byte[] payload) {
            boolean drop;
            lock.lock();
            try {
                drop = rnd.nextDouble() < loss;
            } finally {
                lock.unlock();
            }
            if (drop) dropped.incrementAndGet();
            else peer.receive(payload);
        }
    }

    /**
     * The bulk path's receive (the tunnel's): datagrams handed over with {@link Seqex#receiveOwned}
     * are delivered as views of them, exactly once and in order over a link that loses and
     * duplicates, with the same bytes as a copied payload, and the view is read-only.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ownedDatagramsAreDeliveredAsViewsExactlyOnceInOrder() throws Exception {
        SeqexConfig cfg = SeqexConfig.defaults().withRto(20, 5, 200, true).withWindow(16, 16);
        SplittableRandom rnd = new SplittableRandom(19);
        List<Seqex> peers = new ArrayList<>(List.of());
        Carrier[] links = new Carrier[2];
        for (int i = 0; i < 2; i++) {
            int to = 1 - i;
            SplittableRandom r = new SplittableRandom(100 + i);
            links[i] = b -> {
                double x;
                synchronized (r) {
                    x = r.nextDouble();
                }
                if (x < 0.1) return; // lost
                peers.get(to).receiveOwned(b.clone()); // the sender keeps its packet for resends: the receiver gets its own array
                if (x > 0.9) peers.get(to).receiveOwned(b.clone()); // duplicated
            };
        }
        try (Seqex a = new Seqex(links[0], cfg, Seqex.systemClock()); Seqex b = new Seqex(links[1], cfg, Seqex.systemClock())) {
            peers.add(a);
            peers.add(b);
            a.startServiceThread();
            b.startServiceThread();
            int n = 300;
            byte[][] sent = new byte[n][];
            for (int i = 0; i < n; i++) {
                sent[i] = new byte[4 + rnd.nextInt(1000)];
                rnd.nextBytes(sent[i]);
                ByteBuffer.wrap(sent[i]).putInt(i);
            }
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (byte[] p : sent) a.channel(3).sendSeqCst(p);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Channel in = b.channel(3);
            for (int i = 0; i < n; i++) {
                Message m = in.receive();
                assertEquals(sent[i].length, m.payloadLength());
                ByteBuffer view = m.payloadBuffer();
                assertTrue(view.isReadOnly());
                assertEquals(sent[i].length, view.remaining());
                byte[] got = new byte[view.remaining()];
                view.get(got);
                assertArrayEquals(sent[i], got, "payload " + i);
                assertArrayEquals(sent[i], m.payload());
                assertTrue(m.payload() == m.payload(), "payload() copies out of the datagram once");
            }
            sender.join();
            assertNull(in.poll(), "nothing delivered twice");
            assertTrue(b.stats().duplicates() > 0, "the link duplicated");
        }
    }

    static byte[] num(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    static int num(byte[] b) {
        return ByteBuffer.wrap(b).getInt();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void blockingRequestsAndSeqCstStreamOverLossyLinkOnVirtualThreads() throws Exception {
        SeqexConfig cfg = SeqexConfig.defaults().withRto(20, 5, 200, true).withWindow(16, 16);
        LossyLink ab = new LossyLink(1, 0.2);
        LossyLink ba = new LossyLink(2, 0.2);
        try (Seqex a = new Seqex(ab, cfg, Seqex.systemClock()); Seqex b = new Seqex(ba, cfg, Seqex.systemClock())) {
            ab.peer = b;
            ba.peer = a;
            a.startServiceThread();
            b.startServiceThread();
            // b: echo server on channel 1 (reply = request + 1), ordered stream sink on channel 2
            Thread server = Thread.ofVirtual().start(() -> {
                try {
                    Channel ch = b.channel(1);
                    while (true) {
                        Message m = ch.receive();
                        assertTrue(m.expectsReply());
                        if (num(m.payload()) % 2 == 0) m.reply(num(num(m.payload()) + 1));
                        else m.replySeqCst(num(num(m.payload()) + 1));
                    }
                } catch (ClosedException | InterruptedException e) {
                    // done
                }
            });
            List<Integer> stream = new ArrayList<>();
            Thread sink = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 300; i++) stream.add(num(b.channel(2).receive().payload()));
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            int clients = 4;
            int perClient = 50;
            AtomicInteger ok = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < clients; t++) {
                int base = t * 1000;
                ts.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < perClient; i++) {
                            int x = base + i;
                            if (num(a.channel(1).request(num(x))) == x + 1) ok.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            Thread streamer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 300; i++) a.channel(2).sendSeqCst(num(i));
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            for (Thread t : ts) t.join();
            streamer.join();
            sink.join();
            assertEquals(clients * perClient, ok.get(), "every request got its own reply");
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 300; i++) expected.add(i);
            assertEquals(expected, stream, "SeqCst stream arrives complete and in order");
            assertTrue(ab.dropped.get() + ba.dropped.get() > 0, "the link lost packets");
            assertEquals(0, a.stats().internalErrors() + b.stats().internalErrors());
            b.close();
            server.join();
        }
    }

    /** Endpoints with a virtual clock and a synchronous lossless link, driven by hand. */
    static final class Pair {
        final long[] now = {0};
        final Seqex a;
        final Seqex b;
        final LossyLink ab = new LossyLink(1, 0);
        final LossyLink ba = new LossyLink(2, 0);

        Pair(SeqexConfig cfg) {
            a = new Seqex(ab, cfg, () -> now[0]);
            b = new Seqex(ba, cfg, () -> now[0]);
            ab.peer = b;
            ba.peer = a;
        }

        void tick(long ms) {
            now[0] += ms;
            a.service();
            b.service();
        }
    }

    @Test
    void slowReaderBackPressuresTheSender() {
        int window = 4;
        int capacity = 3;
        Pair p = new Pair(SeqexConfig.defaults().withWindow(window, capacity));
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) sent.add(p.a.channel(0).sendAsync(num(i), i % 3 == 0));
        for (int t = 0; t < 50; t++) p.tick(100);
        long done = sent.stream().filter(CompletableFuture::isDone).count();
        assertEquals(capacity + window, done, "the receiver buffers `capacity`, the sender has `window` more in flight");
        assertTrue(p.b.stats().droppedNoSpace() > 0, "the receiver refused what it had no room for");
        // Another channel is not blocked by the stalled one.
        CompletableFuture<byte[]> other = p.a.channel(1).requestAsync(num(7), false);
        Message req = p.b.channel(1).poll();
        req.replyAsync(num(8), false);
        assertEquals(8, num(other.join()));
        // The reader catches up; everything arrives once, in order (no loss here), and the sender drains.
        List<Integer> got = new ArrayList<>();
        for (int t = 0; t < 2000 && got.size() < 100; t++) {
            Message m;
            while ((m = p.b.channel(0).poll()) != null) got.add(num(m.payload()));
            p.tick(10);
        }
        assertEquals(100, got.size());
        assertEquals(100, got.stream().distinct().count(), "exactly once");
        for (int k = 0; k < 100; k++) {
            int v = got.get(k);
            if (v % 3 == 0) { // SeqCst: everything sent before it was delivered before it
                for (int earlier = 0; earlier < v; earlier++) assertTrue(got.subList(0, k).contains(earlier), v + " after " + earlier);
            }
        }
        assertTrue(sent.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
    }

    /** docs/seqex.md §4: a receive buffer in bytes binds before the message count, and batch slots keep their bytes until freed. */
    @Test
    void aByteCountedReceiveBufferBackPressuresTheSender() throws Exception {
        int window = 8;
        Pair p = new Pair(SeqexConfig.defaults().withWindow(window, 64).withMaxPacketSize(1_012).withReceiveBuffer(3_000));
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[1_000];
            b[0] = (byte) i;
            sent.add(p.a.channel(0).sendAsync(b, true));
        }
        for (int t = 0; t < 20; t++) p.tick(100);
        assertEquals(3 + window, sent.stream().filter(CompletableFuture::isDone).count(), "three 1000-byte payloads fit 3000 bytes, `window` more in flight");
        Channel ch = p.b.channel(0);
        List<Message> batch = new ArrayList<>();
        assertEquals(3, ch.receiveBatch(batch, 64, m -> false));
        for (int t = 0; t < 20; t++) p.tick(100);
        assertEquals(3 + window, sent.stream().filter(CompletableFuture::isDone).count(), "taken but not freed: the bytes still count");
        List<Integer> got = new ArrayList<>();
        for (Message m : batch) got.add((int) m.payload()[0]);
        for (Message x : batch) ch.consumed(x); // freed: their 3000 bytes take the next three
        for (int t = 0; t < 3_000 && got.size() < 40; t++) { // virtual time: resends back off, WINDOW_OPEN at most once per minRto
            Message m;
            while ((m = ch.poll()) != null) got.add((int) m.payload()[0]); // poll frees at once
            p.tick(20);
        }
        assertEquals(40, got.size());
        for (int i = 0; i < 40; i++) assertEquals(i, got.get(i), "SeqCst order, exactly once");
        assertEquals(0, p.a.stats().malformed() + p.b.stats().malformed());
    }

    @Test
    void receiveBatchStopsAtTheMarkerAndKeepsSlotsUntilConsumed() throws Exception {
        int window = 8;
        int capacity = 4;
        Pair p = new Pair(SeqexConfig.defaults().withWindow(window, capacity));
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) sent.add(p.a.channel(0).sendAsync(i == 2 ? new byte[0] : num(i), true));
        for (int t = 0; t < 5; t++) p.tick(10);
        Channel ch = p.b.channel(0);
        List<Message> batch = new ArrayList<>();
        assertEquals(3, ch.receiveBatch(batch, 10, m -> m.payload().length == 0), "stops after the empty marker");
        assertEquals(List.of(0, 1), batch.subList(0, 2).stream().map(m -> num(m.payload())).toList());
        assertEquals(0, batch.get(2).payload().length);
        List<Message> next = new ArrayList<>();
        assertEquals(1, ch.receiveBatch(next, 1, m -> false), "at most max");
        assertEquals(3, num(next.get(0).payload()));
        // 4 taken but not consumed + 2 waiting = 6 > capacity: the receiver buffered only `capacity`, the rest waits
        assertEquals(capacity, batch.size() + next.size(), "taken messages keep their receive-buffer slots");
        for (Message m : batch) ch.consumed(m);
        assertThrows(IllegalStateException.class, () -> ch.consumed(batch.get(0)), "consumed twice");
        assertThrows(IllegalArgumentException.class, () -> p.b.channel(1).consumed(next.get(0)), "another channel's message");
        assertThrows(IllegalStateException.class, () -> p.b.channel(1).receiveBatch(new ArrayList<>(next), 1, m -> false), "another channel's batch");
        for (int t = 0; t < 200 && p.b.stats().delivered() < 6; t++) p.tick(10); // the freed slots let 4 and 5 in
        Message three = next.get(0);
        next.addAll(batch); // freed already (consumed above): skipped, not freed twice
        assertEquals(2, ch.receiveBatch(next, 10, m -> false));
        assertThrows(IllegalStateException.class, () -> ch.consumed(three), "the call freed the previous batch");
        assertEquals(List.of(4, 5), next.stream().map(m -> num(m.payload())).toList(), "in order");
        for (Message m : next) ch.consumed(m);
        Message polled = ch.poll();
        assertNull(polled, "all six were delivered once");
        assertTrue(sent.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        assertThrows(IllegalArgumentException.class, () -> ch.receiveBatch(new ArrayList<>(), 0, m -> false));
    }

    /**
     * docs/seqex.md §5 "Without a thread": a sender driven only by the sendable callback and a reader
     * driven only by the readable callback (as the tunnel's streams are); a stalled reader holds the
     * sender at what the receive buffer and window allow, each callback runs once per arming, and close
     * runs both once more.
     */
    @Test
    void aChannelServedByReadinessCallbacksIsBackPressuredAndDeliversInOrder() {
        int window = 4;
        int capacity = 3;
        int total = 200;
        Pair p = new Pair(SeqexConfig.defaults().withWindow(window, capacity));
        Channel out = p.a.channel(2);
        Channel in = p.b.channel(2);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger sendableCalls = new AtomicInteger();
        AtomicInteger readableCalls = new AtomicInteger();
        boolean[] reading = {false};
        List<Integer> got = new ArrayList<>();
        List<Message> batch = new ArrayList<>();
        byte[] buf = new byte[8];
        Runnable pumpOut = () -> { // sends from a reused buffer until the window is full
            while (next.get() < total) {
                ByteBuffer.wrap(buf).putInt(4, next.get());
                if (!out.trySendSeqCst(buf, 4, 4)) return;
                next.incrementAndGet();
            }
        };
        Runnable drainIn = () -> {
            while (reading[0] && in.pollBatch(batch, 64, m -> false) > 0) for (Message m : batch) got.add(num(m.payload()));
        };
        out.onReady(null, () -> {
            sendableCalls.incrementAndGet();
            pumpOut.run();
        });
        in.onReady(() -> {
            readableCalls.incrementAndGet();
            drainIn.run();
        }, null);
        pumpOut.run(); // nothing reads yet
        for (int t = 0; t < 30; t++) p.tick(100);
        assertEquals(capacity + window, next.get(), "the stalled reader's buffer, and `window` more in flight");
        assertEquals(0, readableCalls.get(), "nothing armed the readable callback yet");
        assertTrue(p.b.stats().droppedNoSpace() > 0);
        reading[0] = true;
        drainIn.run(); // takes the buffered three and arms the callback; from now on only callbacks move data
        for (int t = 0; t < 5_000 && got.size() < total; t++) p.tick(10);
        assertEquals(total, got.size());
        for (int i = 0; i < total; i++) assertEquals(i, got.get(i), "SeqCst order, exactly once");
        assertTrue(sendableCalls.get() > 0 && readableCalls.get() > 0);
        assertTrue(readableCalls.get() <= p.b.stats().delivered(), "at most one readable call per delivery");
        int r = readableCalls.get();
        int s = sendableCalls.get();
        reading[0] = false; // a callback that polls now would get ClosedException (the tunnel's streams end on it)
        p.a.close();
        p.b.close();
        assertEquals(s + 1, sendableCalls.get(), "close runs the sendable callback once more");
        assertEquals(r + 1, readableCalls.get(), "and the readable one");
        assertThrows(ClosedException.class, () -> out.trySendSeqCst(buf, 0, 4));
        assertThrows(ClosedException.class, () -> in.pollBatch(batch, 1, m -> false));
    }

    /**
     * The sendable callback asks for the length the sender could not send, not for a largest packet:
     * a receive window the peer advertises (docs/seqex.md §4) that takes the stream's chunks but never
     * a largest packet again (a reader that always keeps one message) still lets the sender run on
     * ACKs and window updates, not on zero-window probes one RTO apart.
     */
    @Test
    void theSendableCallbackFiresWhenTheAdvertisedWindowTakesTheChunk() {
        SeqexConfig cfg = SeqexConfig.defaults().withWindow(64, 64).withReceiveBuffer(SeqexConfig.defaults().maxPayload());
        Pair p = new Pair(cfg);
        p.a.advertiseWindow();
        p.b.advertiseWindow();
        Channel out = p.a.channel(2);
        Channel in = p.b.channel(2);
        out.limitSendWindow(3); // what the application announced: three 4 KiB chunks fit the 16 KiB buffer
        int total = 100;
        byte[] chunk = new byte[4096];
        AtomicInteger sent = new AtomicInteger();
        Runnable pumpOut = () -> {
            while (sent.get() < total && out.trySendSeqCst(chunk, 0, chunk.length)) sent.incrementAndGet();
        };
        out.onReady(null, pumpOut);
        pumpOut.run();
        List<Message> batch = new ArrayList<>();
        int got = 0;
        for (int t = 0; t < 300 && got < total; t++) {
            got += in.pollBatch(batch, 1, m -> false); // frees the previous one, keeps the newest: never an empty buffer
            p.tick(1);
        }
        assertEquals(total, got, "delivered within 300 ms: " + p.a.stats());
        assertTrue(p.a.stats().windowProbes() <= 1, "moved by window updates, not by probes: " + p.a.stats());
    }

    @Test
    void asyncRequestsAndReceiveFutures() {
        Pair p = new Pair(SeqexConfig.defaults().withWindow(8, 8));
        ConcurrentLinkedQueue<Integer> served = new ConcurrentLinkedQueue<>();
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) replies.add(p.a.channel(3).requestAsync(num(i), i % 2 == 0));
        for (int round = 0; round < 200 && !replies.stream().allMatch(CompletableFuture::isDone); round++) {
            CompletableFuture<Message> f = p.b.channel(3).receiveAsync();
            f.thenAccept(m -> {
                served.add(num(m.payload()));
                m.replyAsync(num(-num(m.payload())), true);
            });
            p.tick(5);
        }
        for (int i = 0; i < 40; i++) assertEquals(-i, num(replies.get(i).join()));
        assertEquals(40, served.size());
        // Cancelled receive futures do not swallow messages.
        CompletableFuture<Message> cancelled = p.b.channel(4).receiveAsync();
        cancelled.cancel(false);
        p.a.channel(4).sendAsync(num(99), false);
        Message m = p.b.channel(4).poll();
        assertEquals(99, num(m.payload()));
        assertNull(p.b.channel(4).poll());
        assertThrows(IllegalStateException.class, () -> m.replyAsync(num(1), false), "not a request");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void closeWakesEveryWaiterWithClosedException() throws Exception {
        // Nothing ever arrives: sends fill the window and block, requests never get replies.
        Seqex a = new Seqex(b -> {}, SeqexConfig.defaults().withWindow(2, 2), Seqex.systemClock());
        a.startServiceThread();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> waiters = new ArrayList<>();
        waiters.add(Thread.ofVirtual().start(() -> catchInto(errors, () -> a.channel(0).receive())));
        waiters.add(Thread.ofVirtual().start(() -> catchInto(errors, () -> a.channel(1).request(num(1)))));
        waiters.add(Thread.ofVirtual().start(() -> catchInto(errors, () -> {
            for (int i = 0; i < 10; i++) a.channel(2).send(num(i)); // blocks at the third
            return null;
        })));
        CompletableFuture<byte[]> req = a.channel(3).requestAsync(num(1), false);
        CompletableFuture<Message> recv = a.channel(3).receiveAsync();
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) queued.add(a.channel(4).sendAsync(num(i), false));
        // wait until the blocking waiters are parked (state, not timing: poll the thread states)
        for (Thread t : waiters) while (t.getState() != Thread.State.WAITING && t.isAlive()) Thread.sleep(1);
        a.close();
        for (Thread t : waiters) t.join();
        assertEquals(3, errors.size());
        for (Throwable e : errors) assertInstanceOf(ClosedException.class, e);
        assertInstanceOf(ClosedException.class, assertThrows(CompletionException.class, req::join).getCause());
        assertInstanceOf(ClosedException.class, assertThrows(CompletionException.class, recv::join).getCause());
        assertTrue(queued.get(0).isDone() && !queued.get(0).isCompletedExceptionally(), "in the window before close");
        assertInstanceOf(ClosedException.class, assertThrows(CompletionException.class, () -> queued.get(4).join()).getCause());
        assertThrows(ClosedException.class, () -> a.channel(0).send(num(1)));
        assertTrue(a.channel(5).sendAsync(num(1), false).isCompletedExceptionally());
        assertTrue(a.isClosed());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    interface Body {
        Object run() throws Exception;
    }

    static void catchInto(ConcurrentLinkedQueue<Throwable> errors, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    @Test
    void payloadLimitAndChannelRangeAreChecked() {
        Pair p = new Pair(SeqexConfig.defaults().withMaxPacketSize(100).withMaxChannels(2));
        assertThrows(IllegalArgumentException.class, () -> p.a.channel(0).sendAsync(new byte[89], false));
        p.a.channel(0).sendAsync(new byte[88], false).join();
        assertThrows(IllegalArgumentException.class, () -> p.a.channel(2));
        assertArrayEquals(new byte[88], p.b.channel(0).poll().payload());
    }

    /** {@code sendSeqCst(buf, off, len)} sends exactly the slice, and the caller may overwrite the array as soon as it returns. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSliceSentFromAReusedBufferArrivesIntactAndInOrder() throws Exception {
        SeqexConfig cfg = SeqexConfig.defaults().withRto(20, 5, 200, true).withWindow(8, 8);
        LossyLink ab = new LossyLink(3, 0.1);
        LossyLink ba = new LossyLink(4, 0.1);
        try (Seqex a = new Seqex(ab, cfg, Seqex.systemClock()); Seqex b = new Seqex(ba, cfg, Seqex.systemClock())) {
            ab.peer = b;
            ba.peer = a;
            a.startServiceThread();
            b.startServiceThread();
            List<Integer> got = new ArrayList<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        byte[] p = b.channel(1).receive().payload();
                        got.add(p.length == 4 ? num(p) : -p.length);
                    }
                } catch (InterruptedException e) {
                    // test over
                }
            });
            byte[] buf = new byte[16];
            for (int i = 0; i < 200; i++) {
                java.util.Arrays.fill(buf, (byte) -1); // overwrites what the previous call sent
                ByteBuffer.wrap(buf, 3, 4).putInt(i);
                a.channel(1).sendSeqCst(buf, 3, 4);
            }
            reader.join(30_000);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) expected.add(i);
            assertEquals(expected, got);
            assertThrows(IndexOutOfBoundsException.class, () -> a.channel(1).sendSeqCst(buf, 10, 7));
            assertThrows(IllegalArgumentException.class, () -> a.channel(1).sendSeqCst(new byte[cfg.maxPayload() + 1], 0, cfg.maxPayload() + 1));
        }
    }
}

package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;

/**
 * Lock-free data path under real threads: {@value #CLIENTS} client contexts each hold one session
 * with one server context. On client 0's session {@value #THREADS_ON_ONE_SESSION} threads send at
 * once; each other client has one sending thread. Every datagram goes to the server over a lossless
 * in-memory link and {@value #RECEIVERS} receiver threads call {@link Context#receive} in parallel,
 * so packets of one session are decrypted and checked against its replay window concurrently.
 *
 * <p>Payloads encode (session, sender thread, sequence) and a filler derived from them. Asserted:
 * every payload delivered exactly once, none lost, all authentic; no datagram dropped; no internal
 * error on either side. Four threads sealing on one key at once never repeat a nonce: each seal is
 * checked by {@code AesGcm}'s nonce audit (assertions are on in tests), and a repeated counter would
 * also show as a replay drop here. Sending proceeds in rounds of at most 64 packets per session, each round
 * fully delivered before the next, so reordering stays inside the 128-slot replay window (§7.8) and
 * a loss would be an engine bug, not scheduling: the test is not timing-dependent.
 */
class ConcurrencyTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    static final int CLIENTS = 8;
    static final int THREADS_ON_ONE_SESSION = 4;
    static final int RECEIVERS = 3;
    static final int PER_ROUND = 16; // per thread: 4 × 16 = 64 packets of session 0 in flight at most
    static final int ROUNDS = LONG ? 1_000 : 100;
    static final long CLOCK = 1_000_000;

    /** Application for both sides: a fixed clock, accept everyone, an in-memory store. */
    static final class App implements Application<Integer> {
        final TestRatchetStore store = new TestRatchetStore();

        @Override
        public long time() {
            return CLOCK;
        }

        @Override
        public AcceptDecision<Integer> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept((int) identity[0], false, false);
        }

        @Override
        public RatchetState restoreByFingerprint(byte[] fingerprint) {
            return store.findByFingerprint(fingerprint);
        }

        @Override
        public RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, Integer sessionData) {
            return store.load(remoteStatic);
        }

        @Override
        public boolean saveRatchetState(StaticPublicKey remoteStatic, Integer sessionData, RatchetUpdate update) {
            return store.compareAndSwap(remoteStatic, update);
        }
    }

    /** A lossless link into a queue. */
    record Link(BlockingQueue<byte[]> to, AtomicLong counter) implements Remote {
        @Override
        public void send(byte[] datagram, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(datagram, off, copy, 0, len);
            counter.incrementAndGet();
            if (!to.offer(copy)) throw new AssertionError("link queue full");
        }
    }

    @Test
    void concurrentSendersAndReceiversLoseNothingAndAcceptOnlyAuthenticPayloads() throws Exception {
        Settings settings = Settings.defaults();
        BlockingQueue<byte[]> serverInbox = new ArrayBlockingQueue<>(1 << 16);
        AtomicLong toServer = new AtomicLong();
        App serverApp = new App();
        Context<Integer> server = new Context<>(StaticKeyPair.generate(new SimRandom(1)), serverApp, settings, new SimRandom(2), 3);
        List<Context<Integer>> clients = new ArrayList<>();
        List<BlockingQueue<byte[]>> clientInbox = new ArrayList<>();
        List<Session<Integer>> sessions = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            BlockingQueue<byte[]> inbox = new ArrayBlockingQueue<>(1 << 12);
            clientInbox.add(inbox);
            Context<Integer> c = new Context<>(StaticKeyPair.generate(new SimRandom(100 + i)), new App(), settings, new SimRandom(200 + i), 300 + i);
            clients.add(c);
            sessions.add(c.open(server.localPublicKey(), i, new byte[] {(byte) i}, new Link(serverInbox, toServer)));
        }
        // Handshakes, single-threaded: pump until quiet.
        Link[] serverToClient = new Link[CLIENTS];
        for (int i = 0; i < CLIENTS; i++) serverToClient[i] = new Link(clientInbox.get(i), new AtomicLong());
        for (boolean moved = true; moved; ) {
            moved = false;
            for (byte[] d; (d = serverInbox.poll()) != null; moved = true) {
                server.receive(d, new RoutingRemote(serverToClient));
            }
            for (int i = 0; i < CLIENTS; i++) {
                for (byte[] d; (d = clientInbox.get(i).poll()) != null; moved = true) clients.get(i).receive(d, new Link(serverInbox, toServer));
            }
        }
        for (Session<Integer> s : sessions) assertEquals(Session.State.S2, s.state(), "handshake did not complete");
        assertEquals(CLIENTS, server.sessions().size());

        // Concurrent phase.
        int senders = THREADS_ON_ONE_SESSION + CLIENTS - 1;
        AtomicReferenceArray<boolean[]> seen = new AtomicReferenceArray<>(CLIENTS * THREADS_ON_ONE_SESSION);
        for (int i = 0; i < seen.length(); i++) seen.set(i, new boolean[ROUNDS * PER_ROUND]);
        AtomicLong processed = new AtomicLong();
        AtomicLong data = new AtomicLong();
        AtomicReference<String> failure = new AtomicReference<>();
        ConcurrentLinkedQueue<String> drops = new ConcurrentLinkedQueue<>();
        toServer.set(0);
        List<Thread> receivers = new ArrayList<>();
        for (int k = 0; k < RECEIVERS; k++) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        byte[] d = serverInbox.poll(100, TimeUnit.MILLISECONDS);
                        if (d == null) {
                            if (Thread.currentThread().isInterrupted()) return;
                            continue;
                        }
                        Received<Integer> r = server.receive(d, serverToClient[0]);
                        if (r instanceof Event.Data<Integer> e) {
                            String bad = verify(e.session().data(), e.payload(), seen);
                            if (bad != null) failure.compareAndSet(null, bad);
                            data.incrementAndGet();
                        } else if (r instanceof Received.Dropped<Integer> x) {
                            drops.add(x.fault() + ": " + x.reason());
                        }
                        processed.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    // done
                }
            }, "receiver-" + k);
            t.start();
            receivers.add(t);
        }
        // After each round every sender waits until all datagrams sent so far were processed.
        CyclicBarrier barrier = new CyclicBarrier(senders, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // a hang guard, not a timing assertion
            while (processed.get() < toServer.get()) {
                if (System.nanoTime() > deadline) {
                    failure.compareAndSet(null, "receivers stalled: " + processed.get() + " of " + toServer.get() + " datagrams processed");
                    return;
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        });
        List<Thread> threads = new ArrayList<>();
        for (int n = 0; n < senders; n++) {
            int session = n < THREADS_ON_ONE_SESSION ? 0 : n - THREADS_ON_ONE_SESSION + 1;
            int thread = n < THREADS_ON_ONE_SESSION ? n : 0;
            Session<Integer> s = sessions.get(session);
            Thread t = new Thread(() -> {
                try {
                    for (int round = 0; round < ROUNDS && failure.get() == null; round++) {
                        for (int i = 0; i < PER_ROUND; i++) s.send(payload(session, thread, round * PER_ROUND + i));
                        barrier.await();
                    }
                } catch (InterruptedException | BrokenBarrierException e) {
                    failure.compareAndSet(null, "sender interrupted: " + e);
                } catch (RuntimeException | AssertionError e) { // AssertionError: the nonce audit (AesGcm, -ea) saw a repeat
                    failure.compareAndSet(null, "send failed: " + e);
                    barrier.reset(); // the other senders stop instead of waiting for this one
                }
            }, "sender-" + session + "-" + thread);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) t.join();
        for (Thread t : receivers) t.interrupt();
        for (Thread t : receivers) t.join();

        assertNull(failure.get());
        assertTrue(drops.isEmpty(), "datagrams dropped: " + drops.stream().limit(5).toList());
        long expected = (long) senders * ROUNDS * PER_ROUND;
        assertEquals(expected, data.get(), "payloads delivered");
        for (int i = 0; i < seen.length(); i++) {
            boolean[] b = seen.get(i);
            int session = i / THREADS_ON_ONE_SESSION;
            int thread = i % THREADS_ON_ONE_SESSION;
            boolean sends = session == 0 || thread == 0;
            for (int q = 0; q < b.length; q++) {
                if (b[q] != sends) throw new AssertionError("session " + session + " thread " + thread + " seq " + q + (sends ? " lost" : " appeared from nowhere"));
            }
        }
        assertEquals(0, server.internalErrorCount(), "server internal errors: " + server.lastInternalError());
        for (Context<Integer> c : clients) assertEquals(0, c.internalErrorCount());
    }

    /** The server replies to whichever client a handshake packet belongs to (by the kid it answers). */
    static final class RoutingRemote implements Remote {
        private final Link[] links;

        RoutingRemote(Link[] links) {
            this.links = links;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            // During the pump every client has exactly one handshake in flight; broadcast: a client
            // drops what is not addressed to one of its key ids (unknown key id).
            for (Link l : links) l.send(datagram, off, len);
        }
    }

    static byte[] payload(int session, int thread, int seq) {
        SplittableRandom f = new SplittableRandom(session * 1_000_003L + thread * 7_919L + seq);
        int len = 6 + f.nextInt(1_200); // one fragment at MTU 1432
        byte[] p = new byte[len];
        p[0] = (byte) session;
        p[1] = (byte) thread;
        p[2] = (byte) (seq >>> 24);
        p[3] = (byte) (seq >>> 16);
        p[4] = (byte) (seq >>> 8);
        p[5] = (byte) seq;
        for (int i = 6; i < len; i++) p[i] = (byte) f.nextInt();
        return p;
    }

    /** Null if authentic and new (and records it), else what is wrong. */
    static String verify(int sessionData, byte[] p, AtomicReferenceArray<boolean[]> seen) {
        if (p.length < 6) return "short payload";
        int session = p[0];
        int thread = p[1];
        int seq = ((p[2] & 0xff) << 24) | ((p[3] & 0xff) << 16) | ((p[4] & 0xff) << 8) | (p[5] & 0xff);
        if (session != sessionData) return "payload of session " + session + " delivered on session " + sessionData;
        if (thread < 0 || thread >= THREADS_ON_ONE_SESSION || seq < 0 || seq >= ROUNDS * PER_ROUND) return "payload never sent";
        byte[] expect = payload(session, thread, seq);
        if (!java.util.Arrays.equals(expect, p)) return "corrupted payload " + session + "/" + thread + "/" + seq;
        boolean[] b = seen.get(session * THREADS_ON_ONE_SESSION + thread);
        synchronized (b) {
            if (b[seq]) return "payload " + session + "/" + thread + "/" + seq + " delivered twice";
            b[seq] = true;
        }
        return null;
    }
}

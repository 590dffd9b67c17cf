package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * SEQEX channels over two real ZSSP {@link Context}s in memory: the test {@link Remote} drops,
 * duplicates and reorders datagrams (seeded), time is virtual, and thousands of messages cross
 * three channels (requests with replies, a SeqCst stream, plain datagrams) in both roles.
 */
class ZsspEndToEndTest {
    static final int MESSAGES = SeqexPropertyTest.LONG ? 30_000 : 4_000;

    static final class Clock {
        long now = 1_000_000;
    }

    static final class App implements Application<String> {
        final Clock clock;
        final Map<StaticPublicKey, RatchetPair> store = new HashMap<>();

        App(Clock clock) {
            this.clock = clock;
        }

        @Override
        public long time() {
            return clock.now;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept("peer", false, false);
        }

        @Override
        public RatchetState restoreByFingerprint(byte[] fingerprint) {
            return null;
        }

        @Override
        public RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, String sessionData) {
            return store.get(remoteStatic);
        }

        @Override
        public boolean saveRatchetState(StaticPublicKey remoteStatic, String sessionData, RatchetUpdate update) {
            store.put(remoteStatic, new RatchetPair(update.new1(), update.new2()));
            return true;
        }
    }

    static final class Rng implements RandomSource {
        final SplittableRandom r;

        Rng(long seed) {
            r = new SplittableRandom(seed);
        }

        @Override
        public synchronized void nextBytes(byte[] out, int off, int len) {
            for (int i = 0; i < len; i++) out[off + i] = (byte) r.nextInt();
        }

        @Override
        public synchronized int nextInt() {
            return r.nextInt();
        }

        @Override
        public synchronized long nextLong() {
            return r.nextLong();
        }
    }

    /** One direction of the in-memory wire: queues copies, loses/duplicates some, delivers shuffled. */
    static final class Wire implements Remote {
        final SplittableRandom rnd;
        final double loss;
        final List<byte[]> queue = new ArrayList<>();
        long sent;
        long dropped;

        Wire(long seed, double loss) {
            this.rnd = new SplittableRandom(seed);
            this.loss = loss;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            sent++;
            if (rnd.nextDouble() < loss) {
                dropped++;
                return;
            }
            byte[] copy = java.util.Arrays.copyOfRange(datagram, off, off + len);
            queue.add(copy);
            if (rnd.nextInt(50) == 0) queue.add(copy.clone()); // duplicate
        }

        List<byte[]> drain() {
            List<byte[]> out = new ArrayList<>(queue);
            queue.clear();
            for (int i = out.size() - 1; i > 0; i--) { // reorder within a tick
                int j = rnd.nextInt(i + 1);
                byte[] t = out.get(i);
                out.set(i, out.get(j));
                out.set(j, t);
            }
            return out;
        }
    }

    static byte[] msg(int kind, int i) {
        return ByteBuffer.allocate(64).putInt(kind).putInt(i).array();
    }

    @Test
    void thousandsOfMessagesOverLossyZsspSessions() throws Exception {
        Clock clock = new Clock();
        Wire toBob = new Wire(11, 0.10);
        Wire toAlice = new Wire(12, 0.10);
        SeqexConfig cfg = SeqexConfig.defaults();
        try (Context<String> alice = new Context<>(StaticKeyPair.generate(new Rng(1)), new App(clock), Settings.defaults(), new Rng(2));
                Context<String> bob = new Context<>(StaticKeyPair.generate(new Rng(3)), new App(clock), Settings.defaults(), new Rng(4))) {
            Session<String> sa = alice.open(bob.localPublicKey(), "bob", new byte[0], toBob);
            Seqex[] ends = new Seqex[2]; // 0 = alice, 1 = bob
            long handshakeStart = System.nanoTime();
            long t0 = 0;
            int requestsDone = 0;
            int next = 0;
            List<CompletableFuture<byte[]>> replies = new ArrayList<>();
            List<CompletableFuture<Void>> streamSent = new ArrayList<>();
            BitSet plainGot = new BitSet();
            int streamNext = 0;
            int plainSent = 0;
            CompletableFuture<Void> plainPending = null;
            int served = 0;
            long handshakeMs = -1;
            for (int tick = 0; tick < 2_000_000; tick++) {
                // deliver
                for (byte[] d : toBob.drain()) {
                    Received<String> r = bob.receive(d, toAlice);
                    if (r instanceof Event.NewSession<String> ns) {
                        ZsspCarrier c = new ZsspCarrier(ns.session());
                        ends[1] = new Seqex(c, c.fit(cfg), () -> clock.now);
                    } else if (r instanceof Event.Data<String> data) {
                        assertNotNull(ends[1]);
                        ends[1].receive(data.payload());
                    }
                }
                for (byte[] d : toAlice.drain()) {
                    Received<String> r = alice.receive(d, toBob);
                    if (r instanceof Event.Established<String> es) {
                        ZsspCarrier c = new ZsspCarrier(es.session());
                        ends[0] = new Seqex(c, c.fit(cfg), () -> clock.now);
                        handshakeMs = (System.nanoTime() - handshakeStart) / 1_000_000;
                        t0 = System.nanoTime();
                    } else if (r instanceof Event.Data<String> data) {
                        ends[0].receive(data.payload());
                    }
                }
                if (ends[0] != null && ends[1] != null) {
                    Seqex a = ends[0];
                    Seqex b = ends[1];
                    // alice: keep a bounded number of operations queued on each channel
                    while (next < MESSAGES / 4 && replies.size() - requestsDone < 128) {
                        replies.add(a.channel(0).requestAsync(msg(0, next++), next % 5 == 0));
                    }
                    while (requestsDone < replies.size() && replies.get(requestsDone).isDone()) {
                        ByteBuffer rb = ByteBuffer.wrap(replies.get(requestsDone).join());
                        assertEquals(100, rb.getInt());
                        assertEquals(requestsDone, rb.getInt(), "reply paired with its request");
                        requestsDone++;
                    }
                    while (streamNext < MESSAGES / 2 && streamSent.stream().filter(f -> !f.isDone()).count() < 64) {
                        streamSent.add(a.channel(1).sendAsync(msg(1, streamNext++), true));
                    }
                    while (plainSent < MESSAGES / 4 && (plainPending == null || plainPending.isDone())) {
                        plainPending = a.channel(2).sendAsync(msg(2, plainSent++), false);
                    }
                    // bob: serve requests, check the stream order and plain exactly-once
                    Message m;
                    while ((m = b.channel(0).poll()) != null) {
                        ByteBuffer in = ByteBuffer.wrap(m.payload());
                        in.getInt();
                        m.replyAsync(msg(100, in.getInt()), served++ % 3 == 0);
                    }
                    while ((m = b.channel(1).poll()) != null) {
                        ByteBuffer in = ByteBuffer.wrap(m.payload());
                        assertEquals(1, in.getInt());
                        int idx = in.getInt();
                        if (idx != streamCount[0]) fail("stream index " + idx + " arrived when " + streamCount[0] + " was next");
                        streamCount[0]++;
                    }
                    while ((m = b.channel(2).poll()) != null) {
                        ByteBuffer in = ByteBuffer.wrap(m.payload());
                        in.getInt();
                        int idx = in.getInt();
                        if (plainGot.get(idx)) fail("plain message " + idx + " delivered twice");
                        plainGot.set(idx);
                    }
                    if (requestsDone == MESSAGES / 4 && streamCount[0] == MESSAGES / 2 && plainGot.cardinality() == MESSAGES / 4) break;
                    a.service();
                    b.service();
                }
                clock.now += 2;
                alice.service();
                bob.service();
            }
            long elapsedNs = System.nanoTime() - t0;
            assertEquals(MESSAGES / 4, requestsDone, "all requests answered");
            assertEquals(MESSAGES / 2, streamCount[0], "whole SeqCst stream delivered in order");
            assertEquals(MESSAGES / 4, plainGot.cardinality(), "all plain messages delivered once");
            assertTrue(toBob.dropped + toAlice.dropped > 0, "the ZSSP wire lost datagrams");
            Stats sa0 = ends[0].stats();
            Stats sb0 = ends[1].stats();
            assertEquals(0, sa0.malformed() + sb0.malformed() + sa0.internalErrors() + sb0.internalErrors());
            assertEquals(0, alice.internalErrorCount() + bob.internalErrorCount());
            assertTrue(sa.isEstablished());
            double secs = elapsedNs / 1e9;
            System.out.printf("ZSSP end-to-end: %d SEQEX messages (+%d replies) in %.2f s wall = %.0f msg/s; handshake %d ms wall;"
                            + " datagrams %d (lost %d); alice %s; bob %s; virtual %d ms%n",
                    MESSAGES, MESSAGES / 4, secs, (MESSAGES + MESSAGES / 4) / secs, handshakeMs, toBob.sent + toAlice.sent,
                    toBob.dropped + toAlice.dropped, sa0, sb0, clock.now - 1_000_000);
        }
    }

    private final int[] streamCount = {0};

    /**
     * A full SEQEX window (64) of 16 KiB messages sent at once: each is one ZSSP DATA packet of 12
     * fragments at the default MTU, and the wire delivers all 768 fragments in one shuffled tick, so
     * 64 packets are in reassembly at the same time. Every one must complete (ZSSP §10.5: a session
     * holds a partial packet for every counter its replay window admits), so the whole window is
     * delivered at the first try, with no SEQEX resend.
     */
    @Test
    void aFullWindowOf16KiBMessagesIsReassembledWithoutLoss() throws Exception {
        Clock clock = new Clock();
        Wire toBob = new Wire(21, 0);
        Wire toAlice = new Wire(22, 0);
        SeqexConfig cfg = SeqexConfig.defaults();
        try (Context<String> alice = new Context<>(StaticKeyPair.generate(new Rng(5)), new App(clock), Settings.defaults(), new Rng(6));
                Context<String> bob = new Context<>(StaticKeyPair.generate(new Rng(7)), new App(clock), Settings.defaults(), new Rng(8))) {
            alice.open(bob.localPublicKey(), "bob", new byte[0], toBob);
            Seqex a = null;
            Seqex b = null;
            for (int tick = 0; tick < 100 && (a == null || b == null); tick++) { // the handshake
                for (byte[] d : toBob.drain()) {
                    if (bob.receive(d, toAlice) instanceof Event.NewSession<String> ns) {
                        ZsspCarrier c = new ZsspCarrier(ns.session());
                        b = new Seqex(c, c.fit(cfg), () -> clock.now);
                    }
                }
                for (byte[] d : toAlice.drain()) {
                    if (alice.receive(d, toBob) instanceof Event.Established<String> es) {
                        ZsspCarrier c = new ZsspCarrier(es.session());
                        a = new Seqex(c, c.fit(cfg), () -> clock.now);
                    }
                }
                clock.now += 2;
                alice.service();
                bob.service();
            }
            assertNotNull(a, "session established");
            assertNotNull(b, "session accepted");
            int size = cfg.maxPacketSize() - 12; // the largest payload SEQEX takes: a 16 KiB packet
            assertEquals(16_384, cfg.maxPacketSize());
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            for (int i = 0; i < cfg.window(); i++) {
                byte[] m = new byte[size];
                ByteBuffer.wrap(m).putInt(i);
                sent.add(a.channel(2).sendAsync(m, false));
            }
            int datagrams = toBob.queue.size();
            assertTrue(datagrams >= cfg.window() * 12, "each message is fragmented: " + datagrams + " datagrams");
            int data = 0;
            for (byte[] d : toBob.drain()) if (bob.receive(d, toAlice) instanceof Event.Data<String> e) {
                b.receive(e.payload());
                data++;
            }
            assertTrue(data >= cfg.window(), "every packet of the window reassembled in the one tick: " + data);
            BitSet got = new BitSet();
            Message m;
            while ((m = b.channel(2).poll()) != null) got.set(ByteBuffer.wrap(m.payload()).getInt());
            assertEquals(cfg.window(), got.cardinality(), "the whole window delivered at once");
            for (byte[] d : toAlice.drain()) if (alice.receive(d, toBob) instanceof Event.Data<String> e) a.receive(e.payload());
            for (CompletableFuture<Void> f : sent) assertTrue(f.isDone(), "acknowledged");
            assertEquals(0, a.stats().retransmits(), "no resend");
            assertEquals(0, alice.internalErrorCount() + bob.internalErrorCount());
        }
    }
}

package dev.planetary.vl1.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The L0 simulator's network: determinism (same seed → same trace hash), impairment statistics within
 * bounds over a seed set, latency and jitter bounds, partitions that drop and heal, and misuse.
 */
class SimulatorTest {

    /** Chatty engine: every 5–50 ms sends a random-size datagram to a random peer; answers 30 % of what it gets. */
    static final class Chatter implements SimEngine {
        final SimHost host;
        final int port;
        final List<InetSocketAddress> peers;
        long received;

        Chatter(SimHost host, int port, List<InetSocketAddress> peers) {
            this.host = host;
            this.port = port;
            this.peers = peers;
        }

        @Override
        public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
            received++;
            if (host.random().nextInt(10) < 3) host.send(port, from, new byte[] {(byte) received});
        }

        @Override
        public long service(long now) {
            byte[] b = new byte[1 + host.random().nextInt(100)];
            host.random().nextBytes(b);
            host.send(port, peers.get(host.random().nextInt(peers.size())), b);
            return now + 5 + host.random().nextInt(46);
        }
    }

    static String chatterTrace(long seed) {
        Simulator sim = new Simulator(seed);
        sim.defaultProfile(LinkProfile.latency(20).withJitter(15).withLoss(0.1).withDuplication(0.05).withReordering(0.1, 100));
        SimNat nat = sim.nat("nat", "198.51.100.1", NatModel.fullCone());
        List<SimHost> hosts = List.of(sim.publicHost("a", "203.0.113.1"), sim.publicHost("b", "203.0.113.2"), sim.publicHost("c", "2001:db8::3"),
                sim.privateHost("d", nat, "10.0.0.2"));
        List<InetSocketAddress> publicSockets = List.of(new InetSocketAddress(hosts.get(0).ip(), 9993), new InetSocketAddress(hosts.get(1).ip(), 9993),
                new InetSocketAddress(hosts.get(2).ip(), 9993));
        for (SimHost h : hosts) {
            h.bind(9993);
            h.attach(new Chatter(h, 9993, publicSockets));
        }
        sim.runUntil(10_000);
        assertTrue(sim.count(TraceEvent.Kind.DELIVERED) > 1000);
        return sim.traceHash();
    }

    @Test
    void sameSeedSameTraceDifferentSeedDifferentTrace() {
        Set<String> hashes = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) {
            String h = chatterTrace(seed);
            assertEquals(h, chatterTrace(seed), "seed " + seed + " replays");
            hashes.add(h);
        }
        assertEquals(5, hashes.size(), "different seeds, different traces");
    }

    record Stats(int sent, int unique, int duplicates, int outOfOrder, long minDelay, long maxDelay) {}

    /** Sends {@code n} numbered datagrams 1 ms apart from a to b over {@code p}; measures at b. */
    static Stats measure(long seed, LinkProfile p, int n) {
        Simulator sim = new Simulator(seed);
        SimHost a = sim.publicHost("a", "192.0.2.1");
        SimHost b = sim.publicHost("b", "192.0.2.2");
        sim.link(a, b, p);
        a.bind(1);
        InetSocketAddress bs = b.bind(2);
        RecordingEngine rb = new RecordingEngine();
        b.attach(rb);
        for (int i = 0; i < n; i++) {
            a.send(1, bs, ByteBuffer.allocate(12).putInt(i).putLong(sim.now()).array());
            sim.runUntil(sim.now() + 1);
        }
        sim.runUntil(sim.now() + p.latencyMs() + p.jitterMs() + p.reorderDelayMs() + 10);
        boolean[] seen = new boolean[n];
        int unique = 0, dups = 0, ooo = 0, max = -1;
        long minDelay = Long.MAX_VALUE, maxDelay = 0;
        for (RecordingEngine.Got g : rb.got) {
            ByteBuffer bb = ByteBuffer.wrap(g.bytes());
            int i = bb.getInt();
            long delay = g.time() - bb.getLong();
            minDelay = Math.min(minDelay, delay);
            maxDelay = Math.max(maxDelay, delay);
            if (seen[i]) dups++;
            else unique++;
            seen[i] = true;
            if (i < max) ooo++;
            max = Math.max(max, i);
        }
        return new Stats(n, unique, dups, ooo, minDelay, maxDelay);
    }

    @Test
    void lossDuplicationAndReorderingMatchTheirRatesOverASeedSet() {
        LinkProfile p = LinkProfile.latency(30).withLoss(0.2).withDuplication(0.1).withReordering(0.05, 200);
        int n = 10_000;
        for (long seed = 1; seed <= 10; seed++) {
            Stats s = measure(seed, p, n);
            double delivered = s.unique() / (double) n;
            double dup = s.duplicates() / (double) s.unique();
            double ooo = s.outOfOrder() / (double) (s.unique() + s.duplicates());
            // binomial standard deviations at n = 10,000 are ≈ 0.004 (loss), 0.003 (dup), 0.002 (reorder): bounds are > 4 σ
            assertTrue(Math.abs(delivered - 0.8) < 0.02, "seed " + seed + " delivered " + delivered);
            assertTrue(Math.abs(dup - 0.1) < 0.015, "seed " + seed + " duplicates " + dup);
            // a held-back copy arrives after later ones (up to 200 ms late at 1 datagram/ms), so almost every reordered copy is out of order
            assertTrue(ooo > 0.035 && ooo < 0.065, "seed " + seed + " out of order " + ooo);
            assertTrue(s.minDelay() >= 30 && s.maxDelay() <= 30 + 200, "seed " + seed + " delays " + s.minDelay() + ".." + s.maxDelay());
        }
    }

    @Test
    void latencyAndJitterBoundTheDelay() {
        Stats clean = measure(3, LinkProfile.latency(25), 1000);
        assertEquals(1000, clean.unique());
        assertEquals(0, clean.duplicates());
        assertEquals(0, clean.outOfOrder());
        assertEquals(25, clean.minDelay());
        assertEquals(25, clean.maxDelay());
        Stats jittery = measure(3, LinkProfile.latency(25).withJitter(10), 5000);
        assertEquals(25, jittery.minDelay());
        assertEquals(35, jittery.maxDelay());
        assertTrue(jittery.outOfOrder() > 0, "jitter larger than the send spacing reorders");
    }

    @Test
    void partitionsDropAndHeal() {
        Simulator sim = new Simulator(9);
        SimHost a = sim.publicHost("a", "192.0.2.1");
        SimHost b = sim.publicHost("b", "192.0.2.2");
        SimHost c = sim.publicHost("c", "192.0.2.3");
        a.bind(1);
        InetSocketAddress bs = b.bind(1);
        InetSocketAddress cs = c.bind(1);
        RecordingEngine rb = new RecordingEngine();
        RecordingEngine rc = new RecordingEngine();
        b.attach(rb);
        c.attach(rc);
        a.send(1, bs, new byte[] {1}); // in flight when the partition starts
        sim.partition(List.of(a, c), List.of(b));
        sim.runUntil(100);
        a.send(1, bs, new byte[] {2});
        a.send(1, cs, new byte[] {3});
        sim.runUntil(200);
        assertEquals(0, rb.got.size(), "nothing crosses the partition, in flight or new");
        assertEquals(2, sim.count(TraceEvent.Kind.PARTITIONED));
        assertEquals(1, rc.got.size(), "inside a group traffic flows");
        sim.heal();
        a.send(1, bs, new byte[] {4});
        sim.runUntil(300);
        assertEquals(1, rb.got.size());
        assertEquals(4, rb.got.get(0).bytes()[0]);
    }

    @Test
    void deadlinesAreScheduledNotScanned() {
        Simulator sim = new Simulator(1);
        SimHost a = sim.publicHost("a", "192.0.2.1");
        long[] calls = {0};
        a.attach(new SimEngine() {
            @Override
            public void receive(byte[] d, InetSocketAddress l, InetSocketAddress f, long now) {}

            @Override
            public long service(long now) {
                calls[0]++;
                return now; // asks for "now" again: the simulator moves it 1 ms on
            }
        });
        sim.runUntil(1000);
        assertEquals(1001, calls[0], "one call per ms, including t = 0");
        a.wake(5000);
        a.wake(2000);
        sim.runUntil(1999);
        assertTrue(sim.pending() > 0);
    }

    @Test
    void misuseIsRefusedClearly() {
        Simulator sim = new Simulator(1);
        SimHost a = sim.publicHost("a", "192.0.2.1");
        assertThrows(IllegalArgumentException.class, () -> sim.publicHost("a", "192.0.2.9"));
        assertThrows(IllegalArgumentException.class, () -> sim.publicHost("z", "192.0.2.1"));
        assertThrows(IllegalArgumentException.class, () -> a.send(7, new InetSocketAddress(a.ip(), 1), new byte[1]));
        a.bind(7);
        assertThrows(IllegalArgumentException.class, () -> a.bind(7));
        assertThrows(IllegalArgumentException.class, () -> Simulator.ip("example.com"));
        assertThrows(IllegalArgumentException.class, () -> LinkProfile.latency(1).withLoss(1.5));
        a.send(7, new InetSocketAddress(Simulator.ip("192.0.2.200"), 1), new byte[1]);
        assertEquals(1, sim.count(TraceEvent.Kind.NO_ROUTE));
    }

    @Test
    void randomStreamsArePerHostAndSeeded() {
        Simulator s1 = new Simulator(77);
        Simulator s2 = new Simulator(77);
        SplittableRandom r1 = s1.publicHost("a", "192.0.2.1").random();
        SplittableRandom r2 = s2.publicHost("a", "192.0.2.1").random();
        assertEquals(r1.nextLong(), r2.nextLong());
        assertNotEquals(r1.nextLong(), s1.publicHost("b", "192.0.2.2").random().nextLong());
    }
}

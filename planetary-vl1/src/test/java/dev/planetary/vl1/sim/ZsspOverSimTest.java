package dev.planetary.vl1.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.internal.EngineAccess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulator driving real ZSSP engines: two planetary-zssp {@link Context}s, Alice behind a
 * port-restricted cone NAT and Bob on a public address, over a WAN link with 20 % loss (plus jitter,
 * duplication and reordering). Alice opens a session, then pings over it every 200 ms until Bob's pong
 * arrives; Bob answers every ping. Over 200 seeds every run must end with an established session and
 * data both ways, and no engine may count an internal error.
 */
class ZsspOverSimTest {
    static final int SEEDS = Boolean.getBoolean("planetary.long") ? 1000 : 200;
    static final long DEADLINE_MS = 60_000;
    static final StaticKeyPair ALICE_KEYS = StaticKeyPair.generate(new SeededRandom(1));
    static final StaticKeyPair BOB_KEYS = StaticKeyPair.generate(new SeededRandom(2));

    /** A {@link RandomSource} drawn from a seeded stream, so handshakes depend on the simulation seed only. */
    static final class SeededRandom implements RandomSource {
        private final SplittableRandom r;

        SeededRandom(long seed) {
            this.r = new SplittableRandom(seed);
        }

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            for (int i = 0; i < len; i++) out[off + i] = (byte) r.nextInt(256);
        }

        @Override
        public int nextInt() {
            return r.nextInt();
        }

        @Override
        public long nextLong() {
            return r.nextLong();
        }
    }

    /** A ZSSP endpoint as a {@link SimEngine}: one bound port, one {@link Remote} per remote socket. */
    static final class ZsspNode implements SimEngine, Application.WithoutRatchetStorage<String> {
        final String name;
        final SimHost host;
        final int port;
        final StaticKeyPair keys;
        final StaticPublicKey peerKey;
        final Context<String> ctx;
        final Map<InetSocketAddress, Remote> remotes = new HashMap<>();
        final List<String> received = new ArrayList<>();
        /** Initiator only: where to open to; null for the responder. */
        final InetSocketAddress target;
        Session<String> session;
        boolean established;
        long nextPing;
        long establishedAt = -1;
        long doneAt = -1;
        int opens;

        ZsspNode(String name, SimHost host, int port, StaticKeyPair keys, StaticPublicKey peerKey, InetSocketAddress target) {
            this.name = name;
            this.host = host;
            this.port = port;
            this.keys = keys;
            this.peerKey = peerKey;
            this.target = target;
            host.bind(port);
            this.ctx = EngineAccess.seededContext(keys, this, Settings.defaults(), new SeededRandom(host.random().nextLong()), host.random().nextLong());
        }

        Remote remote(InetSocketAddress to) {
            return remotes.computeIfAbsent(to, t -> new Remote() {
                @Override
                public void send(byte[] datagram, int off, int len) {
                    host.send(port, t, Arrays.copyOfRange(datagram, off, off + len));
                }

                @Override
                public byte[] addressBytes() {
                    return ByteBuffer.allocate(18).put(Arrays.copyOf(t.getAddress().getAddress(), 16)).putShort((short) t.getPort()).array();
                }
            });
        }

        boolean gotPong() {
            return received.contains("pong");
        }

        @Override
        public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
            Received<String> r = ctx.receive(datagram, remote(from));
            switch (r) {
                case Event.NewSession<String> e -> session = e.session();
                case Event.Established<String> e -> {
                    established = true;
                    establishedAt = now;
                    nextPing = now;
                }
                case Event.Data<String> d -> {
                    String text = new String(d.payload(), StandardCharsets.UTF_8);
                    received.add(text);
                    if (text.equals("ping")) d.session().send("pong".getBytes(StandardCharsets.UTF_8));
                    if (text.equals("pong") && doneAt < 0) doneAt = now;
                }
                default -> { }
            }
            host.wake(now);
        }

        @Override
        public long service(long now) {
            long next = now + ctx.service();
            if (target != null && !gotPong()) {
                if (session == null || session.isExpired()) {
                    try {
                        opens++;
                        established = false;
                        session = ctx.open(peerKey, "bob", name.getBytes(StandardCharsets.UTF_8), remote(target));
                    } catch (IOException e) {
                        throw new AssertionError("the in-memory ratchet store does not fail", e);
                    }
                } else if (established && session.isEstablished() && now >= nextPing) {
                    session.send("ping".getBytes(StandardCharsets.UTF_8));
                    nextPing = now + 200;
                }
                if (established) next = Math.min(next, nextPing);
            }
            return next;
        }

        // ------------------------------------------------------------ Application

        @Override
        public long time() {
            return host.now();
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            if (!remoteStatic.equals(peerKey)) return AcceptDecision.reject(true);
            for (Session<String> s : ctx.sessions()) if (s.peer().equals(remoteStatic)) s.close(); // ZSSP §7.9
            return AcceptDecision.accept(new String(identity, StandardCharsets.UTF_8), false, false);
        }
    }

    record Run(boolean ok, long establishedAt, long doneAt, int opens, String describe) {}

    static Run run(long seed) {
        Simulator sim = new Simulator(seed);
        SimNat nat = sim.nat("home", "198.51.100.20", NatModel.portRestricted());
        SimHost a = sim.privateHost("alice", nat, "10.0.1.2");
        SimHost b = sim.publicHost("bob", "203.0.113.30");
        sim.link(nat, b, LinkProfile.latency(20).withJitter(10).withLoss(0.2).withDuplication(0.02).withReordering(0.05, 50));
        InetSocketAddress bobSocket = new InetSocketAddress(b.ip(), 9993);
        ZsspNode bob = new ZsspNode("bob", b, 9993, BOB_KEYS, ALICE_KEYS.publicKey(), null);
        ZsspNode alice = new ZsspNode("alice", a, 9993, ALICE_KEYS, BOB_KEYS.publicKey(), bobSocket);
        b.attach(bob);
        a.attach(alice);
        boolean ok = sim.runUntil(() -> alice.gotPong() && bob.received.contains("ping"), DEADLINE_MS);
        assertEquals(0, alice.ctx.internalErrorCount() + bob.ctx.internalErrorCount(), "seed " + seed);
        return new Run(ok, alice.establishedAt, alice.doneAt, alice.opens, sim.describe());
    }

    @Test
    void twoContextsEstablishAndExchangeDataUnderTwentyPercentLoss() {
        List<Long> times = new ArrayList<>();
        int reopened = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Run r = run(seed);
            assertTrue(r.ok(), "seed " + seed + ": no session and data both ways within 60 s: " + r.describe());
            times.add(r.doneAt());
            if (r.opens() > 1) reopened++;
        }
        times.sort(null);
        long median = times.get(times.size() / 2);
        long worst = times.get(times.size() - 1);
        System.out.printf("ZSSP over L0 at 20%% loss: %d seeds, time to data both ways median %d ms, max %d ms, %d runs reopened%n", SEEDS, median, worst, reopened);
        assertTrue(median < 10_000, "median " + median + " ms");
    }

    @Test
    void theSameSeedReplaysTheSameOutcome() {
        Run r1 = run(4242);
        Run r2 = run(4242);
        assertEquals(r1.establishedAt(), r2.establishedAt());
        assertEquals(r1.doneAt(), r2.doneAt());
    }
}

package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Property test over many seeds: two peers on an impaired {@link SimNetwork} establish a session,
 * carry data both ways and rekey many times with short timers, in persistent mode (π1–π4 true),
 * opportunistic mode (all false) and mixed (random flags per node), chosen by {@code seed % 3}.
 *
 * <p>Per seed: random timers; loss up to 30%, duplication, reordering, delays, byte corruption;
 * MTU changes; partitions (all datagrams lost for up to 5.5 s, long enough to expire sessions);
 * clock jumps of hours forwards and backwards on either node (opportunistic seeds). The initiator's
 * "application" reopens its session whenever it has expired; the responder's accepts the new
 * session and closes the old one (§7.9). After the impaired phase the network heals and traffic
 * must flow again both ways within a bounded virtual time ("never stuck").
 *
 * <p>Asserted throughout: every delivered payload is one that was sent, unmodified, and delivered
 * once; at most one live session per node, pending handshakes under the cap, the key-id table
 * exactly equal to the live sessions' and pending handshakes' kids, reassembly bounded; the two
 * stored ratchet pairs always share a state (§8); no downgrade event in persistent mode; no
 * rejection between these honest peers; no internal error. After a quiet period, pending
 * handshakes and Hello reassembly drain to 0.
 *
 * <p>Why some timeouts are shared and clock jumps happen only in opportunistic seeds: with the
 * spec's two-slot ratchet storage, a stale Completion (or K2) accepted by the responder after the
 * initiator already sent a new Hello leaves the stored pairs with no state in common (found by
 * {@link StateSpaceExplorationTest}). The engine closes that race by enforcing deadlines on receipt,
 * which is sufficient only while the responder's B2 lifetime ≤ the initiator's initial-offer timeout
 * and both rekey timeouts are equal, measured on clocks running at the same rate. A clock jump breaks
 * that; in opportunistic mode the peers then recover through a (reported) downgrade, so the
 * shared-state invariant is asserted until a seed's first jump.
 *
 * <p>Default: 400 seeds (all three modes, by {@code seed % 3}) of 10 s impaired + heal. With
 * {@code -Dplanetary.long=true}: 5,000 seeds of 90 s.
 */
class SessionPropertyTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    /** Seeds {@code FIRST_SEED ..< FIRST_SEED + SEEDS}; override with -Dplanetary.seeds / -Dplanetary.firstSeed to replay one. */
    static final int SEEDS = Integer.getInteger("planetary.seeds", LONG ? 5_000 : 400);
    static final int FIRST_SEED = Integer.getInteger("planetary.firstSeed", 0);
    static final long IMPAIRED_MS = LONG ? 90_000 : 10_000;
    static final long HEAL_BUDGET_MS = 60_000;
    static final long SLICE = 50;
    static final int[] MTUS = {128, 200, 576, 1280, 1432, 9000};

    private final AtomicLong rekeys = new AtomicLong();
    private final AtomicLong reopens = new AtomicLong();
    private final AtomicLong payloads = new AtomicLong();
    private final AtomicLong downgradesOutsidePersistent = new AtomicLong();
    private final AtomicLong establishedBeforeHeal = new AtomicLong();
    private final AtomicLong outageCount = new AtomicLong();
    private final AtomicLong jumpCount = new AtomicLong();

    @Test
    void sessionsSurviveImpairedNetworksInEveryMode() throws Exception {
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        try {
            pool.submit(() -> IntStream.range(FIRST_SEED, FIRST_SEED + SEEDS).parallel().forEach(seed -> {
                try {
                    new Scenario(seed).run();
                } catch (Throwable t) {
                    failures.add("seed " + seed + ": " + t.getMessage());
                }
            })).get();
        } finally {
            pool.shutdown();
        }
        System.out.printf("SessionPropertyTest: %d seeds, %d rekey completions, %d outages, %d clock jumps, %d reopens, %d payloads, %d seeds established before healing, %d downgrade events (non-persistent modes)%n",
                SEEDS, rekeys.get(), outageCount.get(), jumpCount.get(), reopens.get(), payloads.get(), establishedBeforeHeal.get(), downgradesOutsidePersistent.get());
        if (!failures.isEmpty()) {
            failures.sort(null);
            fail(failures.size() + " of " + SEEDS + " seeds failed; replay one with SessionPropertyTest.replay(seed). First failures:\n"
                    + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
        }
        // The run must have exercised what it claims to.
        assertTrue(rekeys.get() >= SEEDS * 4L, "too few rekeys: " + rekeys.get());
        assertTrue(reopens.get() >= SEEDS / 20, "too few expired-and-reopened sessions: " + reopens.get());
        assertTrue(jumpCount.get() >= SEEDS / 10, "too few clock jumps: " + jumpCount.get());
        assertTrue(establishedBeforeHeal.get() >= SEEDS * 3L / 4, "too few sessions established under impairment: " + establishedBeforeHeal.get());
    }

    /** Replays one seed with full diagnostics (use from a debugger or a scratch test). */
    static void replay(long seed) {
        new SessionPropertyTest().new Scenario(seed).run();
    }

    /** One seeded run. */
    final class Scenario {
        final long seed;
        final SplittableRandom r;
        final SimNetwork net;
        final SimNetwork.Node alice;
        final SimNetwork.Node bob;
        final String mode;
        Session<String> aliceSession;
        Session<String> bobSession;
        final long[] sent = new long[2]; // direction 0 = alice→bob, 1 = bob→alice
        final BitSet[] delivered = {new BitSet(), new BitSet()};
        final long[] healFrom = {Long.MAX_VALUE, Long.MAX_VALUE};
        final boolean[] deliveredAfterHeal = new boolean[2];
        int downgrades;
        int rejections;
        int rekeyEvents;
        int reopenCount;
        int outages;
        int jumps;
        long outageUntil;
        double lossBeforeOutage;
        String violation;

        Scenario(long seed) {
            this.seed = seed;
            this.r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
            this.net = new SimNetwork(seed);
            // Timeouts that the lockout defence relies on are shared (see Settings): B2 lifetime ≤
            // initial-offer timeout, equal rekey timeouts. Resend and rekey intervals differ per peer.
            long offer = 300 + r.nextLong(1_200);
            long rekeyTimeout = 800 + r.nextLong(3_000);
            long pendingLifetime = offer - r.nextLong(offer / 2);
            alice = net.node("alice", randomSettings(offer, rekeyTimeout, pendingLifetime));
            bob = net.node("bob", randomSettings(offer, rekeyTimeout, pendingLifetime));
            switch ((int) (seed % 3)) {
                case 0 -> {
                    mode = "persistent";
                    alice.flags(true);
                    bob.flags(true);
                }
                case 1 -> {
                    mode = "opportunistic";
                    alice.flags(false);
                    bob.flags(false);
                }
                default -> {
                    mode = "mixed";
                    for (SimNetwork.Node n : List.of(alice, bob)) {
                        n.pi1 = r.nextBoolean();
                        n.pi2 = r.nextBoolean();
                        n.pi3 = r.nextBoolean();
                        n.pi4 = r.nextBoolean();
                    }
                }
            }
            if (bob.pi1) {
                // π1 drops a Hello with the empty ratchet too (§1.3, §5.2 step 8): such peers start from
                // a shared one-time password (§8.2), stored as (state, none) on both sides.
                byte[] otp = new byte[32];
                for (int i = 0; i < otp.length; i++) otp[i] = (byte) r.nextInt();
                RatchetPair initial = new RatchetPair(RatchetState.fromOtp(otp), null);
                alice.store.put(bob.keys.publicKey(), initial);
                bob.store.put(alice.keys.publicKey(), initial);
                alice.pi2 = true; // §8.2: an OTP initiator disallows downgrade (at least) until established
            }
            net.connect(alice, bob, MTUS[r.nextInt(MTUS.length)]);
            net.impairments = randomImpairments(alice.linkTo(bob).mtu);
            net.listener = this::onReceive;
        }

        private Settings randomSettings(long offer, long rekeyTimeout, long pendingLifetime) {
            return Settings.defaults()
                    .withResendTime(Math.min(offer / 3, 40 + r.nextLong(200)))
                    .withTimeouts(offer, rekeyTimeout)
                    .withRekeyAfterTime(1_500 + r.nextLong(1_500), 1 + r.nextLong(500))
                    .withPendingHandshakes(16, pendingLifetime);
        }

        private SimNetwork.Impairments randomImpairments(int mtu) {
            SimNetwork.Impairments im = new SimNetwork.Impairments();
            // A 1749-byte Hello is 16 fragments at MTU 128: keep loss low there so handshakes can happen at all.
            im.loss = r.nextDouble() * (mtu < 576 ? 0.05 : 0.30);
            im.duplicate = r.nextDouble() * 0.10;
            im.reorder = r.nextDouble() * 0.20;
            im.corrupt = r.nextDouble() * 0.05;
            im.minDelay = 1 + r.nextLong(5);
            im.maxDelay = im.minDelay + r.nextLong(50);
            im.reorderDelay = 1 + r.nextLong(300);
            return im;
        }

        private String where() {
            return "seed=" + seed + " mode=" + mode + " flags(alice)=" + flags(alice) + " flags(bob)=" + flags(bob) + "\n" + net.describe()
                    + "\n  alice session " + aliceSession + " bob session " + bobSession + " sent=" + sent[0] + "/" + sent[1]
                    + " delivered=" + delivered[0].cardinality() + "/" + delivered[1].cardinality() + " rekeyEvents=" + rekeyEvents + " reopens=" + reopenCount;
        }

        private String flags(SimNetwork.Node n) {
            return (n.pi1 ? "1" : "-") + (n.pi2 ? "2" : "-") + (n.pi3 ? "3" : "-") + (n.pi4 ? "4" : "-");
        }

        void run() {
            aliceSession = alice.open(bob);
            long t = 0;
            boolean establishedOnce = false;
            while (t < IMPAIRED_MS) {
                t += SLICE;
                net.runUntil(t);
                check();
                if (aliceSession.state() == Session.State.S2 && bobSession != null && bobSession.isEstablished()) establishedOnce = true;
                application(true);
                randomEvents();
            }
            if (establishedOnce) establishedBeforeHeal.incrementAndGet();
            outageCount.addAndGet(outages);
            jumpCount.addAndGet(jumps);
            // Heal: no more impairments; traffic must flow both ways again within the budget.
            net.impairments = SimNetwork.Impairments.none();
            healFrom[0] = sent[0];
            healFrom[1] = sent[1];
            long deadline = t + HEAL_BUDGET_MS;
            while (!(deliveredAfterHeal[0] && deliveredAfterHeal[1])) {
                if (t >= deadline) throw new AssertionError("stuck: no traffic both ways " + HEAL_BUDGET_MS + " ms after the network healed\n" + where());
                t += SLICE;
                net.runUntil(t);
                check();
                application(true);
            }
            // Quiet period: partial packets and pending handshakes must drain.
            long quiet = Math.max(alice.ctx.settings().pendingHandshakeTimeout(), bob.ctx.settings().pendingHandshakeTimeout())
                    + alice.ctx.settings().fragmentAssemblyTimeout() + 500;
            net.runUntil(t + quiet);
            check();
            for (SimNetwork.Node n : List.of(alice, bob)) {
                assertEquals(0, n.ctx.pendingHandshakes(), "pending handshakes left after a quiet period\n" + where());
                assertEquals(0, n.ctx.helloReassemblies(), "Hello reassembly left after a quiet period\n" + where());
            }
            if (mode.equals("persistent")) {
                assertEquals(0, downgrades, "downgrade between honest persistent peers\n" + where());
            } else {
                downgradesOutsidePersistent.addAndGet(downgrades);
            }
            assertEquals(0, rejections, "honest peers rejected a session\n" + where());
            rekeys.addAndGet(rekeyEvents);
            reopens.addAndGet(reopenCount);
            payloads.addAndGet(delivered[0].cardinality() + delivered[1].cardinality());
        }

        /** What a real application does each tick: reopen an expired session, send some data. */
        private void application(boolean traffic) {
            if (aliceSession.isExpired()) {
                aliceSession = alice.open(bob);
                reopenCount++;
            }
            if (!traffic) return;
            trySend(0, aliceSession, alice.linkTo(bob).mtu);
            if (bobSession != null) trySend(1, bobSession, bob.linkTo(alice).mtu);
        }

        private void trySend(int dir, Session<String> s, int mtu) {
            if (!s.isEstablished() || r.nextInt(3) == 0) return;
            int max = Math.min(Limits.maxPayload(mtu), r.nextInt(8) == 0 ? 3_000 : 200);
            long seq = sent[dir]++;
            s.send(payload(dir, seq, max));
        }

        /** Payload = dir (1) ‖ seq (8) ‖ filler derived from (seed, dir, seq): verifiable on receipt. */
        private byte[] payload(int dir, long seq, int max) {
            SplittableRandom f = new SplittableRandom(seed * 1_000_003L + dir * 7_919L + seq);
            int len = Math.min(max, 9 + f.nextInt(max + 1));
            len = Math.max(len, 9);
            byte[] p = new byte[len];
            p[0] = (byte) dir;
            for (int i = 0; i < 8; i++) p[1 + i] = (byte) (seq >>> (56 - 8 * i));
            for (int i = 9; i < len; i++) p[i] = (byte) f.nextInt();
            return p;
        }

        private void onReceive(SimNetwork.Node at, SimNetwork.Node from, Received<String> result) {
            if (violation != null) return;
            switch (result) {
                case Event.Data<String> d -> verify(at == bob ? 0 : 1, d.payload());
                case Event.NewSession<String> n -> bobSession = n.session();
                case Event.NewDowngradedSession<String> n -> {
                    bobSession = n.session();
                    downgrades++;
                }
                case Event.DowngradedRatchetKey<String> ignored -> downgrades++;
                case Event.Rejected<String> ignored -> rejections++;
                case Event.RekeyCompleted<String> ignored -> rekeyEvents++;
                case Received.Dropped<String> d when d.fault() == Fault.REJECTED -> rejections++;
                default -> { }
            }
        }

        private void verify(int dir, byte[] p) {
            if (p.length < 9 || p[0] != dir) {
                violation = "payload of " + p.length + " bytes that was never sent (direction " + dir + ")";
                return;
            }
            long seq = 0;
            for (int i = 0; i < 8; i++) seq = (seq << 8) | (p[1 + i] & 0xff);
            if (seq < 0 || seq >= sent[dir]) {
                violation = "payload with unsent sequence number " + seq;
                return;
            }
            SplittableRandom f = new SplittableRandom(seed * 1_000_003L + dir * 7_919L + seq);
            f.nextInt(); // the length draw
            for (int i = 9; i < p.length; i++) {
                if (p[i] != (byte) f.nextInt()) {
                    violation = "corrupted payload accepted (seq " + seq + ", byte " + i + ")";
                    return;
                }
            }
            if (delivered[dir].get((int) seq)) {
                violation = "payload " + seq + " delivered twice";
                return;
            }
            delivered[dir].set((int) seq);
            if (seq >= healFrom[dir]) deliveredAfterHeal[dir] = true;
        }

        private void check() {
            if (violation != null) throw new AssertionError(violation + "\n" + where());
            for (SimNetwork.Node n : List.of(alice, bob)) {
                String m = EngineChecks.memory(n.ctx, 1);
                if (m != null) throw new AssertionError(n + ": " + m + "\n" + where());
                if (n.ctx.internalErrorCount() != 0) {
                    AssertionError e = new AssertionError(n + ": internal error " + n.ctx.lastInternalError() + "\n" + where());
                    e.initCause(n.ctx.lastInternalError());
                    throw e;
                }
                if (n.store.indexedFingerprints() > 2) throw new AssertionError(n + ": fingerprint index grew to " + n.store.indexedFingerprints() + "\n" + where());
            }
            if (jumps == 0) { // a clock jump defeats the timing that keeps the pairs together (class comment)
                String d = EngineChecks.ratchetsShareAState(alice.stored(bob), bob.stored(alice));
                if (d != null) throw new AssertionError(d + "\n" + where());
            }
        }

        private void randomEvents() {
            if (outageUntil != 0 && net.now >= outageUntil) { // a partition ends
                net.impairments.loss = lossBeforeOutage;
                outageUntil = 0;
            } else if (outageUntil == 0 && r.nextInt(250) == 0) { // a partition: long enough to expire S1/R1/R2 sometimes
                lossBeforeOutage = net.impairments.loss;
                net.impairments.loss = 1.0;
                outageUntil = net.now + 500 + r.nextLong(5_000);
                outages++;
            }
            if (mode.equals("opportunistic") && r.nextInt(100) == 0) { // a clock jump of hours, either way, on one node
                SimNetwork.Node n = r.nextBoolean() ? alice : bob;
                long hours = 1 + r.nextInt(5);
                n.jumpClock((r.nextBoolean() ? 1 : -1) * hours * 3_600_000L);
                jumps++;
            }
            if (r.nextInt(200) == 0) { // the path MTU changes (each direction on its own)
                SimNetwork.Link l = r.nextBoolean() ? alice.linkTo(bob) : bob.linkTo(alice);
                l.mtu = MTUS[r.nextInt(MTUS.length)];
                if (l.mtu < 576 && outageUntil == 0) net.impairments.loss = Math.min(net.impairments.loss, 0.05);
            }
        }
    }
}

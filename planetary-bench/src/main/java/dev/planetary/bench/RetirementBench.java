package dev.planetary.bench;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.crypto.AesGcm;
import java.util.Arrays;

/**
 * The data path after many key retirements costs what it costs on a fresh process (BENCHMARKS.md,
 * "Key retirement"). Measures the engine's DATA seal + open per 1400-byte packet, round-robin over
 * 64 established sessions (so keys alternate on every packet, as on a server), on a fresh process
 * (after a JIT warm-up over 64 other sessions); then retires {@code N} key generations through a
 * context's {@link Context#service()}; then measures 64 new sessions, alternating with the 64 made
 * before (machine load then weighs on both alike), and compares with raw AES-256-GCM through
 * {@link AesGcm}.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.RetirementBench [N] [hoard]</pre>
 *
 * With {@code hoard}, the retired sessions' contexts are never serviced: their keys are never
 * destroyed, which is how every retired key behaved before keys had an end (their pooled Ciphers
 * stayed counted in the global budget until it ran out).
 */
public final class RetirementBench {
    private static final int SESSIONS = 64;
    private static final int SIZE = 1400;

    private RetirementBench() {}

    /** A clock the benchmark moves; accepts everyone, stores nothing. */
    static final class ClockApp implements Application.WithoutRatchetStorage<String> {
        long now = 1_000_000;

        @Override
        public long time() {
            return now;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept("peer", false, false);
        }
    }

    public static void main(String[] args) throws Exception {
        int retirements = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        boolean hoard = args.length > 1 && args[1].equals("hoard");
        LoopbackPair[] warm = pairs(); // JIT warm-up; these 64 sessions are closed and destroyed at once
        run(warm);
        run(warm);
        close(warm);
        rawAesGcm();
        LoopbackPair[] before = pairs();
        double raw = rawAesGcm();
        double fresh = median(runs(before, 15));
        System.out.printf("fresh process: %.0f ns/packet (raw AES-GCM %.0f ns, ratio %.2f), Ciphers in the budget %d%n",
                fresh, raw, fresh / raw, AesGcm.liveCiphers());
        long t0 = System.nanoTime();
        retire(retirements, hoard);
        System.out.printf("%d key generations retired (%s) in %.1f s, Ciphers in the budget %d%n", retirements,
                hoard ? "never destroyed" : "destroyed after the grace period", (System.nanoTime() - t0) / 1e9, AesGcm.liveCiphers());
        // New sessions made after the retirements need new Ciphers from the budget; the sessions made
        // before already hold theirs. Measured in alternation, so that machine load affects both alike.
        LoopbackPair[] after = pairs();
        run(after);
        double[] old = new double[15];
        double[] fresher = new double[15];
        double[] ratio = new double[15];
        for (int i = 0; i < 15; i++) {
            old[i] = run(before);
            fresher[i] = run(after);
            ratio[i] = fresher[i] / old[i];
        }
        double raw2 = rawAesGcm();
        System.out.printf("after retirements: new sessions %.0f ns/packet (raw AES-GCM %.0f ns, ratio %.2f), sessions made before %.0f ns;"
                + " new/before = %.3f (median of 15 alternating runs)%n", median(fresher), raw2, median(fresher) / raw2, median(old), median(ratio));
        close(before);
        close(after);
    }

    /** 64 established session pairs, Alice's sends captured for Bob. */
    static LoopbackPair[] pairs() throws Exception {
        LoopbackPair[] pairs = new LoopbackPair[SESSIONS];
        for (int i = 0; i < SESSIONS; i++) {
            pairs[i] = new LoopbackPair(1500);
            pairs[i].handshake();
            EngineAccess.setRemote(pairs[i].aliceSession, CAPTURE);
        }
        return pairs;
    }

    private static final CaptureRemote CAPTURE = new CaptureRemote(1500);
    private static final byte[] PAYLOAD = new byte[SIZE];

    /** ns per DATA packet (Alice seals and sends, Bob receives and opens), round-robin over the pairs. */
    static double run(LoopbackPair[] pairs) {
        int rounds = 1_000; // 64,000 packets
        long t = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            for (LoopbackPair p : pairs) {
                p.aliceSession.send(PAYLOAD);
                Received<String> got = p.bob.receive(CAPTURE.last(), CAPTURE);
                if (!(got instanceof Event.Data<String>)) throw new IllegalStateException("not delivered: " + got);
            }
        }
        return (System.nanoTime() - t) / (double) (rounds * pairs.length);
    }

    static double[] runs(LoopbackPair[] pairs, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = run(pairs);
        return v;
    }

    static void close(LoopbackPair[] pairs) {
        for (LoopbackPair p : pairs) p.close();
    }

    /** Median ns for one seal + open of 1400 bytes with one {@link AesGcm} key (the limit). */
    static double rawAesGcm() {
        AesGcm k = new AesGcm(new byte[32]);
        byte[] buf = new byte[SIZE + 16];
        double[] runs = new double[9];
        long c = 0;
        for (int run = 0; run < runs.length; run++) {
            long t = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                c++;
                int n = k.seal(8, c, null, buf, 0, SIZE, buf, 0);
                if (!k.open(8, c, null, buf, 0, n, buf, 0)) throw new IllegalStateException();
            }
            runs[run] = (System.nanoTime() - t) / 100_000.0;
        }
        k.destroy();
        return median(Arrays.copyOfRange(runs, 2, runs.length));
    }

    /**
     * Retires {@code n} key generations: each a responder session with its own keys (made without a
     * handshake, {@link SessionFactory}) that sends one DATA packet, so that its keys hold pooled
     * Ciphers, then closes. Unless hoarding, the context's service runs with the clock past the
     * grace period every 1,000 sessions, as a server's timer loop would.
     */
    static void retire(int n, boolean hoard) {
        ClockApp app = new ClockApp();
        Context<String> ctx = new Context<>(StaticKeyPair.generate(), app);
        StaticPublicKey peer = StaticKeyPair.generate().publicKey();
        CaptureRemote sink = new CaptureRemote(1500);
        byte[] payload = new byte[100];
        for (int i = 0; i < n; i++) {
            SessionFactory.Made m = SessionFactory.make(ctx, peer, sink, i);
            m.session.send(payload);
            ctx.receive(SessionFactory.datagram(i, m.kid, 2, payload), sink); // Bob's receive keys too
            m.session.close();
            if (!hoard && i % 1_000 == 999) {
                app.now += 11_000;
                ctx.service();
            }
        }
        if (!hoard) {
            app.now += 11_000;
            ctx.service();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}

package dev.planetary.bench;

import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.StaticKeyPair;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Scale (issue "Performance", target 4): N established sessions in one Context, each having
 * received data. Reports heap bytes per session and the cost of dispatching a DATA packet
 * (header decryption, key-id lookup, replay window, AES-GCM, delivery) to a random session among
 * N, next to the same with one session.
 *
 * <p>Issue 12 §3's target is the cost among N against the cost among 10³ sessions, so both run in
 * the same process (after the single session) and the ratio is printed. Besides wall time per
 * packet it reports the receiving thread's CPU time per packet, which a loaded machine's
 * descheduling does not inflate (cache contention from other processes still does). The dispatch
 * runs {@code -Dsessions.warmRounds} untimed rounds (default 1) before the timed one: with a Cipher
 * budget large enough for every key ({@code -Dplanetary.cipherCache}), 2 warm rounds let nearly
 * every key build its Cipher before the timed round.
 *
 * <pre>./build sessions [N]     (default 1,000,000; needs about 4 GB of heap)</pre>
 */
public final class MillionSessions {
    private MillionSessions() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
        int payloadSize = 64;
        StaticKeyPair bobKey = StaticKeyPair.generate();
        StaticKeyPair peerKey = StaticKeyPair.generate();
        Remote sink = new Remote() {
            @Override
            public void send(byte[] datagram, int off, int len) {}
        };
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] payload = new byte[payloadSize];

        Result one = dispatchCost(1, bobKey, peerKey, sink, rnd, payload, 2_000_000);
        double single = one.nsPerPacket;
        System.out.printf(Locale.ROOT, "1 session: %.0f ns per packet (CPU %.0f ns)%n", single, one.cpuNsPerPacket);
        Result thousand = dispatchCost(REFERENCE, bobKey, peerKey, sink, rnd, payload, 2_000_000);
        System.out.printf(Locale.ROOT, "%,d sessions: %.0f ns per packet (CPU %.0f ns)%n", REFERENCE, thousand.nsPerPacket, thousand.cpuNsPerPacket);
        double thousandCpu = thousand.cpuNsPerPacket;
        thousand = null; // its sessions are garbage before the heap is measured

        long before = usedHeap();
        Result r = dispatchCost(n, bobKey, peerKey, sink, rnd, payload, Math.max(2_000_000, n));
        System.out.printf(Locale.ROOT, "%,d sessions: %.0f bytes of heap per session, %.0f ns per packet (%.2fx the single-session cost), CPU %.0f ns (%.2fx the CPU among %,d), build %.1f s%n",
                n, (double) (r.usedAfterBuild - before) / n, r.nsPerPacket, r.nsPerPacket / single, r.cpuNsPerPacket,
                r.cpuNsPerPacket / thousandCpu, REFERENCE, r.buildSeconds);
        System.out.printf(Locale.ROOT, "{\"sessions\":%d,\"heapBytesPerSession\":%.0f,\"nsPerPacket\":%.1f,\"nsPerPacketOneSession\":%.1f,\"ratio\":%.3f,"
                        + "\"cpuNsPerPacket\":%.1f,\"cpuNsPerPacketThousand\":%.1f,\"cpuRatioThousand\":%.3f}%n",
                n, (double) (r.usedAfterBuild - before) / n, r.nsPerPacket, single, r.nsPerPacket / single,
                r.cpuNsPerPacket, thousandCpu, r.cpuNsPerPacket / thousandCpu);
        if (r.ctx.sessions().size() != n) throw new IllegalStateException("sessions lost");
        // The timer pass: Context.service(), which a transport calls at least once per resend time.
        // The first pass after the build runs every new session's first visit; the later ones find
        // no session due (the rekeys are an hour away): their cost is what an idle server pays.
        long t0 = System.nanoTime();
        r.ctx.service();
        long first = (System.nanoTime() - t0) / 1_000;
        long[] us = new long[9];
        for (int i = 0; i < us.length; i++) {
            long t = System.nanoTime();
            r.ctx.service();
            us[i] = (System.nanoTime() - t) / 1_000;
        }
        java.util.Arrays.sort(us);
        System.out.printf(Locale.ROOT, "%,d sessions: Context.service() first pass %,d us; then %,d us per pass with none due (median of %d; min %,d, max %,d)%n",
                n, first, us[us.length / 2], us.length, us[0], us[us.length - 1]);
    }

    /** The reference size of issue 12 §3's target (dispatch among 10⁶ within 1.5× of among 10³). */
    private static final int REFERENCE = 1_000;
    private static final int WARM_ROUNDS = Integer.getInteger("sessions.warmRounds", 1);

    record Result(Context<String> ctx, long usedAfterBuild, double nsPerPacket, double cpuNsPerPacket, double buildSeconds) {}

    private static Result dispatchCost(int n, StaticKeyPair bobKey, StaticKeyPair peerKey, Remote sink, SplittableRandom rnd,
            byte[] payload, int packets) {
        Context<String> bob = new Context<>(bobKey, new LoopbackPair.NullApp());
        // The harness keeps only each session's kid and next counter (12 bytes); everything else
        // on the heap after the build is the engine's.
        int[] kids = new int[n];
        long[] counters = new long[n];
        long seedBase = rnd.nextLong();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            SessionFactory.Made m = SessionFactory.make(bob, peerKey.publicKey(), sink, seedBase + i);
            kids[i] = m.kid;
            counters[i] = 1;
            // Each session exchanges data: it receives one packet and sends one.
            Received<String> r = bob.receive(SessionFactory.datagram(seedBase + i, kids[i], counters[i]++, payload), sink);
            if (!(r instanceof Event.Data<String>)) throw new IllegalStateException("not delivered: " + r);
            m.session.send(payload);
            if ((i & 0x3ffff) == 0x3ffff) System.err.printf(Locale.ROOT, "  built %,d sessions%n", i + 1);
        }
        double build = (System.nanoTime() - t0) / 1e9;
        long used = usedHeap() - 12L * n; // minus the harness's kids[] and counters[]
        // Dispatch cost: packets to random sessions, built ahead in batches so only receive() is timed.
        int batch = 200_000;
        byte[][] datagrams = new byte[batch][];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long totalNs = 0;
        long cpuNs = 0;
        int done = 0;
        for (int round = 0; round <= WARM_ROUNDS; round++) {
            done = 0;
            totalNs = 0;
            cpuNs = 0;
            while (done < packets) {
                int m = Math.min(batch, packets - done);
                for (int i = 0; i < m; i++) {
                    int j = n == 1 ? 0 : rnd.nextInt(n);
                    datagrams[i] = SessionFactory.datagram(seedBase + j, kids[j], counters[j]++, payload);
                }
                long c = mx.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                for (int i = 0; i < m; i++) {
                    if (!(bob.receive(datagrams[i], sink) instanceof Event.Data<String>)) throw new IllegalStateException("not delivered");
                }
                totalNs += System.nanoTime() - s;
                cpuNs += mx.getCurrentThreadCpuTime() - c;
                done += m;
            }
        }
        return new Result(bob, used, (double) totalNs / done, (double) cpuNs / done, build);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}

package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pending-handshake exhaustion over real UDP: with the challenge <b>off</b>, an attacker process
 * ({@link HelloFlooder}, mode {@code valid}) floods the responder with real Hellos, fresh and
 * replayed; every one passes authentication and makes the responder do its public-key work and
 * keep a pending handshake (B2). Asserts the documented memory bounds hold throughout: pending
 * handshakes ≤ {@code maxPendingHandshakes} (256), the key-id table holds one kid per pending
 * handshake and nothing else, heap growth stays bounded (under 64 MiB for a full table after
 * thousands of Hellos), and everything is released after {@code pendingHandshakeTimeout} (10 s).
 * Reports the CPU cost per answered Hello (the cost the challenge avoids). The default run paces the
 * attacker to 200 Hellos/s (above what the responder answers, so the table fills, without a kernel
 * backlog that takes half a minute to drain); the long run floods as fast as possible for 60 s.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PendingHandshakeExhaustionTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");

    @Test
    void pendingHandshakeExhaustionStaysUnderTheCap() throws Exception {
        try (Endpoint responder = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).build()) {
            int cap = responder.settings().maxPendingHandshakes();
            long heap0 = ThreadCpu.usedHeapAfterGc();
            java.util.List<Long> recvId = responder.planeThreadIds();
            long cpu0 = ThreadCpu.cpuNanos(recvId);
            int maxPending = 0;
            int maxKids = 0;
            int kidMismatches = 0;
            long floodNanos;
            Map<String, Double> attacker;
            long minAnswered = LONG ? 4L * cap : 2L * cap + 1;
            long t0 = System.nanoTime();
            try (FloodProcess flood = new FloodProcess(responder.localAddress(), responder.publicKey(), LONG ? 600 : 300, "valid", 900, LONG ? 0 : 200)) {
                t0 = System.nanoTime();
                long until = t0 + TimeUnit.SECONDS.toNanos(LONG ? 60 : 2);
                long hardStop = t0 + TimeUnit.SECONDS.toNanos(120);
                while ((System.nanoTime() < until || responder.hellosAnswered() < minAnswered) && System.nanoTime() < hardStop) {
                    int p = responder.pendingHandshakes();
                    int k = responder.keyIdCount();
                    maxPending = Math.max(maxPending, p);
                    maxKids = Math.max(maxKids, k);
                    Thread.sleep(5);
                }
                floodNanos = System.nanoTime() - t0;
                attacker = flood.stop();
            }
            long cpu = ThreadCpu.cpuNanos(recvId) - cpu0;
            long answered = responder.hellosAnswered();
            // The table is full now (the flood just stopped, entries live 10 s): measure its memory.
            int pendingAtEnd = responder.pendingHandshakes();
            long heapFull = ThreadCpu.usedHeapAfterGc();
            long growth = heapFull - heap0;

            assertTrue(answered >= minAnswered, "the flood must exceed the cap several times over to test it: " + answered + " answered");
            assertTrue(maxPending <= cap, "pending handshakes " + maxPending + " > cap " + cap);
            assertTrue(maxKids <= cap + 2, "key-id table " + maxKids + " exceeds one kid per pending handshake");
            assertEquals(0, kidMismatches);
            assertTrue(growth < 64L << 20, "heap grew " + (growth >> 20) + " MiB with a full pending table");
            assertTrue(responder.sessions().isEmpty(), "no session without a Completion");

            // The kernel's socket buffer still holds a backlog of Hellos: wait until it is drained
            // (no new Hello for a second), then entries expire after pendingHandshakeTimeout.
            long drainStart = System.nanoTime();
            long drainDeadline = drainStart + TimeUnit.SECONDS.toNanos(120);
            long last = -1;
            while (System.nanoTime() < drainDeadline) {
                long h = responder.counters().get(Counters.Counter.HELLOS_IN);
                if (h == last) break;
                last = h;
                Thread.sleep(1000);
            }
            double backlogSeconds = (System.nanoTime() - drainStart) / 1e9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((responder.pendingHandshakes() > 0 || responder.keyIdCount() > 0) && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(0, responder.pendingHandshakes(), "pending handshakes expire");
            assertEquals(0, responder.keyIdCount(), "their key ids are released");
            assertFalse(responder.challengeEnabled());
            assertEquals(0, responder.counters().get(Counters.Counter.INTERNAL_ERRORS));

            Figures.report("PendingHandshakeExhaustionTest", String.format(Locale.ROOT,
                    "challenge off; attacker sent %.0f real Hellos (%.0f fresh, %.0f replays) at %.0f/s; responder answered %d Hellos in %.1f s "
                            + "(%.0f/s: the handshake plane's capacity), all but %.0f of them replays; plane-thread CPU %.2f ms per answered Hello; "
                            + "max pending %d (cap %d), max key ids %d, pending at end %d, kernel backlog drained in %.0f s; heap growth with a full table %.1f MiB (%.1f KiB per pending handshake)",
                    attacker.get("sent"), attacker.get("fresh"), attacker.get("replays"), attacker.get("rate"), answered, floodNanos / 1e9,
                    answered / (floodNanos / 1e9), attacker.get("fresh"), cpu / 1e6 / Math.max(1, answered), maxPending, cap, maxKids, pendingAtEnd, backlogSeconds,
                    growth / 1048576.0, pendingAtEnd == 0 ? Double.NaN : growth / 1024.0 / pendingAtEnd));
        }
    }
}

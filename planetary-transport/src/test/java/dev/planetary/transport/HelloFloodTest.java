package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.Fault;
import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hello flood over real UDP on loopback: an attacker <b>process</b> ({@link HelloFlooder}, a
 * separate JVM) sends fresh real Hellos, replayed Hellos, Hello-shaped garbage and random bytes
 * as fast as one thread can, while a legitimate initiator connects again and again. The responder
 * has auto-challenge on ({@link Endpoint.Builder#autoChallenge}).
 *
 * <p>Asserts: auto-challenge turns on under the flood and off after it; ≥ 99 % of the legitimate
 * handshakes complete within their normal 10 s timeout; while the challenge is on, no unsolved
 * Hello creates a pending handshake (B2), i.e. the public-key work never runs for the attacker
 * (answered Hellos ≤ datagrams the legitimate initiator sent); the pending-handshake table stays
 * within its cap; no internal errors. Reports (never asserts) the receive thread's CPU time per
 * rejected Hello. Default run: 6 handshakes; {@code -Dplanetary.long=true}: 100.
 */
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class HelloFloodTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    static final double RATE = 50; // Hellos/s that turn the challenge on: well below what one receive thread can answer (~100-300/s)

    private static void await(String what, Duration max, BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    void helloFloodWithAutoChallengeLegitimateHandshakesComplete() throws Exception {
        int attempts = LONG ? 100 : 6;
        List<EndpointEvent> autoEvents = new CopyOnWriteArrayList<>();
        EndpointListener recorder = new EndpointListener() {
            @Override
            public void onEvent(EndpointEvent e) {
                if (e.kind() == EndpointEvent.Kind.AUTO_CHALLENGE_ON || e.kind() == EndpointEvent.Kind.AUTO_CHALLENGE_OFF) autoEvents.add(e);
            }
        };
        try (Endpoint responder = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(new MemoryRatchetStore()).autoChallenge(RATE, Duration.ofSeconds(1)).listener(recorder).build();
                Endpoint initiator = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(new MemoryRatchetStore()).handshakeTimeout(Endpoint.DEFAULT_HANDSHAKE_TIMEOUT).build()) {
            assertFalse(responder.challengeEnabled(), "the challenge starts off");
            // Control: a handshake without load is not challenged.
            PeerSession calm = initiator.connect(responder.publicKey(), responder.localAddress()).get(15, TimeUnit.SECONDS);
            double calmMs = calm.handshakeMillis();
            calm.close();
            assertEquals(0, responder.counters().get(Counters.Counter.CHALLENGES_ISSUED));

            Map<String, Double> attacker;
            int ok = 0;
            List<Double> handshakeMs = new ArrayList<>();
            long cpu;
            long challenged;
            long limited;
            long hellos;
            long answered;
            long datagrams;
            long legitOut;
            int maxPending = 0;
            double floodSeconds;
            try (FloodProcess flood = new FloodProcess(responder.localAddress(), responder.publicKey(), LONG ? 1000 : 300, "mixed", 900)) {
                await("auto-challenge to turn on", Duration.ofSeconds(60), responder::autoChallengeActive);
                assertTrue(responder.challengeEnabled());
                java.util.List<Long> recvId = responder.planeThreadIds();
                long cpu0 = ThreadCpu.cpuNanos(recvId);
                long challenged0 = responder.counters().get(Counters.Counter.CHALLENGES_ISSUED);
                long limited0 = responder.counters().drops(Fault.CHALLENGE_LIMITED);
                long hellos0 = responder.counters().get(Counters.Counter.HELLOS_IN);
                long answered0 = responder.hellosAnswered();
                long datagrams0 = responder.counters().get(Counters.Counter.PACKETS_IN);
                long legitOut0 = initiator.counters().get(Counters.Counter.PACKETS_OUT);
                long t0 = System.nanoTime();
                for (int i = 0; i < attempts; i++) {
                    try {
                        // "within their normal timeout": the endpoint fails the future after 10 s.
                        PeerSession s = initiator.connect(responder.publicKey(), responder.localAddress()).get(30, TimeUnit.SECONDS);
                        ok++;
                        handshakeMs.add(s.handshakeMillis());
                        s.close();
                    } catch (ExecutionException | TimeoutException e) {
                        System.out.println("legitimate handshake " + i + " failed: " + e);
                    }
                    maxPending = Math.max(maxPending, responder.pendingHandshakes());
                    assertTrue(responder.autoChallengeActive(), "the challenge stays on while the flood lasts");
                }
                floodSeconds = (System.nanoTime() - t0) / 1e9;
                cpu = ThreadCpu.cpuNanos(recvId) - cpu0;
                challenged = responder.counters().get(Counters.Counter.CHALLENGES_ISSUED) - challenged0;
                limited = responder.counters().drops(Fault.CHALLENGE_LIMITED) - limited0;
                hellos = responder.counters().get(Counters.Counter.HELLOS_IN) - hellos0;
                answered = responder.hellosAnswered() - answered0;
                datagrams = responder.counters().get(Counters.Counter.PACKETS_IN) - datagrams0;
                legitOut = initiator.counters().get(Counters.Counter.PACKETS_OUT) - legitOut0;
                attacker = flood.stop();
            }
            int needed = (int) Math.ceil(0.99 * attempts);
            assertTrue(ok >= needed, ok + " of " + attempts + " legitimate handshakes completed under the flood; need " + needed);
            assertTrue(challenged + limited > 1000, "the flood reached the responder and was challenged or refused: " + challenged + " + " + limited);
            assertTrue(limited > challenged, "past its per-address budget the flood gets no challenges: " + challenged + " sent, " + limited + " refused");
            assertTrue(answered <= legitOut,
                    "only the legitimate initiator's (solved) Hellos may cost public-key work: answered " + answered + " > its " + legitOut + " datagrams");
            assertTrue(maxPending <= responder.settings().maxPendingHandshakes());
            assertEquals(0, responder.counters().get(Counters.Counter.INTERNAL_ERRORS));

            // The flood is over: the challenge turns itself off again (hysteresis: below RATE/2 for a window).
            await("auto-challenge to turn off", Duration.ofSeconds(20), () -> !responder.autoChallengeActive());
            assertFalse(responder.challengeEnabled());
            await("ON and OFF events", Duration.ofSeconds(5), () -> autoEvents.size() >= 2);
            assertEquals(EndpointEvent.Kind.AUTO_CHALLENGE_ON, autoEvents.get(0).kind());
            assertEquals(EndpointEvent.Kind.AUTO_CHALLENGE_OFF, autoEvents.get(autoEvents.size() - 1).kind());
            PeerSession after = initiator.connect(responder.publicKey(), responder.localAddress()).get(15, TimeUnit.SECONDS);
            double afterMs = after.handshakeMillis();
            long challengedAfterFlood = responder.counters().get(Counters.Counter.CHALLENGES_ISSUED);
            after.close();

            double rejected = Math.max(1, hellos - answered);
            Figures.report("HelloFloodTest", String.format(Locale.ROOT,
                    "attacker %s; attacker sent %.0f datagrams (%.0f fresh Hellos, %.0f replays, %.0f Hello-shaped garbage, %.0f random) at %.0f/s; "
                            + "responder received %d datagrams in the measured %.1f s (%d complete Hellos, %d challenged, %d over the per-address challenge budget, %d answered = legitimate only); "
                            + "receive-thread CPU %.1f ms = %.2f us per rejected Hello, %.2f us per datagram; "
                            + "legitimate handshakes %d/%d (%.1f%%), median %.0f ms, max %.0f ms under flood (unloaded %.0f ms before, %.0f ms after); "
                            + "max pending handshakes %d (cap %d); challenges %d total",
                    flood(attacker), attacker.get("sent"), attacker.get("fresh"), attacker.get("replays"), attacker.get("shaped"), attacker.get("random"),
                    attacker.get("rate"), datagrams, floodSeconds, hellos, challenged, limited, answered, cpu / 1e6, cpu / 1e3 / rejected, cpu / 1e3 / Math.max(1, datagrams),
                    ok, attempts, 100.0 * ok / attempts, median(handshakeMs), handshakeMs.stream().mapToDouble(d -> d).max().orElse(Double.NaN), calmMs, afterMs,
                    maxPending, responder.settings().maxPendingHandshakes(), challengedAfterFlood));
        }
    }

    private static String flood(Map<String, Double> a) {
        return String.format(Locale.ROOT, "%.1f s", a.get("seconds"));
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }
}

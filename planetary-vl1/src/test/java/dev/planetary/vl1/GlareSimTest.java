package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.Simulator;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Glare (VL.md §3.2, §17 WP1 target): two members that know each other's endpoint both open, their
 * first sends up to 20 s apart, over lossy links and a partition that heals at a random time; they
 * keep sending every 1.5 s until 45 s. Over 1,000 seeds (the same two identities) each run ends
 * with exactly one live session on each side, the same one (one initiator, one responder), and
 * messages both ways through it.
 */
class GlareSimTest {
    static final int SEEDS = Integer.getInteger("planetary.glareSeeds", 1000);

    static String nonZero(Node n) {
        StringBuilder b = new StringBuilder();
        n.counters().forEach((k, v) -> {
            if (v != 0) b.append(k).append('=').append(v).append(' ');
        });
        return b.toString();
    }

    @Test
    void exactlyOneSessionPerPairOverAThousandSeeds() {
        SecretIdentity ia = Pool.get(5), ib = Pool.get(6);
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        int glareRefusals = 0, replaced = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            Simulator sim = new Simulator(seed);
            sim.defaultProfile(LinkProfile.latency(5 + r.nextInt(60)).withJitter(r.nextInt(30)).withLoss(r.nextDouble() * 0.2).withDuplication(0.02));
            SimNode a = new SimNode("a", sim.publicHost("a", "203.0.113.1"), 9993, ia, l -> NodeConfig.member(l, List.of()));
            SimNode b = new SimNode("b", sim.publicHost("b", "203.0.114.1"), 9993, ib, l -> NodeConfig.member(l, List.of()));
            a.run(() -> a.node.remember(ib.identity(), b.local));
            b.run(() -> b.node.remember(ia.identity(), a.local));
            long tA = r.nextInt(3_000);
            // §17: opens up to 20 s apart; half the seeds open within 300 ms of each other
            long tB = tA + (r.nextBoolean() ? r.nextLong(300) : r.nextLong(20_001));
            long heal = r.nextBoolean() ? r.nextInt(15_000) : 0;
            if (heal > 0) sim.partition(List.of(a.host));
            int n = 0;
            for (long t = 0; t <= 40_000; t += 500) {
                sim.runUntil(t);
                if (heal > 0 && t >= heal) {
                    sim.heal();
                    heal = 0;
                }
                if (t >= tA && (t - tA) % 1_500 < 500) a.userMessage(ib.address(), "a" + n++);
                if (t >= tB && (t - tB) % 1_500 < 500) b.userMessage(ia.address(), "b" + n++);
            }
            sim.runUntil(45_000);
            for (int k = 0; k < 8; k++) { // USER_MESSAGE is unreliable: a few tries over the lossy link
                a.userMessage(ib.address(), "final-a");
                b.userMessage(ia.address(), "final-b");
                sim.runUntil(sim.now() + 500);
            }
            int sa = a.node.liveSessions(ib.fingerprint()), sb = b.node.liveSessions(ia.fingerprint());
            boolean ok = sa == 1 && sb == 1 && a.node.initiatedSession(ib.fingerprint()) != b.node.initiatedSession(ia.fingerprint())
                    && b.texts().contains("final-a") && a.texts().contains("final-b");
            if (!ok) failures.add("seed " + seed + ": sessions " + sa + "/" + sb + ", initiator a=" + a.node.initiatedSession(ib.fingerprint())
                    + " b=" + b.node.initiatedSession(ia.fingerprint()) + ", final delivered " + b.texts().contains("final-a") + "/" + a.texts().contains("final-b")
                    + "\n  a " + nonZero(a.node) + "\n  b " + nonZero(b.node));
            assertEquals(0, a.node.zsspInternalErrors() + b.node.zsspInternalErrors());
            assertEquals(0, a.node.count(NodeCounter.INTERNAL_ERROR) + b.node.count(NodeCounter.INTERNAL_ERROR));
            glareRefusals += a.node.count(NodeCounter.GLARE_REFUSED) + b.node.count(NodeCounter.GLARE_REFUSED);
            replaced += a.node.count(NodeCounter.SESSION_REPLACED) + b.node.count(NodeCounter.SESSION_REPLACED);
            if (failures.size() > 5) break;
        }
        System.out.println("glare: " + SEEDS + " seeds in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertEquals(List.of(), failures);
        assertNotEquals(0, glareRefusals, "some seeds must exercise the glare refusal");
        assertTrue(replaced > 0, "some seeds must exercise the replacement rule");
    }
}

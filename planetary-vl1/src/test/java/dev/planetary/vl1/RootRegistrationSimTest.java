package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.vl1.sim.LinkProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MulticastNetnsIT's set-up on the L0 simulator: a root, a controller-like node and 20 members, all
 * in one /24 (the test's bridge), starting at once against a slow root (a loaded machine: 5
 * verifications/s instead of ≈ 71) over links with 1 % loss. The §2.6 verification queue holds 2
 * per prefix, so most of the first Hellos are refused with RATE_LIMITED (retry-after 10 s); the
 * refused nodes must not come back in lockstep (each round would again admit only a few: the
 * controller stayed unknown to the root for over 30 s in one CI run), and a member whose WHOIS of
 * the controller found it not registered yet must find it soon after it is (not 30 s later).
 *
 * <p>Before the fixes (seeds 1–3): 39–45 Hellos refused, the last node registered 46–57 s after
 * the start, and with seed 3 the controller only at 47.7 s, the member (online at 12.3 s) answered
 * "unknown" twice and reaching it 27 s after its registration — the CI run's failure. Since (the
 * retry-after jitter, {@link Vl1Limits#RETRY_AFTER_JITTER}; the short negative WHOIS cache of a
 * streak's first minute, {@link Vl1Limits#T_WHOIS_NEGATIVE_GRACE}), seeds 1–60: 15–18 refused,
 * the last node registered after 20.5–23.5 s (36.5 s and 33.5 s in two seeds, the controller
 * refused twice), the member reached the controller ≤ 5.2 s after both were registered (7.8 s in
 * seed 30: losses on the way). Each fixed seed fails a bound without the fixes; {@link #manySeeds}
 * ({@code -Dplanetary.long=true -Dplanetary.seeds=N}) loops over more.
 */
class RootRegistrationSimTest {
    private static final int NODES = 21; // pool 1 is the controller, 2..21 the members
    private static final long RUN_MS = 90_000;

    /** One run: each node's registration time at the root, when the member first reached the controller, the trace digest. */
    record Outcome(long seed, long[] registeredAt, long controllerReachedAt, long whoisFailed, long refused, String traceHash) {
        long lastRegistered() {
            return Arrays.stream(registeredAt).map(t -> t < 0 ? Long.MAX_VALUE : t).max().orElseThrow();
        }

        long controllerRegistered() {
            return registeredAt[0];
        }

        /** From the moment both the controller and the member were registered to the member's first message at the controller. */
        long reachDelay() {
            return controllerReachedAt < 0 || registeredAt[0] < 0 || registeredAt[1] < 0 ? Long.MAX_VALUE
                    : controllerReachedAt - Math.max(registeredAt[0], registeredAt[1]);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Outcome x && x.seed == seed && Arrays.equals(x.registeredAt, registeredAt) && x.controllerReachedAt == controllerReachedAt
                    && x.whoisFailed == whoisFailed && x.refused == refused && x.traceHash.equals(traceHash);
        }

        @Override
        public int hashCode() {
            return traceHash.hashCode();
        }

        @Override
        public String toString() {
            return "seed " + seed + ": last node registered at " + lastRegistered() + " ms, the controller at " + controllerRegistered()
                    + " ms, the member at " + registeredAt[1] + " ms, the member reached the controller at " + controllerReachedAt + " ms; " + refused + " verifications refused, " + whoisFailed
                    + " failed WHOIS lookups at the member";
        }
    }

    static Outcome start(long seed) {
        World w = new World(seed, 1, 0, c -> c.withVerificationsPerSecond(5));
        w.sim.defaultProfile(LinkProfile.latency(20).withJitter(5).withLoss(0.01));
        SimNode root = w.root(0);
        List<RootInfo> roots = List.of(root.rootInfo(Pool.get(0)));
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String name = i == 0 ? "ctl" : "m" + i;
            nodes.add(new SimNode(name, w.sim.publicHost(name, "203.0.113." + (11 + i)), 9993, Pool.get(1 + i), l -> NodeConfig.member(l, roots)));
        }
        SimNode ctl = nodes.get(0), member = nodes.get(1);
        Address ctlAddress = Pool.get(1).address();
        long[] registeredAt = new long[NODES];
        Arrays.fill(registeredAt, -1);
        long reached = -1, nextSend = 0;
        for (long t = 0; t < RUN_MS; t += 100) {
            w.run(100);
            for (int i = 0; i < NODES; i++) {
                if (registeredAt[i] < 0 && root.node.registered(Pool.get(1 + i).address()).isPresent()) registeredAt[i] = w.sim.now();
            }
            if (reached < 0 && !ctl.texts().isEmpty()) reached = w.sim.now();
            // the member asks for the controller each second once online (a join's config request, VL.md §7.2)
            if (reached < 0 && member.node.isOnline() && w.sim.now() >= nextSend) {
                member.userMessage(ctlAddress, "join");
                nextSend = w.sim.now() + 1_000;
            }
            if (reached >= 0 && Arrays.stream(registeredAt).allMatch(r -> r >= 0)) break;
        }
        return new Outcome(seed, registeredAt, reached, member.events(NodeEvent.LookupFailed.class).size(), root.node.count(NodeCounter.VERIFICATION_REFUSED),
                w.sim.traceHash());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void twentyOneNodesOfOnePrefixRegisterAtASlowRootAndTheMemberReachesTheControllerSoonAfter(long seed) {
        Outcome o = start(seed);
        System.out.println("RootRegistrationSimTest: " + o);
        assertTrue(o.refused() > 0, "the verification queue refused Hellos (the scenario's point): " + o);
        assertTrue(o.lastRegistered() <= 40_000, "every node registered within 40 s: " + o);
        assertTrue(o.reachDelay() <= 8_000, "the member reached the controller within 8 s of both being registered: " + o);
    }

    /** A seed replays exactly. */
    @Test
    void oneSeedGivesOneTrace() {
        assertEquals(start(4), start(4));
    }

    @Test
    @EnabledIfSystemProperty(named = "planetary.long", matches = "true")
    void manySeeds() {
        int n = Integer.getInteger("planetary.seeds", 50);
        List<Outcome> failed = new ArrayList<>();
        for (long s = 1; s <= n; s++) {
            Outcome o = start(s);
            System.out.println("RootRegistrationSimTest: " + o);
            if (o.lastRegistered() > 40_000 || o.reachDelay() > 8_000) failed.add(o);
        }
        assertTrue(failed.isEmpty(), failed.size() + " of " + n + " seeds failed: " + failed);
    }
}

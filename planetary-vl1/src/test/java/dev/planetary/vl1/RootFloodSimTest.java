package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.zssp.StaticKeyPair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's verification-budget target on the L0 simulator (virtual clock, no CPU figures: those
 * are {@code VerificationBudgetBench}'s): Hellos from 256 /24 prefixes, each past ZCP, flood a root
 * beyond its handshake budget; the root spends at most its budget on them, and a legitimate
 * member that starts during the flood still registers within 5 s (§4.3's E2 bound).
 */
class RootFloodSimTest {
    private static final int PREFIXES = 256;

    @Test
    void aLegitimateMemberRegistersWithin5sWhileAFloodIsHeldToTheBudget() {
        World w = new World(77, 1, 0);
        SimNode root = w.root(0);
        StaticKeyPair attackerKeys = StaticKeyPair.generate(new SeededRandom(5));
        List<RawPeer> flooders = new ArrayList<>();
        for (int p = 0; p < PREFIXES; p++) flooders.add(new RawPeer(w.sim.publicHost("x" + p, "198.18." + p + ".1"), attackerKeys));
        byte[] junkBlob = {1}; // refused at the X3 (§3.2 step 1) after the root has paid for the handshake
        var rootKey = Pool.get(0).identity().staticPublicKey();
        long floodMs = 7_000, legitStart = 2_000;
        SimNode legit = null;
        SecretIdentity legitId = Pool.get(1);
        long registeredAt = -1;
        for (RawPeer f : flooders) f.open(rootKey, junkBlob, root.local);
        for (long t = 0; t < floodMs && registeredAt < 0; t += 250) {
            // every open Hello is resent each second (ZSSP §3.5) until answered, so 256 sessions keep ≈ 256
            // Hellos/s coming, 4× the budget; a flooder whose handshake was answered (and its X3 refused) opens anew
            for (RawPeer f : flooders) if (f.rejected || f.established) f.open(rootKey, junkBlob, root.local);
            if (t == legitStart) {
                legit = new SimNode("legit", w.sim.publicHost("legit", "203.0.113.10"), 9993, legitId,
                        l -> NodeConfig.member(l, List.of(root.rootInfo(Pool.get(0)))));
            }
            w.run(250);
            if (registeredAt < 0 && legit != null && root.node.registered(legitId.address()).isPresent()) registeredAt = w.sim.now();
        }
        long notAdmitted = root.node.count(NodeCounter.HELLO_NOT_ADMITTED), admitted = root.node.count(NodeCounter.HELLO_ADMITTED);
        String figures = admitted + " Hellos admitted, " + notAdmitted + " not, legitimate member registered "
                + (registeredAt < 0 ? "never" : (registeredAt - legitStart) + " ms after its start");

        assertTrue(notAdmitted > 0, "the flood exceeded the budget: " + figures);
        assertTrue(admitted <= Vl1Limits.ROOT_HANDSHAKES_PER_SECOND * (w.sim.now() / 1000 + 1),
                "the root spent no more handshakes than its budget: " + figures);
        assertTrue(registeredAt >= 0 && registeredAt - legitStart <= 5_000,
                "the legitimate member registered within 5 s of starting: " + figures);
        System.out.println("RootFloodSimTest: " + figures);
    }
}

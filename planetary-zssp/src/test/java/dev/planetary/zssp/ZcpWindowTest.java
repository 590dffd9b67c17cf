package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.CHALLENGE_BODY_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.HELLO_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KID_SIZE;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * ZCP's replay window (§9.3, {@code ZsspConstants.ZCP_WINDOW}): an honest Alice's answer, sent with
 * her next 1-s resend, stays fresh while a flood's later challenges are answered first, and counts once.
 */
class ZcpWindowTest {

    private static byte[] address(int i) {
        return new byte[] {(byte) 198, 18, (byte) i, 1, 0x27, 0x09};
    }

    /** A challenge for a Hello from address {@code i}, solved as Alice solves it. */
    private static byte[] answer(Zcp zcp, int i, SimRandom rng) {
        byte[] hello = new byte[HELLO_SIZE];
        rng.nextBytes(hello, 0, HELLO_SIZE);
        byte[] challenge = zcp.issue(hello, 0, address(i), 0);
        byte[] response = new byte[CHALLENGE_BODY_SIZE];
        Zcp.solve(response, 0, challenge, KID_SIZE, rng);
        return response;
    }

    @Test
    void anAnswerStaysFreshWhileLaterChallengesAreAnsweredFirstAndCountsOnce() {
        SimRandom rng = new SimRandom(1);
        Zcp zcp = new Zcp(rng, 20, 1);
        byte[] honest = answer(zcp, 0, rng);
        int flood = 40; // more than the reference's 32 slots, whose window refused the honest answer then
        for (int i = 1; i <= flood; i++) assertTrue(zcp.accept(answer(zcp, i, rng), 0, address(i)), "flood answer " + i);
        assertTrue(zcp.accept(honest, 0, address(0)), "the honest answer is still fresh after " + flood + " later ones");
        assertFalse(zcp.accept(honest, 0, address(0)), "an answer is accepted once");
        assertFalse(zcp.accept(answer(zcp, 1, rng), 0, address(2)), "an answer is bound to its address");
    }
}

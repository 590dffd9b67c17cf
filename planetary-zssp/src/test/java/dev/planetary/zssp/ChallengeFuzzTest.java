package dev.planetary.zssp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.planetary.zssp.crypto.Bytes;

/**
 * Fuzzes the challenge layer (ZCP): a responder's acceptance of arbitrary responses from arbitrary
 * addresses, and an initiator's handling of arbitrary challenge packets aimed at its Hello.
 * Invariants: nothing throws; a response is never accepted twice (window); only a response with
 * our MAC and valid proof of work is accepted. Long run: {@code ./build fuzz ChallengeFuzzTest 600}.
 */
class ChallengeFuzzTest {
    private static final Zcp ZCP = new Zcp(RandomSource.secure(), 20, 1L);

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        byte[] address = data.consumeBytes(data.consumeInt(0, 18));
        byte[] r = data.consumeBytes(32);
        if (r.length < 32) return;
        boolean accepted = ZCP.accept(r, 0, address);
        if (accepted) {
            if (!Zcp.proofOfWork(r, 0)) throw new AssertionError("accepted without proof of work");
            if (ZCP.accept(r, 0, address)) throw new AssertionError("accepted the same response twice");
        }
        // The initiator side: a challenge naming an A1 session of the shared fuzz world.
        FuzzWorld w = ReceivePathFuzzTest.world();
        byte[] challenge = data.consumeBytes(36);
        if (challenge.length == 36) {
            for (Session<String> s : w.alice.sessions()) {
                if (s.state() == Session.State.A1 && data.consumeBoolean()) Bytes.putInt(challenge, 0, s.keys.other().recvKid());
            }
            Received<String> res = Hello.consumeChallenge(w.alice, challenge);
            if (res == null) throw new AssertionError("no result");
        }
    }

    // 3 s: CI run 11 found its last new coverage at input 107,295 of 2,857,155 (7 s); longer: ./build fuzz
    @FuzzTest(maxDuration = "3s")
    void challenge(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

package dev.planetary.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes the binary Identity decoder and verifier. Invariant: any bytes give a value (Ok or a
 * Rejection), never an exception; what decodes re-encodes to the same bytes.
 */
class IdentityFuzzTest {
    private static final IdentityVerifier VERIFIER = new IdentityVerifier(64);

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        byte[] b;
        if (data.consumeBoolean()) { // mutate the valid B.1 identity: reaches the signature checks
            b = Fixtures.b1().identity().encoded();
            int n = data.consumeInt(0, 8);
            for (int i = 0; i < n; i++) b[data.consumeInt(0, b.length - 1)] ^= (byte) data.consumeInt(1, 255);
        } else {
            b = data.consumeRemainingAsBytes();
        }
        Decoded<Identity> d = Identity.decode(b);
        if (d instanceof Decoded.Ok<Identity> ok) {
            if (!Arrays.equals(ok.value().encoded(), b)) throw new AssertionError("re-encoding differs");
            // cheap after the first call: the PoW is cached by fingerprint, and a mutated identity
            // fails its self-signature before any Argon2id evaluation
            if (VERIFIER.verify(ok.value()) == null) throw new AssertionError("null result");
        }
    }

    // 3 s: CI run 11 found its last new coverage at input 84 of 15,299 (7 s); longer: Jazzer's own driver
    @FuzzTest(maxDuration = "3s")
    void decode(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

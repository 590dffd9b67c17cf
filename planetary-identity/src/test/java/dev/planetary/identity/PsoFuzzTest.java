package dev.planetary.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Fuzzes PSO parsing and verification (TLV included). Invariant: a value for any bytes, never an
 * exception; an object that verifies re-encodes to the input.
 */
class PsoFuzzTest {
    private static final PsoVerifier VERIFIER = new PsoVerifier(16);
    private static byte[] valid;

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        synchronized (PsoFuzzTest.class) {
            if (valid == null) valid = Pso.sign(Fixtures.b1(), Pso.MEMBER_CREDENTIAL, 1, VectorsB4.placeholderBody(3), VectorsB4.PLACEHOLDER).encoded();
        }
        byte[] b;
        if (data.consumeBoolean()) {
            b = valid.clone();
            int n = data.consumeInt(0, 8);
            for (int i = 0; i < n; i++) b[data.consumeInt(0, b.length - 1)] ^= (byte) data.consumeInt(1, 255);
            if (data.consumeBoolean()) b = Arrays.copyOf(b, data.consumeInt(0, b.length + 4));
        } else {
            b = data.consumeRemainingAsBytes();
        }
        Decoded<Pso> p = VERIFIER.verify(b, Pso.MEMBER_CREDENTIAL, Fixtures.b1().identity(), VectorsB4.PLACEHOLDER, PsoVerifier.Semantics.NONE);
        if (p instanceof Decoded.Ok<Pso> ok && !Arrays.equals(ok.value().encoded(), b)) throw new AssertionError("re-encoding differs");
        Pso.parse(b, VectorsB4.PLACEHOLDER);
    }

    // 3 s: CI run 11 found its last new coverage at input 16,695 of 97,450 (7 s); longer: Jazzer's own driver
    @FuzzTest(maxDuration = "3s")
    void verify(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

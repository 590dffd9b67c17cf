package dev.planetary.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes root-set decoding and validation. Invariant: a value for any bytes, never an exception; a
 * set that decodes re-encodes to the input.
 */
class RootSetFuzzTest {
    private static final IdentityVerifier VERIFIER = new IdentityVerifier(64);
    private static byte[] valid;

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        synchronized (RootSetFuzzTest.class) {
            if (valid == null) {
                UpdateKey k = UpdateKey.fromScalar(VectorsB4.scalar("fuzz")).orElseThrow();
                valid = RootSet.create(k, "fuzz", 1, 1, List.of(k.publicKey()), List.of(new RootSet.Root(Fixtures.b1().identity(),
                        List.of(Endpoint.parse("192.0.2.1/9993").orElseThrow(), Endpoint.parse("[2001:db8::1]/1").orElseThrow())))).encoded();
            }
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
        Decoded<RootSet> d = RootSet.decode(b);
        if (d instanceof Decoded.Ok<RootSet> ok) {
            if (!Arrays.equals(ok.value().encoded(), b)) throw new AssertionError("re-encoding differs");
            ok.value().validate(VERIFIER);
        }
    }

    @FuzzTest(maxDuration = "6s")
    void decode(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

package dev.planetary.zssp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;

/**
 * Fuzzes key parsing: hex and binary public keys, X.509 SubjectPublicKeyInfo, PKCS#8 and PEM.
 * Invariant: malformed input gives {@link IllegalArgumentException} (a clear message), nothing
 * else; a key that parses re-encodes to what was parsed. Long run: {@code ./build fuzz KeyParsingFuzzTest 600}.
 */
class KeyParsingFuzzTest {
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        int kind = data.consumeInt(0, 5);
        byte[] bytes = data.consumeRemainingAsBytes();
        try {
            switch (kind) {
                case 0 -> {
                    StaticPublicKey k = StaticPublicKey.fromBytes(bytes);
                    if (!java.util.Arrays.equals(k.toBytes(), bytes)) throw new AssertionError("re-encoding differs");
                }
                case 1 -> StaticPublicKey.fromHex(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
                case 2 -> StaticPublicKey.fromSubjectPublicKeyInfo(bytes);
                case 3 -> StaticKeyPair.fromPkcs8(bytes);
                case 4 -> P384KeyPair.fromPem(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
                default -> P384PublicKey.fromPem(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } catch (IllegalArgumentException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) throw new AssertionError("error without a message", expected);
        }
    }

    // 3 s: CI run 11 found its last new coverage at input 129,210 of 664,304 (7 s); longer: ./build fuzz
    @FuzzTest(maxDuration = "3s")
    void parse(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

package dev.planetary.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the text parsers: public and secret identities, fingerprints, addresses, endpoints, update
 * keys. Invariant: a value for any text, never an exception; a public identity that parses prints
 * back to the same text.
 */
class IdentityTextFuzzTest {
    private static final IdentityVerifier VERIFIER = new IdentityVerifier(64);
    private static String valid;

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        synchronized (IdentityTextFuzzTest.class) {
            if (valid == null) valid = IdentityText.secretText(Fixtures.b1());
        }
        int kind = data.consumeInt(0, 6);
        String s;
        if (data.consumeBoolean()) {
            char[] c = (kind == 1 ? valid : valid.substring(0, 325)).toCharArray();
            int n = data.consumeInt(0, 4);
            for (int i = 0; i < n; i++) c[data.consumeInt(0, c.length - 1)] = data.consumeChar();
            s = new String(c);
        } else {
            s = data.consumeRemainingAsString();
        }
        switch (kind) {
            case 0 -> {
                Decoded<IdentityText.Parsed> p = IdentityText.parsePublic(s, VERIFIER);
                if (p instanceof Decoded.Ok<IdentityText.Parsed> ok
                        && !IdentityText.publicText(ok.value().identity(), ok.value().address()).equals(s.strip())) {
                    throw new AssertionError("public text does not round-trip");
                }
            }
            case 1 -> IdentityText.parseSecret(s);
            case 2 -> Fingerprint.parse(s);
            case 3 -> Address.parse(s);
            case 4 -> Endpoint.parse(s);
            case 5 -> UpdateKey.parsePublic(s);
            default -> UpdateKey.parseSecret(s);
        }
    }

    @FuzzTest(maxDuration = "6s")
    void parse(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

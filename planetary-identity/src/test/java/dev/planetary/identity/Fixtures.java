package dev.planetary.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Shared test identities: the Appendix B.1 identity and one freshly generated per JVM. */
final class Fixtures {
    private static SecretIdentity b1;
    private static SecretIdentity generated;

    private Fixtures() {}

    static synchronized SecretIdentity b1() {
        if (b1 == null) {
            try {
                JsonNode v = VectorFiles.identityVectors();
                b1 = SecretIdentity.fromScalars(HexFormat.of().parseHex(v.get("d_dh").asText()),
                        HexFormat.of().parseHex(v.get("candidates").get(1).get("d_sig").asText())).orThrow();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return b1;
    }

    static synchronized SecretIdentity generated() {
        if (generated == null) generated = SecretIdentity.generate(new SecureRandom(), 2);
        return generated;
    }

    /** A structurally valid identity with random keys and a garbage self-signature (no PoW). */
    static Identity structural(java.util.Random rnd) {
        byte[] d1 = new byte[48], d2 = new byte[48];
        rnd.nextBytes(d1);
        rnd.nextBytes(d2);
        d1[0] = 0x10;
        d2[0] = 0x10;
        byte[] sig = new byte[96];
        rnd.nextBytes(sig);
        return Identity.assemble(dev.planetary.identity.internal.Ecdsa384.publicKey(d1),
                dev.planetary.identity.internal.Ecdsa384.publicKey(d2), sig);
    }
}

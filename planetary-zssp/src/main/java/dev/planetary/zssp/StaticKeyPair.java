package dev.planetary.zssp;

import dev.planetary.zssp.crypto.P384KeyPair;
import java.util.Objects;

/**
 * A node's long-term static P-384 key pair. Holds the private scalar: call {@link #destroy()} when
 * it is no longer needed; {@code toString} never shows it.
 */
public final class StaticKeyPair implements AutoCloseable {
    private final P384KeyPair pair;
    private final StaticPublicKey publicKey;

    private StaticKeyPair(P384KeyPair pair) {
        this.pair = pair;
        this.publicKey = new StaticPublicKey(pair.publicKey());
    }

    /** A fresh key pair from the platform CSPRNG. */
    public static StaticKeyPair generate() {
        return generate(RandomSource.secure());
    }

    /** A fresh key pair (48-byte draws until a valid scalar comes up, as the reference does). */
    public static StaticKeyPair generate(RandomSource random) {
        Objects.requireNonNull(random, "random");
        return new StaticKeyPair(P384KeyPair.generate(random));
    }

    /** From a 48-byte big-endian private scalar in [1, n). */
    public static StaticKeyPair fromScalar(byte[] scalar) {
        Objects.requireNonNull(scalar, "scalar");
        return new StaticKeyPair(P384KeyPair.fromScalar(scalar));
    }

    /** From a PKCS#8 DER private key (P-384). */
    public static StaticKeyPair fromPkcs8(byte[] der) {
        Objects.requireNonNull(der, "der");
        return new StaticKeyPair(P384KeyPair.fromPkcs8(der));
    }

    /** PKCS#8 DER encoding of the private key (secret). */
    public byte[] toPkcs8() {
        return pair.toPkcs8();
    }

    public StaticPublicKey publicKey() {
        return publicKey;
    }

    P384KeyPair pair() {
        return pair;
    }

    /** Wipes the private scalar. */
    public void destroy() {
        pair.destroy();
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "StaticKeyPair[public=" + publicKey.toHex().substring(0, 16) + "…, private hidden]";
    }
}

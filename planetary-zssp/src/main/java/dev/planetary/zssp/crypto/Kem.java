package dev.planetary.zssp.crypto;

import dev.planetary.zssp.RandomSource;

/**
 * A key-encapsulation mechanism as the protocol engine uses it: the initiator generates an
 * ephemeral key pair and sends the public key, the responder encapsulates to it and sends the
 * ciphertext back, the initiator decapsulates; both end up with the same shared secret.
 *
 * <p>Implementations are stateless and thread-safe. Every size check fails with
 * {@link IllegalArgumentException} naming the problem. A decapsulation of a correctly sized but
 * wrong ciphertext does not throw: the KEMs here use implicit rejection and return a
 * pseudorandom secret that will simply not match (the handshake then fails at the next AEAD).
 *
 * @see Kyber1024 the round-3 Kyber the ZSSP wire protocol uses
 * @see MlKem1024 FIPS 203 ML-KEM-1024 of the JDK (not wire compatible with Kyber round 3)
 */
public interface Kem {

    /** Algorithm name, e.g. {@code "Kyber1024"}. */
    String name();

    /** Encoded public key size in bytes. */
    int publicKeySize();

    /** Ciphertext size in bytes. */
    int ciphertextSize();

    /** Shared secret size in bytes. */
    int sharedSecretSize();

    /** Generates a key pair, drawing its randomness from {@code rng}. */
    KemKeyPair generateKeyPair(RandomSource rng);

    /** Encapsulates to {@code publicKey} (exactly {@link #publicKeySize()} bytes). */
    default KemEncapsulation encapsulate(byte[] publicKey, RandomSource rng) {
        if (publicKey == null) throw new IllegalArgumentException(name() + " public key is null");
        if (publicKey.length != publicKeySize()) {
            throw new IllegalArgumentException(name() + " public key must be " + publicKeySize()
                    + " bytes, got " + publicKey.length);
        }
        return encapsulate(publicKey, 0, rng);
    }

    /** Encapsulates to the public key stored at {@code buf[off, off + publicKeySize())}. */
    KemEncapsulation encapsulate(byte[] buf, int off, RandomSource rng);

    /** Decapsulates {@code ciphertext} (exactly {@link #ciphertextSize()} bytes). */
    default byte[] decapsulate(KemPrivateKey privateKey, byte[] ciphertext) {
        if (ciphertext == null) throw new IllegalArgumentException(name() + " ciphertext is null");
        if (ciphertext.length != ciphertextSize()) {
            throw new IllegalArgumentException(name() + " ciphertext must be " + ciphertextSize()
                    + " bytes, got " + ciphertext.length);
        }
        return decapsulate(privateKey, ciphertext, 0);
    }

    /** Decapsulates the ciphertext stored at {@code buf[off, off + ciphertextSize())}. */
    byte[] decapsulate(KemPrivateKey privateKey, byte[] buf, int off);

    /** Decapsulates with the private half of {@code keyPair}. */
    default byte[] decapsulate(KemKeyPair keyPair, byte[] ciphertext) {
        if (keyPair == null) throw new IllegalArgumentException(name() + " key pair is null");
        return decapsulate(keyPair.privateKey(), ciphertext);
    }

    /** Decapsulates, reading the ciphertext from {@code buf[off..]}, with {@code keyPair}'s private key. */
    default byte[] decapsulate(KemKeyPair keyPair, byte[] buf, int off) {
        if (keyPair == null) throw new IllegalArgumentException(name() + " key pair is null");
        return decapsulate(keyPair.privateKey(), buf, off);
    }

    /** Shared helper: validates that {@code buf[off, off + len)} exists, naming {@code what}. */
    static void checkRange(String what, byte[] buf, int off, int len) {
        if (buf == null) throw new IllegalArgumentException(what + " buffer is null");
        if (off < 0 || off > buf.length || buf.length - off < len) {
            throw new IllegalArgumentException(what + " needs " + len + " bytes at offset " + off
                    + " but the buffer has " + buf.length);
        }
    }
}

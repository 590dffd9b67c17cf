package dev.planetary.zssp.crypto;

import java.util.Objects;

/**
 * A KEM key pair: the encoded public key to send and the private key to keep.
 * {@link #destroy()} destroys the private key; {@link #toString()} shows no key material.
 */
public final class KemKeyPair {
    private final byte[] publicKey;
    private final KemPrivateKey privateKey;

    public KemKeyPair(byte[] publicKey, KemPrivateKey privateKey) {
        this.publicKey = Objects.requireNonNull(publicKey, "publicKey").clone();
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    }

    /** A copy of the encoded public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** Copies the encoded public key into {@code out[off..]} (no allocation); returns its length. */
    public int copyPublicKey(byte[] out, int off) {
        Kem.checkRange("public key output", out, off, publicKey.length);
        System.arraycopy(publicKey, 0, out, off, publicKey.length);
        return publicKey.length;
    }

    public int publicKeyLength() {
        return publicKey.length;
    }

    public KemPrivateKey privateKey() {
        return privateKey;
    }

    public String algorithm() {
        return privateKey.algorithm();
    }

    /** Destroys the private key. */
    public void destroy() {
        privateKey.destroy();
    }

    public boolean isDestroyed() {
        return privateKey.isDestroyed();
    }

    @Override
    public String toString() {
        return "KemKeyPair[" + privateKey.algorithm() + ", publicKey=" + publicKey.length + " bytes"
                + (privateKey.isDestroyed() ? ", destroyed" : "") + "]";
    }
}

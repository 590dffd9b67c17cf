package dev.planetary.zssp.crypto;

/**
 * The private half of a {@link KemKeyPair}. Opaque: only the {@link Kem} that made it can use
 * it. Once {@link #destroy() destroyed} it can no longer decapsulate (the KEM then throws
 * {@link IllegalStateException}). Implementations never reveal key material in {@code toString}.
 */
public interface KemPrivateKey {

    /** Name of the KEM this key belongs to ({@link Kem#name()}). */
    String algorithm();

    /** Wipes the key material (idempotent). */
    void destroy();

    boolean isDestroyed();
}

package dev.planetary.zssp.crypto;

/**
 * Result of {@link Kem#encapsulate}: the ciphertext to send and the shared secret to keep.
 *
 * <p>The arrays are owned by the caller (no defensive copies, so the engine can feed them straight
 * into its key schedule). {@link #destroy()} wipes the shared secret; {@link #toString()} never shows
 * it.
 */
public record KemEncapsulation(byte[] ciphertext, byte[] sharedSecret) {

    public KemEncapsulation {
        if (ciphertext == null || sharedSecret == null) {
            throw new NullPointerException("ciphertext and sharedSecret must not be null");
        }
    }

    /** Overwrites the shared secret with zeros. */
    public void destroy() {
        Secrets.wipe(sharedSecret);
    }

    @Override
    public String toString() {
        return "KemEncapsulation[ciphertext=" + ciphertext.length + " bytes, sharedSecret=<"
                + sharedSecret.length + " bytes hidden>]";
    }
}

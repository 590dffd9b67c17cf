package dev.planetary.zssp.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-512 with a per-thread {@link MessageDigest}; safe for concurrent use. */
public final class Sha512 {
    public static final int LENGTH = 64;

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is not available in this JDK", e);
        }
    });

    private Sha512() {}

    /** The per-thread digest, reset and ready for updates; finish with {@link #finish}. */
    public static MessageDigest begin() {
        MessageDigest d = DIGEST.get();
        d.reset();
        return d;
    }

    /** Completes {@code d} into {@code out[off, off+64)}. */
    public static void finish(MessageDigest d, byte[] out, int off) {
        try {
            d.digest(out, off, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-512 output buffer too small", e);
        }
    }

    /** SHA-512 of {@code data[off, off+len)}. */
    public static byte[] hash(byte[] data, int off, int len) {
        MessageDigest d = begin();
        d.update(data, off, len);
        return d.digest();
    }

    public static byte[] hash(byte[] data) {
        return hash(data, 0, data.length);
    }
}

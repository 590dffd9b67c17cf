package dev.planetary.zssp.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * NIST SP 800-108r1 KBKDF in counter mode with HMAC-SHA-512, exactly as ZSSP uses it (spec §2.6):
 * {@code o_i = HMAC(K_IN, byte(i) ‖ label ‖ 0x00 ‖ context ‖ BE16(512·n))} for {@code i = 1..n}.
 *
 * <p>Also the home of ZSSP's SHA-512 and HMAC-SHA-512 calls. JCA objects are cached per thread, so
 * every method here is safe to call from many threads at once.
 */
public final class Kbkdf {
    /** HMAC-SHA-512 / SHA-512 output length. */
    public static final int HASH_LEN = 64;
    /** HMAC-SHA-512 block length; an empty key is equivalent to this many zero bytes (§2.5). */
    static final int HMAC_BLOCK = 128;
    private static final byte[] EMPTY_KEY_EQUIVALENT = new byte[HMAC_BLOCK];

    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> Jca.mac("HmacSHA512"));

    private Kbkdf() {}

    /**
     * Derives {@code n} 64-byte blocks into {@code out[0..n)}.
     *
     * @param key     K_IN, any length including empty
     * @param label   the label bytes (4 ASCII bytes, or the 19-byte OTP label)
     * @param context the context (the 64-byte chaining key, or empty)
     */
    public static void derive(byte[] key, byte[] label, byte[] context, byte[][] out) {
        int n = out.length;
        if (n < 1 || n > 255) throw new IllegalArgumentException("KBKDF block count must be 1..255, got " + n);
        Mac mac = MAC.get();
        try {
            mac.init(hmacKey(key));
            int bits = 512 * n;
            for (int i = 1; i <= n; i++) {
                mac.update((byte) i);
                mac.update(label);
                mac.update((byte) 0);
                mac.update(context);
                mac.update((byte) (bits >>> 8));
                mac.update((byte) bits);
                if (out[i - 1] == null || out[i - 1].length < HASH_LEN) out[i - 1] = new byte[HASH_LEN];
                mac.doFinal(out[i - 1], 0);
            }
        } catch (InvalidKeyException | ShortBufferException e) {
            throw new IllegalStateException("HMAC-SHA-512 failed", e);
        }
    }

    /** Convenience form of {@link #derive(byte[], byte[], byte[], byte[][])} returning fresh blocks. */
    public static byte[][] derive(byte[] key, byte[] label, byte[] context, int n) {
        byte[][] out = new byte[n][];
        derive(key, label, context, out);
        return out;
    }

    /** HMAC-SHA-512 of {@code data} under {@code key} (any key length, including empty). */
    public static byte[] hmac(byte[] key, byte[] data) {
        Mac mac = MAC.get();
        try {
            mac.init(hmacKey(key));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-512 failed", e);
        }
        return mac.doFinal(data);
    }

    private static SecretKeySpec hmacKey(byte[] key) {
        // SecretKeySpec rejects an empty key; HMAC zero-pads short keys to the block size, so an
        // empty key and 128 zero bytes are the same key (§2.5).
        return new SecretKeySpec(key.length == 0 ? EMPTY_KEY_EQUIVALENT : key, "HmacSHA512");
    }

    /** Keeps the checked JCA exception out of callers; these algorithms exist in every JDK. */
    static final class Jca {
        private Jca() {}

        static Mac mac(String alg) {
            try {
                return Mac.getInstance(alg);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(alg + " is not available in this JDK", e);
            }
        }
    }
}

package dev.planetary.zssp.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * One AES-256-GCM key with ZSSP's 96-bit nonce {@code 00 00 00 ‖ type ‖ BE64(counter)} and a
 * 16-byte tag appended to the ciphertext (spec §2.3).
 *
 * <p>Immutable after construction and safe for concurrent use. Initialised JCA {@link Cipher}
 * objects are kept per key ({@link AesKey}, bounded globally), so there is no per-packet Cipher
 * allocation and no per-packet key schedule. Operations work in place (input and output ranges may
 * be the same).
 */
public final class AesGcm extends AesKey {
    public static final int KEY_SIZE = 32;
    public static final int NONCE_SIZE = 12;
    public static final int TAG_SIZE = 16;

    private static final String GCM = "AES/GCM/NoPadding";
    /** Fallback when the cipher budget is spent: one shared Cipher per thread and direction. */
    private static final ThreadLocal<Cipher[]> SHARED = ThreadLocal.withInitial(
            () -> new Cipher[] {AesKey.newCipher(GCM), AesKey.newCipher(GCM)});

    private static final long serialVersionUID = 1L;

    /** Copies {@code key} (32 bytes); the caller may wipe its array afterwards. */
    public AesGcm(byte[] key) {
        this(key, 0);
    }

    /** Uses the 32 bytes at {@code key[off..off+32)} (copied). */
    public AesGcm(byte[] key, int off) {
        super(key, off);
    }

    /** Writes ZSSP's GCM nonce {@code N(type, counter)} into {@code out[off, off+12)}. */
    public static void nonce(int type, long counter, byte[] out, int off) {
        out[off] = 0;
        out[off + 1] = 0;
        out[off + 2] = 0;
        out[off + 3] = (byte) type;
        Bytes.putLong(out, off + 4, counter);
    }

    /** A fresh 12-byte {@code N(type, counter)}. */
    public static byte[] nonce(int type, long counter) {
        byte[] n = new byte[NONCE_SIZE];
        nonce(type, counter, n, 0);
        return n;
    }

    /**
     * Encrypts {@code in[inOff, inOff+len)} into {@code out[outOff, …)} followed by the tag.
     *
     * @param aad additional data, or {@code null} for none
     * @return bytes written ({@code len + 16})
     */
    public int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Cipher c = acquire();
        boolean pooled = c != null;
        if (!pooled) c = SHARED.get()[0];
        try {
            Cipher use = c;
            try {
                use.init(Cipher.ENCRYPT_MODE, this, new GCMParameterSpec(128, nonce));
            } catch (InvalidAlgorithmParameterException sameKeyAndNonceAsLastCall) {
                // The JDK refuses to encrypt twice in a row with one key+nonce on one Cipher. The
                // protocol's counters make nonces unique per key; the only legitimate repeat is a
                // deterministic re-computation (vector replay, a retried handshake step) of the
                // very same message, so a fresh single-use Cipher is correct here.
                use = AesKey.newCipher(GCM);
                use.init(Cipher.ENCRYPT_MODE, this, new GCMParameterSpec(128, nonce));
            }
            if (aad != null) use.updateAAD(aad);
            return use.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed", e);
        } finally {
            if (pooled) release(c);
        }
    }

    /** {@link #seal(byte[], byte[], byte[], int, int, byte[], int)} with {@code N(type, counter)}. */
    public int seal(int type, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return seal(nonce(type, counter), aad, in, inOff, len, out, outOff);
    }

    /**
     * Verifies and decrypts {@code in[inOff, inOff+lenWithTag)} (ciphertext then tag) into
     * {@code out[outOff, …)}. Never throws for bad input: a wrong tag or a range shorter than the tag
     * is reported as {@code false}, and then {@code out} must be ignored.
     */
    public boolean open(byte[] nonce, byte[] aad, byte[] in, int inOff, int lenWithTag, byte[] out, int outOff) {
        if (lenWithTag < TAG_SIZE) return false;
        Cipher c = acquire();
        boolean pooled = c != null;
        if (!pooled) c = SHARED.get()[1];
        try {
            c.init(Cipher.DECRYPT_MODE, this, new GCMParameterSpec(128, nonce));
            if (aad != null) c.updateAAD(aad);
            c.doFinal(in, inOff, lenWithTag, out, outOff);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM decryption failed", e);
        } finally {
            if (pooled) release(c);
        }
    }

    /** {@link #open(byte[], byte[], byte[], int, int, byte[], int)} with {@code N(type, counter)}. */
    public boolean open(int type, long counter, byte[] aad, byte[] in, int inOff, int lenWithTag, byte[] out, int outOff) {
        return open(nonce(type, counter), aad, in, inOff, lenWithTag, out, outOff);
    }

    @Override
    String transformation() {
        return GCM;
    }

    @Override
    public String toString() {
        return "AesGcm[key hidden]";
    }
}

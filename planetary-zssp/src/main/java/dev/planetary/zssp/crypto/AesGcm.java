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
 *
 * <h2>Nonces</h2>
 * {@link #seal} takes no nonce, only ZSSP's {@code (type, counter)}, and every caller draws the
 * counter so that no key sees one nonce twice: a session's keys only ever seal with a counter taken
 * from the session's atomic reservation ({@code Session.nextCounter}, spec §7.7; all key generations
 * of a session share it, so each key's counters are distinct), or, for the first C1 and a rejection
 * D, with counter 0, which that reservation never hands out (it starts at 1 on the responder); a
 * Noise handshake key seals once and is destroyed (a fresh {@code AesGcm} per
 * {@code EncryptAndHash}). Concurrent senders may seal their counters slightly out of order, so a
 * high-water mark would refuse honest traffic; instead the guarantee is by construction and is
 * checked: a key refuses outright to seal the nonce its Cipher sealed last (the JDK detects it), and
 * with assertions on (every test run) each key records every nonce it sealed and fails on a repeat
 * ({@link NonceAudit}). No step re-encrypts a message: resends send the stored packet again, or
 * re-wrap it under a fresh counter (spec §6, §7.2).
 *
 * <p>{@link #open} never throws for bad input: any malformed range, a nonce that is not 12 bytes
 * (including an empty one), a wrong tag, or a key destroyed meanwhile is reported as {@code false}.
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

    /** Encrypts under an explicit nonce: private, so that every seal goes through {@code (type, counter)}. */
    private int seal(byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Cipher c = acquire();
        boolean pooled = c != null;
        if (!pooled) c = SHARED.get()[0];
        try {
            try {
                c.init(Cipher.ENCRYPT_MODE, this, new GCMParameterSpec(128, nonce));
            } catch (InvalidAlgorithmParameterException sameKeyAndNonceAsLastCall) {
                // The JDK refuses to encrypt twice in a row with one key and nonce on one Cipher.
                // Every engine step draws a fresh counter (see the class comment), so this is a
                // bug: refuse, never work around it with another Cipher.
                throw new IllegalStateException("AES-GCM nonce reuse refused: this key already sealed this nonce", sameKeyAndNonceAsLastCall);
            }
            if (aad != null) c.updateAAD(aad);
            return c.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM encryption failed", e);
        } finally {
            if (pooled) release(c);
        }
    }

    /**
     * Encrypts {@code in[inOff, inOff+len)} with {@code N(type, counter)} into {@code out[outOff, …)}
     * followed by the tag. The caller must never pass one {@code (type, counter)} twice for this key
     * (see the class comment); a repeat is refused when detected.
     *
     * @param aad additional data, or {@code null} for none
     * @return bytes written ({@code len + 16})
     * @throws IllegalStateException if the key was destroyed or the nonce repeats
     */
    public int seal(int type, long counter, byte[] aad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        assert NonceAudit.firstUse(this, type, counter) : "AES-GCM nonce N(" + type + ", " + Long.toUnsignedString(counter) + ") sealed twice under one key";
        return seal(nonce(type, counter), aad, in, inOff, len, out, outOff);
    }

    /**
     * Verifies and decrypts {@code in[inOff, inOff+lenWithTag)} (ciphertext then tag) into
     * {@code out[outOff, …)}. Never throws: a wrong tag, a range shorter than the tag or outside its
     * array, a nonce that is not 12 bytes (or null), or a destroyed key is reported as
     * {@code false}, and then {@code out} must be ignored.
     */
    public boolean open(byte[] nonce, byte[] aad, byte[] in, int inOff, int lenWithTag, byte[] out, int outOff) {
        if (nonce == null || nonce.length != NONCE_SIZE || in == null || out == null) return false;
        if (lenWithTag < TAG_SIZE || inOff < 0 || inOff > in.length - lenWithTag) return false;
        if (outOff < 0 || outOff > out.length - (lenWithTag - TAG_SIZE)) return false;
        if (isDestroyed()) return false;
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
        } catch (GeneralSecurityException | IllegalStateException e) { // e.g. destroyed by another thread meanwhile
            return false;
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
    public void destroy() {
        super.destroy();
        assert NonceAudit.forget(this);
    }

    /**
     * Ciphers counted in the global budget right now, pooled in keys and held by threads (all key
     * classes): a gauge that returns to its baseline once retired keys are destroyed (leak checks).
     */
    public static int liveCiphers() {
        return AesKey.live();
    }

    @Override
    public String toString() {
        return "AesGcm[key hidden]";
    }
}

package dev.planetary.zssp.crypto;

import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Cipher;

/**
 * ZFP fragment-header protection (spec §10.3): single-block AES-256 over bytes {@code [4, 20)} of a
 * fragment. Immutable and safe for concurrent use (per-key JCA Cipher objects, {@link AesKey}).
 */
public final class HeaderCipher extends AesKey {
    public static final int BLOCK = 16;

    private static final String ECB = "AES/ECB/NoPadding";
    private static final ThreadLocal<Cipher[]> SHARED = ThreadLocal.withInitial(
            () -> new Cipher[] {AesKey.newCipher(ECB), AesKey.newCipher(ECB)});

    private static final long serialVersionUID = 1L;
    /** Cipher.ENCRYPT_MODE or DECRYPT_MODE once the key has been used; 0 before. */
    private volatile int direction;

    /** Copies the 32-byte key. */
    public HeaderCipher(byte[] key) {
        super(key, 0);
    }

    /** Encrypts the block {@code buf[off, off+16)} in place. */
    public void encryptBlock(byte[] buf, int off) {
        apply(0, Cipher.ENCRYPT_MODE, buf, off, buf, off);
    }

    /** Decrypts the block {@code buf[off, off+16)} in place. */
    public void decryptBlock(byte[] buf, int off) {
        apply(1, Cipher.DECRYPT_MODE, buf, off, buf, off);
    }

    /**
     * Decrypts the block {@code src[srcOff, srcOff+16)} into {@code dst[dstOff, dstOff+16)}, leaving
     * {@code src} unchanged (the arrays must not overlap unless the offsets are equal).
     */
    public void decryptBlock(byte[] src, int srcOff, byte[] dst, int dstOff) {
        apply(1, Cipher.DECRYPT_MODE, src, srcOff, dst, dstOff);
    }

    private void apply(int slot, int mode, byte[] src, int srcOff, byte[] dst, int dstOff) {
        Objects.checkFromIndexSize(srcOff, BLOCK, src.length);
        Objects.checkFromIndexSize(dstOff, BLOCK, dst.length);
        if (isDestroyed()) throw new IllegalStateException("header key has been destroyed"); // a thread-held Cipher would still work
        // ECB has no IV, so a Cipher initialised once can be reused for every block. A header key is
        // used in one direction (sender encrypts, receiver decrypts): the first use fixes it, and
        // pooled Ciphers are kept initialised for that direction.
        int dir = direction;
        if (dir == 0) direction = dir = mode;
        try {
            if (mode == dir) {
                Cipher c = acquire(); // initialised for this key and direction (prepare)
                if (c != null) {
                    try {
                        c.doFinal(src, srcOff, BLOCK, dst, dstOff);
                    } finally {
                        release(c);
                    }
                    return;
                }
            }
            Cipher c = SHARED.get()[slot];
            c.init(mode, this);
            c.doFinal(src, srcOff, BLOCK, dst, dstOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256 block operation failed", e);
        }
    }

    /** ECB has no IV, so a Cipher initialised once serves every block in the key's one direction. */
    @Override
    void prepare(Cipher fresh) throws GeneralSecurityException {
        fresh.init(direction, this);
    }

    @Override
    String transformation() {
        return ECB;
    }

    @Override
    public String toString() {
        return "HeaderCipher[key hidden]";
    }
}

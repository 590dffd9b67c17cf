package dev.planetary.zssp.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The Noise SymmetricState as ZSSP maps it onto KBKDF (spec §2.7): chaining key {@code ck},
 * handshake hash {@code h} and cipher key {@code k}. Nonces are always explicit ({@code N(type,
 * counter)}); there is no CipherState counter.
 *
 * <p>Not thread-safe: one handshake owns one instance. {@link #copy()} forks it (Alice tries several
 * PSK candidates on copies, §5.3). {@link #destroy()} wipes it.
 */
public final class SymmetricState {
    /** Which protocol name seeds {@code ck} and {@code h} (§3.1). */
    public enum Protocol { XK, KK }

    /** The labels of {@link #getAsk(Ask)}; the order of the two outputs is fixed by §2.7. */
    public enum Ask {
        /** (ratchet key, ratchet fingerprint). */
        ASKR,
        /** Header keys: (responder→initiator, initiator→responder). */
        ASKH,
        /** Key-exchange keys: (responder→initiator, initiator→responder). */
        ASKK;

        byte[] label() {
            return switch (this) {
                case ASKR -> ZsspConstants.labelAskr();
                case ASKH -> ZsspConstants.labelAskh();
                case ASKK -> ZsspConstants.labelAskk();
            };
        }
    }

    private static final int H = Kbkdf.HASH_LEN;

    private final byte[] ck = new byte[H];
    private final byte[] h = new byte[H];
    private final byte[] k = new byte[AesGcm.KEY_SIZE];
    /** KBKDF output blocks, reused between calls. */
    private final byte[][] blocks = {new byte[H], new byte[H], new byte[H]};

    private SymmetricState() {}

    /** {@code Initialize(name)}: {@code ck = h = name}, {@code k = 0}. */
    public static SymmetricState initialize(Protocol protocol) {
        SymmetricState s = new SymmetricState();
        byte[] name = protocol == Protocol.XK ? ZsspConstants.xkName() : ZsspConstants.kkName();
        System.arraycopy(name, 0, s.ck, 0, H);
        System.arraycopy(name, 0, s.h, 0, H);
        return s;
    }

    /** An independent copy of this state. */
    public SymmetricState copy() {
        SymmetricState s = new SymmetricState();
        System.arraycopy(ck, 0, s.ck, 0, H);
        System.arraycopy(h, 0, s.h, 0, H);
        System.arraycopy(k, 0, s.k, 0, k.length);
        return s;
    }

    /** {@code MixHash(d)}: {@code h = SHA-512(h ‖ d)}. */
    public void mixHash(byte[] d, int off, int len) {
        MessageDigest md = Sha512.begin();
        md.update(h);
        md.update(d, off, len);
        Sha512.finish(md, h, 0);
    }

    public void mixHash(byte[] d) {
        mixHash(d, 0, d.length);
    }

    /** {@code MixKey(ikm)}: {@code (ck, t) = KBKDF(ikm, "ZSSP", ck, 2)}, {@code k = t[0..32)}. */
    public void mixKey(byte[] ikm) {
        byte[][] out = twoBlocks();
        Kbkdf.derive(ikm, ZsspConstants.labelZssp(), ck, out);
        System.arraycopy(out[0], 0, ck, 0, H);
        System.arraycopy(out[1], 0, k, 0, k.length);
        wipeBlocks();
    }

    /**
     * {@code MixKeyAndHash(ikm)}: {@code (ck, th, t) = KBKDF(ikm, "ZSSP", ck, 3)}; {@code MixHash(th)};
     * {@code k = t[0..32)}.
     */
    public void mixKeyAndHash(byte[] ikm) {
        Kbkdf.derive(ikm, ZsspConstants.labelZssp(), ck, blocks);
        System.arraycopy(blocks[0], 0, ck, 0, H);
        mixHash(blocks[1], 0, H);
        System.arraycopy(blocks[2], 0, k, 0, k.length);
        wipeBlocks();
    }

    /**
     * {@code EncryptAndHash(N(type, counter), p)} with {@code AAD = h}, then {@code MixHash(ct ‖ tag)}.
     *
     * @return bytes written to {@code out} ({@code len + 16})
     */
    public int encryptAndHash(int type, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        AesGcm aead = new AesGcm(k);
        int n = aead.seal(type, counter, h, in, inOff, len, out, outOff);
        aead.destroy();
        mixHash(out, outOff, n);
        return n;
    }

    /** Convenience form returning {@code ct ‖ tag}. */
    public byte[] encryptAndHash(int type, long counter, byte[] plaintext) {
        byte[] out = new byte[plaintext.length + AesGcm.TAG_SIZE];
        encryptAndHash(type, counter, plaintext, 0, plaintext.length, out, 0);
        return out;
    }

    /**
     * {@code DecryptAndHash(N(type, counter), ct ‖ tag)}: verifies with {@code AAD = h} (before the
     * update), writes the plaintext to {@code out}, and on success sets {@code h = SHA-512(h ‖ ct ‖ tag)}.
     * On failure the state is unchanged and {@code false} is returned (never throws for bad input).
     */
    public boolean decryptAndHash(int type, long counter, byte[] in, int inOff, int lenWithTag, byte[] out, int outOff) {
        if (lenWithTag < AesGcm.TAG_SIZE) return false;
        // Hash the ciphertext before decrypting: in and out may be the same range.
        byte[] next = new byte[H];
        MessageDigest md = Sha512.begin();
        md.update(h);
        md.update(in, inOff, lenWithTag);
        Sha512.finish(md, next, 0);
        AesGcm aead = new AesGcm(k);
        boolean ok = aead.open(type, counter, h, in, inOff, lenWithTag, out, outOff);
        aead.destroy();
        if (ok) System.arraycopy(next, 0, h, 0, H);
        return ok;
    }

    /** Convenience form; returns the plaintext or {@code null} if authentication failed. */
    public byte[] decryptAndHash(int type, long counter, byte[] in, int inOff, int lenWithTag) {
        if (lenWithTag < AesGcm.TAG_SIZE) return null;
        byte[] out = new byte[lenWithTag - AesGcm.TAG_SIZE];
        return decryptAndHash(type, counter, in, inOff, lenWithTag, out, 0) ? out : null;
    }

    /**
     * {@code GetAsk(label)} = {@code KBKDF(h, label, ck, 2)} truncated to two 32-byte keys (HMAC key
     * is {@code h}, context is {@code ck}); the state is unchanged.
     */
    public byte[][] getAsk(Ask ask) {
        return truncatedPair(h, ask.label());
    }

    /** {@code Split()} = {@code KBKDF(empty, "ZSSP", ck, 2)} → two 32-byte keys (out1 = responder→initiator). */
    public byte[][] split() {
        return truncatedPair(new byte[0], ZsspConstants.labelZssp());
    }

    private byte[][] truncatedPair(byte[] key, byte[] label) {
        byte[][] out = twoBlocks();
        Kbkdf.derive(key, label, ck, out);
        byte[][] keys = {Arrays.copyOf(out[0], 32), Arrays.copyOf(out[1], 32)};
        wipeBlocks();
        return keys;
    }

    /** The current handshake hash (a copy), e.g. for tests and channel binding. */
    public byte[] handshakeHash() {
        return h.clone();
    }

    /** The current chaining key (a copy); for tests. */
    byte[] chainingKey() {
        return ck.clone();
    }

    /** The current cipher key (a copy); for tests. */
    byte[] cipherKey() {
        return k.clone();
    }

    /** Wipes ck, h and k. The instance must not be used afterwards. */
    public void destroy() {
        Secrets.wipe(ck, h, k);
        wipeBlocks();
    }

    @Override
    public String toString() {
        return "SymmetricState[secrets hidden]";
    }

    private byte[][] twoBlocks() {
        return new byte[][] {blocks[0], blocks[1]};
    }

    private void wipeBlocks() {
        Secrets.wipe(blocks[0], blocks[1], blocks[2]);
    }
}

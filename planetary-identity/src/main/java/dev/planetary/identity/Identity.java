package dev.planetary.identity;

import dev.planetary.identity.internal.AddressPow;
import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.crypto.P384PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A node's public identity (spec §2.2): type 0x01, the ECDH key K_dh (the ZSSP static key), the
 * ECDSA key K_sig, and the self-signature binding them (spec §2.3); 195 bytes on the wire.
 *
 * <p>{@link #decode} checks structure only (length, type, both points valid): cheap, for any
 * input. Before an identity is stored or trusted, its self-signature is checked
 * ({@link #selfSignatureValid()}, once per fingerprint via {@link IdentityVerifier}); its address
 * comes from the proof of work ({@link #deriveAddress()}). Immutable.
 */
public final class Identity {
    public static final int TYPE_P384 = 0x01;
    public static final int PUBLIC_KEY_BYTES = 99;
    public static final int SIZE = 195;
    public static final int SIGNATURE_SIZE = 96;
    static final byte[] SELFSIG_CONTEXT = "planetary-identity-type1-selfsig".getBytes(StandardCharsets.US_ASCII);

    private final byte[] encoded; // 195 bytes
    private final Fingerprint fingerprint;

    private Identity(byte[] encoded) {
        this.encoded = encoded;
        this.fingerprint = Fingerprint.of(Ecdsa384.sha384(encoded, 0, PUBLIC_KEY_BYTES));
    }

    /** Decodes exactly 195 bytes (copied): length, type, both points. The self-signature is not checked here. */
    public static Decoded<Identity> decode(byte[] b) {
        return b == null ? Decoded.invalid(Rejection.LENGTH, "no bytes") : decode(b, 0, b.length);
    }

    /** Decodes {@code b[off, off+len)}, which must be exactly one identity. Never throws on bad input. */
    public static Decoded<Identity> decode(byte[] b, int off, int len) {
        if (b == null || off < 0 || len < 0 || off > b.length - len) return Decoded.invalid(Rejection.LENGTH, "range outside the buffer");
        if (len != SIZE) return Decoded.invalid(Rejection.LENGTH, "an identity is 195 bytes, got " + len);
        if ((b[off] & 0xFF) != TYPE_P384) return Decoded.invalid(Rejection.TYPE, "identity type " + (b[off] & 0xFF) + " is not 1 (P-384 pair)");
        if (P384PublicKey.decode(b, off + 1) == null) return Decoded.invalid(Rejection.BAD_POINT, "K_dh is not a P-384 point");
        if (P384PublicKey.decode(b, off + 50) == null) return Decoded.invalid(Rejection.BAD_POINT, "K_sig is not a P-384 point");
        return Decoded.ok(new Identity(Arrays.copyOfRange(b, off, off + SIZE)));
    }

    /** Builds the identity from its keys and self-signature (used by {@link SecretIdentity}). */
    static Identity assemble(byte[] kDh, byte[] kSig, byte[] selfSig) {
        byte[] e = new byte[SIZE];
        e[0] = TYPE_P384;
        System.arraycopy(kDh, 0, e, 1, 49);
        System.arraycopy(kSig, 0, e, 50, 49);
        System.arraycopy(selfSig, 0, e, 99, 96);
        return new Identity(e);
    }

    /** The self-signature message: K_dh ‖ K_sig ‖ "planetary-identity-type1-selfsig" (spec §2.3). */
    static byte[] selfSignatureMessage(byte[] kDh, int dhOff, byte[] kSig, int sigOff) {
        byte[] m = new byte[98 + SELFSIG_CONTEXT.length];
        System.arraycopy(kDh, dhOff, m, 0, 49);
        System.arraycopy(kSig, sigOff, m, 49, 49);
        System.arraycopy(SELFSIG_CONTEXT, 0, m, 98, SELFSIG_CONTEXT.length);
        return m;
    }

    /** Verifies the self-signature (one ECDSA verification, uncached; see {@link IdentityVerifier}). */
    public boolean selfSignatureValid() {
        byte[] m = selfSignatureMessage(encoded, 1, encoded, 50);
        return verifySignature(m, 0, m.length, encoded, 99);
    }

    /**
     * Evaluates the proof of work (one Argon2id evaluation, ≈ 8 MiB, uncached; see
     * {@link IdentityVerifier}): the derived address, or why there is none.
     */
    public Decoded<Address> deriveAddress() {
        byte[] w = AddressPow.evaluate(fingerprint.toBytes());
        if (!AddressPow.accepted(w)) return Decoded.invalid(Rejection.PROOF_OF_WORK, "w[0] >= 4");
        long a = AddressPow.address(w);
        if (!Address.isValid(a)) return Decoded.invalid(Rejection.RESERVED_ADDRESS, "derived address is reserved");
        return Decoded.ok(new Address(a));
    }

    public Fingerprint fingerprint() {
        return fingerprint;
    }

    /** The 195 bytes (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    public void writeTo(byte[] out, int off) {
        System.arraycopy(encoded, 0, out, off, SIZE);
    }

    /** The 99 public key bytes 0x01 ‖ K_dh ‖ K_sig (a copy). */
    public byte[] publicKeyBytes() {
        return Arrays.copyOf(encoded, PUBLIC_KEY_BYTES);
    }

    /** K_dh, compressed (49 bytes, a copy). */
    public byte[] dhKey() {
        return Arrays.copyOfRange(encoded, 1, 50);
    }

    /** K_dh as the ZSSP static public key. */
    public StaticPublicKey staticPublicKey() {
        return StaticPublicKey.fromBytes(dhKey());
    }

    /** K_sig, compressed (49 bytes, a copy). */
    public byte[] signingKey() {
        return Arrays.copyOfRange(encoded, 50, 99);
    }

    /** The self-signature r ‖ s (96 bytes, a copy). */
    public byte[] selfSignature() {
        return Arrays.copyOfRange(encoded, 99, SIZE);
    }

    /** Verifies an ECDSA P-384/SHA-384 P1363 signature by this identity's K_sig over {@code message[off, off+len)}. */
    public boolean verifySignature(byte[] message, int off, int len, byte[] signature, int sigOff) {
        // K_sig for the JDK verifier is rebuilt per call, not kept: a JDK EC public key is ≈ 0.6 KB
        // and a root holds 10^5 identities that verify once (docs/architecture.md, "Memory per
        // session"); the point decompression is small beside the verification itself.
        java.security.PublicKey k = Ecdsa384.jdkPublicKey(encoded, 50);
        if (k == null) return false; // cannot happen: decode checked the point
        return Ecdsa384.verify(k, message, off, len, signature, sigOff);
    }

    /** Same identity iff same fingerprint (spec §2.2; the self-signature bytes may differ). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Identity i && fingerprint.equals(i.fingerprint);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "Identity[" + fingerprint.toShortString() + "]";
    }
}

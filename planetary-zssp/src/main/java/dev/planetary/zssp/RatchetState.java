package dev.planetary.zssp;

import dev.planetary.zssp.crypto.RatchetKdf;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.ZsspConstants;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One ratchet state (spec §8.1): the 32-byte ratchet key used as the handshake PSK, its 32-byte
 * fingerprint, and the chain length. Immutable. Two states are equal when their fingerprints
 * (compared in constant time) and chain lengths are equal; keys are never compared.
 */
public final class RatchetState {
    /** The empty state: zero key, zero fingerprint, chain length 0. */
    public static final RatchetState EMPTY = new RatchetState(new byte[32], new byte[32], 0);

    private final byte[] key;
    private final byte[] fingerprint;
    private final long chainLength;

    /** Copies both arrays (32 bytes each). */
    public RatchetState(byte[] key, byte[] fingerprint, long chainLength) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (key.length != ZsspConstants.RATCHET_SIZE) throw new IllegalArgumentException("ratchet key must be 32 bytes, got " + key.length);
        if (fingerprint.length != ZsspConstants.RATCHET_SIZE) {
            throw new IllegalArgumentException("ratchet fingerprint must be 32 bytes, got " + fingerprint.length);
        }
        if (chainLength < 0) throw new IllegalArgumentException("chain length must not be negative, got " + chainLength);
        this.key = key.clone();
        this.fingerprint = fingerprint.clone();
        this.chainLength = chainLength;
    }

    /**
     * The initial state both peers derive from a shared one-time password of at least 256 bits of
     * entropy (spec §8.2). Store {@code (fromOtp(otp), none)} for the peer on both sides.
     */
    public static RatchetState fromOtp(byte[] otp) {
        Objects.requireNonNull(otp, "otp");
        if (otp.length < 32) throw new IllegalArgumentException("a one-time password needs at least 32 bytes (256 bits), got " + otp.length);
        byte[][] kf = RatchetKdf.fromOtp(otp);
        RatchetState s = new RatchetState(kf[0], kf[1], 1);
        Secrets.wipe(kf[0], kf[1]);
        return s;
    }

    /** A copy of the ratchet key (secret: store it safely, never log it). */
    public byte[] key() {
        return key.clone();
    }

    /** A copy of the fingerprint (public: sent in Hellos, used as the store's lookup key). */
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    public long chainLength() {
        return chainLength;
    }

    /** True for the empty state (all-zero fingerprint). */
    public boolean isEmpty() {
        return Secrets.isZero(fingerprint);
    }

    byte[] keyShared() {
        return key;
    }

    byte[] fingerprintShared() {
        return fingerprint;
    }

    /** §8.1 equality; {@code null} (no state) equals only {@code null}. */
    static boolean same(RatchetState a, RatchetState b) {
        if (a == null || b == null) return a == b;
        return a.equals(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RatchetState r && chainLength == r.chainLength && Secrets.equal(fingerprint, r.fingerprint);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fingerprint) * 31 + Long.hashCode(chainLength);
    }

    @Override
    public String toString() {
        return isEmpty() ? "RatchetState[empty]"
                : "RatchetState[fingerprint=" + HexFormat.of().formatHex(fingerprint, 0, 8) + "…, chain=" + chainLength + "]";
    }
}

package dev.planetary.zssp.crypto;

import java.util.Arrays;

/** Derivations of ratchet material outside a handshake. */
public final class RatchetKdf {
    private RatchetKdf() {}

    /**
     * One-time password → initial ratchet (spec §8.2): KBKDF with the 19-byte label
     * {@code ZSSP_OTP_TO_RATCHET} and an empty context, two blocks; returns
     * {@code (key = o1[0..32), fingerprint = o2[0..32))}.
     */
    public static byte[][] fromOtp(byte[] otp) {
        byte[][] out = Kbkdf.derive(otp, ZsspConstants.labelOtp(), new byte[0], 2);
        byte[][] r = {Arrays.copyOf(out[0], 32), Arrays.copyOf(out[1], 32)};
        Secrets.wipe(out[0], out[1]);
        return r;
    }
}

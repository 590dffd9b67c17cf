package dev.planetary.zssp.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Every constant of the ZSSP specification (§3), in one place. */
public final class ZsspConstants {
    private ZsspConstants() {}

    // §3.1 Protocol names: 64 bytes, zero padded, used directly as the initial ck and h.
    public static final String XK_NAME_TEXT = "Noise_XKhfs+psk2_P384+Kyber1024_AESGCM_SHA512";
    public static final String KK_NAME_TEXT = "Noise_KKpsk0_P384_AESGCM_SHA512";
    private static final byte[] XK_NAME = padded(XK_NAME_TEXT);
    private static final byte[] KK_NAME = padded(KK_NAME_TEXT);

    // §3.2 KDF labels.
    private static final byte[] LABEL_ZSSP = ascii("ZSSP");
    private static final byte[] LABEL_ASKR = ascii("ASKR");
    private static final byte[] LABEL_ASKH = ascii("ASKH");
    private static final byte[] LABEL_ASKK = ascii("ASKK");
    private static final byte[] LABEL_OTP = ascii("ZSSP_OTP_TO_RATCHET");

    // §3.3 Sizes.
    public static final int KID_SIZE = 4;
    public static final int P384_PUBLIC_SIZE = 49;
    public static final int P384_SHARED_SIZE = 48;
    public static final int KYBER_PUBLIC_SIZE = 1568;
    public static final int KYBER_CIPHERTEXT_SIZE = 1568;
    public static final int KYBER_SHARED_SIZE = 32;
    public static final int TAG_SIZE = AesGcm.TAG_SIZE;
    public static final int HASH_SIZE = 64;
    public static final int RATCHET_SIZE = 32;
    public static final int CHALLENGE_BODY_SIZE = 32;
    public static final int ZCP_SALT_SIZE = 32;
    public static final int HEADER_SIZE = 16;
    public static final int PACKET_NONCE_SIZE = 10;
    public static final int MIN_PACKET_SIZE = HEADER_SIZE + TAG_SIZE;
    public static final int HELLO_NOISE_SIZE = 1717;
    public static final int HELLO_SIZE = HELLO_NOISE_SIZE + CHALLENGE_BODY_SIZE;
    public static final int RESPONSE_SIZE = 1653;
    public static final int COMPLETION_MIN_SIZE = 81;
    public static final int KEY_CONFIRM_SIZE = TAG_SIZE;
    public static final int REKEY_SIZE = 85;
    public static final int REKEY_INNER_SIZE = 69;
    public static final int CHALLENGE_PACKET_SIZE = KID_SIZE + CHALLENGE_BODY_SIZE;

    // §3.4 Limits and windows.
    public static final int MIN_TRANSPORT_MTU = 128;
    public static final int MAX_FRAGMENTS = 48;
    public static final int IDENTITY_MAX_SIZE = 4096;
    public static final int COMPLETION_MAX_SIZE = COMPLETION_MIN_SIZE + IDENTITY_MAX_SIZE;
    public static final int REPLAY_WINDOW = 128;
    public static final long MAX_COUNTER_SKIP = 1L << 24;
    /**
     * ZCP replay window (§9.3; the reference has 32 slots). Bob-only, invisible on the wire: an honest
     * Alice answers with her next 1-s Hello resend, so her counter must stay fresh while the root issues
     * and accepts the challenges of a flood meanwhile; with 32, a flood answering 32 later counters first
     * made her answer stale on every resend (RootFloodSimTest, seed 55). 8 KiB per context.
     */
    public static final int ZCP_WINDOW = 1024;
    public static final int ZCP_DIFFICULTY = 13;
    public static final long REKEY_AFTER_KEY_USES = 1L << 30;
    public static final long HARD_KEY_USE_LIMIT = (1L << 32) - 1;

    // §3.5 Timer defaults (ms).
    public static final long INITIAL_OFFER_TIMEOUT = 10_000;
    public static final long REKEY_TIMEOUT = 60_000;
    public static final long REKEY_AFTER_TIME = 3_600_000;
    public static final long REKEY_TIME_MAX_JITTER = 600_000;
    public static final long RESEND_TIME = 1_000;
    public static final long FRAGMENT_ASSEMBLY_TIMEOUT = 5_000;

    // §4.1 Packet types.
    public static final int TYPE_HELLO = 0;
    public static final int TYPE_RESPONSE = 1;
    public static final int TYPE_COMPLETION = 2;
    public static final int TYPE_KEY_CONFIRM = 3;
    public static final int TYPE_ACK = 4;
    public static final int TYPE_REKEY_INIT = 5;
    public static final int TYPE_REKEY_COMPLETE = 6;
    public static final int TYPE_SESSION_REJECTED = 7;
    public static final int TYPE_DATA = 8;
    public static final int TYPE_CHALLENGE = 9;

    // Package-private, never handed out: callers go through SymmetricState and RatchetKdf.
    static byte[] xkName() { return XK_NAME; }
    static byte[] kkName() { return KK_NAME; }
    static byte[] labelZssp() { return LABEL_ZSSP; }
    static byte[] labelAskr() { return LABEL_ASKR; }
    static byte[] labelAskh() { return LABEL_ASKH; }
    static byte[] labelAskk() { return LABEL_ASKK; }
    static byte[] labelOtp() { return LABEL_OTP; }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] padded(String s) {
        return Arrays.copyOf(ascii(s), HASH_SIZE);
    }
}

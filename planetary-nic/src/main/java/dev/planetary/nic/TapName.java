package dev.planetary.nic;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** VL.md §12.2: the TAP device name of a network, {@code "pt"} + 8 base32 characters. */
public final class TapName {
    /** Linux interface names hold at most 15 characters (IFNAMSIZ 16 with the NUL). */
    public static final int MAX_LENGTH = 15;

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

    private TapName() {
    }

    /** {@code "pt"} + the first 8 lowercase RFC 4648 base32 characters of SHA-384(nwid, big-endian). */
    public static String of(NetworkId nwid) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-384").digest(nwid.toBytes());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-384", e);
        }
        long first40 = 0;
        for (int i = 0; i < 5; i++) { // 8 base32 characters are exactly the first 40 bits
            first40 = first40 << 8 | (h[i] & 0xff);
        }
        StringBuilder sb = new StringBuilder("pt");
        for (int i = 0; i < 8; i++) {
            sb.append(BASE32.charAt((int) (first40 >>> (35 - 5 * i)) & 31));
        }
        return sb.toString();
    }

    /** Checks a local {@code tapName} override: 1..15 characters of [A-Za-z0-9_.-]. */
    public static String check(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH
                || !name.matches("[A-Za-z0-9_.-]+") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("an interface name is 1 to 15 characters of letters, digits, '_', '.', '-'");
        }
        return name;
    }
}

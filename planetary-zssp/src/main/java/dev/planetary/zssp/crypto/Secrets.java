package dev.planetary.zssp.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/** Handling of secret byte arrays: constant-time comparison and wiping. */
public final class Secrets {
    private Secrets() {}

    /** Constant-time equality of two arrays (time depends only on the lengths). */
    public static boolean equal(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** Constant-time equality of {@code a[aOff, aOff+len)} and {@code b[bOff, bOff+len)}. */
    public static boolean equal(byte[] a, int aOff, byte[] b, int bOff, int len) {
        int diff = 0;
        for (int i = 0; i < len; i++) diff |= a[aOff + i] ^ b[bOff + i];
        return diff == 0;
    }

    /** Constant-time test that {@code a[off, off+len)} is all zero. */
    public static boolean isZero(byte[] a, int off, int len) {
        int acc = 0;
        for (int i = 0; i < len; i++) acc |= a[off + i];
        return acc == 0;
    }

    /** Constant-time test that {@code a} is all zero. */
    public static boolean isZero(byte[] a) {
        return isZero(a, 0, a.length);
    }

    /** Overwrites each given array with zeros; {@code null}s are ignored. */
    public static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) if (a != null) Arrays.fill(a, (byte) 0);
    }
}

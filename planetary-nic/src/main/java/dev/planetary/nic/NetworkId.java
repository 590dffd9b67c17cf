package dev.planetary.nic;

import java.util.HexFormat;

/**
 * A VL2 network id (VL.md §7.1): a u64 whose high 40 bits are the controller's address and whose low
 * 24 bits are the network number. Text form: 16 lowercase hex digits.
 */
public record NetworkId(long value) {
    /** Node addresses are 40 bits (VL.md §2.4). */
    public static final long ADDRESS_MASK = 0xff_ffff_ffffL;

    /** Parses 16 hex digits, e.g. {@code 8056c2e21c000001}. */
    public static NetworkId parse(String hex) {
        if (hex == null || hex.length() != 16) {
            throw new IllegalArgumentException("a network id is 16 hex digits, got " + describe(hex));
        }
        try {
            return new NetworkId(HexFormat.fromHexDigitsToLong(hex));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a network id is 16 hex digits, got " + describe(hex));
        }
    }

    /** The network {@code number} (24 bits) of the controller {@code controllerAddress} (40 bits). */
    public static NetworkId of(long controllerAddress, int number) {
        checkAddress(controllerAddress);
        if ((number & ~0xffffff) != 0) {
            throw new IllegalArgumentException("a network number is 24 bits, got " + number);
        }
        return new NetworkId(controllerAddress << 24 | number);
    }

    /** The controller's 40-bit address (§7.1: {@code X >> 24}). */
    public long controllerAddress() {
        return value >>> 24;
    }

    /** The 24-bit network number. */
    public int networkNumber() {
        return (int) (value & 0xffffff);
    }

    /** The 8 big-endian bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (value >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(value);
    }

    /** Parses a 10-hex-digit node address. */
    public static long parseAddress(String hex) {
        if (hex == null || hex.length() != 10) {
            throw new IllegalArgumentException("a node address is 10 hex digits, got " + describe(hex));
        }
        try {
            return HexFormat.fromHexDigitsToLong(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a node address is 10 hex digits, got " + describe(hex));
        }
    }

    static void checkAddress(long address) {
        if ((address & ~ADDRESS_MASK) != 0) {
            throw new IllegalArgumentException("a node address is 40 bits, got " + Long.toHexString(address));
        }
    }

    private static String describe(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "\"" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}

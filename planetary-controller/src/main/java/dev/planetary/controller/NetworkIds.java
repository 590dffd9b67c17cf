package dev.planetary.controller;

import dev.planetary.identity.Address;

/** Network ids (VL.md §7.1): high 40 bits the controller's address, low 24 bits a network number. */
public final class NetworkIds {
    public static final int NUMBER_BITS = 24;
    public static final long NUMBER_MASK = (1L << NUMBER_BITS) - 1;

    private NetworkIds() {}

    public static long of(Address controller, long number) {
        if (number < 0 || number > NUMBER_MASK) throw new IllegalArgumentException("a network number is 24 bits, not " + number);
        return (controller.value() << NUMBER_BITS) | number;
    }

    public static long controllerAddress(long nwid) {
        return nwid >>> NUMBER_BITS;
    }

    /** 16 lowercase hex digits. */
    public static String format(long nwid) {
        return String.format("%016x", nwid);
    }

    /** Parses 16 hex digits (either case, as ZeroTier's scripts send them); empty if malformed. */
    public static java.util.OptionalLong parse(String text) {
        if (text == null || text.length() != 16) return java.util.OptionalLong.empty();
        long v = 0;
        for (int i = 0; i < 16; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) return java.util.OptionalLong.empty();
            v = (v << 4) | d;
        }
        return java.util.OptionalLong.of(v);
    }
}

package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.nic.NetworkId;
import java.util.OptionalLong;

/** Network ids as longs (VL.md §7.1), over {@link NetworkId}: high 40 bits the controller's address, low 24 bits a number. */
public final class NetworkIds {
    public static final long NUMBER_MASK = 0xFF_FFFFL;

    private NetworkIds() {}

    public static long of(Address controller, long number) {
        return NetworkId.of(controller.value(), (int) number).value();
    }

    public static long controllerAddress(long nwid) {
        return new NetworkId(nwid).controllerAddress();
    }

    /** 16 lowercase hex digits. */
    public static String format(long nwid) {
        return new NetworkId(nwid).toString();
    }

    /** Parses 16 hex digits (either case, as ZeroTier's scripts send them); empty if malformed. */
    public static OptionalLong parse(String text) {
        try {
            return OptionalLong.of(NetworkId.parse(text).value());
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
    }
}

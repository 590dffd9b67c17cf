package dev.planetary.nic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which {@link VirtualNic} a node gives its networks (VL.md §12.1, §12.7): a Linux TAP, or the
 * in-process userspace NIC ({@code --nic userspace}). A node defaults to {@link #TAP} when it can
 * create one; {@link #detect} says why not otherwise, naming the way out.
 */
public enum NicMode {
    TAP,
    USERSPACE;

    /** Linux capability number of CAP_NET_ADMIN. */
    static final int CAP_NET_ADMIN = 12;

    /** Parses {@code tap} or {@code userspace} (the {@code --nic} values). */
    public static NicMode parse(String text) {
        for (NicMode m : values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("--nic is tap or userspace, got " + (text == null ? "nothing" : "'" + text.replaceAll("[^\\x20-\\x7e]", "?") + "'"));
    }

    /**
     * A NIC of this mode for {@code config}, configured (§12.3): a TAP named {@code tapName} (§12.2,
     * e.g. {@link TapName#of}) in the calling thread's network namespace, or a userspace NIC (§12.7).
     *
     * @throws NicException when the TAP cannot be created or configured (the member reports PORT_ERROR, §7.2)
     */
    public VirtualNic open(PortConfig config, String tapName) {
        if (this == USERSPACE) {
            return config.userspaceNic();
        }
        Tap tap = Tap.open(tapName);
        try {
            config.applyTo(tap, new LinkConfigurator(null));
            return tap;
        } catch (RuntimeException e) {
            tap.close();
            throw e;
        }
    }

    /** The value {@code --nic} takes. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The default of a node: {@link #TAP} when {@code /dev/net/tun} exists and the process holds
     * CAP_NET_ADMIN (§12.6).
     *
     * @throws NicException naming what is missing and the fixes: {@code --nic userspace}, root, the service capability
     */
    public static NicMode detect() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            status = "";
        }
        String missing = tapMissing(Files.exists(Path.of("/dev/net/tun")), status);
        if (missing != null) {
            throw new NicException("cannot create TAP devices: " + missing + "; pass --nic userspace for an in-process NIC"
                    + " (no kernel interface), or " + Tap.PRIVILEGE_HINT, 0);
        }
        return TAP;
    }

    /** What keeps a TAP from being created, or null; {@code procStatus}: the text of /proc/self/status. */
    static String tapMissing(boolean tunExists, String procStatus) {
        if (!tunExists) {
            return "/dev/net/tun does not exist (load the tun module, or give the container the device)";
        }
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("CapEff:")) {
                try {
                    long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
                    return (caps >>> CAP_NET_ADMIN & 1) != 0 ? null : "this process lacks CAP_NET_ADMIN";
                } catch (NumberFormatException e) {
                    return "cannot read the capabilities in /proc/self/status";
                }
            }
        }
        return "cannot read the capabilities in /proc/self/status";
    }
}

package dev.planetary.nic;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The multicast groups the kernel joined on a device (VL.md §12.5), from {@code /proc/net/dev_mcast}
 * of the reading thread's network namespace: one line per (device, link-layer address), {@code
 * ifindex name refcount global_use address(12 hex)}. Bounded: at most {@link #MAX_FILE_BYTES} are
 * read and {@link #MAX_GROUPS} groups kept per device; malformed lines are skipped.
 */
public final class KernelMulticast {
    /** The calling thread's namespace's (/proc/net would be the process's, not the one a thread entered with setns). */
    public static final Path DEV_MCAST = Path.of("/proc/thread-self/net/dev_mcast");
    /** Groups kept per device (a member LIKEs at most this many of its kernel's own). */
    public static final int MAX_GROUPS = 256;
    static final int MAX_FILE_BYTES = 1 << 20;

    private KernelMulticast() {}

    /** The multicast MACs {@code device} has joined according to {@code devMcast} (the file's text); broadcast and unicast lines are ignored. */
    public static Set<MacAddress> parse(String devMcast, String device) {
        Set<MacAddress> out = new LinkedHashSet<>();
        for (String line : devMcast.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 5 || !f[1].equals(device) || f[4].length() != 12 || !f[4].matches("[0-9a-fA-F]{12}")) continue;
            MacAddress mac = MacAddress.fromBytes(HexFormat.of().parseHex(f[4]), 0);
            if (!mac.isMulticast() || mac.equals(MacAddress.BROADCAST)) continue;
            out.add(mac);
            if (out.size() == MAX_GROUPS) break;
        }
        return out;
    }

    /** {@link #parse} of the calling thread's namespace's {@code dev_mcast}; empty when it cannot be read (not Linux). */
    public static Set<MacAddress> read(String device) {
        return read(DEV_MCAST, device);
    }

    static Set<MacAddress> read(Path file, String device) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(new String(in.readNBytes(MAX_FILE_BYTES), StandardCharsets.US_ASCII), device);
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }
}

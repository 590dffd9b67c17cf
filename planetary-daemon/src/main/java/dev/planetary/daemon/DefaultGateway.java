package dev.planetary.daemon;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The IPv4 default gateway from {@code /proc/net/route} (VL.md §5.9), the port mapping server's address. */
final class DefaultGateway {
    static final Path PROC_NET_ROUTE = Path.of("/proc/net/route");
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;
    private static final int MAX_FILE = 256 * 1024;

    private DefaultGateway() {}

    /** The gateway of this host's first default route, if it has one. */
    static Optional<Inet4Address> find() {
        try {
            byte[] b = Files.readAllBytes(PROC_NET_ROUTE);
            return b.length > MAX_FILE ? Optional.empty() : parse(new String(b, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty(); // not Linux, or no procfs
        }
    }

    /**
     * Parses the table: columns Iface, Destination, Gateway, Flags, ...; addresses are 8 hex digits in
     * host (little-endian) byte order. The first up route with destination and mask 0 and the gateway flag wins.
     */
    static Optional<Inet4Address> parse(String table) {
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) { // line 0 is the header
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 8 || !f[1].equals("00000000") || !f[7].equals("00000000")) continue;
            try {
                int flags = Integer.parseInt(f[3], 16);
                if ((flags & (RTF_UP | RTF_GATEWAY)) != (RTF_UP | RTF_GATEWAY) || f[2].length() != 8) continue;
                int le = Integer.parseUnsignedInt(f[2], 16);
                byte[] a = {(byte) le, (byte) (le >>> 8), (byte) (le >>> 16), (byte) (le >>> 24)};
                InetAddress g = InetAddress.getByAddress(a);
                if (g instanceof Inet4Address v4 && !v4.isAnyLocalAddress()) return Optional.of(v4);
            } catch (NumberFormatException | UnknownHostException e) {
                // a malformed line: skip it
            }
        }
        return Optional.empty();
    }
}

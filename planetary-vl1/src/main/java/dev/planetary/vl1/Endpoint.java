package dev.planetary.vl1;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A transport endpoint on the wire (§0): {@code u8 type ‖ u8 L ‖ L bytes}.
 *
 * <ul>
 *   <li>{@code 0x00} none, L = 0 ({@link None});
 *   <li>{@code 0x04} IPv4/UDP, L = 6: address ‖ u16 port; {@code 0x06} IPv6/UDP, L = 18 ({@link Udp});
 *   <li>any other type, including the reserved TCP types {@code 0x84}/{@code 0x86}: skipped using L
 *       and kept as {@link Unknown} so a re-encoding is byte-identical (forward compatibility).
 * </ul>
 * A known type with the wrong L makes the whole message invalid. Text form (§2.9): {@code 1.2.3.4/9993},
 * {@code [2001:db8::1]/9993}.
 */
public sealed interface Endpoint permits Endpoint.None, Endpoint.Udp, Endpoint.Unknown {

    int TYPE_NONE = 0x00;
    int TYPE_IPV4_UDP = 0x04;
    int TYPE_IPV6_UDP = 0x06;
    /** Reserved for the TCP fallback (§18); decoded as {@link Unknown}. */
    int TYPE_IPV4_TCP = 0x84;
    int TYPE_IPV6_TCP = 0x86;

    /** The type byte. */
    int type();

    /** Bytes on the wire: 2 + L. */
    int encodedLength();

    /** "No endpoint" (e.g. the observed endpoint of a relayed path, §3.7). */
    None NONE = new None();

    /** Type {@code 0x00}. */
    record None() implements Endpoint {
        @Override
        public int type() {
            return TYPE_NONE;
        }

        @Override
        public int encodedLength() {
            return 2;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    /**
     * An IPv4 ({@code 0x04}) or IPv6 ({@code 0x06}) UDP endpoint; the type follows the address length.
     * IPv4-mapped IPv6 addresses stay IPv6 (16 bytes).
     */
    final class Udp implements Endpoint {
        final byte[] ip;
        private final int port;

        private Udp(byte[] ip, int port) {
            if (ip.length != 4 && ip.length != 16) throw new IllegalArgumentException("an IP address is 4 or 16 bytes, got " + ip.length);
            if (port < 0 || port > 0xffff) throw new IllegalArgumentException("port " + port + " is outside 0..65535");
            this.ip = ip;
            this.port = port;
        }

        /** A copy of a 4- or 16-byte address and a port. */
        public static Udp of(byte[] ip, int port) {
            return new Udp(ip.clone(), port);
        }

        public static Udp of(InetSocketAddress a) {
            if (a.isUnresolved()) throw new IllegalArgumentException("unresolved socket address " + a.getHostString());
            return new Udp(a.getAddress().getAddress(), a.getPort());
        }

        public boolean isIpv4() {
            return ip.length == 4;
        }

        public byte[] ip() {
            return ip.clone();
        }

        public int port() {
            return port;
        }

        public InetSocketAddress toSocketAddress() {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("unreachable: 4 or 16 bytes", e);
            }
        }

        @Override
        public int type() {
            return ip.length == 4 ? TYPE_IPV4_UDP : TYPE_IPV6_UDP;
        }

        @Override
        public int encodedLength() {
            return 2 + ip.length + 2;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Udp u && u.port == port && Arrays.equals(u.ip, ip);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(ip) * 31 + port;
        }

        /** §2.9 text: {@code 1.2.3.4/9993} or {@code [2001:db8::1]/9993} (RFC 5952 form). */
        @Override
        public String toString() {
            return ip.length == 4 ? dotted(ip, 0) + "/" + port : "[" + ipv6Text(ip) + "]/" + port;
        }

        private static String dotted(byte[] b, int off) {
            return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
        }

        /** RFC 5952: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as "::", IPv4-mapped as ::ffff:a.b.c.d. */
        static String ipv6Text(byte[] ip) {
            int[] g = new int[8];
            for (int i = 0; i < 8; i++) g[i] = ((ip[2 * i] & 0xff) << 8) | (ip[2 * i + 1] & 0xff);
            if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) return "::ffff:" + dotted(ip, 12);
            int bestStart = -1, bestLen = 1;
            for (int i = 0; i < 8; ) {
                if (g[i] != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < 8 && g[j] == 0) j++;
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    sb.append("::");
                    i += bestLen - 1;
                    continue;
                }
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
                sb.append(Integer.toHexString(g[i]));
            }
            return sb.toString();
        }
    }

    /**
     * Parses the §2.9 text form, {@code 1.2.3.4/9993} or {@code [2001:db8::1]/9993} (never a name
     * lookup).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Udp parse(String text) {
        java.util.regex.Matcher v4 = java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,5})").matcher(text);
        java.util.regex.Matcher v6 = java.util.regex.Pattern.compile("\\[([0-9a-fA-F:.]*:[0-9a-fA-F:.]*)\\]/(\\d{1,5})").matcher(text);
        if (v4.matches()) {
            byte[] ip = new byte[4];
            for (int i = 0; i < 4; i++) {
                int o = Integer.parseInt(v4.group(i + 1));
                if (o > 255) throw new IllegalArgumentException("IPv4 octet " + o + " is above 255 in an endpoint");
                ip[i] = (byte) o;
            }
            return Udp.of(ip, port(v4.group(5)));
        }
        if (v6.matches()) {
            InetAddress a;
            try {
                a = InetAddress.getByName(v6.group(1)); // contains ':': parsed as an IPv6 literal, no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IPv6 address in an endpoint");
            }
            byte[] ip = a.getAddress();
            if (ip.length == 4) { // the JDK turns ::ffff:a.b.c.d into IPv4; the text said IPv6
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(ip, 0, mapped, 12, 4);
                ip = mapped;
            }
            return Udp.of(ip, port(v6.group(2)));
        }
        throw new IllegalArgumentException("an endpoint is written 1.2.3.4/9993 or [2001:db8::1]/9993");
    }

    private static int port(String digits) {
        int p = Integer.parseInt(digits);
        if (p > 65535) throw new IllegalArgumentException("port " + p + " is above 65535 in an endpoint");
        return p;
    }

    /** An endpoint of a type this version does not know (or reserves); kept byte for byte. */
    record Unknown(int type, Bytes value) implements Endpoint {
        public Unknown {
            if (type < 0 || type > 0xff) throw new IllegalArgumentException("endpoint type " + type + " is not a byte");
            if (type == TYPE_NONE || type == TYPE_IPV4_UDP || type == TYPE_IPV6_UDP) {
                throw new IllegalArgumentException("endpoint type " + type + " is known; use None or Udp");
            }
            if (value.length() > 255) throw new IllegalArgumentException("endpoint value is " + value.length() + " bytes; L is one byte");
        }

        @Override
        public int encodedLength() {
            return 2 + value.length();
        }

        @Override
        public String toString() {
            return String.format("unknown(0x%02x, %d bytes)", type, value.length());
        }
    }

    /**
     * Decodes exactly one endpoint (for tools and tests; messages decode through {@link Vl1Codec}).
     *
     * @throws IllegalArgumentException naming the rule the bytes break
     */
    static Endpoint decode(byte[] bytes) {
        try {
            Wire.Reader r = new Wire.Reader(bytes, 0, bytes.length);
            Endpoint e = Vl1Codec.readEndpoint(r);
            r.end("endpoint");
            return e;
        } catch (Wire.MalformedException m) {
            throw new IllegalArgumentException(m.getMessage());
        }
    }

    /** The wire form of one endpoint. */
    static byte[] encode(Endpoint e) {
        Wire.Writer w = new Wire.Writer();
        Vl1Codec.writeEndpoint(w, e);
        return w.toArray();
    }
}

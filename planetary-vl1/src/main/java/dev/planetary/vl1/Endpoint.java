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

        /** §2.9 text: {@code 1.2.3.4/9993} or {@code [2001:db8::1]/9993}. */
        @Override
        public String toString() {
            String host = toSocketAddress().getAddress().getHostAddress();
            if (ip.length == 16) {
                // An IPv4-mapped address prints as IPv4 through InetAddress; keep the IPv6 form.
                boolean mapped = toSocketAddress().getAddress() instanceof java.net.Inet4Address;
                if (mapped) host = "::ffff:" + host;
                int pct = host.indexOf('%');
                if (pct >= 0) host = host.substring(0, pct);
                return "[" + host + "]/" + port;
            }
            return host + "/" + port;
        }
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

package dev.planetary.identity;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * An Endpoint (spec §0): {@code u8 type ‖ u8 length L ‖ value}. Types 0x00 none (L = 0), 0x04
 * IPv4/UDP (L = 6), 0x06 IPv6/UDP (L = 18); others reserved and kept opaque (a receiver skips
 * them by L). A known type with a wrong L invalidates the containing object.
 */
public final class Endpoint {
    public static final int NONE = 0x00, IPV4_UDP = 0x04, IPV6_UDP = 0x06;

    private final int type;
    private final byte[] value;

    private Endpoint(int type, byte[] value) {
        this.type = type;
        this.value = value;
    }

    /** A UDP endpoint for an IPv4 or IPv6 socket address. */
    public static Endpoint udp(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        if (ip == null) throw new IllegalArgumentException("unresolved address " + a.getHostString());
        byte[] raw = ip.getAddress();
        byte[] v = Arrays.copyOf(raw, raw.length + 2);
        v[raw.length] = (byte) (a.getPort() >>> 8);
        v[raw.length + 1] = (byte) a.getPort();
        return new Endpoint(ip instanceof Inet4Address ? IPV4_UDP : IPV6_UDP, v);
    }

    public int type() {
        return type;
    }

    /** The value bytes (a copy). */
    public byte[] value() {
        return value.clone();
    }

    /** Encoded size: 2 + L. */
    public int size() {
        return 2 + value.length;
    }

    public int writeTo(byte[] out, int off) {
        out[off] = (byte) type;
        out[off + 1] = (byte) value.length;
        System.arraycopy(value, 0, out, off + 2, value.length);
        return off + size();
    }

    /** Reads one endpoint at {@code b[off]} bounded by {@code end}; invalid if truncated or a known type has a wrong L. */
    static Decoded<Endpoint> read(byte[] b, int off, int end) {
        if (end - off < 2) return Decoded.invalid(Rejection.LENGTH, "truncated endpoint");
        int type = b[off] & 0xFF, l = b[off + 1] & 0xFF;
        if (l > end - off - 2) return Decoded.invalid(Rejection.LENGTH, "endpoint value runs past the end");
        int want = switch (type) {
            case NONE -> 0;
            case IPV4_UDP -> 6;
            case IPV6_UDP -> 18;
            default -> l; // reserved: opaque
        };
        if (l != want) return Decoded.invalid(Rejection.SEMANTIC, "endpoint of type " + type + " with wrong length " + l);
        return Decoded.ok(new Endpoint(type, Arrays.copyOfRange(b, off + 2, off + 2 + l)));
    }

    /** The socket address of a UDP endpoint; empty for other types. */
    public Optional<InetSocketAddress> socketAddress() {
        if (type != IPV4_UDP && type != IPV6_UDP) return Optional.empty();
        try {
            InetAddress ip = InetAddress.getByAddress(Arrays.copyOf(value, value.length - 2));
            int port = ((value[value.length - 2] & 0xFF) << 8) | (value[value.length - 1] & 0xFF);
            return Optional.of(new InetSocketAddress(ip, port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** Parses {@code 1.2.3.4/9993} or {@code [2001:db8::1]/9993} (spec §2.9); literal addresses only, no name lookup. */
    public static Optional<Endpoint> parse(String text) {
        if (text == null || text.length() > 64) return Optional.empty();
        int slash = text.lastIndexOf('/');
        if (slash <= 0) return Optional.empty();
        String host = text.substring(0, slash), portText = text.substring(slash + 1);
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (port < 1 || port > 65535 || !portText.equals(Integer.toString(port))) return Optional.empty();
        boolean v6 = host.startsWith("[") && host.endsWith("]");
        if (v6) host = host.substring(1, host.length() - 1);
        if (!(v6 ? host.matches("[0-9a-fA-F:.]+") && host.contains(":") : host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) return Optional.empty();
        try {
            InetAddress ip = InetAddress.getByName(host); // a literal: no lookup happens
            if (v6 != (ip instanceof Inet6Address)) return Optional.empty();
            return Optional.of(udp(new InetSocketAddress(ip, port)));
        } catch (UnknownHostException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String toString() {
        return socketAddress().map(a -> a.getAddress() instanceof Inet6Address
                        ? "[" + a.getAddress().getHostAddress() + "]/" + a.getPort()
                        : a.getAddress().getHostAddress() + "/" + a.getPort())
                .orElse("type" + type + ":" + HexFormat.of().formatHex(value));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint e && e.type == type && Arrays.equals(e.value, value);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(value);
    }
}

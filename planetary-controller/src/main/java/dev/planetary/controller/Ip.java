package dev.planetary.controller;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address as raw bytes (4 or 16), with the arithmetic the pools need. Parsing
 * accepts only numeric literals (never a host name lookup).
 */
public record Ip(byte[] bytes) implements Comparable<Ip> {
    public Ip {
        if (bytes.length != 4 && bytes.length != 16) throw new IllegalArgumentException("an IP address has 4 or 16 bytes");
        bytes = bytes.clone();
    }

    /** Parses a numeric IPv4 (dotted quad) or IPv6 literal; empty for anything else. */
    public static Optional<Ip> parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) return Optional.empty();
        boolean v4 = text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = !v4 && text.contains(":") && text.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) return Optional.empty();
        if (v4) {
            for (String part : text.split("\\.")) if (Integer.parseInt(part) > 255) return Optional.empty();
        }
        try {
            byte[] b = InetAddress.getByName(text).getAddress(); // a literal: no lookup
            if (v6 && b.length == 4) return Optional.empty(); // ::ffff:a.b.c.d is mapped by the JDK; refuse the ambiguity
            return Optional.of(new Ip(b));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    public int family() {
        return bytes.length == 4 ? 4 : 6;
    }

    public int bits() {
        return bytes.length * 8;
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public BigInteger value() {
        return new BigInteger(1, bytes);
    }

    public static Ip of(int family, BigInteger value) {
        int n = family == 4 ? 4 : 16;
        byte[] raw = value.toByteArray();
        byte[] b = new byte[n];
        int copy = Math.min(raw.length, n);
        System.arraycopy(raw, raw.length - copy, b, n - copy, copy);
        return new Ip(b);
    }

    /** The address with the host bits of {@code prefix} cleared. */
    public Ip network(int prefix) {
        byte[] b = bytes.clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] &= (byte) (0xFF << (8 - keep));
        }
        return new Ip(b);
    }

    /** The last address of the prefix (all host bits set). */
    public Ip last(int prefix) {
        byte[] b = bytes.clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - 8 * i));
            b[i] |= (byte) (0xFF >>> keep);
        }
        return new Ip(b);
    }

    public boolean within(Ip target, int prefix) {
        return target.family() == family() && network(prefix).equals(target.network(prefix));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ip other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(Ip o) {
        int f = Integer.compare(bytes.length, o.bytes.length);
        return f != 0 ? f : Arrays.compareUnsigned(bytes, o.bytes);
    }

    /** The canonical text form (IPv6 compressed as the JDK writes it, lower case). */
    @Override
    public String toString() {
        try {
            String s = InetAddress.getByAddress(bytes).getHostAddress();
            return bytes.length == 16 ? compress(s) : s;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RFC 5952 zero compression of the JDK's full IPv6 form (the longest run of zero groups, first if tied). */
    private static String compress(String full) {
        String[] g = full.split(":");
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < g.length; ) {
            if (!g[i].equals("0")) {
                i++;
                continue;
            }
            int j = i;
            while (j < g.length && g[j].equals("0")) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestStart < 0) return full;
        String head = String.join(":", Arrays.copyOfRange(g, 0, bestStart));
        String tail = String.join(":", Arrays.copyOfRange(g, bestStart + bestLen, g.length));
        return head + "::" + tail;
    }

    /** An address with a prefix length, written {@code ip/prefix}. */
    public record Prefixed(Ip ip, int prefix) {
        public Prefixed {
            if (prefix < 0 || prefix > ip.bits()) throw new IllegalArgumentException("prefix /" + prefix + " out of range for " + ip);
        }

        public static Optional<Prefixed> parse(String text) {
            if (text == null) return Optional.empty();
            int slash = text.indexOf('/');
            if (slash < 0 || !text.substring(slash + 1).matches("[0-9]{1,3}")) return Optional.empty();
            Optional<Ip> ip = parse0(text.substring(0, slash));
            int prefix = Integer.parseInt(text.substring(slash + 1));
            if (ip.isEmpty() || prefix > ip.get().bits()) return Optional.empty();
            return Optional.of(new Prefixed(ip.get(), prefix));
        }

        private static Optional<Ip> parse0(String s) {
            return Ip.parse(s);
        }

        @Override
        public String toString() {
            return ip + "/" + prefix;
        }
    }
}

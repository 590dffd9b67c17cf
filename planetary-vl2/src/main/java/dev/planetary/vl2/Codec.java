package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Rejection;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.Function;

/** Shared reading and writing of VL2 fields (package-private); decoders turn every failure into {@link Decoded.Invalid}. */
final class Codec {
    private Codec() {}

    /** A field rule broken while decoding; caught by {@link #decode}. Carries no input bytes. */
    static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Rejection reason;

        Bad(Rejection reason, String detail) {
            super(detail, null, false, false);
            this.reason = reason;
        }
    }

    static Bad bad(String detail) {
        return new Bad(Rejection.SEMANTIC, detail);
    }

    /**
     * Runs {@code f} over all of {@code b}; trailing bytes, truncation, broken rules (including a
     * record constructor's {@link IllegalArgumentException}) become {@link Decoded.Invalid}.
     */
    static <T> Decoded<T> decode(byte[] b, Function<ByteBuffer, T> f) {
        if (b == null) return Decoded.invalid(Rejection.LENGTH, "no bytes");
        ByteBuffer in = ByteBuffer.wrap(b).asReadOnlyBuffer();
        return run(() -> {
            T v = f.apply(in);
            if (in.hasRemaining()) throw new Bad(Rejection.LENGTH, in.remaining() + " trailing bytes");
            return v;
        });
    }

    interface Body<T> {
        T get();
    }

    static <T> Decoded<T> run(Body<T> body) {
        try {
            return Decoded.ok(body.get());
        } catch (Bad e) {
            return Decoded.invalid(e.reason, e.getMessage());
        } catch (BufferUnderflowException e) {
            return Decoded.invalid(Rejection.LENGTH, "truncated");
        } catch (IllegalArgumentException e) {
            return Decoded.invalid(Rejection.SEMANTIC, String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            // A bug, not bad input: still never thrown into a receive loop. Fuzz tests assert it never happens.
            return Decoded.invalid(Rejection.SEMANTIC, "internal error: " + e.getClass().getSimpleName());
        }
    }

    static <T> T orBad(Decoded<T> d) {
        return switch (d) {
            case Decoded.Ok<T> ok -> ok.value();
            case Decoded.Invalid<T> inv -> throw new Bad(inv.reason(), inv.detail());
        };
    }

    static int u8(ByteBuffer in) {
        return in.get() & 0xff;
    }

    static int u16(ByteBuffer in) {
        return in.getShort() & 0xffff;
    }

    static long u32(ByteBuffer in) {
        return in.getInt() & 0xffff_ffffL;
    }

    static byte[] bytes(ByteBuffer in, int n) {
        if (n < 0 || n > in.remaining()) throw new BufferUnderflowException();
        byte[] v = new byte[n];
        in.get(v);
        return v;
    }

    /** All remaining bytes. */
    static byte[] rest(ByteBuffer in) {
        return bytes(in, in.remaining());
    }

    static NetworkId networkId(ByteBuffer in) {
        return new NetworkId(in.getLong());
    }

    static Address address(ByteBuffer in) {
        byte[] a = bytes(in, Address.SIZE);
        long v = 0;
        for (byte x : a) v = (v << 8) | (x & 0xff);
        if (!Address.isValid(v)) throw bad("invalid address");
        return new Address(v);
    }

    static Fingerprint fingerprint(ByteBuffer in) {
        return Fingerprint.of(bytes(in, Fingerprint.SIZE));
    }

    static MacAddress mac(ByteBuffer in) {
        return MacAddress.fromBytes(bytes(in, 6), 0);
    }

    /** An address of {@code family} 4 or 6 (4 or 16 bytes). */
    static InetAddress ip(ByteBuffer in, int family) {
        int n = switch (family) {
            case 4 -> 4;
            case 6 -> 16;
            default -> throw bad("address family must be 4 or 6, got " + family);
        };
        try {
            byte[] a = bytes(in, n);
            // family 6 stays IPv6 even for an IPv4-mapped address (InetAddress.getByAddress would make it IPv4)
            return n == 4 ? InetAddress.getByAddress(a) : Inet6Address.getByAddress(null, a, -1);
        } catch (UnknownHostException e) {
            throw bad("bad address length"); // unreachable: the length is 4 or 16
        }
    }

    static int family(InetAddress a) {
        return a instanceof Inet4Address ? 4 : 6;
    }

    /** The raw bytes of {@code a}, 4 or 16 (an IPv4-mapped IPv6 literal is normalised by Java to IPv4). */
    static byte[] ipBytes(InetAddress a) {
        if (!(a instanceof Inet4Address) && !(a instanceof Inet6Address)) throw new IllegalArgumentException("not an IP address");
        return a.getAddress();
    }

    static int maxPrefix(InetAddress a) {
        return a instanceof Inet4Address ? 32 : 128;
    }

    /** Strict UTF-8 of {@code min..max} bytes. */
    static String utf8(byte[] v, int min, int max, String what) {
        if (v.length < min || v.length > max) throw bad(what + " must be " + min + ".." + max + " bytes, got " + v.length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            throw bad(what + " is not valid UTF-8");
        }
    }

    /** For constructors: the UTF-8 bytes of {@code s}, {@code min..max} long. */
    static byte[] requireUtf8(String s, int min, int max, String what) {
        if (s == null) throw new IllegalArgumentException(what + " must not be null");
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < min || b.length > max) throw new IllegalArgumentException(what + " must be " + min + ".." + max + " UTF-8 bytes, got " + b.length);
        if (!new String(b, StandardCharsets.UTF_8).equals(s)) throw new IllegalArgumentException(what + " contains unpaired surrogates");
        return b;
    }

    /** Peer-supplied text for logs: control and non-ASCII characters as \\uXXXX, at most 80 characters, quoted. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.append(s.length() > 80 ? "…\"" : "\"").toString();
    }

    static long requireU32(long v, String what) {
        if (v < 0 || v > 0xffff_ffffL) throw new IllegalArgumentException(what + " " + v + " is outside the u32 range");
        return v;
    }

    static int requireRange(int v, int min, int max, String what) {
        if (v < min || v > max) throw new IllegalArgumentException(what + " " + v + " is outside " + min + ".." + max);
        return v;
    }

    static void requireCount(Collection<?> c, int max, String what) {
        if (c.size() > max) throw new IllegalArgumentException("at most " + max + " " + what + ", got " + c.size());
    }

    static <T> T nonNull(T v, String what) {
        if (v == null) throw new IllegalArgumentException(what + " must not be null");
        return v;
    }

    /** A growable big-endian writer. */
    static final class Out extends ByteArrayOutputStream {
        Out() {
            super(64);
        }

        Out(int size) {
            super(size);
        }

        Out u8(int v) {
            write(v);
            return this;
        }

        Out u16(int v) {
            write(v >>> 8);
            write(v);
            return this;
        }

        Out u32(long v) {
            for (int s = 24; s >= 0; s -= 8) write((int) (v >>> s));
            return this;
        }

        Out u64(long v) {
            for (int s = 56; s >= 0; s -= 8) write((int) (v >>> s));
            return this;
        }

        Out put(byte[] v) {
            writeBytes(v);
            return this;
        }

        Out put(Bytes v) {
            return put(v.toArray());
        }

        Out mac(MacAddress m) {
            return put(m.toBytes());
        }

        Out ip(InetAddress a) {
            return put(ipBytes(a));
        }
    }
}

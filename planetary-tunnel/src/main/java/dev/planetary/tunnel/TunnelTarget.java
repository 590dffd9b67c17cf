package dev.planetary.tunnel;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A target the listener allows ({@code --allow-tunnel HOST:PORT}): what peers may ask for, and where
 * the listener then connects. A request matches by its text (case-insensitive, so host names are
 * never resolved because a peer asked) or, for IP literals, by address.
 *
 * @param text    the target as configured, {@code HOST:PORT} (stored stripped and in lower case)
 * @param address where the listener connects (resolved by the caller, once, from its own configuration)
 */
public record TunnelTarget(String text, InetSocketAddress address) {
    public TunnelTarget {
        text = Objects.requireNonNull(text, "text").strip().toLowerCase(Locale.ROOT);
        Objects.requireNonNull(address, "address");
        if (text.isEmpty()) throw new IllegalArgumentException("a tunnel target needs a HOST:PORT text");
    }

    /** True if a peer's {@code requested} target names this one (no DNS lookup). */
    public boolean matches(String requested) {
        String r = requested.strip().toLowerCase(Locale.ROOT);
        if (r.equals(text)) return true;
        InetSocketAddress literal = TunnelProtocol.literal(r);
        return literal != null && literal.equals(address);
    }

    @Override
    public String toString() {
        return text;
    }
}

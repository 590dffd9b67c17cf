package dev.planetary.vl2;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A managed route of a NetworkConfig (§7.4 field {@code 0x0a}): {@code u8 family (4/6) ‖ target (4/16)
 * ‖ u8 prefix ‖ u8 via family (0 none / 4 / 6) ‖ via address (0/4/16) ‖ u16 metric}.
 */
public record Route(InetAddress target, int prefix, Optional<InetAddress> via, int metric) {
    static final int MIN_BYTES = 9, MAX_BYTES = 37;

    public Route {
        Codec.nonNull(target, "route target");
        Codec.ipBytes(target);
        Codec.requireRange(prefix, 0, Codec.maxPrefix(target), "route prefix");
        Codec.nonNull(via, "route via");
        via.ifPresent(Codec::ipBytes);
        Codec.requireRange(metric, 0, 0xffff, "route metric");
    }

    /** A route with no gateway (on-link through the TAP) and metric 0. */
    public static Route onLink(InetAddress target, int prefix) {
        return new Route(target, prefix, Optional.empty(), 0);
    }

    byte[] encode() {
        Codec.Out o = new Codec.Out(MAX_BYTES).u8(Codec.family(target)).ip(target).u8(prefix);
        if (via.isPresent()) o.u8(Codec.family(via.get())).ip(via.get());
        else o.u8(0);
        return o.u16(metric).toByteArray();
    }

    static Route read(ByteBuffer in) {
        InetAddress t = Codec.ip(in, Codec.u8(in));
        int prefix = Codec.u8(in);
        int viaFamily = Codec.u8(in);
        Optional<InetAddress> via = viaFamily == 0 ? Optional.empty() : Optional.of(Codec.ip(in, viaFamily));
        return new Route(t, prefix, via, Codec.u16(in));
    }

    @Override
    public String toString() {
        return target.getHostAddress() + "/" + prefix + via.map(v -> " via " + v.getHostAddress()).orElse("") + " metric " + metric;
    }
}

package dev.planetary.vl2;

import dev.planetary.nic.IpAssignment;
import java.nio.ByteBuffer;

/**
 * An IP assignment of a Member Credential (§8.1 field {@code 0x07}):
 * {@code u8 family (4/6) ‖ address (4/16) ‖ u8 prefix ‖ u8 flags}. Flag bit0 <em>prefix owned</em>:
 * the member owns every address of the prefix (§10.6); other flag bits are kept as read.
 */
public record AssignedAddress(IpAssignment ip, int flags) {
    public static final int PREFIX_OWNED = 0x01;
    /** Encoded sizes for IPv4 and IPv6. */
    static final int MIN_BYTES = 7, MAX_BYTES = 19;

    public AssignedAddress {
        Codec.nonNull(ip, "IP assignment");
        Codec.ipBytes(ip.address());
        Codec.requireRange(flags, 0, 0xff, "IP assignment flags");
    }

    public static AssignedAddress of(IpAssignment ip) {
        return new AssignedAddress(ip, 0);
    }

    public boolean prefixOwned() {
        return (flags & PREFIX_OWNED) != 0;
    }

    byte[] encode() {
        return new Codec.Out(MAX_BYTES).u8(Codec.family(ip.address())).ip(ip.address()).u8(ip.prefix()).u8(flags).toByteArray();
    }

    static AssignedAddress read(ByteBuffer in) {
        var a = Codec.ip(in, Codec.u8(in));
        int prefix = Codec.u8(in);
        if (prefix > Codec.maxPrefix(a)) throw Codec.bad("IP assignment prefix " + prefix + " is too long");
        return new AssignedAddress(new IpAssignment(a, prefix), Codec.u8(in));
    }

    @Override
    public String toString() {
        return ip + (prefixOwned() ? " (prefix owned)" : "");
    }
}

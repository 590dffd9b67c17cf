package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.nio.ByteBuffer;

/**
 * A specialist of a NetworkConfig (§7.4 field {@code 0x0e}): {@code Address ‖ 48 fingerprint ‖ u64
 * flags (bit0 bridge, bit1 replicator)}; other flag bits are kept as read.
 */
public record Specialist(Address address, Fingerprint fingerprint, long flags) {
    public static final long BRIDGE = 0x1, REPLICATOR = 0x2;
    static final int BYTES = Address.SIZE + Fingerprint.SIZE + 8;

    public Specialist {
        Codec.nonNull(address, "specialist address");
        Codec.nonNull(fingerprint, "specialist fingerprint");
    }

    public boolean isBridge() {
        return (flags & BRIDGE) != 0;
    }

    public boolean isReplicator() {
        return (flags & REPLICATOR) != 0;
    }

    byte[] encode() {
        return new Codec.Out(BYTES).put(address.toBytes()).put(fingerprint.toBytes()).u64(flags).toByteArray();
    }

    static Specialist read(ByteBuffer in) {
        return new Specialist(Codec.address(in), Codec.fingerprint(in), in.getLong());
    }
}

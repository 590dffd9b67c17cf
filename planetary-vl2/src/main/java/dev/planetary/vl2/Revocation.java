package dev.planetary.vl2;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One revocation entry (§8.4 field {@code 0x04}): {@code 16-byte fingerprint prefix ‖ u64 threshold}.
 * An MC of a fingerprint with this prefix and {@code ts(MC) < threshold} is invalid.
 */
public record Revocation(Bytes prefix, long threshold) {
    static final int BYTES = Vl2Limits.REVOCATION_PREFIX_BYTES + 8;

    public Revocation {
        Codec.nonNull(prefix, "revocation prefix");
        if (prefix.length() != Vl2Limits.REVOCATION_PREFIX_BYTES) {
            throw new IllegalArgumentException("a revocation prefix is " + Vl2Limits.REVOCATION_PREFIX_BYTES + " bytes, got " + prefix.length());
        }
    }

    /** Revokes every MC of {@code member} issued before {@code threshold} (controller ms). */
    public static Revocation of(Fingerprint member, long threshold) {
        return new Revocation(prefixOf(member), threshold);
    }

    /** The 16-byte prefix of {@code fp} that entries are keyed by. */
    public static Bytes prefixOf(Fingerprint fp) {
        return Bytes.of(Arrays.copyOf(fp.toBytes(), Vl2Limits.REVOCATION_PREFIX_BYTES));
    }

    /** Unsigned order of prefixes (the list's ascending order). */
    static int comparePrefix(Bytes a, Bytes b) {
        return Arrays.compareUnsigned(a.toArray(), b.toArray());
    }

    /** Whether an MC at {@code ts} falls under this entry (u64 compare). */
    public boolean revokes(long ts) {
        return Long.compareUnsigned(ts, threshold) < 0;
    }

    void write(Codec.Out o) {
        o.put(prefix).u64(threshold);
    }

    static Revocation read(ByteBuffer in) {
        return new Revocation(Bytes.of(Codec.bytes(in, Vl2Limits.REVOCATION_PREFIX_BYTES)), in.getLong());
    }
}

package dev.planetary.vl2;

import dev.planetary.vl1.Bytes;
import java.nio.ByteBuffer;

/**
 * The revocation list a NetworkConfig references (§7.4 field {@code 0x06}): {@code u64 list revision ‖
 * 48-byte PSO digest} of the current RevocationList (§8.4).
 */
public record RevocationReference(long revision, Bytes digest) {
    public static final int DIGEST_BYTES = 48;
    static final int BYTES = 8 + DIGEST_BYTES;

    public RevocationReference {
        Codec.nonNull(digest, "revocation list digest");
        if (digest.length() != DIGEST_BYTES) throw new IllegalArgumentException("a PSO digest is 48 bytes, got " + digest.length());
    }

    /** The reference to {@code list}. */
    public static RevocationReference of(Signed<RevocationList> list) {
        return new RevocationReference(list.value().revision(), Bytes.of(list.digest()));
    }

    /** Whether this references exactly {@code list} (same revision and digest). */
    public boolean references(Signed<RevocationList> list) {
        return list.value().revision() == revision && java.util.Arrays.equals(list.digest(), digest.toArray());
    }

    byte[] encode() {
        return new Codec.Out(BYTES).u64(revision).put(digest).toByteArray();
    }

    static RevocationReference read(ByteBuffer in) {
        return new RevocationReference(in.getLong(), Bytes.of(Codec.bytes(in, DIGEST_BYTES)));
    }
}

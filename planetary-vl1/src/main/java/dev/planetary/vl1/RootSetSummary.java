package dev.planetary.vl1;

import java.nio.ByteBuffer;

/**
 * HELLO TLV {@code 0x81} (§3.7, §4.2): {@code 8 name-id ‖ u64 revision}, where name-id is the first 8
 * bytes of SHA-384(root set name), here as a big-endian {@code long}.
 */
public record RootSetSummary(long nameId, long revision) {

    /** The TLV carrying this summary. */
    public Tlv toTlv() {
        return new Tlv(Hello.TLV_ROOT_SET_SUMMARY, Bytes.of(ByteBuffer.allocate(16).putLong(nameId).putLong(revision).array()));
    }

    static RootSetSummary fromTlv(Tlv t) {
        ByteBuffer b = ByteBuffer.wrap(t.value().toArray());
        return new RootSetSummary(b.getLong(), b.getLong());
    }

    /** The name-id of a root set name: first 8 bytes of SHA-384 of its ASCII bytes. */
    public static long nameId(String rootSetName) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-384").digest(rootSetName.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return ByteBuffer.wrap(d).getLong();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-384 is part of every JDK", e);
        }
    }
}

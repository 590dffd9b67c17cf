package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Pso;
import dev.planetary.vl1.Bytes;
import java.nio.ByteBuffer;

/**
 * One item of NETWORK_CREDENTIALS (§8.3): {@code u8 type ‖ u16 length ‖ value}. {@code 0x01} a Member
 * Credential PSO, {@code 0x02} a RevocationList PSO, {@code 0x03} a query ({@code u8 kind ‖ key}: kind 0
 * MC by Address, 1 MC by fingerprint, 2 the current revocation list), {@code 0x04} the held
 * revocation-list revision (u64); unknown types ≥ 0x80 are kept as {@link Unknown} (and ignored).
 */
public sealed interface CredentialItem {
    int CREDENTIAL = 0x01, REVOCATION_LIST = 0x02, QUERY = 0x03, HELD_REVISION = 0x04;
    int QUERY_BY_ADDRESS = 0, QUERY_BY_FINGERPRINT = 1, QUERY_REVOCATION_LIST = 2;

    /** The item type byte. */
    int type();

    /** The value bytes. */
    byte[] value();

    /** A Member Credential PSO (exactly its PSO length; parsed structurally, {@link MemberCredential#verify} checks it). */
    record Credential(Bytes pso) implements CredentialItem {
        public Credential {
            requirePso(pso, MemberCredential.TYPE);
        }

        public static Credential of(Signed<MemberCredential> mc) {
            return new Credential(Bytes.of(mc.encoded()));
        }

        public Decoded<Signed<MemberCredential>> parse() {
            return MemberCredential.parse(pso.toArray());
        }

        public int type() {
            return CREDENTIAL;
        }

        public byte[] value() {
            return pso.toArray();
        }
    }

    /** A RevocationList PSO. */
    record RevocationListItem(Bytes pso) implements CredentialItem {
        public RevocationListItem {
            requirePso(pso, RevocationList.TYPE);
        }

        public static RevocationListItem of(Signed<RevocationList> list) {
            return new RevocationListItem(Bytes.of(list.encoded()));
        }

        public Decoded<Signed<RevocationList>> parse() {
            return RevocationList.parse(pso.toArray());
        }

        public int type() {
            return REVOCATION_LIST;
        }

        public byte[] value() {
            return pso.toArray();
        }
    }

    /** Query kind 0: the current MC of the member at {@code address}. */
    record QueryByAddress(Address address) implements CredentialItem {
        public QueryByAddress {
            Codec.nonNull(address, "address");
        }

        public int type() {
            return QUERY;
        }

        public byte[] value() {
            return new Codec.Out(6).u8(QUERY_BY_ADDRESS).put(address.toBytes()).toByteArray();
        }
    }

    /** Query kind 1: the current MC of the member {@code fingerprint}. */
    record QueryByFingerprint(Fingerprint fingerprint) implements CredentialItem {
        public QueryByFingerprint {
            Codec.nonNull(fingerprint, "fingerprint");
        }

        public int type() {
            return QUERY;
        }

        public byte[] value() {
            return new Codec.Out(49).u8(QUERY_BY_FINGERPRINT).put(fingerprint.toBytes()).toByteArray();
        }
    }

    /** Query kind 2: the current revocation list. */
    record QueryRevocationList() implements CredentialItem {
        public int type() {
            return QUERY;
        }

        public byte[] value() {
            return new byte[] {QUERY_REVOCATION_LIST};
        }
    }

    /** The sender's held revocation-list revision (0 = none). */
    record HeldRevision(long revision) implements CredentialItem {
        public int type() {
            return HELD_REVISION;
        }

        public byte[] value() {
            return Fields.u64(revision);
        }
    }

    /** An optional item type (≥ 0x80) this implementation does not know; receivers ignore it. */
    record Unknown(int type, Bytes bytes) implements CredentialItem {
        public Unknown {
            Codec.requireRange(type, 0x80, 0xff, "unknown optional item type");
            Codec.nonNull(bytes, "item value");
            Codec.requireRange(bytes.length(), 0, 0xffff, "item length");
        }

        public byte[] value() {
            return bytes.toArray();
        }
    }

    private static void requirePso(Bytes pso, int type) {
        Codec.nonNull(pso, "PSO");
        Codec.requireRange(pso.length(), Pso.MIN_SIZE, Pso.MAX_SIZE, "PSO length");
        byte[] b = pso.toArray();
        for (int i = 0; i < Pso.MAGIC.length; i++) if (b[i] != Pso.MAGIC[i]) throw new IllegalArgumentException("item is not a PSO (no PLSO magic)");
        if ((b[4] & 0xff) != type) throw new IllegalArgumentException("PSO item of type " + (b[4] & 0xff) + ", expected " + type);
        // §8.3: a PSO item's length is its exact PSO length
        long body = ByteBuffer.wrap(b, 62, 4).getInt() & 0xffff_ffffL;
        if (body != pso.length() - Pso.MIN_SIZE) throw new IllegalArgumentException("PSO item length differs from the PSO's own length");
    }

    /** Reads one item's value of {@code type}; an unknown type below 0x80 or a wrong length breaks the message. */
    static CredentialItem read(int type, byte[] v) {
        ByteBuffer in = ByteBuffer.wrap(v);
        CredentialItem item = switch (type) {
            case CREDENTIAL -> new Credential(Bytes.of(v));
            case REVOCATION_LIST -> new RevocationListItem(Bytes.of(v));
            case QUERY -> {
                if (v.length == 0) throw Codec.bad("empty query");
                int kind = Codec.u8(in);
                int expected = switch (kind) {
                    case QUERY_BY_ADDRESS -> 1 + Address.SIZE;
                    case QUERY_BY_FINGERPRINT -> 1 + Fingerprint.SIZE;
                    case QUERY_REVOCATION_LIST -> 1;
                    default -> throw Codec.bad("unknown query kind " + kind);
                };
                if (v.length != expected) throw Codec.bad("query of kind " + kind + " is " + expected + " bytes, got " + v.length);
                yield switch (kind) {
                    case QUERY_BY_ADDRESS -> new QueryByAddress(Codec.address(in));
                    case QUERY_BY_FINGERPRINT -> new QueryByFingerprint(Codec.fingerprint(in));
                    default -> new QueryRevocationList();
                };
            }
            case HELD_REVISION -> {
                if (v.length != 8) throw Codec.bad("held revision is 8 bytes, got " + v.length);
                yield new HeldRevision(in.getLong());
            }
            default -> {
                if (type < 0x80) throw new Codec.Bad(dev.planetary.identity.Rejection.TLV, "unknown mandatory item type 0x" + Integer.toHexString(type));
                yield new Unknown(type, Bytes.of(v));
            }
        };
        return item;
    }
}

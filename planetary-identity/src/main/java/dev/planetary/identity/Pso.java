package dev.planetary.identity;

import dev.planetary.identity.internal.Ecdsa384;
import java.util.Arrays;
import java.util.List;

/**
 * A Planetary Signed Object (spec §2.8): the container of network configs, member credentials and
 * revocation lists.
 *
 * <pre>
 * 0    4  magic "PLSO"            54  8  timestamp (issuer's Unix ms)
 * 4    1  object type (2, 3, 4)   62  4  body length L (≤ 48,960)
 * 5    1  format version 1        66  L  body: TLV fields
 * 6   48  issuer fingerprint      66+L 96 signature by the issuer's K_sig over [0, 66+L)
 * </pre>
 *
 * {@link #parse} checks structure (length and magic, type, version, body length, TLV structure);
 * {@link PsoVerifier} adds the expected issuer, semantic checks and the signature, in the order of
 * spec §2.8, and caches verified objects by digest.
 */
public final class Pso {
    public static final byte[] MAGIC = {0x50, 0x4c, 0x53, 0x4f};
    public static final int NETWORK_CONFIG = 0x02, MEMBER_CREDENTIAL = 0x03, REVOCATION_LIST = 0x04;
    public static final int VERSION = 1;
    public static final int HEADER = 66;
    public static final int MAX_BODY = 48_960;
    public static final int MAX_SIZE = HEADER + MAX_BODY + 96;
    public static final int MIN_SIZE = HEADER + 96;

    private final byte[] encoded;
    private final List<Tlv.Field> fields;
    private final byte[] digest;

    private Pso(byte[] encoded, List<Tlv.Field> fields) {
        this.encoded = encoded;
        this.fields = fields;
        this.digest = Ecdsa384.sha384(encoded, 0, encoded.length - 96);
    }

    public static boolean isKnownType(int type) {
        return type == NETWORK_CONFIG || type == MEMBER_CREDENTIAL || type == REVOCATION_LIST;
    }

    /**
     * Signs a new object. The body must be a TLV sequence valid under {@code schema}.
     *
     * @throws IllegalArgumentException on misuse (unknown type, body too long or not valid TLV)
     */
    public static Pso sign(SecretIdentity issuer, int type, long timestamp, byte[] body, Tlv.Schema schema) {
        if (!isKnownType(type)) throw new IllegalArgumentException("PSO type must be 2, 3 or 4, got " + type);
        if (body.length > MAX_BODY) throw new IllegalArgumentException("PSO body longer than " + MAX_BODY + " bytes: " + body.length);
        Decoded<List<Tlv.Field>> f = Tlv.read(body, 0, body.length, schema);
        if (!(f instanceof Decoded.Ok<List<Tlv.Field>> ok)) throw new IllegalArgumentException("PSO body is not valid TLV: " + ((Decoded.Invalid<?>) f).detail());
        byte[] e = new byte[HEADER + body.length + 96];
        System.arraycopy(MAGIC, 0, e, 0, 4);
        e[4] = (byte) type;
        e[5] = VERSION;
        issuer.fingerprint().write(e, 6);
        putLong(e, 54, timestamp);
        putInt(e, 62, body.length);
        System.arraycopy(body, 0, e, HEADER, body.length);
        byte[] sig = issuer.sign(Arrays.copyOf(e, HEADER + body.length));
        System.arraycopy(sig, 0, e, HEADER + body.length, 96);
        return new Pso(e, ok.value());
    }

    /**
     * Structural decoding of exactly {@code b[off, off+len)}: length and magic, type, version, body
     * length, TLV structure. No issuer or signature check. Never throws on bad bytes.
     */
    public static Decoded<Pso> parse(byte[] b, int off, int len, Tlv.Schema schema) {
        if (b == null || off < 0 || len < 0 || off > b.length - len) return Decoded.invalid(Rejection.LENGTH, "range outside the buffer");
        if (len < MIN_SIZE || len > MAX_SIZE) return Decoded.invalid(Rejection.LENGTH, "a PSO is 162..49,122 bytes, got " + len);
        if (!Arrays.equals(b, off, off + 4, MAGIC, 0, 4)) return Decoded.invalid(Rejection.TYPE, "no PLSO magic");
        int type = b[off + 4] & 0xFF;
        if (!isKnownType(type)) return Decoded.invalid(Rejection.TYPE, "PSO type " + type + " is reserved");
        if ((b[off + 5] & 0xFF) != VERSION) return Decoded.invalid(Rejection.TYPE, "PSO format version " + (b[off + 5] & 0xFF) + " is not 1");
        long bodyLen = getInt(b, off + 62) & 0xFFFF_FFFFL;
        if (bodyLen > MAX_BODY || bodyLen != len - MIN_SIZE) return Decoded.invalid(Rejection.LENGTH, "PSO body length does not match the object");
        return Tlv.read(b, off + HEADER, (int) bodyLen, schema)
                .map(fields -> new Pso(Arrays.copyOfRange(b, off, off + len), fields));
    }

    public static Decoded<Pso> parse(byte[] b, Tlv.Schema schema) {
        return b == null ? Decoded.invalid(Rejection.LENGTH, "no bytes") : parse(b, 0, b.length, schema);
    }

    public int type() {
        return encoded[4] & 0xFF;
    }

    public Fingerprint issuer() {
        return Fingerprint.read(encoded, 6);
    }

    public long timestamp() {
        return getLong(encoded, 54);
    }

    /** The body (TLV bytes, a copy). */
    public byte[] body() {
        return Arrays.copyOfRange(encoded, HEADER, encoded.length - 96);
    }

    /** The known fields of the body, in order. */
    public List<Tlv.Field> fields() {
        return fields;
    }

    /** SHA-384 of the signed bytes [0, 66+L): identifies the object; unchanged by a re-encoded signature. */
    public byte[] digest() {
        return digest.clone();
    }

    public byte[] signature() {
        return Arrays.copyOfRange(encoded, encoded.length - 96, encoded.length);
    }

    /** The whole object (a copy). */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** Verifies the signature under {@code issuer}'s K_sig (no cache; see {@link PsoVerifier}). */
    public boolean signatureValid(Identity issuer) {
        return issuer.verifySignature(encoded, 0, encoded.length - 96, encoded, encoded.length - 96);
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[off + i] & 0xFF);
        return v;
    }

    static void putInt(byte[] b, int off, int v) {
        for (int i = 3; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    @Override
    public String toString() {
        return "Pso[type=" + type() + ", issuer=" + issuer().toShortString() + ", " + encoded.length + " bytes]";
    }
}

package dev.planetary.identity;

import dev.planetary.identity.internal.Ecdsa384;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A root-set update key (spec §4.1): a P-384 ECDSA key pair kept offline by a root set's operator;
 * not a node identity. Text forms (one line each, our own format):
 *
 * <ul>
 *   <li>public: {@code update-public:1:<98 hex digits of the compressed key>}</li>
 *   <li>secret: {@code update-secret:1:<96 hex digits of the scalar>} (file mode 0600)</li>
 * </ul>
 *
 * Signs with RFC 6979 nonces on constant-time arithmetic, like identities. Call {@link #destroy()}
 * when done.
 */
public final class UpdateKey implements AutoCloseable {
    static final String PUBLIC_PREFIX = "update-public:1:";
    static final String SECRET_PREFIX = "update-secret:1:";

    private final byte[] d;
    private final byte[] publicKey;
    private volatile boolean destroyed;

    private UpdateKey(byte[] d) {
        this.d = d;
        this.publicKey = Ecdsa384.publicKey(d);
    }

    public static UpdateKey generate() {
        return generate(new SecureRandom());
    }

    public static UpdateKey generate(SecureRandom random) {
        byte[] d = new byte[48];
        do {
            random.nextBytes(d);
        } while (!Ecdsa384.isValidScalar(d, 0));
        return new UpdateKey(d);
    }

    /** From a 48-byte scalar in [1, n) (copied); empty if out of range. */
    public static Optional<UpdateKey> fromScalar(byte[] d) {
        if (d == null || d.length != 48 || !Ecdsa384.isValidScalar(d, 0)) return Optional.empty();
        return Optional.of(new UpdateKey(d.clone()));
    }

    /** The compressed public key (49 bytes, a copy). */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] sign(byte[] message) {
        if (destroyed) throw new IllegalStateException("update key has been destroyed");
        return Ecdsa384.sign(d, message);
    }

    public String publicText() {
        return publicText(publicKey);
    }

    public static String publicText(byte[] publicKey) {
        return PUBLIC_PREFIX + HexFormat.of().formatHex(publicKey);
    }

    /** The secret line (secret: do not log it). */
    public String secretText() {
        if (destroyed) throw new IllegalStateException("update key has been destroyed");
        return SECRET_PREFIX + HexFormat.of().formatHex(d);
    }

    /** Parses a public line: a valid compressed P-384 point. */
    public static Decoded<byte[]> parsePublic(CharSequence text) {
        if (text == null || text.length() > 256) return Decoded.invalid(Rejection.LENGTH, "update key text too long");
        String s = text.toString().strip();
        if (!s.startsWith(PUBLIC_PREFIX) || s.length() != PUBLIC_PREFIX.length() + 98) {
            return Decoded.invalid(Rejection.SYNTAX, "expected update-public:1:<98 hex digits>");
        }
        byte[] k = hex(s.substring(PUBLIC_PREFIX.length()));
        if (k == null) return Decoded.invalid(Rejection.SYNTAX, "update key is not lowercase hex");
        if (dev.planetary.zssp.crypto.P384PublicKey.decode(k, 0) == null) return Decoded.invalid(Rejection.BAD_POINT, "update key is not a P-384 point");
        return Decoded.ok(k);
    }

    public static Decoded<UpdateKey> parseSecret(CharSequence text) {
        if (text == null || text.length() > 256) return Decoded.invalid(Rejection.LENGTH, "update key text too long");
        String s = text.toString().strip();
        if (!s.startsWith(SECRET_PREFIX) || s.length() != SECRET_PREFIX.length() + 96) {
            return Decoded.invalid(Rejection.SYNTAX, "expected update-secret:1:<96 hex digits>");
        }
        byte[] d = hex(s.substring(SECRET_PREFIX.length()));
        if (d == null) return Decoded.invalid(Rejection.SYNTAX, "update key is not lowercase hex");
        try {
            return fromScalar(d).<Decoded<UpdateKey>>map(Decoded::ok)
                    .orElse(Decoded.invalid(Rejection.SECRET_MISMATCH, "update key scalar not in [1, n)"));
        } finally {
            Arrays.fill(d, (byte) 0);
        }
    }

    private static byte[] hex(String s) {
        if (!s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
        return HexFormat.of().parseHex(s);
    }

    public void destroy() {
        destroyed = true;
        Arrays.fill(d, (byte) 0);
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "UpdateKey[" + HexFormat.of().formatHex(publicKey).substring(0, 16) + "…, secret hidden]";
    }
}

package dev.planetary.identity;

import java.util.Arrays;

/**
 * Text forms (spec §2.9): public identity {@code <address>:1:<base32 of the 195-byte Identity>}
 * and secret identity {@code <public identity>:<base32 of the 97-byte secret>}. Parsers verify the
 * self-signature and the derived address (one ECDSA verification and one Argon2id evaluation).
 */
public final class IdentityText {
    /** Longest accepted input; anything longer is refused before any work. */
    public static final int MAX_TEXT = 10 + 3 + 312 + 1 + 156 + 16;
    static final int PUBLIC_B32 = 312;
    static final int SECRET_B32 = 156;

    private IdentityText() {}

    /** A verified public identity with its address. */
    public record Parsed(Identity identity, Address address) {}

    public static String publicText(Identity id, Address address) {
        return address + ":1:" + Base32.encode(id.encoded());
    }

    /** The secret text (secret: do not log it). */
    public static String secretText(SecretIdentity s) {
        byte[] secret = s.encodeSecret();
        try {
            return publicText(s.identity(), s.address()) + ":" + Base32.encode(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    /** Parses and verifies a public identity (surrounding white space ignored). */
    public static Decoded<Parsed> parsePublic(CharSequence text) {
        return parsePublic(text, new IdentityVerifier(1));
    }

    /** As {@link #parsePublic(CharSequence)} with a shared verification cache. */
    public static Decoded<Parsed> parsePublic(CharSequence text, IdentityVerifier verifier) {
        if (text == null || text.length() > MAX_TEXT) return Decoded.invalid(Rejection.LENGTH, "identity text too long");
        String s = text.toString().strip();
        if (s.length() != 10 + 3 + PUBLIC_B32) return Decoded.invalid(Rejection.LENGTH, "a public identity is 325 characters");
        return parsePublicPart(s, verifier);
    }

    private static Decoded<Parsed> parsePublicPart(String s, IdentityVerifier verifier) {
        if (s.charAt(10) != ':' || s.charAt(11) != '1' || s.charAt(12) != ':') {
            return Decoded.invalid(Rejection.SYNTAX, "expected <address>:1:<base32>");
        }
        var address = Address.parse(s.substring(0, 10));
        if (address.isEmpty()) return Decoded.invalid(Rejection.SYNTAX, "the address is not 10 lowercase hex digits of a usable address");
        var bytes = Base32.decode(s.substring(13, 13 + PUBLIC_B32), Identity.SIZE);
        if (bytes.isEmpty()) return Decoded.invalid(Rejection.SYNTAX, "the identity is not canonical lowercase base32");
        return Identity.decode(bytes.get()).flatMap(id ->
                verifier.verify(id, address.get()).map(a -> new Parsed(id, a)));
    }

    /** Parses a secret identity: the scalars must give the stated public identity, which must verify. */
    public static Decoded<SecretIdentity> parseSecret(CharSequence text) {
        if (text == null || text.length() > MAX_TEXT) return Decoded.invalid(Rejection.LENGTH, "identity text too long");
        String s = text.toString().strip();
        if (s.length() != 10 + 3 + PUBLIC_B32 + 1 + SECRET_B32) return Decoded.invalid(Rejection.LENGTH, "a secret identity is 482 characters");
        if (s.charAt(325) != ':') return Decoded.invalid(Rejection.SYNTAX, "expected <public identity>:<base32 secret>");
        var secret = Base32.decode(s.substring(326), SecretIdentity.SECRET_SIZE);
        if (secret.isEmpty()) return Decoded.invalid(Rejection.SYNTAX, "the secret is not canonical lowercase base32");
        String pub = s.substring(0, 325);
        if (pub.charAt(10) != ':' || pub.charAt(11) != '1' || pub.charAt(12) != ':') {
            return Decoded.invalid(Rejection.SYNTAX, "expected <address>:1:<base32>");
        }
        var address = Address.parse(pub.substring(0, 10));
        var bytes = Base32.decode(pub.substring(13), Identity.SIZE);
        if (address.isEmpty() || bytes.isEmpty()) return Decoded.invalid(Rejection.SYNTAX, "malformed public part");
        Decoded<SecretIdentity> d = SecretIdentity.decodeSecret(secret.get());
        Arrays.fill(secret.get(), (byte) 0);
        if (!(d instanceof Decoded.Ok<SecretIdentity> ok)) return d;
        SecretIdentity si = ok.value();
        // the self-signature is recomputed from the scalars (deterministic); the stated keys must be the derived ones
        byte[] stated = bytes.get();
        byte[] derived = si.identity().encoded();
        if (!Arrays.equals(stated, 0, Identity.PUBLIC_KEY_BYTES, derived, 0, Identity.PUBLIC_KEY_BYTES)) {
            si.destroy();
            return Decoded.invalid(Rejection.SECRET_MISMATCH, "the secret does not belong to the stated identity");
        }
        Decoded<Identity> statedId = Identity.decode(stated);
        if (!(statedId instanceof Decoded.Ok<Identity> sid) || !sid.value().selfSignatureValid()) {
            si.destroy();
            return Decoded.invalid(Rejection.SELF_SIGNATURE, "the stated self-signature does not verify");
        }
        if (!si.address().equals(address.get())) {
            si.destroy();
            return Decoded.invalid(Rejection.ADDRESS_MISMATCH, "stated address " + address.get() + " but derived " + si.address());
        }
        return d;
    }
}

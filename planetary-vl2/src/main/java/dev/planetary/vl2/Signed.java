package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.Pso;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.Tlv;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A decoded VL2 signed object: the PSO (§2.8: issuer, timestamp, digest, signature, encoded bytes)
 * with its typed contents. Obtained from {@code sign}, from {@code parse} (structure and field rules,
 * no signature) or from {@code verify} (everything, signature last, cached by digest).
 */
public record Signed<T>(Pso pso, T value) {
    public Signed {
        Objects.requireNonNull(pso, "pso");
        Objects.requireNonNull(value, "value");
    }

    /** The issuer's Unix ms timestamp: for a Member Credential, {@code ts(MC)} (§8.1). */
    public long timestamp() {
        return pso.timestamp();
    }

    public Fingerprint issuer() {
        return pso.issuer();
    }

    /** SHA-384 of the signed bytes (§2.8 PSO digest). */
    public byte[] digest() {
        return pso.digest();
    }

    /** The whole PSO (a copy). */
    public byte[] encoded() {
        return pso.encoded();
    }

    /** Verifies the signature under {@code issuer} (no cache). */
    public boolean signatureValid(Identity issuer) {
        return issuer.fingerprint().equals(pso.issuer()) && pso.signatureValid(issuer);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Signed<?> s && Arrays.equals(s.pso.encoded(), pso.encoded());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(pso.digest());
    }

    @Override
    public String toString() {
        return "Signed[" + pso + ", " + value + "]";
    }

    /** Structural parse of {@code b} as a PSO of {@code type}, then the typed field rules; no signature. */
    static <T> Decoded<Signed<T>> parse(byte[] b, int type, Tlv.Schema schema, Function<Pso, Decoded<T>> decoder) {
        // §2.8 order: length and magic, then the type, before the TLV structure (of another type's schema)
        if (b != null && b.length >= Pso.MIN_SIZE && b.length <= Pso.MAX_SIZE && Arrays.equals(b, 0, 4, Pso.MAGIC, 0, 4)
                && (b[4] & 0xff) != type) {
            return Decoded.invalid(Rejection.TYPE, "PSO type " + (b[4] & 0xff) + ", expected " + type);
        }
        return Pso.parse(b, schema).flatMap(p -> decoder.apply(p).map(v -> new Signed<>(p, v)));
    }

    /** Full verification in §2.8 order through {@code verifier} (which caches by digest). */
    static <T> Decoded<Signed<T>> verify(PsoVerifier verifier, byte[] b, int type, Identity issuer, Tlv.Schema schema,
                                         Function<Pso, Decoded<T>> decoder) {
        AtomicReference<T> value = new AtomicReference<>();
        Decoded<Pso> d = verifier.verify(b, type, issuer, schema, p -> switch (decoder.apply(p)) {
            case Decoded.Ok<T> ok -> {
                value.set(ok.value());
                yield Optional.empty();
            }
            case Decoded.Invalid<T> inv -> Optional.of(inv.detail());
        });
        return d.map(p -> new Signed<>(p, value.get()));
    }
}

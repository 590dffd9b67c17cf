package dev.planetary.identity;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Verifies PSOs in the order of spec §2.8 — length and magic, type, expected issuer, TLV structure,
 * semantic checks, then the signature — and caches verified objects by digest (bounded, least
 * recently used evicted, default {@value #DEFAULT_CAPACITY} digests). A cache hit skips only the
 * signature: the digest covers every signed byte, so the same digest means the issuer signed
 * exactly these contents (a re-encoded signature does not change it). Thread-safe.
 */
public final class PsoVerifier {
    public static final int DEFAULT_CAPACITY = 1024;

    /** A semantic check: empty if the fields are acceptable, else a short reason. */
    @FunctionalInterface
    public interface Semantics extends Function<Pso, Optional<String>> {
        Semantics NONE = p -> Optional.empty();
    }

    private final Map<ByteBuffer, Boolean> verified;

    public PsoVerifier() {
        this(DEFAULT_CAPACITY);
    }

    public PsoVerifier(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
        verified = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Verifies {@code b[off, off+len)} as a PSO of {@code expectedType} issued by {@code issuer}
     * (whose identity the caller has verified). Never throws on bad bytes.
     */
    public Decoded<Pso> verify(byte[] b, int off, int len, int expectedType, Identity issuer,
                               Tlv.Schema schema, Semantics semantics) {
        if (b == null || off < 0 || len < 0 || off > b.length - len) return Decoded.invalid(Rejection.LENGTH, "range outside the buffer");
        if (len < Pso.MIN_SIZE || len > Pso.MAX_SIZE) return Decoded.invalid(Rejection.LENGTH, "a PSO is 162..49,122 bytes, got " + len);
        if ((b[off + 4] & 0xFF) != expectedType) return Decoded.invalid(Rejection.TYPE, "PSO type " + (b[off + 4] & 0xFF) + ", expected " + expectedType);
        if (!issuer.fingerprint().matches(b, off + 6)) return Decoded.invalid(Rejection.ISSUER, "not issued by " + issuer.fingerprint().toShortString());
        Decoded<Pso> parsed = Pso.parse(b, off, len, schema); // magic, version, length, TLV
        if (!(parsed instanceof Decoded.Ok<Pso> ok)) return parsed;
        Pso pso = ok.value();
        Optional<String> bad = semantics.apply(pso);
        if (bad.isPresent()) return Decoded.invalid(Rejection.SEMANTIC, bad.get());
        ByteBuffer key = ByteBuffer.wrap(pso.digest());
        synchronized (verified) {
            if (verified.get(key) != null) return parsed;
        }
        if (!pso.signatureValid(issuer)) return Decoded.invalid(Rejection.SIGNATURE, "PSO signature does not verify");
        synchronized (verified) {
            verified.put(key, Boolean.TRUE);
        }
        return parsed;
    }

    public Decoded<Pso> verify(byte[] b, int expectedType, Identity issuer, Tlv.Schema schema, Semantics semantics) {
        return b == null ? Decoded.invalid(Rejection.LENGTH, "no bytes") : verify(b, 0, b.length, expectedType, issuer, schema, semantics);
    }

    public int size() {
        synchronized (verified) {
            return verified.size();
        }
    }
}

package dev.planetary.identity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifies identities once per fingerprint (spec §2.3, §2.4): the self-signature (one ECDSA
 * verification) and the address proof of work (one Argon2id evaluation).
 *
 * <p>The cache is bounded (least recently used evicted, default {@value #DEFAULT_CAPACITY}
 * fingerprints, ≈ 200 bytes each). The proof-of-work outcome is a function of the fingerprint, so
 * it is cached both ways; a self-signature is cached only when valid (an invalid signature beside
 * a known fingerprint must not poison the entry of the real owner). Thread-safe.
 */
public final class IdentityVerifier {
    public static final int DEFAULT_CAPACITY = 4096;

    private record Cached(Decoded<Address> pow, boolean selfSigValid) {}

    private final Map<Fingerprint, Cached> cache;

    public IdentityVerifier() {
        this(DEFAULT_CAPACITY);
    }

    public IdentityVerifier(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("cache capacity must be at least 1, got " + capacity);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Fingerprint, Cached> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The self-signature only (members, spec §2.6). */
    public boolean selfSignatureValid(Identity id) {
        Cached e = get(id.fingerprint());
        if (e != null && e.selfSigValid) return true;
        boolean ok = id.selfSignatureValid();
        if (ok) put(id.fingerprint(), e == null ? null : e.pow, true);
        return ok;
    }

    /** The derived address (proof of work only). */
    public Decoded<Address> address(Identity id) {
        Cached e = get(id.fingerprint());
        if (e != null && e.pow != null) return e.pow;
        Decoded<Address> pow = id.deriveAddress();
        put(id.fingerprint(), pow, e != null && e.selfSigValid);
        return pow;
    }

    /** Full verification: self-signature, then proof of work; the address if both hold. */
    public Decoded<Address> verify(Identity id) {
        if (!selfSignatureValid(id)) return Decoded.invalid(Rejection.SELF_SIGNATURE, "self-signature does not verify");
        return address(id);
    }

    /** Full verification plus the claimed address (spec §2.4: "check the claimed address"). */
    public Decoded<Address> verify(Identity id, Address claimed) {
        return verify(id).flatMap(a -> a.equals(claimed) ? Decoded.ok(a)
                : Decoded.invalid(Rejection.ADDRESS_MISMATCH, "claimed address " + claimed + " but derived " + a));
    }

    public synchronized int size() {
        return cache.size();
    }

    private synchronized Cached get(Fingerprint fp) {
        return cache.get(fp);
    }

    private synchronized void put(Fingerprint fp, Decoded<Address> pow, boolean selfSig) {
        Cached old = cache.get(fp);
        Decoded<Address> p = pow != null ? pow : old == null ? null : old.pow;
        cache.put(fp, new Cached(p, selfSig || (old != null && old.selfSigValid)));
    }
}

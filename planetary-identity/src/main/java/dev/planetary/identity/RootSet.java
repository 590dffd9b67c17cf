package dev.planetary.identity;

import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.zssp.crypto.P384PublicKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A root set (spec §4.1): the roots a node trusts and the offline update keys allowed to sign the
 * next revision.
 *
 * <pre>
 * 4     magic "PLRT"                     1      update key count U (1..4)
 * 1     format version 1                 49·U   update keys (compressed P-384 ECDSA keys)
 * 1     name length N (1..64)            1      root count M (1..16)
 * N     name, ASCII [a-z0-9.-]           per root: Identity (195) ‖ u8 E (1..8) ‖ E × Endpoint
 * 8     revision (u64)                   49     signer: the update key that signed
 * 8     timestamp (Unix ms, informative) 96     ECDSA P-384/SHA-384 signature over all preceding bytes
 * </pre>
 *
 * {@link #decode} checks structure only; {@link #validate} is standalone validity (no duplicate
 * fingerprints or addresses, every root identity valid, the signature verifies under the stated
 * signer); {@link #update} is the update rule.
 */
public final class RootSet {
    public static final byte[] MAGIC = {0x50, 0x4c, 0x52, 0x54};
    public static final int VERSION = 1;
    public static final int MAX_NAME = 64, MAX_UPDATE_KEYS = 4, MAX_ROOTS = 16, MAX_ENDPOINTS = 8;
    /** Largest possible encoding (reserved endpoint types may carry up to 255 value bytes). */
    public static final int MAX_SIZE = 4 + 1 + 1 + MAX_NAME + 8 + 8 + 1 + 49 * MAX_UPDATE_KEYS + 1
            + MAX_ROOTS * (Identity.SIZE + 1 + MAX_ENDPOINTS * (2 + 255)) + 49 + 96;

    /** One root: its identity and 1..8 endpoints. */
    public record Root(Identity identity, List<Endpoint> endpoints) {
        public Root {
            endpoints = List.copyOf(endpoints);
        }
    }

    /** A standalone-valid set with the derived address of each root (same order as {@link #roots()}). */
    public record Valid(RootSet set, List<Address> addresses) {
        public Valid {
            addresses = List.copyOf(addresses);
        }
    }

    private final byte[] encoded;
    private final String name;
    private final long revision, timestamp;
    private final List<byte[]> updateKeys;
    private final List<Root> roots;
    private final byte[] signer;

    private RootSet(byte[] encoded, String name, long revision, long timestamp, List<byte[]> updateKeys, List<Root> roots, byte[] signer) {
        this.encoded = encoded;
        this.name = name;
        this.revision = revision;
        this.timestamp = timestamp;
        this.updateKeys = updateKeys;
        this.roots = roots;
        this.signer = signer;
    }

    /** True iff {@code name} is 1..64 characters of [a-z0-9.-]. */
    public static boolean isValidName(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME && name.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
    }

    /**
     * Builds and signs a set.
     *
     * @throws IllegalArgumentException on misuse (name, counts, invalid keys)
     */
    public static RootSet create(UpdateKey signer, String name, long revision, long timestamp,
                                 List<byte[]> updateKeys, List<Root> roots) {
        if (!isValidName(name)) throw new IllegalArgumentException("root set name must be 1..64 characters of [a-z0-9.-]");
        if (updateKeys.isEmpty() || updateKeys.size() > MAX_UPDATE_KEYS) throw new IllegalArgumentException("a root set has 1..4 update keys, got " + updateKeys.size());
        if (roots.isEmpty() || roots.size() > MAX_ROOTS) throw new IllegalArgumentException("a root set has 1..16 roots, got " + roots.size());
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(MAGIC);
        o.write(VERSION);
        o.write(name.length());
        o.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        byte[] n8 = new byte[16];
        Pso.putLong(n8, 0, revision);
        Pso.putLong(n8, 8, timestamp);
        o.writeBytes(n8);
        o.write(updateKeys.size());
        for (byte[] k : updateKeys) {
            if (k.length != 49 || P384PublicKey.decode(k, 0) == null) throw new IllegalArgumentException("update key is not a compressed P-384 point");
            o.writeBytes(k);
        }
        o.write(roots.size());
        for (Root r : roots) {
            if (r.endpoints().isEmpty() || r.endpoints().size() > MAX_ENDPOINTS) throw new IllegalArgumentException("a root has 1..8 endpoints, got " + r.endpoints().size());
            o.writeBytes(r.identity().encoded());
            o.write(r.endpoints().size());
            for (Endpoint e : r.endpoints()) {
                byte[] eb = new byte[e.size()];
                e.writeTo(eb, 0);
                o.writeBytes(eb);
            }
        }
        o.writeBytes(signer.publicKey());
        byte[] signed = o.toByteArray();
        o.writeBytes(signer.sign(signed));
        return decode(o.toByteArray()).orThrow();
    }

    /** Structural decoding of exactly the given bytes. Never throws on bad bytes. */
    public static Decoded<RootSet> decode(byte[] b) {
        if (b == null) return Decoded.invalid(Rejection.LENGTH, "no bytes");
        if (b.length > MAX_SIZE) return Decoded.invalid(Rejection.LENGTH, "root set longer than " + MAX_SIZE + " bytes");
        int end = b.length;
        if (end < 6) return Decoded.invalid(Rejection.LENGTH, "truncated header");
        if (!Arrays.equals(b, 0, 4, MAGIC, 0, 4)) return Decoded.invalid(Rejection.TYPE, "no PLRT magic");
        if ((b[4] & 0xFF) != VERSION) return Decoded.invalid(Rejection.TYPE, "root set format version " + (b[4] & 0xFF) + " is not 1");
        int n = b[5] & 0xFF;
        if (n < 1 || n > MAX_NAME) return Decoded.invalid(Rejection.SEMANTIC, "name length must be 1..64");
        int p = 6;
        if (end - p < n + 17) return Decoded.invalid(Rejection.LENGTH, "truncated header");
        String name = new String(b, p, n, StandardCharsets.ISO_8859_1);
        if (!isValidName(name)) return Decoded.invalid(Rejection.SEMANTIC, "name is not [a-z0-9.-]");
        p += n;
        long revision = Pso.getLong(b, p), timestamp = Pso.getLong(b, p + 8);
        p += 16;
        int u = b[p++] & 0xFF;
        if (u < 1 || u > MAX_UPDATE_KEYS) return Decoded.invalid(Rejection.SEMANTIC, "update key count must be 1..4");
        if (end - p < 49 * u + 1) return Decoded.invalid(Rejection.LENGTH, "truncated update keys");
        List<byte[]> keys = new ArrayList<>(u);
        for (int i = 0; i < u; i++, p += 49) {
            if (P384PublicKey.decode(b, p) == null) return Decoded.invalid(Rejection.BAD_POINT, "update key " + i + " is not a P-384 point");
            keys.add(Arrays.copyOfRange(b, p, p + 49));
        }
        int m = b[p++] & 0xFF;
        if (m < 1 || m > MAX_ROOTS) return Decoded.invalid(Rejection.SEMANTIC, "root count must be 1..16");
        List<Root> roots = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            if (end - p < Identity.SIZE + 1) return Decoded.invalid(Rejection.LENGTH, "truncated root " + i);
            Decoded<Identity> id = Identity.decode(b, p, Identity.SIZE);
            if (!(id instanceof Decoded.Ok<Identity> ok)) return ((Decoded.Invalid<Identity>) id).cast();
            p += Identity.SIZE;
            int e = b[p++] & 0xFF;
            if (e < 1 || e > MAX_ENDPOINTS) return Decoded.invalid(Rejection.SEMANTIC, "endpoint count must be 1..8");
            List<Endpoint> eps = new ArrayList<>(e);
            for (int j = 0; j < e; j++) {
                Decoded<Endpoint> ep = Endpoint.read(b, p, end);
                if (!(ep instanceof Decoded.Ok<Endpoint> eok)) return ((Decoded.Invalid<Endpoint>) ep).cast();
                eps.add(eok.value());
                p += eok.value().size();
            }
            roots.add(new Root(ok.value(), eps));
        }
        if (end - p != 49 + 96) return Decoded.invalid(Rejection.LENGTH, end - p < 145 ? "truncated signer or signature" : "trailing bytes");
        if (P384PublicKey.decode(b, p) == null) return Decoded.invalid(Rejection.BAD_POINT, "signer is not a P-384 point");
        byte[] signer = Arrays.copyOfRange(b, p, p + 49);
        return Decoded.ok(new RootSet(b.clone(), name, revision, timestamp, List.copyOf(keys), List.copyOf(roots), signer));
    }

    /**
     * Standalone validity (spec §4.1): no duplicate fingerprints, the signature verifies under the
     * stated signer, every root identity valid (self-signature and proof of work), no duplicate
     * addresses. Cheap checks first: the proof of work costs one Argon2id evaluation per root.
     */
    public Decoded<Valid> validate(IdentityVerifier verifier) {
        Set<Fingerprint> fps = new HashSet<>();
        for (Root r : roots) {
            if (!fps.add(r.identity().fingerprint())) return Decoded.invalid(Rejection.SEMANTIC, "duplicate root fingerprint");
        }
        if (!Ecdsa384.verify(signer, 0, encoded, 0, encoded.length - 96, encoded, encoded.length - 96)) {
            return Decoded.invalid(Rejection.SIGNATURE, "root set signature does not verify under its signer");
        }
        List<Address> addresses = new ArrayList<>(roots.size());
        Set<Address> seen = new HashSet<>();
        for (Root r : roots) {
            Decoded<Address> a = verifier.verify(r.identity());
            if (!(a instanceof Decoded.Ok<Address> ok)) return ((Decoded.Invalid<Address>) a).cast();
            if (!seen.add(ok.value())) return Decoded.invalid(Rejection.SEMANTIC, "duplicate root address " + ok.value());
            addresses.add(ok.value());
        }
        return Decoded.ok(new Valid(this, addresses));
    }

    /**
     * The update rule (spec §4.1): {@code candidate} replaces {@code current} iff same name, higher
     * revision, signed by one of {@code current}'s update keys, and standalone-valid.
     */
    public static Decoded<Valid> update(Valid current, RootSet candidate, IdentityVerifier verifier) {
        RootSet c = current.set();
        if (!candidate.name.equals(c.name)) return Decoded.invalid(Rejection.UPDATE_RULE, "a different set name");
        if (Long.compareUnsigned(candidate.revision, c.revision) <= 0) {
            return Decoded.invalid(Rejection.UPDATE_RULE, "revision " + Long.toUnsignedString(candidate.revision)
                    + " is not above " + Long.toUnsignedString(c.revision));
        }
        if (!c.hasUpdateKey(candidate.signer)) return Decoded.invalid(Rejection.UPDATE_RULE, "signer is not an update key of the accepted revision");
        return candidate.validate(verifier);
    }

    /** True iff {@code key} (49 bytes) is one of this set's update keys. */
    public boolean hasUpdateKey(byte[] key) {
        for (byte[] k : updateKeys) if (Arrays.equals(k, key)) return true;
        return false;
    }

    public String name() {
        return name;
    }

    public long revision() {
        return revision;
    }

    public long timestamp() {
        return timestamp;
    }

    /** The update keys (copies). */
    public List<byte[]> updateKeys() {
        return updateKeys.stream().map(byte[]::clone).toList();
    }

    public List<Root> roots() {
        return roots;
    }

    /** The update key that signed this set (49 bytes, a copy). */
    public byte[] signer() {
        return signer.clone();
    }

    public byte[] encoded() {
        return encoded.clone();
    }

    @Override
    public String toString() {
        return "RootSet[" + name + " r" + Long.toUnsignedString(revision) + ", " + roots.size() + " roots]";
    }
}

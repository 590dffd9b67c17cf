package dev.planetary.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Root sets: format, standalone validity, update rule, rotation, order and merge (spec §4.1, §4.2). */
class RootSetTest {
    static final IdentityVerifier VERIFIER = new IdentityVerifier();

    static UpdateKey key(int seed) {
        return UpdateKey.generate(new DeterministicRandom(seed));
    }

    static RootSet.Root root(SecretIdentity s, String... endpoints) {
        return new RootSet.Root(s.identity(), Arrays.stream(endpoints).map(e -> Endpoint.parse(e).orElseThrow()).toList());
    }

    static Rejection reason(Decoded<?> d) {
        return assertInstanceOf(Decoded.Invalid.class, d, "expected a rejection").reason();
    }

    @Test
    void createDecodeValidate() {
        UpdateKey k1 = key(1);
        RootSet s = RootSet.create(k1, "example", 1, 1000, List.of(k1.publicKey()),
                List.of(root(Fixtures.b1(), "192.0.2.1/9993", "[2001:db8::1]/9993"), root(Fixtures.generated(), "198.51.100.7/9993")));
        RootSet back = RootSet.decode(s.encoded()).orThrow();
        assertEquals("example", back.name());
        assertEquals(1, back.revision());
        assertEquals(2, back.roots().size());
        assertEquals("[2001:db8:0:0:0:0:0:1]/9993", back.roots().get(0).endpoints().get(1).toString());
        RootSet.Valid v = back.validate(VERIFIER).orThrow();
        assertEquals(List.of(Fixtures.b1().address(), Fixtures.generated().address()), v.addresses());
        assertArrayEquals(k1.publicKey(), back.signer());
    }

    @Test
    void updateRuleAndRotation() {
        UpdateKey k1 = key(1), k2 = key(2), k3 = key(3);
        var roots = List.of(root(Fixtures.b1(), "192.0.2.1/9993"));
        RootSet.Valid r1 = RootSet.create(k1, "example", 1, 1, List.of(k1.publicKey()), roots).validate(VERIFIER).orThrow();
        // revision 2 signed by revision 1's key, rotating to k2: accepted
        RootSet r2 = RootSet.create(k1, "example", 2, 2, List.of(k2.publicKey()), roots);
        RootSet.Valid v2 = RootSet.update(r1, r2, VERIFIER).orThrow();
        // revision 2 signed by k2, listed only in revision 2: refused against revision 1
        RootSet r2b = RootSet.create(k2, "example", 2, 2, List.of(k2.publicKey()), roots);
        assertTrue(r2b.validate(VERIFIER).isOk(), "standalone-valid all the same");
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(r1, r2b, VERIFIER)));
        // after the rotation, k2 signs revision 3 and k1 no longer can
        assertTrue(RootSet.update(v2, RootSet.create(k2, "example", 3, 3, List.of(k2.publicKey()), roots), VERIFIER).isOk());
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(v2, RootSet.create(k1, "example", 3, 3, List.of(k1.publicKey()), roots), VERIFIER)));
        // an unrelated signer, the same or a lower revision, another name
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(r1, RootSet.create(k3, "example", 2, 2, List.of(k3.publicKey()), roots), VERIFIER)));
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(r1, RootSet.create(k1, "example", 1, 2, List.of(k1.publicKey()), roots), VERIFIER)));
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(v2, RootSet.create(k1, "example", 1, 2, List.of(k1.publicKey()), roots), VERIFIER)));
        assertEquals(Rejection.UPDATE_RULE, reason(RootSet.update(r1, RootSet.create(k1, "other", 2, 2, List.of(k1.publicKey()), roots), VERIFIER)));
        // revision compare is unsigned: 2^63 is above 1
        assertTrue(RootSet.update(r1, RootSet.create(k1, "example", Long.MIN_VALUE, 2, List.of(k1.publicKey()), roots), VERIFIER).isOk());
        // a candidate signed by the right key but not standalone-valid (an invalid root) is refused
        RootSet bad = RootSet.create(k1, "example", 2, 2, List.of(k1.publicKey()),
                List.of(new RootSet.Root(Fixtures.structural(new Random(5)), List.of(Endpoint.parse("192.0.2.9/1").orElseThrow()))));
        assertEquals(Rejection.SELF_SIGNATURE, reason(RootSet.update(r1, bad, VERIFIER)));
        // a frozen set refuses in-band updates
        assertEquals(Rejection.UPDATE_RULE, reason(new RootSets.Accepted(r1, true).offer(r2, VERIFIER)));
        assertEquals(2, new RootSets.Accepted(r1, false).offer(r2, VERIFIER).orThrow().valid().set().revision());
    }

    @Test
    void duplicatesAreRejected() {
        UpdateKey k1 = key(1);
        RootSet dupFp = RootSet.create(k1, "example", 1, 1, List.of(k1.publicKey()),
                List.of(root(Fixtures.b1(), "192.0.2.1/9993"), root(Fixtures.b1(), "192.0.2.2/9993")));
        assertEquals(Rejection.SEMANTIC, reason(dupFp.validate(VERIFIER)));
        // a signature by another key than the stated signer
        RootSet s = RootSet.create(k1, "example", 1, 1, List.of(k1.publicKey()), List.of(root(Fixtures.b1(), "192.0.2.1/9993")));
        byte[] e = s.encoded();
        byte[] other = key(2).publicKey();
        System.arraycopy(other, 0, e, e.length - 145, 49);
        assertEquals(Rejection.SIGNATURE, reason(RootSet.decode(e).orThrow().validate(VERIFIER)));
    }

    @Test
    void everyTruncationAndBitFlipIsRejected() {
        UpdateKey k1 = key(1);
        byte[] e = RootSet.create(k1, "ex", 1, 1, List.of(k1.publicKey()), List.of(root(Fixtures.b1(), "192.0.2.1/9993"))).encoded();
        for (int len = 0; len < e.length; len++) assertTrue(!RootSet.decode(Arrays.copyOf(e, len)).isOk(), "length " + len);
        assertEquals(Rejection.LENGTH, reason(RootSet.decode(Arrays.copyOf(e, e.length + 1))));
        Set<Rejection> allowed = EnumSet.of(Rejection.LENGTH, Rejection.TYPE, Rejection.SEMANTIC, Rejection.BAD_POINT, Rejection.SIGNATURE);
        for (int bit = 0; bit < e.length * 8; bit++) {
            byte[] f = e.clone();
            f[bit >>> 3] ^= (byte) (1 << (bit & 7));
            Decoded<RootSet.Valid> r = RootSet.decode(f).flatMap(s -> s.validate(VERIFIER));
            assertTrue(allowed.contains(reason(r)), "bit " + bit + ": " + r);
        }
    }

    @Test
    void endpointRules() {
        UpdateKey k1 = key(1);
        byte[] e = RootSet.create(k1, "ex", 1, 1, List.of(k1.publicKey()), List.of(root(Fixtures.b1(), "192.0.2.1/9993"))).encoded();
        int epOff = e.length - 145 - 8; // type, L, 4 + 2
        assertEquals(Endpoint.IPV4_UDP, e[epOff]);
        byte[] wrongLen = e.clone();
        wrongLen[epOff] = Endpoint.IPV6_UDP; // known type, L = 6: invalid
        assertEquals(Rejection.SEMANTIC, reason(RootSet.decode(wrongLen)));
        byte[] reserved = e.clone();
        reserved[epOff] = 0x44; // reserved type: skipped by L, kept opaque (the signature then fails)
        RootSet r = RootSet.decode(reserved).orThrow();
        assertEquals(0x44, r.roots().get(0).endpoints().get(0).type());
        assertTrue(Endpoint.parse("1.2.3.4/0").isEmpty());
        assertTrue(Endpoint.parse("1.2.3.4:9993").isEmpty());
        assertTrue(Endpoint.parse("example.com/9993").isEmpty());
        assertTrue(Endpoint.parse("[::1]/9993").isPresent());
        assertThrows(IllegalArgumentException.class, () -> RootSet.create(k1, "Bad_Name", 1, 1, List.of(k1.publicKey()), List.of(root(Fixtures.b1(), "192.0.2.1/9993"))));
        assertThrows(IllegalArgumentException.class, () -> RootSet.create(k1, "ok", 1, 1, List.of(), List.of(root(Fixtures.b1(), "192.0.2.1/9993"))));
    }

    @Test
    void setOrderAndMaxRootsMerge() {
        // structural identities with made-up addresses: the merge does not re-verify
        Random rnd = new Random(11);
        UpdateKey k = key(1);
        List<RootSets.Accepted> sets = new ArrayList<>();
        List<Identity> all = new ArrayList<>();
        for (String name : new String[] {"zeta", "alpha", "mid"}) {
            List<RootSet.Root> roots = new ArrayList<>();
            List<Address> addrs = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Identity id = i == 0 && !all.isEmpty() ? all.get(0) : Fixtures.structural(rnd); // a shared root
                all.add(id);
                roots.add(new RootSet.Root(id, List.of(Endpoint.parse("192.0.2." + (i + 1) + "/9993").orElseThrow())));
                addrs.add(new Address(1 + all.size()));
            }
            RootSet s = RootSet.create(k, name, 1, 1, List.of(k.publicKey()), roots);
            sets.add(new RootSets.Accepted(new RootSet.Valid(s, addrs), false));
        }
        RootSets.Accepted def = sets.remove(0); // "zeta" plays the embedded default
        List<RootSets.EffectiveRoot> eff = RootSets.effectiveRoots(sets, def);
        assertEquals(RootSets.MAX_ROOTS, eff.size());
        assertEquals("alpha", eff.get(0).setName());
        // alpha (7), then mid without the shared root (6), then 3 of the default
        assertEquals(List.of("alpha", "alpha", "alpha", "alpha", "alpha", "alpha", "alpha", "mid", "mid", "mid", "mid", "mid", "mid", "zeta", "zeta", "zeta"),
                eff.stream().map(RootSets.EffectiveRoot::setName).toList());
        assertEquals(eff.size(), eff.stream().map(r -> r.root().identity().fingerprint()).distinct().count());
    }

    /** A deterministic SecureRandom for reproducible keys in tests and vectors. */
    static final class DeterministicRandom extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final Random r;

        DeterministicRandom(long seed) {
            this.r = new Random(seed);
        }

        @Override
        public void nextBytes(byte[] bytes) {
            r.nextBytes(bytes);
        }
    }

    @Test
    void updateKeyText() {
        UpdateKey k = key(4);
        assertArrayEquals(k.publicKey(), UpdateKey.parsePublic(k.publicText()).orThrow());
        assertArrayEquals(k.publicKey(), UpdateKey.parseSecret(k.secretText()).orThrow().publicKey());
        assertEquals(Rejection.SYNTAX, reason(UpdateKey.parsePublic("update-public:1:zz")));
        assertEquals(Rejection.SECRET_MISMATCH, reason(UpdateKey.parseSecret("update-secret:1:" + "0".repeat(96))));
        assertTrue(new BigInteger(1, k.publicKey()).signum() > 0);
    }
}

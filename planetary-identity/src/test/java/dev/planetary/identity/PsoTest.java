package dev.planetary.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Planetary Signed Objects and TLV (spec §0, §2.8). */
class PsoTest {
    static final Tlv.Schema SCHEMA = Tlv.Schema.of(
            Tlv.Definition.fixed(0x01, 8),
            new Tlv.Definition(0x02, 0, 64, true),
            new Tlv.Definition(0x81, 1, 16, false));

    static byte[] body() {
        return new Tlv.Writer().add(0x01, new byte[8]).add(0x02, "ab".getBytes()).add(0x02, "cd".getBytes())
                .add(0x81, new byte[] {9}).add(0x90, new byte[] {1, 2, 3}).toBytes();
    }

    static Rejection reason(Decoded<?> d) {
        return assertInstanceOf(Decoded.Invalid.class, d, "expected a rejection").reason();
    }

    @Test
    void signParseVerifyRoundTrip() {
        SecretIdentity issuer = Fixtures.b1();
        Pso p = Pso.sign(issuer, Pso.MEMBER_CREDENTIAL, 1_700_000_000_000L, body(), SCHEMA);
        byte[] e = p.encoded();
        assertEquals(162 + body().length, e.length);
        PsoVerifier v = new PsoVerifier();
        Pso back = v.verify(e, Pso.MEMBER_CREDENTIAL, issuer.identity(), SCHEMA, PsoVerifier.Semantics.NONE).orThrow();
        assertEquals(issuer.fingerprint(), back.issuer());
        assertEquals(1_700_000_000_000L, back.timestamp());
        assertArrayEquals(p.digest(), back.digest());
        // the unknown optional 0x90 is skipped; the repeated 0x02 kept in order
        assertEquals(List.of(0x01, 0x02, 0x02, 0x81), back.fields().stream().map(Tlv.Field::type).toList());
        assertEquals(1, v.size());
        // deterministic (RFC 6979)
        assertArrayEquals(e, Pso.sign(issuer, Pso.MEMBER_CREDENTIAL, 1_700_000_000_000L, body(), SCHEMA).encoded());
    }

    @Test
    void checksRunInTheSpecifiedOrder() {
        SecretIdentity issuer = Fixtures.b1();
        Identity other = Fixtures.generated().identity();
        byte[] e = Pso.sign(issuer, Pso.NETWORK_CONFIG, 5, body(), SCHEMA).encoded();
        PsoVerifier v = new PsoVerifier();
        assertEquals(Rejection.TYPE, reason(v.verify(e, Pso.REVOCATION_LIST, issuer.identity(), SCHEMA, PsoVerifier.Semantics.NONE)));
        assertEquals(Rejection.ISSUER, reason(v.verify(e, Pso.NETWORK_CONFIG, other, SCHEMA, PsoVerifier.Semantics.NONE)));
        byte[] broken = e.clone();
        broken[e.length - 1] ^= 1; // signature broken: the semantic check still answers first
        assertEquals(Rejection.SEMANTIC, reason(v.verify(broken, Pso.NETWORK_CONFIG, issuer.identity(), SCHEMA, p -> Optional.of("no"))));
        assertEquals(Rejection.SIGNATURE, reason(v.verify(broken, Pso.NETWORK_CONFIG, issuer.identity(), SCHEMA, PsoVerifier.Semantics.NONE)));
        assertEquals(0, v.size());
    }

    @Test
    void malleatedSignatureVerifiesAndKeepsTheDigest() {
        SecretIdentity issuer = Fixtures.b1();
        Pso p = Pso.sign(issuer, Pso.REVOCATION_LIST, 9, body(), SCHEMA);
        byte[] e = p.encoded();
        BigInteger n = new BigInteger(1, dev.planetary.identity.internal.ScalarN.N_BYTES);
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(e, e.length - 48, e.length));
        byte[] ns = n.subtract(s).toByteArray();
        byte[] mal = e.clone();
        Arrays.fill(mal, e.length - 48, e.length, (byte) 0);
        int len = Math.min(48, ns.length);
        System.arraycopy(ns, ns.length - len, mal, mal.length - len, len);
        Pso m = new PsoVerifier().verify(mal, Pso.REVOCATION_LIST, issuer.identity(), SCHEMA, PsoVerifier.Semantics.NONE).orThrow();
        assertArrayEquals(p.digest(), m.digest());
    }

    @Test
    void everyTruncationAndBitFlipIsRejected() {
        SecretIdentity issuer = Fixtures.b1();
        byte[] e = Pso.sign(issuer, Pso.MEMBER_CREDENTIAL, 77, new Tlv.Writer().add(0x01, new byte[8]).toBytes(), SCHEMA).encoded();
        for (int len = 0; len < e.length; len++) {
            assertTrue(!Pso.parse(Arrays.copyOf(e, len), SCHEMA).isOk());
        }
        Set<Rejection> allowed = EnumSet.of(Rejection.LENGTH, Rejection.TYPE, Rejection.ISSUER, Rejection.TLV, Rejection.SIGNATURE);
        for (int bit = 0; bit < e.length * 8; bit++) {
            byte[] f = e.clone();
            f[bit >>> 3] ^= (byte) (1 << (bit & 7));
            PsoVerifier v = new PsoVerifier(); // no cache carried between cases
            Decoded<Pso> r = v.verify(f, Pso.MEMBER_CREDENTIAL, issuer.identity(), SCHEMA, PsoVerifier.Semantics.NONE);
            assertTrue(allowed.contains(reason(r)), "bit " + bit + ": " + r);
        }
    }

    @Test
    void tlvRules() {
        Tlv.Schema s = SCHEMA;
        // unknown mandatory type
        assertEquals(Rejection.TLV, reason(Tlv.read(new byte[] {0x05, 0, 0}, 0, 3, s)));
        // unknown optional type: skipped
        assertEquals(List.of(), Tlv.read(new byte[] {(byte) 0x85, 0, 1, 7}, 0, 4, s).orThrow());
        // wrong fixed length
        assertEquals(Rejection.TLV, reason(Tlv.read(new byte[] {0x01, 0, 1, 7}, 0, 4, s)));
        // descending order
        byte[] desc = {0x02, 0, 0, 0x01, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(Rejection.TLV, reason(Tlv.read(desc, 0, desc.length, s)));
        // a non-repeatable field twice
        byte[] twice = {(byte) 0x81, 0, 1, 1, (byte) 0x81, 0, 1, 2};
        assertEquals(Rejection.TLV, reason(Tlv.read(twice, 0, twice.length, s)));
        // repeatable: fine consecutively
        byte[] rep = {0x02, 0, 0, 0x02, 0, 1, 5};
        assertEquals(2, Tlv.read(rep, 0, rep.length, s).orThrow().size());
        // truncated header and value
        assertEquals(Rejection.TLV, reason(Tlv.read(new byte[] {0x02, 0}, 0, 2, s)));
        assertEquals(Rejection.TLV, reason(Tlv.read(new byte[] {0x02, 0, 5, 1}, 0, 4, s)));
        // the writer refuses misuse
        assertThrows(IllegalArgumentException.class, () -> new Tlv.Writer().add(2, new byte[0]).add(1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Pso.sign(Fixtures.b1(), 1, 0, new byte[0], s));
        assertThrows(IllegalArgumentException.class, () -> Pso.sign(Fixtures.b1(), 2, 0, new byte[Pso.MAX_BODY + 1], s));
        assertThrows(IllegalArgumentException.class, () -> Pso.sign(Fixtures.b1(), 2, 0, new byte[] {0x05, 0, 0}, s));
    }

    @Test
    void sizeBounds() {
        SecretIdentity issuer = Fixtures.b1();
        Tlv.Schema big = Tlv.Schema.of(new Tlv.Definition(0x01, 0, 0xFFFF, true));
        // MAX_BODY exactly: 48,960 = one field of 48,957 bytes
        byte[] body = new Tlv.Writer().add(0x01, new byte[Pso.MAX_BODY - 3]).toBytes();
        Pso p = Pso.sign(issuer, Pso.NETWORK_CONFIG, 0, body, big);
        assertEquals(Pso.MAX_SIZE, p.encoded().length);
        assertTrue(new PsoVerifier().verify(p.encoded(), Pso.NETWORK_CONFIG, issuer.identity(), big, PsoVerifier.Semantics.NONE).isOk());
        byte[] longer = Arrays.copyOf(p.encoded(), Pso.MAX_SIZE + 1);
        assertEquals(Rejection.LENGTH, reason(Pso.parse(longer, big)));
        // a body length field that disagrees with the object length
        byte[] e = Pso.sign(issuer, Pso.NETWORK_CONFIG, 0, new byte[0], big).encoded();
        e[65] = 1;
        assertEquals(Rejection.LENGTH, reason(Pso.parse(e, big)));
        e[65] = 0;
        e[62] = (byte) 0x80; // 2^31: no int overflow
        assertEquals(Rejection.LENGTH, reason(Pso.parse(e, big)));
    }
}

package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.PsoVerifier;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Properties over random valid objects: signed objects and messages round-trip (decode(encode(x)) = x),
 * decoded messages are canonical, and every truncation and random bit flip decodes to a defined result
 * (never an exception, never the decoders' internal-error path).
 */
class Vl2PropertyTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    static final int OBJECTS = LONG ? 400 : 40;
    static final int MESSAGES = LONG ? 20_000 : 2_000;

    /** Asserts that a decoder's result is defined; an invalid result never comes from the internal-error path. */
    static <T> Decoded<T> defined(Decoded<T> d) {
        if (d instanceof Decoded.Invalid<T> inv) assertFalse(inv.detail().startsWith("internal error"), () -> "decoder bug: " + inv.detail());
        return d;
    }

    /** Asserts that a decoded message re-encodes to its input (NETWORK_CONFIG_REQUEST skips unknown optional TLVs, so only re-decodes equal). */
    static Decoded<Vl2Message> decodeChecked(byte[] b) {
        Decoded<Vl2Message> d = defined(Vl2Codec.decode(b));
        if (d instanceof Decoded.Ok<Vl2Message> ok) {
            byte[] again = ok.value().encode();
            if (ok.value() instanceof NetworkConfigRequest) assertEquals(ok.value(), Vl2Codec.decode(again).orThrow());
            else assertArrayEquals(b, again, () -> "not canonical: " + ok.value());
        }
        return d;
    }

    @Test
    void memberCredentialsRoundTrip() {
        RandomObjects g = new RandomObjects(1);
        PsoVerifier v = new PsoVerifier();
        for (int i = 0; i < OBJECTS; i++) {
            MemberCredential mc = g.credential();
            long ts = g.timestamp();
            Signed<MemberCredential> s = mc.sign(Fixtures.controller(), ts);
            Signed<MemberCredential> back = MemberCredential.parse(s.encoded()).orThrow();
            assertEquals(mc, back.value());
            assertEquals(ts, back.timestamp());
            assertArrayEquals(mc.body(), back.pso().body());
            assertEquals(s, MemberCredential.verify(v, s.encoded(), Fixtures.controller().identity()).orThrow());
        }
    }

    @Test
    void revocationListsRoundTrip() {
        RandomObjects g = new RandomObjects(2);
        for (int i = 0; i < OBJECTS; i++) {
            RevocationList l = g.revocationList();
            Signed<RevocationList> s = l.sign(Fixtures.controller(), g.timestamp());
            assertEquals(l, RevocationList.parse(s.encoded()).orThrow().value());
            assertTrue(s.signatureValid(Fixtures.controller().identity()));
        }
    }

    @Test
    void networkConfigsRoundTrip() {
        RandomObjects g = new RandomObjects(3);
        PsoVerifier v = new PsoVerifier();
        for (int i = 0; i < OBJECTS; i++) {
            NetworkConfig c = g.config(Fixtures.controller());
            Signed<NetworkConfig> s = c.sign(Fixtures.controller(), g.timestamp());
            assertTrue(s.encoded().length <= 162 + Vl2Limits.MAX_PSO_BODY);
            assertEquals(c, NetworkConfig.parse(s.encoded()).orThrow().value());
            assertEquals(c, NetworkConfig.verify(v, s.encoded(), Fixtures.controller().identity()).orThrow().value());
            assertTrue(c.allRuleTypesKnown());
        }
    }

    @Test
    void messagesRoundTrip() {
        RandomObjects g = new RandomObjects(4);
        for (int i = 0; i < MESSAGES; i++) {
            Vl2Message m = g.message();
            byte[] b = m.encode();
            assertEquals(m.verb(), b[0] & 0xff);
            assertTrue(b.length <= dev.planetary.vl1.Vl1Limits.MAX_VL1_MESSAGE);
            assertEquals(m, decodeChecked(b).orThrow(), () -> "round trip of " + m);
        }
    }

    @Test
    void gatherRepliesRoundTripAndTruncationsAreRefused() {
        RandomObjects g = new RandomObjects(7);
        for (int i = 0; i < MESSAGES / 10; i++) {
            GatherReply reply = g.gatherReply();
            byte[] body = reply.body();
            assertEquals(reply, GatherReply.decode(body).orThrow());
            assertEquals(reply, GatherReply.decode(reply.toOk(dev.planetary.vl1.Verb.MULTICAST_GATHER, 9).body().toArray()).orThrow());
            assertFalse(defined(GatherReply.decode(Arrays.copyOf(body, body.length - 1))).isOk());
            assertFalse(defined(GatherReply.decode(Arrays.copyOf(body, body.length + 1))).isOk());
        }
    }

    @Test
    void truncationsAndBitFlipsOfMessagesAreDefined() {
        RandomObjects g = new RandomObjects(5);
        SplittableRandom r = new SplittableRandom(5);
        int invalid = 0;
        for (int i = 0; i < MESSAGES / 10; i++) {
            byte[] b = g.message().encode();
            for (int cut : new int[] {0, 1, r.nextInt(b.length), b.length - 1}) {
                if (!decodeChecked(Arrays.copyOf(b, cut)).isOk()) invalid++;
            }
            byte[] flipped = b.clone();
            for (int k = 0; k < 3; k++) flipped[r.nextInt(Math.min(flipped.length, 64))] ^= (byte) (1 << r.nextInt(8));
            decodeChecked(flipped);
            byte[] longer = Arrays.copyOf(b, b.length + 1);
            Vl2Message m = Vl2Codec.decode(b).orThrow();
            if (!(m instanceof Frame || m instanceof ExtFrame || m instanceof MulticastFrame)) {
                assertFalse(decodeChecked(longer).isOk(), "a trailing byte must break every message but frames");
            }
        }
        assertTrue(invalid > MESSAGES / 10, "truncations must be refused");
    }

    @Test
    void truncationsAndBitFlipsOfSignedObjectsAreDefined() {
        RandomObjects g = new RandomObjects(6);
        SplittableRandom r = new SplittableRandom(6);
        RandomObjects.signFixtures();
        Signed<NetworkConfig> cfg = g.config(Fixtures.controller()).sign(Fixtures.controller(), Fixtures.TS);
        byte[][] objects = {cfg.encoded(), cfg.value().credential().encoded(), g.revocationList().sign(Fixtures.controller(), Fixtures.TS).encoded()};
        Function<byte[], Decoded<?>>[] parsers = parsers();
        for (byte[] o : objects) {
            for (int i = 0; i < (LONG ? 5000 : 500); i++) {
                byte[] b = r.nextBoolean() ? Arrays.copyOf(o, r.nextInt(o.length + 2)) : o.clone();
                for (int k = r.nextInt(4); k >= 0; k--) if (b.length > 0) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                for (Function<byte[], Decoded<?>> p : parsers) defined(p.apply(b));
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Function<byte[], Decoded<?>>[] parsers() {
        return new Function[] {
                (Function<byte[], Decoded<?>>) MemberCredential::parse,
                (Function<byte[], Decoded<?>>) NetworkConfig::parse,
                (Function<byte[], Decoded<?>>) RevocationList::parse};
    }
}

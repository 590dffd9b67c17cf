package dev.planetary.vl2;

import static dev.planetary.vl2.Hostile.assertInvalid;
import static dev.planetary.vl2.Hostile.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every field rule of §7.4, §8.1 and §8.4 is refused by the decoders (correctly signed, hostile bodies) and by the constructors. */
class SignedObjectRulesTest {
    static final byte[] MC_BODY = Fixtures.credential().body();
    static final byte[] LIST_BODY = Fixtures.revocationList().body();

    static byte[] u64(long v) {
        return Fields.u64(v);
    }

    static Decoded<Signed<MemberCredential>> mc(Consumer<TreeMap<Integer, List<byte[]>>> edit) {
        return Hostile.edited(MemberCredential.TYPE, MC_BODY, edit, MemberCredential::parse);
    }

    static Decoded<Signed<RevocationList>> list(Consumer<TreeMap<Integer, List<byte[]>>> edit) {
        return Hostile.edited(RevocationList.TYPE, LIST_BODY, edit, RevocationList::parse);
    }

    static byte[] configBody() {
        RandomObjects.signFixtures();
        Signed<MemberCredential> mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        return Fixtures.config(mc, Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS)).body();
    }

    static Decoded<Signed<NetworkConfig>> config(Consumer<TreeMap<Integer, List<byte[]>>> edit) {
        return Hostile.edited(NetworkConfig.TYPE, configBody(), edit, NetworkConfig::parse);
    }

    static List<byte[]> copies(int n, Function<Integer, byte[]> value) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(value.apply(i));
        return out;
    }

    @Test
    void unchangedBodiesAreAccepted() {
        assertEquals(Fixtures.credential(), mc(f -> {}).orThrow().value());
        assertEquals(Fixtures.revocationList(), list(f -> {}).orThrow().value());
        assertTrue(config(f -> {}).isOk());
        // unknown optional types are skipped (§0)
        assertEquals(Fixtures.credential(), mc(f -> set(f, 0x80, new byte[] {1, 2, 3})).orThrow().value());
        assertTrue(config(f -> set(f, 0x81, new byte[0])).isOk(), "DNS (0x81) is reserved: skipped");
    }

    @Test
    void memberCredentialFieldRules() {
        for (int required = 1; required <= 6; required++) {
            int t = required;
            assertInvalid(mc(f -> f.remove(t)), Rejection.SEMANTIC, "MC without field " + t);
        }
        assertInvalid(mc(f -> set(f, 1, new byte[7])), Rejection.TLV, "7-byte network id");
        assertInvalid(mc(f -> set(f, 2, new byte[47])), Rejection.TLV, "47-byte fingerprint");
        assertInvalid(mc(f -> set(f, 3, new byte[5])), Rejection.SEMANTIC, "address 0");
        assertInvalid(mc(f -> set(f, 3, new byte[] {(byte) 0xff, 1, 2, 3, 4})), Rejection.SEMANTIC, "reserved address ff…");
        assertInvalid(mc(f -> set(f, 4, u64(1L << 32))), Rejection.SEMANTIC, "revision with a high 32-bit set");
        assertInvalid(mc(f -> set(f, 4, u64(-1))), Rejection.SEMANTIC, "revision all ones");
        assertTrue(mc(f -> set(f, 4, u64(0xffff_ffffL))).isOk(), "largest u32 revision");
        assertInvalid(mc(f -> set(f, 5, u64(Vl2Limits.MAX_DELTA_MIN - 1))), Rejection.SEMANTIC, "max-delta below 5 min");
        assertInvalid(mc(f -> set(f, 5, u64(Vl2Limits.MAX_DELTA_MAX + 1))), Rejection.SEMANTIC, "max-delta above 2 h");
        assertTrue(mc(f -> set(f, 5, u64(Vl2Limits.MAX_DELTA_MIN))).isOk());
        assertTrue(mc(f -> set(f, 5, u64(Vl2Limits.MAX_DELTA_MAX))).isOk());
        assertInvalid(mc(f -> set(f, 6, u64(4))), Rejection.SEMANTIC, "unknown MC flag bit");
        assertInvalid(mc(f -> set(f, 7, new byte[] {5, 10, 0, 0, 1, 24, 0})), Rejection.SEMANTIC, "IP family 5");
        assertInvalid(mc(f -> set(f, 7, new byte[] {4, 10, 0, 0, 1, 33, 0})), Rejection.SEMANTIC, "IPv4 prefix 33");
        assertInvalid(mc(f -> set(f, 7, Arrays.copyOf(new byte[] {4, 10, 0, 0, 1, 24, 0}, 19))), Rejection.TLV, "IPv4 assignment with trailing bytes");
        assertInvalid(mc(f -> set(f, 7, new byte[] {6, 10, 0, 0, 1, 24, 0})), Rejection.LENGTH, "IPv6 assignment truncated");
        assertInvalid(mc(f -> f.put(7, copies(33, i -> new byte[] {4, 10, 0, 0, (byte) (int) i, 32, 0}))), Rejection.SEMANTIC, "33 IP assignments");
        assertTrue(mc(f -> f.put(7, copies(32, i -> new byte[] {4, 10, 0, 0, (byte) (int) i, 32, 0}))).isOk(), "32 IP assignments");
        assertInvalid(mc(f -> set(f, 8, tag(2, 0), tag(1, 0))), Rejection.SEMANTIC, "tags descending");
        assertInvalid(mc(f -> set(f, 8, tag(1, 0), tag(1, 5))), Rejection.SEMANTIC, "duplicate tag id");
        assertInvalid(mc(f -> f.put(8, copies(129, i -> tag(i, 0)))), Rejection.SEMANTIC, "129 tags");
        assertTrue(mc(f -> f.put(8, copies(128, i -> tag(i, 0)))).isOk(), "128 tags");
        assertInvalid(mc(f -> set(f, 8, new byte[9])), Rejection.TLV, "9-byte tag");
        assertInvalid(mc(f -> set(f, 9, Fields.u32(7), Fields.u32(3))), Rejection.SEMANTIC, "grants descending");
        assertInvalid(mc(f -> f.put(9, copies(129, Fields::u32))), Rejection.SEMANTIC, "129 grants");
        assertInvalid(mc(f -> set(f, 0x0a, new byte[1])), Rejection.TLV, "unknown mandatory type 0x0a");
        assertInvalid(mc(f -> set(f, 0x7f, new byte[0])), Rejection.TLV, "unknown mandatory type 0x7f");
    }

    static byte[] tag(long id, long value) {
        return new Tag(id, value).encode();
    }

    @Test
    void structuralRules() {
        byte[] good = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS).encoded();
        assertInvalid(MemberCredential.parse(Arrays.copyOf(good, good.length + 1)), Rejection.LENGTH, "trailing byte after the PSO");
        assertInvalid(MemberCredential.parse(Arrays.copyOf(good, good.length - 1)), Rejection.LENGTH, "truncated PSO");
        assertInvalid(MemberCredential.parse(null), Rejection.LENGTH, "null");
        assertInvalid(RevocationList.parse(good), Rejection.TYPE, "an MC parsed as a revocation list");
        assertInvalid(NetworkConfig.parse(good), Rejection.TYPE, "an MC parsed as a config");
        // fields out of ascending order
        byte[] body = Fixtures.credential().body();
        TreeMap<Integer, List<byte[]>> f = Hostile.fields(body);
        byte[] swapped = concat(Hostile.tlv(2, f.get(2).get(0)), Hostile.tlv(1, f.get(1).get(0)));
        assertInvalid(MemberCredential.parse(Hostile.signRaw(MemberCredential.TYPE, swapped)), Rejection.TLV, "fields out of order");
        byte[] twice = concat(Hostile.tlv(1, f.get(1).get(0)), Hostile.tlv(1, f.get(1).get(0)));
        assertInvalid(MemberCredential.parse(Hostile.signRaw(MemberCredential.TYPE, twice)), Rejection.TLV, "non-repeatable field twice");
    }

    static byte[] concat(byte[]... parts) {
        var o = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) o.writeBytes(p);
        return o.toByteArray();
    }

    @Test
    void revocationListFieldRules() {
        for (int required = 1; required <= 4; required++) {
            int t = required;
            assertInvalid(list(f -> f.remove(t)), Rejection.SEMANTIC, "list without field " + t);
        }
        assertInvalid(list(f -> set(f, 2, u64(0))), Rejection.SEMANTIC, "revision 0");
        assertInvalid(list(f -> set(f, 4, new byte[23])), Rejection.SEMANTIC, "entries not a multiple of 24 bytes");
        byte[] a = entry(1, 5), b = entry(2, 5);
        assertInvalid(list(f -> set(f, 4, concat(b, a))), Rejection.SEMANTIC, "entries descending");
        assertInvalid(list(f -> set(f, 4, concat(a, a))), Rejection.SEMANTIC, "duplicate prefix");
        assertTrue(list(f -> set(f, 4, new byte[0])).isOk(), "empty entries");
        byte[] max = new byte[Vl2Limits.MAX_REVOCATIONS * 24], over = new byte[(Vl2Limits.MAX_REVOCATIONS + 1) * 24];
        for (int i = 0; i <= Vl2Limits.MAX_REVOCATIONS; i++) {
            byte[] e = entry(i, 9);
            if (i < Vl2Limits.MAX_REVOCATIONS) System.arraycopy(e, 0, max, i * 24, 24);
            System.arraycopy(e, 0, over, i * 24, 24);
        }
        assertEquals(Vl2Limits.MAX_REVOCATIONS, list(f -> set(f, 4, max)).orThrow().value().entries().size());
        assertInvalid(list(f -> set(f, 4, over)), Rejection.TLV, "1,501 entries");
        assertThrows(IllegalArgumentException.class, () -> new RevocationList(Fixtures.NWID, 1, 0,
                Fixtures.revocationList().entries().reversed()));
    }

    /** An entry whose prefix is the big-endian {@code i} in its last bytes (so ascending with i). */
    static byte[] entry(int i, long threshold) {
        return ByteBuffer.allocate(24).putLong(0).putLong(i).putLong(threshold).array();
    }

    @Test
    void networkConfigFieldRules() {
        for (int required : new int[] {1, 2, 3, 4, 5, 6, 0x0f}) {
            assertInvalid(config(f -> f.remove(required)), Rejection.SEMANTIC, "config without field " + required);
        }
        assertInvalid(config(f -> set(f, 5, Fields.u16(Vl2Limits.MTU_MIN - 1))), Rejection.SEMANTIC, "MTU 1279");
        assertInvalid(config(f -> set(f, 5, Fields.u16(Vl2Limits.MTU_MAX + 1))), Rejection.SEMANTIC, "MTU 10001");
        assertInvalid(config(f -> set(f, 6, new byte[55])), Rejection.TLV, "short revocation reference");
        assertInvalid(config(f -> set(f, 7, Fields.u16(0))), Rejection.SEMANTIC, "multicast limit 0");
        assertInvalid(config(f -> set(f, 7, Fields.u16(241))), Rejection.SEMANTIC, "multicast limit 241");
        assertInvalid(config(f -> set(f, 8, new byte[8])), Rejection.TLV, "8-byte LIKE expiry");
        assertInvalid(config(f -> set(f, 9, new byte[0])), Rejection.TLV, "empty name");
        assertInvalid(config(f -> set(f, 9, new byte[128])), Rejection.TLV, "128-byte name");
        assertInvalid(config(f -> set(f, 9, new byte[] {(byte) 0xc3, 0x28})), Rejection.SEMANTIC, "name not UTF-8");
        assertInvalid(config(f -> set(f, 9, new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})), Rejection.SEMANTIC, "name with an encoded surrogate");
        byte[] route = Route.onLink(Fixtures.ip("10.0.0.0"), 8).encode();
        assertInvalid(config(f -> f.put(0x0a, copies(129, i -> route))), Rejection.SEMANTIC, "129 routes");
        assertInvalid(config(f -> set(f, 0x0a, new byte[] {4, 10, 0, 0, 0, 8, 5, 0, 0})), Rejection.SEMANTIC, "route via family 5");
        assertInvalid(config(f -> set(f, 0x0a, new byte[] {4, 10, 0, 0, 0, 33, 0, 0, 0})), Rejection.SEMANTIC, "route prefix 33");
        assertInvalid(config(f -> set(f, 0x0a, concat(route, new byte[1]))), Rejection.TLV, "route with a trailing byte");
        byte[] accept = {1, 0};
        assertInvalid(config(f -> set(f, 0x0b, new byte[] {37, 2, 8})), Rejection.SEMANTIC, "rule entry running past the end");
        assertInvalid(config(f -> set(f, 0x0b, rules(Vl2Limits.MAX_RULES + 1, accept))), Rejection.SEMANTIC, "1,025 base rules");
        assertTrue(config(f -> set(f, 0x0b, rules(Vl2Limits.MAX_RULES, accept))).isOk(), "1,024 base rules");
        assertInvalid(config(f -> set(f, 0x0c, concat(Fields.u32(1), rules(65, accept)))), Rejection.SEMANTIC, "capability with 65 entries");
        assertInvalid(config(f -> set(f, 0x0c, Fields.u32(1), Fields.u32(1))), Rejection.SEMANTIC, "duplicate capability id");
        assertInvalid(config(f -> f.put(0x0c, copies(129, Fields::u32))), Rejection.SEMANTIC, "129 capabilities");
        assertInvalid(config(f -> set(f, 0x0d, concat(Fields.u32(1), Fields.u32(0), new byte[64]))), Rejection.TLV, "64-byte tag name");
        assertInvalid(config(f -> set(f, 0x0d, concat(Fields.u32(1), Fields.u32(0)), concat(Fields.u32(1), Fields.u32(2)))), Rejection.SEMANTIC, "duplicate tag id");
        byte[] specialist = new Specialist(Fixtures.MEMBER_ADDRESS, Fixtures.OTHER, 0).encode();
        assertInvalid(config(f -> f.put(0x0e, copies(257, i -> specialist))), Rejection.SEMANTIC, "257 specialists");
        assertTrue(config(f -> f.put(0x0e, copies(256, i -> specialist))).isOk(), "256 specialists");
        Signed<MemberCredential> otherNet = new MemberCredential(new dev.planetary.nic.NetworkId(1), Fixtures.MEMBER, Fixtures.MEMBER_ADDRESS, 1,
                Vl2Limits.MAX_DELTA_DEFAULT, 0, List.of(), List.of(), List.of()).sign(Fixtures.controller(), Fixtures.TS);
        assertInvalid(config(f -> set(f, 0x0f, otherNet.encoded())), Rejection.SEMANTIC, "embedded MC for another network");
        Signed<MemberCredential> otherMember = MemberCredential.of(Fixtures.NWID, Fixtures.OTHER, Fixtures.MEMBER_ADDRESS, 1).sign(Fixtures.controller(), Fixtures.TS);
        assertInvalid(config(f -> set(f, 0x0f, otherMember.encoded())), Rejection.SEMANTIC, "embedded MC of another member");
        byte[] badMc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS).encoded();
        badMc[4] = 4;
        assertInvalid(config(f -> set(f, 0x0f, badMc)), Rejection.TYPE, "embedded PSO of the wrong type");
        assertInvalid(config(f -> set(f, 0x10, new byte[0])), Rejection.TLV, "unknown mandatory type 0x10");
    }

    static byte[] rules(int n, byte[] entry) {
        byte[] out = new byte[n * entry.length];
        for (int i = 0; i < n; i++) System.arraycopy(entry, 0, out, i * entry.length, entry.length);
        return out;
    }

    @Test
    void unknownRuleTypesDecodeButAreNotSupported() {
        Signed<NetworkConfig> c = config(f -> set(f, 0x0b, new byte[] {2, 0})).orThrow(); // TEE: reserved
        assertTrue(!c.value().allRuleTypesKnown());
        assertTrue(!RuleList.of(new byte[] {(byte) 0x81, 0}).allTypesKnown(), "NOT on an action");
        assertTrue(!RuleList.of(new byte[] {0x65, 2, 8, 0}).allTypesKnown(), "OR bit");
        assertTrue(!RuleList.of(new byte[] {37, 3, 8, 0, 0}).allTypesKnown(), "wrong fixed length");
        assertTrue(RuleList.of(new byte[] {(byte) (0x80 | 37), 2, 8, 0, 1, 0}).allTypesKnown(), "NOT on a match");
        assertEquals(1, RuleList.ACCEPT.size());
    }

    @Test
    void constructorsRefuseMisuse() {
        assertThrows(IllegalArgumentException.class, () -> new MemberCredential(Fixtures.NWID, Fixtures.MEMBER, Fixtures.MEMBER_ADDRESS,
                1L << 32, Vl2Limits.MAX_DELTA_DEFAULT, 0, List.of(), List.of(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MemberCredential(Fixtures.NWID, Fixtures.MEMBER, Fixtures.MEMBER_ADDRESS,
                1, Vl2Limits.MAX_DELTA_DEFAULT, 0, List.of(), List.of(new Tag(2, 0), new Tag(1, 0)), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Tag(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new AssignedAddress(new IpAssignment(Fixtures.ip("10.0.0.1"), 8), 256));
        assertThrows(IllegalArgumentException.class, () -> new TagDefinition(1, 0, "x".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> new RuleList(dev.planetary.vl1.Bytes.of(new byte[] {1})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MemberCredential(null, Fixtures.MEMBER,
                Fixtures.MEMBER_ADDRESS, 1, Vl2Limits.MAX_DELTA_DEFAULT, 0, List.of(), List.of(), List.of()));
        assertTrue(e.getMessage().contains("network id"), e.getMessage());
    }

    @Test
    void configBodyOverTheLimitIsRefusedBySign() {
        Signed<MemberCredential> mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        List<Capability> caps = new ArrayList<>();
        byte[] big = rules(Vl2Limits.MAX_CAPABILITY_RULES, new byte[] {(byte) 33, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64});
        for (int i = 0; i < Vl2Limits.MAX_CAPABILITIES; i++) caps.add(new Capability(i, RuleList.of(big)));
        NetworkConfig c = new NetworkConfig(Fixtures.NWID, Fixtures.MEMBER, 1, 0, Vl2Limits.MTU_DEFAULT,
                new RevocationReference(1, dev.planetary.vl1.Bytes.of(new byte[48])), OptionalInt.empty(), OptionalLong.empty(),
                Optional.empty(), List.of(), Optional.empty(), caps, List.of(), List.of(), mc);
        assertTrue(c.body().length > Vl2Limits.MAX_PSO_BODY);
        SecretIdentity key = Fixtures.controller();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.sign(key, Fixtures.TS));
        assertTrue(e.getMessage().contains("48960"), e.getMessage());
    }
}

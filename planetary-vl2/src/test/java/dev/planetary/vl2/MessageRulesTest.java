package dev.planetary.vl2;

import static dev.planetary.vl2.Hostile.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Rejection;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The layout rules of §7.3, §8.3, §9.2 and §10.2 are refused by the message decoders. */
class MessageRulesTest {
    static final NetworkId N = Fixtures.NWID;
    static final HexBuilder H = new HexBuilder();

    /** Hex helper: concatenates hex strings into bytes. */
    static final class HexBuilder {
        byte[] of(String... parts) {
            return Fixtures.HEX.parseHex(String.join("", parts).replace(" ", ""));
        }
    }

    static final String NWID = "f3da19d0f4000001";

    @Test
    void everyDecoderRefusesTheWrongVerbAndEmptyInput() {
        byte[] frame = new Frame(N, 0x0800, Bytes.EMPTY).encode();
        assertInvalid(ExtFrame.decode(frame), Rejection.TYPE, "FRAME as EXT_FRAME");
        assertInvalid(MulticastLike.decode(frame), Rejection.TYPE, "FRAME as LIKE");
        assertInvalid(NetworkCredentials.decode(frame), Rejection.TYPE, "FRAME as NETWORK_CREDENTIALS");
        assertInvalid(NetworkConfigRequest.decode(frame), Rejection.TYPE, "FRAME as request");
        assertInvalid(NetworkConfigMessage.decode(frame), Rejection.TYPE, "FRAME as NETWORK_CONFIG");
        assertInvalid(Frame.decode(new byte[0]), Rejection.LENGTH, "empty");
        assertInvalid(Vl2Codec.decode(new byte[0]), Rejection.LENGTH, "empty");
        assertInvalid(Vl2Codec.decode(new byte[] {Verb.ECHO}), Rejection.TYPE, "a VL1 verb");
        assertInvalid(Vl2Codec.decode(new byte[Vl1Limits.MAX_VL1_MESSAGE + 1]), Rejection.LENGTH, "over MAX_VL1_MESSAGE");
        assertTrue(Vl2Codec.handles(Verb.FRAME) && Vl2Codec.handles(Verb.MULTICAST_GATHER) && !Vl2Codec.handles(Verb.PORT_FORWARD));
    }

    @Test
    void frames() {
        assertEquals(new Frame(N, 0x0806, Bytes.fromHex("0001")), Frame.decode(H.of("06", NWID, "0806 0001")).orThrow());
        assertInvalid(Frame.decode(H.of("06", NWID, "08")), Rejection.LENGTH, "FRAME without a whole ethertype");
        byte[] ext = new ExtFrame(N, Fixtures.mac("02:89:e9:30:0c:27"), Fixtures.mac("02:f3:da:ed:00:ed"), 0x86dd, Bytes.fromHex("60")).encode();
        assertEquals(ExtFrame.HEADER_BYTES + 1, ext.length);
        assertInvalid(ExtFrame.decode(Arrays.copyOf(ext, 23)), Rejection.LENGTH, "EXT_FRAME header truncated");
        ext[9] = 1;
        assertInvalid(ExtFrame.decode(ext), Rejection.SEMANTIC, "EXT_FRAME with a reserved flag");
        assertThrows(IllegalArgumentException.class, () -> new Frame(N, 0x10000, Bytes.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new Frame(N, 0x800, Bytes.of(new byte[Vl1Limits.MAX_VL1_MESSAGE - 10])));
    }

    @Test
    void multicastLike() {
        String group = "ffffffffffff 0a930105";
        MulticastLike one = MulticastLike.decode(H.of("09", NWID, "0001", group)).orThrow();
        assertEquals(0x0a930105L, one.groups().get(0).adi());
        assertEquals(MulticastGroup.arp((java.net.Inet4Address) Fixtures.ip("10.147.1.5")), one.groups().get(0));
        assertInvalid(MulticastLike.decode(H.of("09", NWID, "0000")), Rejection.SEMANTIC, "LIKE with no group");
        assertInvalid(MulticastLike.decode(H.of("09", NWID, "0002", group)), Rejection.LENGTH, "LIKE count larger than its groups");
        assertInvalid(MulticastLike.decode(H.of("09", NWID, "0001", group, "00")), Rejection.LENGTH, "LIKE trailing byte");
        assertInvalid(MulticastLike.decode(H.of("09", NWID, "0101", group.repeat(257))), Rejection.SEMANTIC, "257 groups");
        assertEquals(256, MulticastLike.decode(H.of("09", NWID, "0100", group.repeat(256))).orThrow().groups().size());
    }

    @Test
    void networkConfigRequest() {
        NetworkConfigRequest plain = new NetworkConfigRequest(N, 0, 0, Optional.empty(), Optional.empty(), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty());
        String head = "0b" + NWID + "0000000000000000 0000000000000000";
        assertEquals(plain, NetworkConfigRequest.decode(H.of(head, "0000")).orThrow());
        assertEquals(plain, NetworkConfigRequest.decode(H.of(head, "0004 c00001ff")).orThrow(), "unknown optional TLV skipped");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0004 100001ff")), Rejection.TLV, "unknown mandatory TLV");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0000 00")), Rejection.LENGTH, "trailing byte after the TLVs");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0005 820001")), Rejection.LENGTH, "TLV length past the message");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0004 82000201")), Rejection.TLV, "2-byte rules version");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0008 8200010183000204 00")), Rejection.TLV, "TLV value past T");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0009 830002040082000101")), Rejection.TLV, "TLVs out of order");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0003 010000")), Rejection.TLV, "empty token");
        String token65 = "41".repeat(65);
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0044 010041", token65)), Rejection.TLV, "65-byte token");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0004 01000107")), Rejection.SEMANTIC, "control character in the token");
        assertInvalid(NetworkConfigRequest.decode(H.of(head, "0004 810001ff")), Rejection.SEMANTIC, "software version not UTF-8");
        NetworkConfigRequest full = NetworkConfigRequest.of(N, 5, 6, Optional.of("abc"), "planetary/0.1.0");
        assertEquals(full, NetworkConfigRequest.decode(full.encode()).orThrow());
        assertFalse(full.toString().contains("abc"), "the token is not printed");
        NetworkConfigRequest hostile = new NetworkConfigRequest(N, 0, 0, Optional.empty(), Optional.of("v1\u001b[2J\n"), OptionalInt.empty(),
                OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.of("h\u0000"));
        assertFalse(hostile.toString().chars().anyMatch(c -> c < 0x20 || c > 0x7e), "peer text escaped: " + hostile);
        assertThrows(IllegalArgumentException.class, () -> NetworkConfigRequest.of(N, 0, 0, Optional.of("ä"), "x"));
    }

    @Test
    void networkConfigMessage() {
        RandomObjects.signFixtures();
        Signed<MemberCredential> mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        Signed<NetworkConfig> cfg = Fixtures.config(mc, Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS)).sign(Fixtures.controller(), Fixtures.TS);
        NetworkConfigMessage m = NetworkConfigMessage.of(cfg, true);
        byte[] b = m.encode();
        assertTrue(m.unsolicited());
        assertEquals(cfg, NetworkConfigMessage.decode(b).orThrow().config().orThrow());
        assertInvalid(NetworkConfigMessage.decode(Arrays.copyOf(b, b.length + 1)), Rejection.SEMANTIC, "L smaller than the rest");
        assertInvalid(NetworkConfigMessage.decode(Arrays.copyOf(b, b.length - 1)), Rejection.SEMANTIC, "L larger than the rest");
        assertInvalid(NetworkConfigMessage.decode(H.of("0c", NWID, "00 00000000")), Rejection.SEMANTIC, "empty PSO");
        assertInvalid(NetworkConfigMessage.decode(H.of("0c", NWID, "00 000000")), Rejection.LENGTH, "truncated L");
    }

    @Test
    void networkCredentials() {
        RandomObjects.signFixtures();
        Signed<MemberCredential> mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        Signed<RevocationList> list = Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS);
        NetworkCredentials all = NetworkCredentials.of(N, CredentialItem.Credential.of(mc), new CredentialItem.HeldRevision(3),
                CredentialItem.RevocationListItem.of(list), new CredentialItem.QueryByAddress(Fixtures.MEMBER_ADDRESS),
                new CredentialItem.QueryByFingerprint(Fixtures.MEMBER), new CredentialItem.QueryRevocationList(),
                new CredentialItem.HeldRevision(3));
        NetworkCredentials back = NetworkCredentials.decode(all.encode()).orThrow();
        assertEquals(all, back);
        assertEquals(mc, back.items(CredentialItem.Credential.class).get(0).parse().orThrow());
        assertEquals(list, back.items(CredentialItem.RevocationListItem.class).get(0).parse().orThrow());
        String held = "04 0008 0000000000000003";
        assertEquals(List.of(new CredentialItem.HeldRevision(3)), NetworkCredentials.decode(H.of("0a", NWID, "01", held)).orThrow().items());
        assertEquals(2, NetworkCredentials.decode(H.of("0a", NWID, "02", "c0 0001 ff", held)).orThrow().items().size(), "unknown optional item kept, ignored");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "00")), Rejection.SEMANTIC, "no items");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "11", held.repeat(17))), Rejection.SEMANTIC, "17 items");
        assertEquals(16, NetworkCredentials.decode(H.of("0a", NWID, "10", held.repeat(16))).orThrow().items().size());
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "02", held)), Rejection.LENGTH, "fewer items than n");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", held, "00")), Rejection.LENGTH, "trailing byte");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "05 0000")), Rejection.TLV, "unknown mandatory item 0x05");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "04 0007 00000000000003")), Rejection.SEMANTIC, "7-byte held revision");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "03 0001 00")), Rejection.SEMANTIC, "address query without its key");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "03 0002 0200")), Rejection.SEMANTIC, "list query with a key");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "03 0001 03")), Rejection.SEMANTIC, "query kind 3");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "03 0000")), Rejection.SEMANTIC, "empty query");
        assertInvalid(NetworkCredentials.decode(H.of("0a", NWID, "01", "03 0006 00 0000000000")), Rejection.SEMANTIC, "query for address 0");
        // a PSO item must be exactly its PSO, of its own type
        byte[] mcBytes = mc.encoded();
        assertInvalid(NetworkCredentials.decode(item(0x02, mcBytes)), Rejection.SEMANTIC, "MC in a revocation-list item");
        assertInvalid(NetworkCredentials.decode(item(0x01, Arrays.copyOf(mcBytes, mcBytes.length + 1))), Rejection.SEMANTIC, "PSO item with a trailing byte");
        assertInvalid(NetworkCredentials.decode(item(0x01, new byte[10])), Rejection.SEMANTIC, "PSO item too short");
        assertInvalid(NetworkCredentials.decode(item(0x01, new byte[mcBytes.length])), Rejection.SEMANTIC, "PSO item without magic");
    }

    @Test
    void multicastGatherAndFrame() {
        String group = "ffffffffffff 0a931106";
        assertEquals(new MulticastGather(0x31, N, MulticastGroup.arp((java.net.Inet4Address) Fixtures.ip("10.147.17.6")), 32),
                MulticastGather.decode(H.of("0d 00000031", NWID, group, "0020")).orThrow());
        assertInvalid(MulticastGather.decode(H.of("0d 00000000", NWID, group, "0020")), Rejection.SEMANTIC, "request id 0");
        assertInvalid(MulticastGather.decode(H.of("0d 00000031", NWID, group, "0000")), Rejection.SEMANTIC, "gather limit 0");
        assertInvalid(MulticastGather.decode(H.of("0d 00000031", NWID, group, "00f1")), Rejection.SEMANTIC, "gather limit 241");
        assertInvalid(MulticastGather.decode(H.of("0d 00000031", NWID, group, "0020 00")), Rejection.LENGTH, "trailing byte");
        String tail = group + "0806 01";
        assertTrue(MulticastFrame.decode(H.of("0e", NWID, "00", tail)).isOk());
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "02", tail)), Rejection.SEMANTIC, "reserved flag 0x02");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "20", tail)), Rejection.SEMANTIC, "reserved flag 0x20");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "01 00000000 0020", tail)), Rejection.SEMANTIC, "gathering with request id 0");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "01 00000001 00f1", tail)), Rejection.SEMANTIC, "gather limit 241");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "10 0000000000", tail)), Rejection.SEMANTIC, "origin address 0");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "14 89e92ceee5 0289e9")), Rejection.LENGTH, "source MAC truncated");
        assertInvalid(MulticastFrame.decode(H.of("0e", NWID, "00 ffffffffffff 0a93")), Rejection.LENGTH, "group truncated");
        MulticastFrame full = MulticastFrame.decode(H.of("0e", NWID, "1d 00000009 0004 89e92ceee5 525400123456", tail)).orThrow();
        assertEquals(0x1d, full.flags());
        assertTrue(full.replicate() && full.gather().isPresent() && full.origin().isPresent() && full.source().isPresent());
    }

    @Test
    void gatherReplies() {
        String head = NWID + "ffffffffffff0a931106" + "00000002";
        GatherReply r = GatherReply.decode(H.of(head, "02 02 89e92ceee5 0123456789")).orThrow();
        assertTrue(r.authoritative() && !r.withIdentities());
        assertEquals(2, r.members().size());
        assertInvalid(GatherReply.decode(H.of(head, "00 00")), Rejection.SEMANTIC, "no records");
        assertInvalid(GatherReply.decode(H.of(head, "04 01 89e92ceee5")), Rejection.SEMANTIC, "reserved flag");
        assertInvalid(GatherReply.decode(H.of(head, "00 02 89e92ceee5")), Rejection.LENGTH, "fewer records than n");
        assertInvalid(GatherReply.decode(H.of(head, "01 01 89e92ceee5")), Rejection.LENGTH, "format 1 without the identity");
        assertInvalid(GatherReply.decode(H.of(head, "00 01 ff00000001")), Rejection.SEMANTIC, "reserved address");
        assertThrows(IllegalArgumentException.class, () -> new GatherReply(N, r.group(), 1, false, List.of(
                GatherReply.Member.of(Fixtures.MEMBER_ADDRESS), GatherReply.Member.of(Fixtures.controller().identity(), Fixtures.controller().address()))));
    }

    static byte[] item(int type, byte[] value) {
        List<byte[]> parts = new ArrayList<>();
        parts.add(new byte[] {Verb.NETWORK_CREDENTIALS});
        parts.add(N.toBytes());
        parts.add(new byte[] {1});
        parts.add(Hostile.tlv(type, value));
        return SignedObjectRulesTest.concat(parts.toArray(byte[][]::new));
    }
}

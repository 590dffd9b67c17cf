package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** §0 Endpoint and TLV rules, §2.4 address validity, fingerprint comparison. */
class EndpointTlvAddressTest {
    static final HexFormat HEX = HexFormat.of();

    /** An OK(ECHO) carrying the given raw endpoint bytes. */
    static byte[] okEcho(String endpointHex) {
        return HEX.parseHex("0308" + "00000001" + "0000000000000005" + endpointHex);
    }

    @Test
    void knownEndpointTypesWithWrongLengthInvalidateTheMessage() {
        for (int l = 0; l < 24; l++) {
            String v = "00".repeat(l);
            Decoded none = Vl1Codec.decode(okEcho(String.format("00%02x", l) + v));
            Decoded v4 = Vl1Codec.decode(okEcho(String.format("04%02x", l) + v));
            Decoded v6 = Vl1Codec.decode(okEcho(String.format("06%02x", l) + v));
            assertEquals(l == 0, none instanceof Decoded.Message, "type 0x00, L = " + l);
            assertEquals(l == 6, v4 instanceof Decoded.Message, "type 0x04, L = " + l);
            assertEquals(l == 18, v6 instanceof Decoded.Message, "type 0x06, L = " + l);
        }
    }

    @Test
    void unknownAndReservedEndpointTypesAreSkippedAndKept() {
        for (int type : new int[] {0x01, 0x05, 0x84, 0x86, 0xff}) {
            for (int l : new int[] {0, 6, 18, 255}) {
                byte[] b = okEcho(String.format("%02x%02x", type, l) + "ab".repeat(l));
                Ok.EchoReply r = (Ok.EchoReply) ((Decoded.Message) Vl1Codec.decode(b)).message();
                Endpoint.Unknown u = assertInstanceOf(Endpoint.Unknown.class, r.observed());
                assertEquals(type, u.type());
                assertEquals(l, u.value().length());
                assertEquals(5, r.timestamp());
            }
        }
        // L larger than what is left: truncated, malformed
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(okEcho("8408abab")));
    }

    @Test
    void endpointTextAndSocketForms() {
        Endpoint.Udp v4 = Endpoint.Udp.of(new byte[] {1, 2, 3, 4}, 9993);
        assertEquals("1.2.3.4/9993", v4.toString());
        assertEquals("0406010203042709", HEX.formatHex(Endpoint.encode(v4)));
        Endpoint.Udp v6 = Endpoint.Udp.of(HEX.parseHex("20010db8000000000000000000000001"), 9993);
        assertEquals("[2001:db8::1]/9993", v6.toString());
        assertEquals(v6, Endpoint.parse("[2001:db8::1]/9993"));
        assertEquals(v4, Endpoint.parse("1.2.3.4/9993"));
        for (String t : new String[] {"[::]/1", "[::1]/2", "[1::]/3", "[2001:db8:0:1:0:0:0:1]/4", "[2001:0:0:1:0:0:0:1]/5", "[fe80::1:2:3:4]/6", "[::ffff:1.2.3.4]/7", "[1:2:3:4:5:6:7:8]/8"}) {
            Endpoint.Udp e = Endpoint.parse(t);
            assertEquals(e, Endpoint.parse(e.toString()), t);
        }
        assertEquals("[2001:db8:0:1::1]/4", Endpoint.parse("[2001:db8:0:1:0:0:0:1]/4").toString(), "the longest zero run is compressed, a lone zero is not");
        assertEquals("[2001::1:0:0:1:1]/5", Endpoint.parse("[2001:0:0:1:0:0:1:1]/5").toString(), "on a tie, the first run");
        assertEquals("[::ffff:1.2.3.4]/7", Endpoint.parse("[::ffff:1.2.3.4]/7").toString());
        assertFalse(Endpoint.parse("[::ffff:1.2.3.4]/7").isIpv4());
        for (String bad : new String[] {"1.2.3.256/1", "1.2.3.4/65536", "1.2.3.4", "example.com/1", "[abc]/1", "[zz::1]/1", "1.2.3.4:9993"}) {
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(bad), bad);
        }
        assertEquals(v6, Endpoint.decode(Endpoint.encode(v6)));
        Endpoint.Udp mapped = Endpoint.Udp.of(HEX.parseHex("00000000000000000000ffff01020304"), 1);
        assertEquals("[::ffff:1.2.3.4]/1", mapped.toString());
        assertFalse(mapped.isIpv4(), "an IPv4-mapped IPv6 endpoint stays type 0x06");
        assertEquals(Endpoint.TYPE_IPV6_UDP, Endpoint.encode(mapped)[0]);
        assertEquals(v4, Endpoint.Udp.of(v4.toSocketAddress()));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.decode(HEX.parseHex("0400")));
        assertThrows(IllegalArgumentException.class, () -> new Endpoint.Unknown(4, Bytes.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.Udp.of(new byte[5], 1));
    }

    static byte[] hello(String tlvsHex) {
        int t = tlvsHex.length() / 2;
        return HEX.parseHex("01" + "00000007" + "0001" + "00" + "000100" + "0102030405060708" + String.format("%04x", t) + tlvsHex);
    }

    @Test
    void tlvRules() {
        String set1 = "810010" + "11".repeat(16);
        String set2 = "810010" + "22".repeat(16);
        Hello h = (Hello) ((Decoded.Message) Vl1Codec.decode(hello(set1 + set2 + "820003616263"))).message();
        assertEquals(2, h.rootSets().size());
        assertEquals("abc", new String(h.osArch().orElseThrow().toArray()));
        // unknown optional: ignored (kept); unknown mandatory: invalid
        assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(hello(set1 + "f00002abcd")));
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("7f0000")));
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("010000" + set1)));
        // known type with the wrong length
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("81000f" + "11".repeat(15))));
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("810011" + "11".repeat(17))));
        // ascending order; non-repeatable repeated
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("820000" + set1)));
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("820000820000")));
        // T disagreeing with what follows
        byte[] b = hello(set1);
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(java.util.Arrays.copyOf(b, b.length + 1)), "trailing byte after the TLV block");
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(java.util.Arrays.copyOf(b, b.length - 1)), "TLV block shorter than T");
        // TLV value running past T
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(hello("8100ff00")));
        // the builder refuses what the decoder refuses
        assertThrows(IllegalArgumentException.class, () -> new Hello(1, 1, 0, new SoftwareVersion(0, 1, 0), 1, List.of(new Tlv(0x10, Bytes.EMPTY))));
        // OK(HELLO) defines no TLVs: every mandatory type is unknown
        byte[] okHello = new Ok.HelloReply(7, 1, 0, new SoftwareVersion(1, 2, 3), 9, Endpoint.NONE, List.of(new Tlv(0x99, Bytes.EMPTY))).encode();
        assertInstanceOf(Decoded.Message.class, Vl1Codec.decode(okHello));
        okHello[okHello.length - 3] = 0x19;
        assertInstanceOf(Decoded.Malformed.class, Vl1Codec.decode(okHello));
    }

    @Test
    void standaloneTlvBlocks() {
        List<Tlv.Rule> rules = List.of(Tlv.Rule.fixed(0x01, 8, false), new Tlv.Rule(0x02, 1, 64, true));
        List<Tlv> fields = List.of(new Tlv(0x02, Bytes.fromHex("aa")), new Tlv(0x01, Bytes.fromHex("0102030405060708")), new Tlv(0x02, Bytes.fromHex("bb")), new Tlv(0xfe, Bytes.EMPTY));
        byte[] b = Tlv.encode(fields);
        assertEquals("0100080102030405060708" + "020001aa" + "020001bb" + "fe0000", HEX.formatHex(b), "ascending, repeatable kept in order");
        Tlv.Parsed.Fields ok = assertInstanceOf(Tlv.Parsed.Fields.class, Tlv.parse(b, 0, b.length, rules));
        assertEquals(4, ok.tlvs().size());
        assertInstanceOf(Tlv.Parsed.Invalid.class, Tlv.parse(HEX.parseHex("020000"), 0, 3, rules), "below the minimum length");
        assertInstanceOf(Tlv.Parsed.Invalid.class, Tlv.parse(HEX.parseHex("030000"), 0, 3, rules), "unknown mandatory");
        assertInstanceOf(Tlv.Parsed.Invalid.class, Tlv.parse(HEX.parseHex("0100"), 0, 2, rules), "truncated header");
        assertInstanceOf(Tlv.Parsed.Fields.class, Tlv.parse(new byte[0], 0, 0, rules), "empty block");
    }

    @Test
    void rootSetNameId() {
        RootSetSummary s = new RootSetSummary(RootSetSummary.nameId("planetary"), 3);
        assertEquals(16, s.toTlv().value().length());
        assertEquals(s, RootSetSummary.fromTlv(s.toTlv()));
    }

    @Test
    void addressValidity() {
        assertThrows(IllegalArgumentException.class, () -> new Address(0));
        assertThrows(IllegalArgumentException.class, () -> new Address(0xff00000001L));
        assertThrows(IllegalArgumentException.class, () -> new Address(1L << 40));
        assertThrows(IllegalArgumentException.class, () -> new Address(-1));
        assertEquals("f3da19d0f4", new Address(0xf3da19d0f4L).toString());
        assertEquals("0000000001", new Address(1).toString());
        assertEquals(new Address(0xf3da19d0f4L), Address.parse("f3da19d0f4").orElseThrow());
        // the codecs read addresses without throwing: an invalid one is null, the message malformed
        assertEquals(new Address(0xfeffffffffL), Wire.readAddress(HEX.parseHex("feffffffff"), 0));
        assertNull(Wire.readAddress(HEX.parseHex("ff00000001"), 0));
        assertNull(Wire.readAddress(new byte[5], 0));
        assertTrue(Address.parse("f3da19d0f").isEmpty());
        assertTrue(Address.parse("ff00000001").isEmpty());
        assertTrue(Address.parse("g3da19d0f4").isEmpty());
    }

    @Test
    void fingerprints() {
        byte[] a = HEX.parseHex("f12c87e25cab1557b5157038dc4542221ab0d216c5393ef0c7d92ea95e4947c79c0ac8cec06905d3f546efe21641b40b");
        byte[] b = a.clone();
        b[47] ^= 1;
        assertEquals(Fingerprint.of(a), Fingerprint.of(a.clone()));
        assertNotEquals(Fingerprint.of(a), Fingerprint.of(b));
        assertTrue(Fingerprint.of(a).compareTo(Fingerprint.of(b)) > 0, "...0b > ...0a: unsigned big-endian order (glare, §3.2)");
        byte[] low = new byte[48];
        low[0] = 0x7f;
        byte[] high = new byte[48];
        high[0] = (byte) 0x80;
        assertTrue(Fingerprint.of(low).compareTo(Fingerprint.of(high)) < 0, "bytes compare unsigned");
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.of(new byte[47]));
    }
}

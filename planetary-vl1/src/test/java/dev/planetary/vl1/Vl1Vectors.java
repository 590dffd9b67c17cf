package dev.planetary.vl1;

import dev.planetary.identity.Address;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The B.4 message-layout vectors (VL spec Appendix B.4): every VL1 message this module codes, with
 * fixed field values, and the JSON form of their fields. {@link Vl1VectorGenerator} writes them to
 * {@code src/test/resources/vectors/vl1_messages.json}; {@link Vl1MessageVectorTest} checks them.
 *
 * <p>JSON field conventions: a record becomes an object with {@code "record"} (its simple name)
 * and one member per component; {@code int} → number (u32 request ids as unsigned numbers);
 * {@code long} → 16 lowercase hex digits (u64, no precision loss); {@link Address} → 10 hex digits;
 * {@link Bytes} → hex; {@link Endpoint.Udp} → {@code {"record":"Udp","ip":hex,"port":n,"text":…}}.
 */
final class Vl1Vectors {
    private Vl1Vectors() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final HexFormat HEX = HexFormat.of();

    /** The B.1 identity (public key bytes ‖ self-signature r ‖ s), 195 bytes, address f3da19d0f4. */
    static final Bytes B1_IDENTITY = Bytes.fromHex("01"
            + "03299dad50e5f6eaac044d29abbe14f2d47b4b33aaaa7329d3c370f14594a71ebb34a2fac60c0152149347e7e500728306"
            + "03c752af9b753f0d69d7daf95a64af6c9bc1cc1e0cd9807a8c6ec087bd576dbe9663b4b0bb3169ecfe4e0fd6fc65765aa5"
            + "0822c2eddef9085c72130117f7ec145ba8d4bc82717752e4558576884256fecb4a5d7a1f9022fe1de1b0352fec7f2bfe"
            + "bf007a0c262e412a1d6b8948be8ca51f1d09f8186790f469be5bb2e98364da888ad83ffe8cac5823fe6075ee6f0ba465");
    static final Address B1_ADDRESS = Address.parse("f3da19d0f4").orElseThrow();
    static final Address A = Address.parse("89e92ceee5").orElseThrow();
    static final Address B = Address.parse("0123456789").orElseThrow();
    static final Address C = Address.parse("fe00000001").orElseThrow();

    /** A fixed 48-byte stand-in for a ZSSP datagram (its content is opaque to RELAY). */
    static Bytes datagram(int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) b[i] = (byte) (i * 37 + 11);
        return Bytes.of(b);
    }

    /** Name → message, in file order. */
    static Map<String, Vl1Message> messages() {
        Map<String, Vl1Message> m = new LinkedHashMap<>();
        SoftwareVersion sw = new SoftwareVersion(0, 1, 0);
        Endpoint v4 = Endpoint.Udp.of(new byte[] {(byte) 203, 0, 113, 20}, 41_641);
        Endpoint v6 = Endpoint.Udp.of(HEX.parseHex("20010db8000000000000000000000001"), 9993);
        m.put("nop_empty", Nop.empty());
        m.put("nop_padding", new Nop(Bytes.fromHex("00000000")));
        m.put("hello_member", Hello.of(0x1000_0001, 0, sw, 0x0102_0304_0506_0708L, List.of(), null));
        m.put("hello_to_root", Hello.of(0x8000_0002, Hello.ROLE_SYMMETRIC_NAT, sw, 0x1122_3344_5566_7788L,
                List.of(new RootSetSummary(RootSetSummary.nameId("planetary"), 1), new RootSetSummary(RootSetSummary.nameId("example"), 7)), "linux/amd64"));
        m.put("hello_root", Hello.of(0x0000_0003, Hello.ROLE_ROOT, new SoftwareVersion(1, 2, 3), -1L, List.of(), null));
        m.put("ok_hello_direct", new Ok.HelloReply(0x1000_0001, 1, Hello.ROLE_ROOT, sw, 0x0a0b_0c0d_0e0f_1011L, v4, List.of()));
        m.put("ok_hello_relayed", new Ok.HelloReply(0x1000_0001, 1, 0, sw, 0x0a0b_0c0d_0e0f_1011L, Endpoint.NONE, List.of()));
        m.put("echo_heartbeat", new Echo(0x0000_0010, Echo.HEARTBEAT, 123_456_789L));
        m.put("echo_path_probe", new Echo(0xffff_fffe, Echo.PATH_PROBE, 0x7fff_ffff_ffff_ffffL));
        m.put("ok_echo_ipv4", new Ok.EchoReply(0x0000_0010, 123_456_789L, v4));
        m.put("ok_echo_ipv6", new Ok.EchoReply(0xffff_fffe, 0x7fff_ffff_ffff_ffffL, v6));
        m.put("ok_echo_unknown_endpoint", new Ok.EchoReply(0x0000_0011, 1L, new Endpoint.Unknown(Endpoint.TYPE_IPV4_TCP, Bytes.fromHex("cb00711401bb"))));
        m.put("whois_one", new Whois(0x0000_0020, List.of(B1_ADDRESS)));
        m.put("whois_three", new Whois(0x0000_0021, List.of(A, B, C)));
        m.put("ok_whois", new Ok.WhoisReply(0x0000_0020, List.of(new Ok.WhoisRecord(B1_ADDRESS, B1_IDENTITY))));
        m.put("ok_whois_none", new Ok.WhoisReply(0x0000_0022, List.of()));
        m.put("error_whois_not_found", ErrorMessage.whoisNotFound(0x0000_0021, List.of(A, C)));
        m.put("error_network_not_found", new ErrorMessage(Verb.NETWORK_CONFIG_REQUEST, 0, ErrorMessage.OBJ_NOT_FOUND, new ErrorMessage.Detail.NetworkId(0xf3da_19d0_f400_0001L)));
        m.put("error_hello_rate_limited", ErrorMessage.rateLimited(Verb.HELLO, 0x1000_0001, Vl1Limits.RETRY_AFTER_ROOT));
        m.put("error_bad_protocol_version", new ErrorMessage(Verb.HELLO, 0x1000_0001, ErrorMessage.BAD_PROTOCOL_VERSION, new ErrorMessage.Detail.Version(1)));
        m.put("error_identity_collision", new ErrorMessage(Verb.HELLO, 0x1000_0001, ErrorMessage.IDENTITY_COLLISION, new ErrorMessage.Detail.Collision(B1_ADDRESS)));
        m.put("error_invalid_request", new ErrorMessage(Verb.WHOIS, 0x0000_0020, ErrorMessage.INVALID_REQUEST, ErrorMessage.Detail.NONE));
        m.put("error_unsupported_verb", ErrorMessage.unsupported(0x1d));
        m.put("error_need_membership_certificate", new ErrorMessage(Verb.FRAME, 0, ErrorMessage.NEED_MEMBERSHIP_CERTIFICATE, new ErrorMessage.Detail.NetworkId(0x8056_c2e2_1c00_0001L)));
        m.put("error_network_access_denied", new ErrorMessage(Verb.NETWORK_CONFIG_REQUEST, 0, ErrorMessage.NETWORK_ACCESS_DENIED, new ErrorMessage.Detail.AccessDenied(0x8056_c2e2_1c00_0001L, ErrorMessage.ACCESS_PENDING_APPROVAL)));
        m.put("error_unwanted_multicast", new ErrorMessage(Verb.MULTICAST_FRAME, 0, ErrorMessage.UNWANTED_MULTICAST, new ErrorMessage.Detail.UnwantedMulticast(0x8056_c2e2_1c00_0001L, 0xffff_ffff_ffffL, 0x0a93_1101)));
        m.put("error_relay_denied_blocked", ErrorMessage.relayDenied(B, ErrorMessage.RELAY_BLOCKED));
        m.put("relay_from_member", new Relay(Relay.HOPS_FROM_MEMBER, B, A, datagram(48)));
        m.put("relay_from_root", new Relay(Relay.HOPS_FROM_ROOT, B, A, datagram(32)));
        m.put("relay_block", new RelayBlock(A, 60));
        m.put("relay_block_lift", new RelayBlock(A, 0));
        m.put("rendezvous_request", new RendezvousRequest(B));
        m.put("rendezvous", new Rendezvous(0, B, List.of(v4, v6)));
        m.put("rendezvous_symmetric_peer", new Rendezvous(Rendezvous.PEER_SYMMETRIC_NAT, A, List.of(v4)));
        m.put("push_direct_paths", new PushDirectPaths(List.of(
                new PushDirectPaths.Path(PushDirectPaths.LAN, Endpoint.Udp.of(new byte[] {(byte) 192, (byte) 168, 1, 23}, 9993)),
                new PushDirectPaths.Path(PushDirectPaths.OBSERVED, v4),
                new PushDirectPaths.Path(PushDirectPaths.STATIC, v6))));
        m.put("user_message", new UserMessage(0x0000_0000_0001_0000L, Bytes.of("hello, planetary".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        m.put("root_set_opaque", new RootSet(Bytes.fromHex("504c525401")));
        m.put("ok_multicast_gather_opaque", new Ok.Other(Verb.MULTICAST_GATHER, 0x0000_0030, Bytes.fromHex("00")));
        return m;
    }

    /** The JSON form of a message's fields (and of nested values). */
    static JsonNode fields(Object v) {
        return switch (v) {
            case null -> JSON.nullNode();
            case Integer i -> JSON.getNodeFactory().numberNode(i);
            case Long l -> JSON.getNodeFactory().textNode(String.format("%016x", l));
            case Address a -> JSON.getNodeFactory().textNode(a.toString());
            case Bytes b -> JSON.getNodeFactory().textNode(b.hex());
            case Endpoint.Udp u -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("record", "Udp");
                o.put("ip", HEX.formatHex(u.ip()));
                o.put("port", u.port());
                o.put("text", u.toString());
                yield o;
            }
            case List<?> list -> {
                ArrayNode a = JSON.createArrayNode();
                for (Object x : list) a.add(fields(x));
                yield a;
            }
            case Record r -> {
                ObjectNode o = JSON.createObjectNode();
                o.put("record", r.getClass().getSimpleName());
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    try {
                        Object x = c.getAccessor().invoke(r);
                        if (c.getName().toLowerCase().contains("requestid") && x instanceof Integer i) o.put(c.getName(), Integer.toUnsignedLong(i));
                        else o.set(c.getName(), fields(x));
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                }
                yield o;
            }
            default -> throw new IllegalArgumentException("no JSON form for " + v.getClass());
        };
    }

    /** The vector file's JSON for {@link #messages()}. */
    static ObjectNode document() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("description", "VL1 message layouts with fixed field values (VL spec Appendix B.4). hex = the whole VL1 message (verb byte first), "
                + "i.e. one ZSSP Data payload. fields: see planetary-vl1 Vl1Vectors for the JSON conventions (u64 as 16 hex digits). "
                + "Generated by dev.planetary.vl1.Vl1VectorGenerator; checked by Vl1MessageVectorTest.");
        ArrayNode arr = doc.putArray("vectors");
        for (Map.Entry<String, Vl1Message> e : messages().entrySet()) {
            ObjectNode v = arr.addObject();
            v.put("name", e.getKey());
            v.put("verb", Verb.name(e.getValue().verb()));
            byte[] b = e.getValue().encode();
            v.put("length", b.length);
            v.put("hex", HEX.formatHex(b));
            v.set("fields", fields(e.getValue()));
        }
        return doc;
    }

    /** The node as a parser reads it back (number node types follow the values, as in the file). */
    static JsonNode normalized(JsonNode n) {
        try {
            return JSON.readTree(JSON.writeValueAsString(n));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static List<String> names() {
        return new ArrayList<>(messages().keySet());
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Encodes and decodes VL1 messages (§3.4). {@link #decode} never throws on hostile bytes: it returns
 * {@link Decoded.Malformed} with a reason, allocates at most the input's size, and accepts only the
 * canonical encoding — a decoded message re-encodes to exactly the bytes it came from (unknown
 * optional TLVs, unknown Endpoint types and reserved flag bits are kept as read).
 */
public final class Vl1Codec {
    private Vl1Codec() {}

    /** Decodes a whole ZSSP Data payload. */
    public static Decoded decode(byte[] payload) {
        return decode(payload, 0, payload.length);
    }

    /** Decodes {@code payload[off, off+len)}; the bytes are copied where kept. */
    public static Decoded decode(byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        if (len == 0) return new Decoded.Malformed(-1, "empty message");
        int verb = payload[off] & 0xff;
        if (len > Vl1Limits.MAX_VL1_MESSAGE) return new Decoded.Malformed(verb, "message of " + len + " bytes exceeds MAX_VL1_MESSAGE");
        Wire.Reader r = new Wire.Reader(payload, off + 1, len - 1);
        try {
            Vl1Message m = switch (verb) {
                case Verb.NOP -> new Nop(r.rest());
                case Verb.HELLO -> readHello(r);
                case Verb.ERROR -> readError(r);
                case Verb.OK -> readOk(r);
                case Verb.WHOIS -> readWhois(r);
                case Verb.ECHO -> readEcho(r);
                case Verb.USER_MESSAGE -> new UserMessage(r.u64("type id"), r.rest());
                case Verb.RELAY -> readRelay(r);
                case Verb.ROOT_SET -> new RootSet(r.rest());
                case Verb.RELAY_BLOCK -> readRelayBlock(r);
                case Verb.RENDEZVOUS_REQUEST -> readRendezvousRequest(r);
                case Verb.RENDEZVOUS -> readRendezvous(r);
                case Verb.PUSH_DIRECT_PATHS -> readPushDirectPaths(r);
                default -> null;
            };
            if (m == null) return new Decoded.Unsupported(verb);
            return new Decoded.Message(m);
        } catch (Wire.MalformedException e) {
            return new Decoded.Malformed(verb, e.getMessage());
        } catch (IllegalArgumentException e) {
            // A record constructor refused a field value (range, count, length).
            return new Decoded.Malformed(verb, e.getMessage());
        } catch (RuntimeException e) {
            // A bug, not bad input: still never out of the receive loop. Tests assert this never happens.
            return new Decoded.Malformed(verb, "internal error: " + e.getClass().getSimpleName());
        }
    }

    /**
     * The destination of a RELAY whose header is complete, even if the rest is malformed (a root
     * answers RELAY_DENIED reason 4 naming it, §5.3); {@code null} if there is none.
     */
    public static Address peekRelayDestination(byte[] payload, int off, int len) {
        Objects.checkFromIndexSize(off, len, payload.length);
        if (len < Vl1Limits.RELAY_HEADER_BYTES || (payload[off] & 0xff) != Verb.RELAY) return null;
        return Wire.readAddress(payload, off + 2);
    }

    /** The wire form of {@code m}. */
    public static byte[] encode(Vl1Message m) {
        Wire.Writer w = new Wire.Writer();
        w.u8(m.verb());
        switch (m) {
            case Nop n -> w.bytes(n.body());
            case Hello h -> {
                w.u32(h.requestId()).u16(h.protocolVersion()).u8(h.roleFlags());
                writeSoftware(w, h.software());
                w.u64(h.instanceId());
                writeTlvBlock(w, h.tlvs());
            }
            case ErrorMessage e -> {
                w.u8(e.inReVerb()).u32(e.inReRequestId()).u8(e.code());
                writeErrorDetail(w, e.detail());
            }
            case Ok ok -> {
                w.u8(ok.inReVerb()).u32(ok.inReRequestId());
                switch (ok) {
                    case Ok.HelloReply h -> {
                        w.u16(h.protocolVersion()).u8(h.roleFlags());
                        writeSoftware(w, h.software());
                        w.u64(h.instanceId());
                        writeEndpoint(w, h.observed());
                        writeTlvBlock(w, h.tlvs());
                    }
                    case Ok.EchoReply e -> {
                        w.u64(e.timestamp());
                        writeEndpoint(w, e.observed());
                    }
                    case Ok.WhoisReply wr -> {
                        w.u8(wr.records().size());
                        for (Ok.WhoisRecord rec : wr.records()) w.address(rec.address()).bytes(rec.identity());
                    }
                    case Ok.Other o -> w.bytes(o.body());
                }
            }
            case Whois wh -> {
                w.u32(wh.requestId()).u8(wh.addresses().size());
                for (Address a : wh.addresses()) w.address(a);
            }
            case Echo e -> w.u32(e.requestId()).u8(e.flags()).u64(e.timestamp());
            case UserMessage u -> w.u64(u.typeId()).bytes(u.payload());
            case Relay rl -> w.u8(rl.hops()).address(rl.destination()).address(rl.origin()).bytes(rl.datagram());
            case RootSet rs -> w.bytes(rs.rootSet());
            case RelayBlock b -> w.address(b.origin()).u16(b.ttlSeconds());
            case RendezvousRequest q -> w.address(q.peer());
            case Rendezvous rv -> {
                w.u8(rv.flags()).address(rv.peer()).u8(rv.endpoints().size());
                for (Endpoint e : rv.endpoints()) writeEndpoint(w, e);
            }
            case PushDirectPaths p -> {
                w.u8(p.paths().size());
                for (PushDirectPaths.Path x : p.paths()) {
                    w.u8(x.flags());
                    writeEndpoint(w, x.endpoint());
                }
            }
        }
        if (w.length() > Vl1Limits.MAX_VL1_MESSAGE) {
            throw new IllegalArgumentException(Verb.name(m.verb()) + " message of " + w.length() + " bytes exceeds MAX_VL1_MESSAGE (" + Vl1Limits.MAX_VL1_MESSAGE + ", §3.4)");
        }
        return w.toArray();
    }

    // ------------------------------------------------------------------ Endpoint (§0)

    static void writeEndpoint(Wire.Writer w, Endpoint e) {
        switch (e) {
            case Endpoint.None n -> w.u8(Endpoint.TYPE_NONE).u8(0);
            case Endpoint.Udp u -> w.u8(u.type()).u8(u.ip.length + 2).bytes(Bytes.of(u.ip)).u16(u.port());
            case Endpoint.Unknown x -> w.u8(x.type()).u8(x.value().length()).bytes(x.value());
        }
    }

    /** One endpoint; unknown types are skipped using L (kept as Unknown); a known type with a wrong L is malformed. */
    static Endpoint readEndpoint(Wire.Reader r) {
        int type = r.u8("endpoint type");
        int len = r.u8("endpoint length");
        Wire.Reader v = r.slice(len, "endpoint value");
        return switch (type) {
            case Endpoint.TYPE_NONE -> {
                if (len != 0) throw Wire.malformed("endpoint type 0x00 with L = " + len + " (must be 0)");
                yield Endpoint.NONE;
            }
            case Endpoint.TYPE_IPV4_UDP, Endpoint.TYPE_IPV6_UDP -> {
                int want = type == Endpoint.TYPE_IPV4_UDP ? Vl1Limits.ENDPOINT_IPV4_LENGTH : Vl1Limits.ENDPOINT_IPV6_LENGTH;
                if (len != want) throw Wire.malformed(String.format("endpoint type 0x%02x with L = %d (must be %d)", type, len, want));
                byte[] ip = v.bytes(len - 2, "endpoint address").toArray();
                yield Endpoint.Udp.of(ip, v.u16("endpoint port"));
            }
            default -> new Endpoint.Unknown(type, v.rest());
        };
    }

    // ------------------------------------------------------------------ readers

    private static SoftwareVersion readSoftware(Wire.Reader r) {
        return new SoftwareVersion(r.u8("software version"), r.u8("software version"), r.u8("software version"));
    }

    private static void writeSoftware(Wire.Writer w, SoftwareVersion v) {
        w.u8(v.major()).u8(v.minor()).u8(v.patch());
    }

    /** {@code u16 T ‖ T bytes of TLVs}, ending the message. */
    private static List<Tlv> readTlvBlock(Wire.Reader r, List<Tlv.Rule> rules, String where) {
        int t = r.u16(where + " TLV length");
        Wire.Reader block = r.slice(t, where + " TLVs");
        r.end(where);
        return Tlv.readAll(block, rules, where);
    }

    private static void writeTlvBlock(Wire.Writer w, List<Tlv> tlvs) {
        int at = w.length();
        w.u16(0);
        Tlv.writeAll(w, tlvs);
        int t = w.length() - at - 2;
        if (t > 0xffff) throw new IllegalArgumentException("TLV block of " + t + " bytes does not fit its u16 length");
        w.patchU16(at, t);
    }

    private static Hello readHello(Wire.Reader r) {
        int requestId = r.u32("request id");
        int version = r.u16("protocol version");
        int flags = r.u8("role flags");
        SoftwareVersion sw = readSoftware(r);
        long instance = r.u64("instance id");
        List<Tlv> tlvs = readTlvBlock(r, Hello.TLV_RULES, "HELLO");
        return new Hello(requestId, version, flags, sw, instance, tlvs);
    }

    private static Ok readOk(Wire.Reader r) {
        int inRe = r.u8("in-re verb");
        int requestId = r.u32("in-re request id");
        return switch (inRe) {
            case Verb.HELLO -> {
                int version = r.u16("protocol version");
                int flags = r.u8("role flags");
                SoftwareVersion sw = readSoftware(r);
                long instance = r.u64("instance id");
                Endpoint observed = readEndpoint(r);
                List<Tlv> tlvs = readTlvBlock(r, List.of(), "OK(HELLO)");
                yield new Ok.HelloReply(requestId, version, flags, sw, instance, observed, tlvs);
            }
            case Verb.ECHO -> {
                long ts = r.u64("echoed timestamp");
                Endpoint observed = readEndpoint(r);
                r.end("OK(ECHO)");
                yield new Ok.EchoReply(requestId, ts, observed);
            }
            case Verb.WHOIS -> {
                int m = r.u8("record count");
                if (m > Vl1Limits.MAX_WHOIS_ADDRESSES) throw Wire.malformed("OK(WHOIS) with " + m + " records (at most 32)");
                List<Ok.WhoisRecord> records = new ArrayList<>(m);
                for (int i = 0; i < m; i++) {
                    Address a = r.address("OK(WHOIS) record");
                    records.add(new Ok.WhoisRecord(a, r.bytes(Vl1Limits.IDENTITY_BYTES, "OK(WHOIS) identity")));
                }
                r.end("OK(WHOIS)");
                yield new Ok.WhoisReply(requestId, records);
            }
            default -> new Ok.Other(inRe, requestId, r.rest());
        };
    }

    private static ErrorMessage readError(Wire.Reader r) {
        int inRe = r.u8("in-re verb");
        int requestId = r.u32("in-re request id");
        int code = r.u8("error code");
        Class<? extends ErrorMessage.Detail> kind = ErrorMessage.detailType(code, inRe);
        ErrorMessage.Detail d;
        if (kind == ErrorMessage.Detail.None.class) d = ErrorMessage.Detail.NONE;
        else if (kind == ErrorMessage.Detail.Version.class) d = new ErrorMessage.Detail.Version(r.u16("supported version"));
        else if (kind == ErrorMessage.Detail.Addresses.class) d = new ErrorMessage.Detail.Addresses(readAddressList(r, "OBJ_NOT_FOUND"));
        else if (kind == ErrorMessage.Detail.NetworkId.class) d = new ErrorMessage.Detail.NetworkId(r.u64("network id"));
        else if (kind == ErrorMessage.Detail.Collision.class) d = new ErrorMessage.Detail.Collision(r.address("IDENTITY_COLLISION"));
        else if (kind == ErrorMessage.Detail.AccessDenied.class) d = new ErrorMessage.Detail.AccessDenied(r.u64("network id"), r.u8("reason"));
        else if (kind == ErrorMessage.Detail.UnwantedMulticast.class) d = new ErrorMessage.Detail.UnwantedMulticast(r.u64("network id"), r.u48("MAC"), r.u32("ADI"));
        else if (kind == ErrorMessage.Detail.RetryAfter.class) d = new ErrorMessage.Detail.RetryAfter(r.u16("retry-after"));
        else if (kind == ErrorMessage.Detail.RelayDenied.class) d = new ErrorMessage.Detail.RelayDenied(r.address("RELAY_DENIED"), r.u8("reason"));
        else d = new ErrorMessage.Detail.Opaque(r.rest());
        r.end("ERROR " + ErrorMessage.codeName(code));
        return new ErrorMessage(inRe, requestId, code, d);
    }

    /** {@code u8 n (1..32) ‖ n × Address}; n is checked before anything is allocated. */
    private static List<Address> readAddressList(Wire.Reader r, String where) {
        int n = r.u8(where + " count");
        if (n < 1 || n > Vl1Limits.MAX_WHOIS_ADDRESSES) throw Wire.malformed(where + " with " + n + " addresses (1..32)");
        List<Address> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(r.address(where));
        return out;
    }

    private static void writeErrorDetail(Wire.Writer w, ErrorMessage.Detail d) {
        switch (d) {
            case ErrorMessage.Detail.None n -> { }
            case ErrorMessage.Detail.Version v -> w.u16(v.supported());
            case ErrorMessage.Detail.Addresses a -> {
                w.u8(a.addresses().size());
                for (Address x : a.addresses()) w.address(x);
            }
            case ErrorMessage.Detail.NetworkId n -> w.u64(n.nwid());
            case ErrorMessage.Detail.Collision c -> w.address(c.address());
            case ErrorMessage.Detail.AccessDenied a -> w.u64(a.nwid()).u8(a.reason());
            case ErrorMessage.Detail.UnwantedMulticast u -> w.u64(u.nwid()).u48(u.mac()).u32(u.adi());
            case ErrorMessage.Detail.RetryAfter ra -> w.u16(ra.seconds());
            case ErrorMessage.Detail.RelayDenied rd -> w.address(rd.destination()).u8(rd.reason());
            case ErrorMessage.Detail.Opaque o -> w.bytes(o.body());
        }
    }

    private static Whois readWhois(Wire.Reader r) {
        int requestId = r.u32("request id");
        List<Address> addresses = readAddressList(r, "WHOIS");
        r.end("WHOIS");
        return new Whois(requestId, addresses);
    }

    private static Echo readEcho(Wire.Reader r) {
        Echo e = new Echo(r.u32("request id"), r.u8("flags"), r.u64("timestamp"));
        r.end("ECHO");
        return e;
    }

    private static Relay readRelay(Wire.Reader r) {
        int hopByte = r.u8("hop count");
        if ((hopByte & ~Vl1Limits.RELAY_MAX_HOPS) != 0) throw Wire.malformed("RELAY reserved bits 3-7 set");
        Address dest = r.address("RELAY destination");
        Address origin = r.address("RELAY origin");
        int n = r.remaining();
        if (n < Vl1Limits.MIN_ZSSP_DATAGRAM || n > Vl1Limits.RELAYED_PATH_MTU) throw Wire.malformed("RELAY datagram of " + n + " bytes (32..1188)");
        return new Relay(hopByte, dest, origin, r.rest());
    }

    private static RendezvousRequest readRendezvousRequest(Wire.Reader r) {
        RendezvousRequest q = new RendezvousRequest(r.address("RENDEZVOUS_REQUEST peer"));
        r.end("RENDEZVOUS_REQUEST");
        return q;
    }

    private static Rendezvous readRendezvous(Wire.Reader r) {
        int flags = r.u8("flags");
        Address peer = r.address("RENDEZVOUS peer");
        int n = r.u8("endpoint count");
        if (n < 1 || n > Rendezvous.MAX_ENDPOINTS) throw Wire.malformed("RENDEZVOUS with " + n + " endpoints (1..4)");
        List<Endpoint> eps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) eps.add(readEndpoint(r));
        r.end("RENDEZVOUS");
        return new Rendezvous(flags, peer, eps);
    }

    private static PushDirectPaths readPushDirectPaths(Wire.Reader r) {
        int n = r.u8("path count");
        if (n < 1 || n > PushDirectPaths.MAX_PATHS) throw Wire.malformed("PUSH_DIRECT_PATHS with " + n + " paths (1..16)");
        List<PushDirectPaths.Path> paths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int flags = r.u8("path flags");
            paths.add(new PushDirectPaths.Path(flags, readEndpoint(r)));
        }
        r.end("PUSH_DIRECT_PATHS");
        return new PushDirectPaths(paths);
    }

    private static RelayBlock readRelayBlock(Wire.Reader r) {
        RelayBlock b = new RelayBlock(r.address("RELAY_BLOCK origin"), r.u16("ttl"));
        r.end("RELAY_BLOCK");
        return b;
    }
}

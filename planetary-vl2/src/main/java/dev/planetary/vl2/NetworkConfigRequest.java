package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Tlv;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Verb;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * NETWORK_CONFIG_REQUEST ({@code 0x0b}, member → controller, SEQEX channel 0, §7.3):
 * {@code 0x0b ‖ u64 nwid ‖ u64 held config revision (0 = none) ‖ u64 held revocation-list revision
 * (0 = none) ‖ u16 T ‖ T bytes of TLVs}. TLVs: {@code 0x01} join token (ASCII 1..64), {@code 0x81}
 * software version, {@code 0x82} rules-engine version (u8), {@code 0x83}/{@code 0x84}/{@code 0x85}
 * max rules / capabilities / tags (u16), {@code 0x86} host name. Unknown TLVs ≥ 0x80 are skipped.
 */
public record NetworkConfigRequest(NetworkId networkId, long configRevision, long revocationRevision,
                                   Optional<String> token, Optional<String> softwareVersion, OptionalInt rulesVersion,
                                   OptionalInt maxRules, OptionalInt maxCapabilities, OptionalInt maxTags,
                                   Optional<String> hostName) implements Vl2Message {
    static final int T_TOKEN = 0x01, T_SOFTWARE = 0x81, T_RULES_VERSION = 0x82, T_MAX_RULES = 0x83,
            T_MAX_CAPABILITIES = 0x84, T_MAX_TAGS = 0x85, T_HOST_NAME = 0x86;

    static final Tlv.Schema SCHEMA = Tlv.Schema.of(
            Fields.range(T_TOKEN, 1, Vl2Limits.TOKEN_MAX_BYTES),
            Fields.range(T_SOFTWARE, 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES),
            Tlv.Definition.fixed(T_RULES_VERSION, 1),
            Tlv.Definition.fixed(T_MAX_RULES, 2),
            Tlv.Definition.fixed(T_MAX_CAPABILITIES, 2),
            Tlv.Definition.fixed(T_MAX_TAGS, 2),
            Fields.range(T_HOST_NAME, 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES));

    public NetworkConfigRequest {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(token, "token").ifPresent(NetworkConfigRequest::requireToken);
        Codec.nonNull(softwareVersion, "software version").ifPresent(s -> Codec.requireUtf8(s, 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES, "software version"));
        Codec.nonNull(rulesVersion, "rules version").ifPresent(v -> Codec.requireRange(v, 0, 0xff, "rules-engine version"));
        Codec.nonNull(maxRules, "max rules").ifPresent(v -> Codec.requireRange(v, 0, 0xffff, "max rules"));
        Codec.nonNull(maxCapabilities, "max capabilities").ifPresent(v -> Codec.requireRange(v, 0, 0xffff, "max capabilities"));
        Codec.nonNull(maxTags, "max tags").ifPresent(v -> Codec.requireRange(v, 0, 0xffff, "max tags"));
        Codec.nonNull(hostName, "host name").ifPresent(s -> Codec.requireUtf8(s, 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES, "host name"));
    }

    /**
     * A request from this implementation: rules-engine version 1 and its limits (1024 rules, 128
     * capabilities, 128 tags), the given token and software version, no host name.
     */
    public static NetworkConfigRequest of(NetworkId networkId, long configRevision, long revocationRevision,
                                          Optional<String> token, String softwareVersion) {
        return new NetworkConfigRequest(networkId, configRevision, revocationRevision, token, Optional.of(softwareVersion),
                OptionalInt.of(Vl2Limits.RULES_ENGINE_VERSION), OptionalInt.of(Vl2Limits.MAX_RULES),
                OptionalInt.of(Vl2Limits.MAX_CAPABILITIES), OptionalInt.of(Vl2Limits.MAX_TAGS), Optional.empty());
    }

    /** §7.3: a join token is the text exactly as typed, ASCII (printable), 1..64 bytes. */
    static void requireToken(String t) {
        if (t.isEmpty() || t.length() > Vl2Limits.TOKEN_MAX_BYTES) throw new IllegalArgumentException("a join token is 1.." + Vl2Limits.TOKEN_MAX_BYTES + " ASCII characters");
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7e) throw new IllegalArgumentException("a join token is printable ASCII");
        }
    }

    @Override
    public int verb() {
        return Verb.NETWORK_CONFIG_REQUEST;
    }

    @Override
    public byte[] encode() {
        Tlv.Writer w = new Tlv.Writer();
        token.ifPresent(t -> w.add(T_TOKEN, t.getBytes(StandardCharsets.US_ASCII)));
        softwareVersion.ifPresent(s -> w.add(T_SOFTWARE, s.getBytes(StandardCharsets.UTF_8)));
        rulesVersion.ifPresent(v -> w.add(T_RULES_VERSION, new byte[] {(byte) v}));
        maxRules.ifPresent(v -> w.add(T_MAX_RULES, Fields.u16(v)));
        maxCapabilities.ifPresent(v -> w.add(T_MAX_CAPABILITIES, Fields.u16(v)));
        maxTags.ifPresent(v -> w.add(T_MAX_TAGS, Fields.u16(v)));
        hostName.ifPresent(s -> w.add(T_HOST_NAME, s.getBytes(StandardCharsets.UTF_8)));
        byte[] tlvs = w.toBytes();
        return new Codec.Out(27 + tlvs.length).u8(verb()).u64(networkId.value()).u64(configRevision).u64(revocationRevision)
                .u16(tlvs.length).put(tlvs).toByteArray();
    }

    public static Decoded<NetworkConfigRequest> decode(byte[] b) {
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.NETWORK_CONFIG_REQUEST);
            NetworkId nwid = Codec.networkId(in);
            long config = in.getLong(), list = in.getLong();
            byte[] t = Codec.bytes(in, Codec.u16(in));
            Fields f = new Fields(Codec.orBad(Tlv.read(t, 0, t.length, SCHEMA)));
            return new NetworkConfigRequest(nwid, config, list,
                    text(f.optional(T_TOKEN), 1, Vl2Limits.TOKEN_MAX_BYTES, "join token"),
                    text(f.optional(T_SOFTWARE), 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES, "software version"),
                    number(f.optional(T_RULES_VERSION)), number(f.optional(T_MAX_RULES)),
                    number(f.optional(T_MAX_CAPABILITIES)), number(f.optional(T_MAX_TAGS)),
                    text(f.optional(T_HOST_NAME), 1, Vl2Limits.REQUEST_TEXT_MAX_BYTES, "host name"));
        });
    }

    private static Optional<String> text(ByteBuffer v, int min, int max, String what) {
        return v == null ? Optional.empty() : Optional.of(Codec.utf8(Codec.rest(v), min, max, what));
    }

    private static OptionalInt number(ByteBuffer v) {
        if (v == null) return OptionalInt.empty();
        return OptionalInt.of(v.remaining() == 1 ? Codec.u8(v) : Codec.u16(v));
    }

    /** A summary for logs: the token is a secret (never printed), peer-supplied text is escaped. */
    @Override
    public String toString() {
        return "NetworkConfigRequest[" + networkId + ", config " + configRevision + ", list " + revocationRevision
                + (token.isPresent() ? ", token" : "") + softwareVersion.map(v -> ", software " + Codec.printable(v)).orElse("")
                + ", limits " + List.of(rulesVersion, maxRules, maxCapabilities, maxTags)
                + hostName.map(h -> ", host " + Codec.printable(h)).orElse("") + "]";
    }
}

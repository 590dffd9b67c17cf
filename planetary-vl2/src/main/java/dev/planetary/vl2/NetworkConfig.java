package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.Pso;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.Tlv;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * NetworkConfig (PSO type {@code 0x02}, issuer = the controller, VL.md §7.4). Optional fields keep
 * "absent" apart from "present with the default value" so that a decoded config re-encodes to the same
 * bytes; the {@code effective*} accessors apply the defaults.
 *
 * <p>Field rules: MTU 1280..10000; multicast limit 1..240; name 1..127 UTF-8 bytes; ≤ 128 routes;
 * base rules ≤ 1024 entries; ≤ 128 capabilities (each ≤ 64 entries) and ≤ 128 tag definitions, ids
 * unique; ≤ 256 specialists; the embedded Member Credential is for this network and this member;
 * the body ≤ {@link Vl2Limits#MAX_PSO_BODY} ({@link #sign} refuses larger). Flag bits other than 0–3
 * are kept as read and ignored.
 */
public record NetworkConfig(NetworkId networkId, Fingerprint issuedTo, long revision, long flags, int mtu,
                            RevocationReference revocations, OptionalInt multicastLimit, OptionalLong likeExpiry,
                            Optional<String> name, List<Route> routes, Optional<RuleList> baseRules,
                            List<Capability> capabilities, List<TagDefinition> tags, List<Specialist> specialists,
                            Signed<MemberCredential> credential) {
    public static final int TYPE = Pso.NETWORK_CONFIG;
    /** §7.4 flags. */
    public static final long FLAG_BROADCAST = 0x1, FLAG_ARP_EMULATION = 0x2, FLAG_NDP_EMULATION = 0x4,
            FLAG_ALLOW_UNOWNED_SOURCE = 0x8;

    static final int F_NETWORK = 0x01, F_ISSUED_TO = 0x02, F_REVISION = 0x03, F_FLAGS = 0x04, F_MTU = 0x05,
            F_REVOCATIONS = 0x06, F_MULTICAST_LIMIT = 0x07, F_LIKE_EXPIRY = 0x08, F_NAME = 0x09, F_ROUTE = 0x0a,
            F_BASE_RULES = 0x0b, F_CAPABILITY = 0x0c, F_TAG = 0x0d, F_SPECIALIST = 0x0e, F_CREDENTIAL = 0x0f;

    /** The TLV schema of the body (§7.4; {@code 0x81} DNS is reserved, hence skipped as unknown optional). */
    public static final Tlv.Schema SCHEMA = Tlv.Schema.of(
            Tlv.Definition.fixed(F_NETWORK, 8),
            Tlv.Definition.fixed(F_ISSUED_TO, Fingerprint.SIZE),
            Tlv.Definition.fixed(F_REVISION, 8),
            Tlv.Definition.fixed(F_FLAGS, 8),
            Tlv.Definition.fixed(F_MTU, 2),
            Tlv.Definition.fixed(F_REVOCATIONS, RevocationReference.BYTES),
            Tlv.Definition.fixed(F_MULTICAST_LIMIT, 2),
            Tlv.Definition.fixed(F_LIKE_EXPIRY, 4),
            Fields.range(F_NAME, 1, Vl2Limits.NAME_MAX_BYTES),
            Fields.repeatable(F_ROUTE, Route.MIN_BYTES, Route.MAX_BYTES),
            Fields.range(F_BASE_RULES, 0, Tlv.MAX_VALUE),
            Fields.repeatable(F_CAPABILITY, 4, Tlv.MAX_VALUE),
            Fields.repeatable(F_TAG, TagDefinition.MIN_BYTES, TagDefinition.MAX_BYTES),
            Fields.repeatable(F_SPECIALIST, Specialist.BYTES, Specialist.BYTES),
            Fields.range(F_CREDENTIAL, Pso.MIN_SIZE, Pso.MAX_SIZE));

    public NetworkConfig {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(issuedTo, "issued-to fingerprint");
        Codec.requireRange(mtu, Vl2Limits.MTU_MIN, Vl2Limits.MTU_MAX, "MTU");
        Codec.nonNull(revocations, "revocation list reference");
        Codec.nonNull(multicastLimit, "multicast limit");
        multicastLimit.ifPresent(v -> Codec.requireRange(v, Vl2Limits.MULTICAST_LIMIT_MIN, Vl2Limits.MULTICAST_LIMIT_MAX, "multicast limit"));
        Codec.nonNull(likeExpiry, "LIKE expiry");
        likeExpiry.ifPresent(v -> Codec.requireU32(v, "LIKE expiry"));
        Codec.nonNull(name, "name");
        name.ifPresent(n -> Codec.requireUtf8(n, 1, Vl2Limits.NAME_MAX_BYTES, "network name"));
        routes = List.copyOf(Codec.nonNull(routes, "routes"));
        Codec.requireCount(routes, Vl2Limits.MAX_ROUTES, "routes");
        Codec.nonNull(baseRules, "base rules");
        baseRules.ifPresent(r -> {
            if (r.size() > Vl2Limits.MAX_RULES) throw new IllegalArgumentException("at most " + Vl2Limits.MAX_RULES + " base rule entries, got " + r.size());
        });
        capabilities = List.copyOf(Codec.nonNull(capabilities, "capabilities"));
        Codec.requireCount(capabilities, Vl2Limits.MAX_CAPABILITIES, "capabilities");
        requireUniqueIds(capabilities, Capability::id, "capability");
        tags = List.copyOf(Codec.nonNull(tags, "tag definitions"));
        Codec.requireCount(tags, Vl2Limits.MAX_TAG_DEFINITIONS, "tag definitions");
        requireUniqueIds(tags, TagDefinition::id, "tag definition");
        specialists = List.copyOf(Codec.nonNull(specialists, "specialists"));
        Codec.requireCount(specialists, Vl2Limits.MAX_SPECIALISTS, "specialists");
        Codec.nonNull(credential, "member credential");
        if (!credential.value().networkId().equals(networkId)) throw new IllegalArgumentException("the embedded MC is for another network");
        if (!credential.value().issuedTo().equals(issuedTo)) throw new IllegalArgumentException("the embedded MC is issued to another member");
    }

    /**
     * A config with the required fields only: the given flags, the default MTU, no optional field (defaults
     * apply: multicast limit 32, LIKE expiry 600 s, one ACCEPT rule), the member's credential embedded.
     */
    public static NetworkConfig of(Signed<MemberCredential> credential, long revision, long flags, RevocationReference revocations) {
        MemberCredential mc = Codec.nonNull(credential, "member credential").value();
        return new NetworkConfig(mc.networkId(), mc.issuedTo(), revision, flags, Vl2Limits.MTU_DEFAULT, revocations, OptionalInt.empty(),
                OptionalLong.empty(), Optional.empty(), List.of(), Optional.empty(), List.of(), List.of(), List.of(), credential);
    }

    private static <T> void requireUniqueIds(List<T> items, ToLongFunction<T> id, String what) {
        Set<Long> seen = new HashSet<>();
        for (T t : items) if (!seen.add(id.applyAsLong(t))) throw new IllegalArgumentException("duplicate " + what + " id " + id.applyAsLong(t));
    }

    /** The network revision (high 32 bits of {@link #revision}). */
    public long networkRevision() {
        return revision >>> 32;
    }

    /** The member revision (low 32 bits of {@link #revision}). */
    public long memberRevision() {
        return revision & 0xffff_ffffL;
    }

    public boolean hasFlag(long flag) {
        return (flags & flag) != 0;
    }

    public int effectiveMulticastLimit() {
        return multicastLimit.orElse(Vl2Limits.MULTICAST_LIMIT_DEFAULT);
    }

    public long effectiveLikeExpiry() {
        return likeExpiry.orElse(Vl2Limits.LIKE_EXPIRY_DEFAULT);
    }

    /** The base rules, or one ACCEPT when absent (§11.4). */
    public RuleList effectiveBaseRules() {
        return baseRules.orElse(RuleList.ACCEPT);
    }

    /** Whether every rule entry (base rules and capabilities) is of a type the version 1 engine knows (§7.6 step 2). */
    public boolean allRuleTypesKnown() {
        return baseRules.map(RuleList::allTypesKnown).orElse(true) && capabilities.stream().allMatch(c -> c.rules().allTypesKnown());
    }

    /** A summary for logs (peer-supplied names escaped). */
    @Override
    public String toString() {
        return "NetworkConfig[" + networkId + ", member " + issuedTo.toShortString() + ", revision " + networkRevision() + "/"
                + memberRevision() + ", flags " + Long.toHexString(flags) + ", MTU " + mtu + name.map(n -> ", name " + Codec.printable(n)).orElse("")
                + ", " + routes.size() + " routes, " + capabilities.size() + " capabilities, " + tags.size() + " tags, "
                + specialists.size() + " specialists, list " + revocations.revision() + "]";
    }

    /** The TLV body. */
    public byte[] body() {
        Tlv.Writer w = new Tlv.Writer()
                .add(F_NETWORK, Fields.u64(networkId.value()))
                .add(F_ISSUED_TO, issuedTo.toBytes())
                .add(F_REVISION, Fields.u64(revision))
                .add(F_FLAGS, Fields.u64(flags))
                .add(F_MTU, Fields.u16(mtu))
                .add(F_REVOCATIONS, revocations.encode());
        multicastLimit.ifPresent(v -> w.add(F_MULTICAST_LIMIT, Fields.u16(v)));
        likeExpiry.ifPresent(v -> w.add(F_LIKE_EXPIRY, Fields.u32(v)));
        name.ifPresent(n -> w.add(F_NAME, n.getBytes(StandardCharsets.UTF_8)));
        for (Route r : routes) w.add(F_ROUTE, r.encode());
        baseRules.ifPresent(r -> w.add(F_BASE_RULES, r.encoded().toArray()));
        for (Capability c : capabilities) w.add(F_CAPABILITY, c.encode());
        for (TagDefinition t : tags) w.add(F_TAG, t.encode());
        for (Specialist s : specialists) w.add(F_SPECIALIST, s.encode());
        w.add(F_CREDENTIAL, credential.encoded());
        return w.toBytes();
    }

    /**
     * Signs this config as {@code controller} at {@code timestamp} (Unix ms).
     *
     * @throws IllegalArgumentException if the body exceeds {@link Vl2Limits#MAX_PSO_BODY} (§7.4: the API refuses such settings)
     */
    public Signed<NetworkConfig> sign(SecretIdentity controller, long timestamp) {
        return new Signed<>(Pso.sign(controller, TYPE, timestamp, body(), SCHEMA), this);
    }

    /** The fields of a structurally parsed PSO with every rule of §7.4 (the embedded MC structurally, no signatures). */
    public static Decoded<NetworkConfig> decode(Pso pso) {
        return Codec.run(() -> {
            Fields f = Fields.of(pso, TYPE);
            ByteBuffer limit = f.optional(F_MULTICAST_LIMIT), expiry = f.optional(F_LIKE_EXPIRY),
                    name = f.optional(F_NAME), rules = f.optional(F_BASE_RULES);
            return new NetworkConfig(
                    Codec.networkId(f.required(F_NETWORK, "network id")),
                    Codec.fingerprint(f.required(F_ISSUED_TO, "issued-to fingerprint")),
                    f.required(F_REVISION, "revision").getLong(),
                    f.required(F_FLAGS, "flags").getLong(),
                    Codec.u16(f.required(F_MTU, "MTU")),
                    RevocationReference.read(f.required(F_REVOCATIONS, "revocation list reference")),
                    limit == null ? OptionalInt.empty() : OptionalInt.of(Codec.u16(limit)),
                    expiry == null ? OptionalLong.empty() : OptionalLong.of(Codec.u32(expiry)),
                    name == null ? Optional.empty() : Optional.of(Codec.utf8(Codec.rest(name), 1, Vl2Limits.NAME_MAX_BYTES, "network name")),
                    f.repeated(F_ROUTE, Vl2Limits.MAX_ROUTES, "routes", Route::read),
                    rules == null ? Optional.empty() : Optional.of(new RuleList(Bytes.of(Codec.rest(rules)))),
                    f.repeated(F_CAPABILITY, Vl2Limits.MAX_CAPABILITIES, "capabilities", Capability::read),
                    f.repeated(F_TAG, Vl2Limits.MAX_TAG_DEFINITIONS, "tag definitions", TagDefinition::read),
                    f.repeated(F_SPECIALIST, Vl2Limits.MAX_SPECIALISTS, "specialists", Specialist::read),
                    Codec.orBad(MemberCredential.parse(Codec.rest(f.required(F_CREDENTIAL, "member credential")))));
        });
    }

    /** Structure and field rules of the PSO bytes {@code b}; no issuer or signature check. */
    public static Decoded<Signed<NetworkConfig>> parse(byte[] b) {
        return Signed.parse(b, TYPE, SCHEMA, NetworkConfig::decode);
    }

    /**
     * Everything (§2.8 order, signature last, cached by digest) with {@code controller} as issuer. The
     * embedded MC's own signature is checked too (it is the same issuer's, §7.6 step 3).
     */
    public static Decoded<Signed<NetworkConfig>> verify(PsoVerifier verifier, byte[] b, Identity controller) {
        return Signed.verify(verifier, b, TYPE, controller, SCHEMA, NetworkConfig::decode).flatMap(c ->
                MemberCredential.verify(verifier, c.value().credential().encoded(), controller).map(mc -> c));
    }
}

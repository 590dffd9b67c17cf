package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.Pso;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.Tlv;
import dev.planetary.nic.NetworkId;
import java.util.List;
import java.util.OptionalLong;

/**
 * Member Credential (PSO type {@code 0x03}, issuer = the network's controller, VL.md §8.1): one signed
 * object carrying membership, IP ownership, tags and capability grants. The PSO timestamp is the
 * credential time {@code ts(MC)} ({@link Signed#timestamp()}).
 *
 * <p>Field rules (enforced by the constructor, hence by {@link #decode}): revision is a u32
 * zero-extended (high 32 bits set makes the MC invalid); max-delta 300,000..7,200,000 ms; flags only
 * bits 0 (bridge) and 1 (replicator); ≤ 32 IP assignments; ≤ 128 tags and ≤ 128 capability grants,
 * each strictly ascending by id.
 */
public record MemberCredential(NetworkId networkId, Fingerprint issuedTo, Address issuedToAddress, long revision,
                               long maxDelta, long flags, List<AssignedAddress> addresses, List<Tag> tags,
                               List<Long> capabilities) {
    public static final int TYPE = Pso.MEMBER_CREDENTIAL;
    public static final long FLAG_BRIDGE = 0x1, FLAG_REPLICATOR = 0x2;
    static final long KNOWN_FLAGS = FLAG_BRIDGE | FLAG_REPLICATOR;

    static final int F_NETWORK = 0x01, F_ISSUED_TO = 0x02, F_ADDRESS = 0x03, F_REVISION = 0x04, F_MAX_DELTA = 0x05,
            F_FLAGS = 0x06, F_IP = 0x07, F_TAG = 0x08, F_CAPABILITY = 0x09;

    /** The TLV schema of the body (§8.1). */
    public static final Tlv.Schema SCHEMA = Tlv.Schema.of(
            Tlv.Definition.fixed(F_NETWORK, 8),
            Tlv.Definition.fixed(F_ISSUED_TO, Fingerprint.SIZE),
            Tlv.Definition.fixed(F_ADDRESS, Address.SIZE),
            Tlv.Definition.fixed(F_REVISION, 8),
            Tlv.Definition.fixed(F_MAX_DELTA, 8),
            Tlv.Definition.fixed(F_FLAGS, 8),
            Fields.repeatable(F_IP, AssignedAddress.MIN_BYTES, AssignedAddress.MAX_BYTES),
            Fields.repeatable(F_TAG, Tag.BYTES, Tag.BYTES),
            Fields.repeatable(F_CAPABILITY, 4, 4));

    public MemberCredential {
        Codec.nonNull(networkId, "network id");
        Codec.nonNull(issuedTo, "issued-to fingerprint");
        Codec.nonNull(issuedToAddress, "issued-to address");
        // §8.1: a u32 zero-extended; high 32 bits set make the MC invalid
        if (revision < 0 || revision > 0xffff_ffffL) throw new IllegalArgumentException("MC revision must be a u32 (high 32 bits 0)");
        if (maxDelta < Vl2Limits.MAX_DELTA_MIN || maxDelta > Vl2Limits.MAX_DELTA_MAX) {
            throw new IllegalArgumentException("MC max-delta must be " + Vl2Limits.MAX_DELTA_MIN + ".." + Vl2Limits.MAX_DELTA_MAX + " ms, got " + maxDelta);
        }
        if ((flags & ~KNOWN_FLAGS) != 0) throw new IllegalArgumentException("MC flags: only bit0 (bridge) and bit1 (replicator) may be set");
        addresses = List.copyOf(Codec.nonNull(addresses, "IP assignments"));
        Codec.requireCount(addresses, Vl2Limits.MAX_IP_ASSIGNMENTS, "IP assignments");
        tags = List.copyOf(Codec.nonNull(tags, "tags"));
        Codec.requireCount(tags, Vl2Limits.MAX_TAGS, "tags");
        for (int i = 1; i < tags.size(); i++) {
            if (tags.get(i).id() <= tags.get(i - 1).id()) throw new IllegalArgumentException("MC tags must be strictly ascending by id");
        }
        capabilities = List.copyOf(Codec.nonNull(capabilities, "capability grants"));
        Codec.requireCount(capabilities, Vl2Limits.MAX_GRANTS, "capability grants");
        long prev = -1;
        for (long id : capabilities) {
            Codec.requireU32(id, "capability id");
            if (id <= prev) throw new IllegalArgumentException("MC capability grants must be strictly ascending by id");
            prev = id;
        }
    }

    /** A credential with the default max-delta, no flags, addresses, tags or grants. */
    public static MemberCredential of(NetworkId networkId, Fingerprint issuedTo, Address issuedToAddress, long revision) {
        return new MemberCredential(networkId, issuedTo, issuedToAddress, revision, Vl2Limits.MAX_DELTA_DEFAULT, 0,
                List.of(), List.of(), List.of());
    }

    public boolean isBridge() {
        return (flags & FLAG_BRIDGE) != 0;
    }

    public boolean isReplicator() {
        return (flags & FLAG_REPLICATOR) != 0;
    }

    /** The value of tag {@code id} in this credential, empty if it carries none (§11.6: then the config default). */
    public OptionalLong tagValue(long id) {
        for (Tag t : tags) if (t.id() == id) return OptionalLong.of(t.value());
        return OptionalLong.empty();
    }

    public boolean grants(long capabilityId) {
        return capabilities.contains(capabilityId);
    }

    /** The TLV body. */
    public byte[] body() {
        Tlv.Writer w = new Tlv.Writer()
                .add(F_NETWORK, Fields.u64(networkId.value()))
                .add(F_ISSUED_TO, issuedTo.toBytes())
                .add(F_ADDRESS, issuedToAddress.toBytes())
                .add(F_REVISION, Fields.u64(revision))
                .add(F_MAX_DELTA, Fields.u64(maxDelta))
                .add(F_FLAGS, Fields.u64(flags));
        for (AssignedAddress a : addresses) w.add(F_IP, a.encode());
        for (Tag t : tags) w.add(F_TAG, t.encode());
        for (long c : capabilities) w.add(F_CAPABILITY, Fields.u32(c));
        return w.toBytes();
    }

    /** Signs this credential as {@code controller} at controller time {@code timestamp} (Unix ms). */
    public Signed<MemberCredential> sign(SecretIdentity controller, long timestamp) {
        return new Signed<>(Pso.sign(controller, TYPE, timestamp, body(), SCHEMA), this);
    }

    /** The fields of a structurally parsed PSO, with every rule of §8.1. No issuer or signature check. */
    public static Decoded<MemberCredential> decode(Pso pso) {
        return Codec.run(() -> {
            Fields f = Fields.of(pso, TYPE);
            return new MemberCredential(
                    Codec.networkId(f.required(F_NETWORK, "network id")),
                    Codec.fingerprint(f.required(F_ISSUED_TO, "issued-to fingerprint")),
                    Codec.address(f.required(F_ADDRESS, "issued-to address")),
                    f.required(F_REVISION, "revision").getLong(),
                    f.required(F_MAX_DELTA, "max-delta").getLong(),
                    f.required(F_FLAGS, "flags").getLong(),
                    f.repeated(F_IP, Vl2Limits.MAX_IP_ASSIGNMENTS, "IP assignments", AssignedAddress::read),
                    f.repeated(F_TAG, Vl2Limits.MAX_TAGS, "tags", Tag::read),
                    f.repeated(F_CAPABILITY, Vl2Limits.MAX_GRANTS, "capability grants", Codec::u32));
        });
    }

    /** Structure and field rules of the PSO bytes {@code b}; no issuer or signature check. */
    public static Decoded<Signed<MemberCredential>> parse(byte[] b) {
        return Signed.parse(b, TYPE, SCHEMA, MemberCredential::decode);
    }

    /** Everything (§2.8 order, signature last, cached by digest in {@code verifier}) with {@code controller} as issuer. */
    public static Decoded<Signed<MemberCredential>> verify(PsoVerifier verifier, byte[] b, Identity controller) {
        return Signed.verify(verifier, b, TYPE, controller, SCHEMA, MemberCredential::decode);
    }
}

package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.Pso;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.Tlv;
import dev.planetary.nic.NetworkId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Revocation list (PSO type {@code 0x04}, issuer = the controller, VL.md §8.4): network id, list
 * revision (≥ 1, strictly increasing per network), floor (every MC with {@code ts < floor} is
 * invalid; 0 = none) and entries strictly ascending by prefix, at most {@link Vl2Limits#MAX_REVOCATIONS}.
 * A member keeps the merged state of every list it accepted in a {@link RevocationState}.
 */
public record RevocationList(NetworkId networkId, long revision, long floor, List<Revocation> entries) {
    public static final int TYPE = Pso.REVOCATION_LIST;

    static final int F_NETWORK = 0x01, F_REVISION = 0x02, F_FLOOR = 0x03, F_ENTRIES = 0x04;

    /** The TLV schema of the body (§8.4). */
    public static final Tlv.Schema SCHEMA = Tlv.Schema.of(
            Tlv.Definition.fixed(F_NETWORK, 8),
            Tlv.Definition.fixed(F_REVISION, 8),
            Tlv.Definition.fixed(F_FLOOR, 8),
            Fields.range(F_ENTRIES, 0, Vl2Limits.MAX_REVOCATIONS * Revocation.BYTES));

    public RevocationList {
        Codec.nonNull(networkId, "network id");
        if (revision == 0) throw new IllegalArgumentException("a revocation list revision is at least 1 (0 means \"none held\", §7.3)");
        entries = List.copyOf(Codec.nonNull(entries, "revocation entries"));
        Codec.requireCount(entries, Vl2Limits.MAX_REVOCATIONS, "revocation entries");
        for (int i = 1; i < entries.size(); i++) {
            if (Revocation.comparePrefix(entries.get(i - 1).prefix(), entries.get(i).prefix()) >= 0) {
                throw new IllegalArgumentException("revocation entries must be strictly ascending by prefix");
            }
        }
    }

    /** §8.4 "Start": revision 1, floor 0, no entries. */
    public static RevocationList initial(NetworkId networkId) {
        return new RevocationList(networkId, 1, 0, List.of());
    }

    /** Whether this list alone invalidates an MC of {@code member} at {@code ts} (floor or entry). */
    public boolean isRevoked(Fingerprint member, long ts) {
        if (Long.compareUnsigned(ts, floor) < 0) return true;
        var p = Revocation.prefixOf(member);
        for (Revocation r : entries) if (r.prefix().equals(p)) return r.revokes(ts);
        return false;
    }

    /** The TLV body. */
    public byte[] body() {
        Codec.Out o = new Codec.Out(entries.size() * Revocation.BYTES);
        for (Revocation r : entries) r.write(o);
        return new Tlv.Writer()
                .add(F_NETWORK, Fields.u64(networkId.value()))
                .add(F_REVISION, Fields.u64(revision))
                .add(F_FLOOR, Fields.u64(floor))
                .add(F_ENTRIES, o.toByteArray())
                .toBytes();
    }

    public Signed<RevocationList> sign(SecretIdentity controller, long timestamp) {
        return new Signed<>(Pso.sign(controller, TYPE, timestamp, body(), SCHEMA), this);
    }

    /** The fields of a structurally parsed PSO with every rule of §8.4. No issuer or signature check. */
    public static Decoded<RevocationList> decode(Pso pso) {
        return Codec.run(() -> {
            Fields f = Fields.of(pso, TYPE);
            NetworkId nwid = Codec.networkId(f.required(F_NETWORK, "network id"));
            long revision = f.required(F_REVISION, "list revision").getLong();
            long floor = f.required(F_FLOOR, "floor").getLong();
            ByteBuffer e = f.required(F_ENTRIES, "entries");
            if (e.remaining() % Revocation.BYTES != 0) throw Codec.bad("revocation entries are not a multiple of " + Revocation.BYTES + " bytes");
            List<Revocation> entries = new ArrayList<>(e.remaining() / Revocation.BYTES);
            while (e.hasRemaining()) entries.add(Revocation.read(e));
            return new RevocationList(nwid, revision, floor, entries);
        });
    }

    public static Decoded<Signed<RevocationList>> parse(byte[] b) {
        return Signed.parse(b, TYPE, SCHEMA, RevocationList::decode);
    }

    public static Decoded<Signed<RevocationList>> verify(PsoVerifier verifier, byte[] b, Identity controller) {
        return Signed.verify(verifier, b, TYPE, controller, SCHEMA, RevocationList::decode);
    }
}

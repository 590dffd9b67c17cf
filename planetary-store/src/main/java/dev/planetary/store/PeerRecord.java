package dev.planetary.store;

import dev.planetary.zssp.StaticPublicKey;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link PeerRatchetStore#peers()} reports about one peer: no keys, only the chain lengths of
 * the stored states and when the record last changed.
 *
 * @param peer the peer's static public key
 * @param chainLength1 chain length of {@code state1} (0 for the empty state)
 * @param chainLength2 chain length of {@code state2}, empty if there is no {@code state2}
 * @param lastUpdated when the record was last written (provisioned or swapped)
 */
public record PeerRecord(StaticPublicKey peer, long chainLength1, OptionalLong chainLength2, Instant lastUpdated) {
    public PeerRecord {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(chainLength2, "chainLength2");
        Objects.requireNonNull(lastUpdated, "lastUpdated");
    }
}

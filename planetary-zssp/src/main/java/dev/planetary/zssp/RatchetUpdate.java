package dev.planetary.zssp;

/**
 * An atomic compare-and-swap of a peer's stored ratchet pair (spec §8.3): replace the stored
 * {@code (current1, current2)} with {@code (new1, new2)} iff what is stored equals the current pair
 * (by {@link RatchetState#equals}; {@code null} = no state; no record = {@code (EMPTY, null)}).
 * The flags say which fingerprints to add to, or remove from, a fingerprint index (an empty
 * fingerprint is never indexed).
 */
public record RatchetUpdate(
        RatchetState new1,
        RatchetState new2,
        RatchetState current1,
        RatchetState current2,
        boolean new1Added,
        boolean current1Deleted,
        boolean current2Deleted) {}

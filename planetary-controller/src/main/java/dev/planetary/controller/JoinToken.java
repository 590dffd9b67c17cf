package dev.planetary.controller;

import java.util.SortedMap;

/**
 * A join token of a network (VL.md §7.5 step 2, §13.3): only the SHA-384 of its text is kept.
 *
 * @param id       16 hex digits, for listing and revoking
 * @param hash     SHA-384 of the text's bytes
 * @param usesLeft uses remaining; a token with none left is inactive
 */
public record JoinToken(long networkId, String id, byte[] hash, long createdAt, long expiresAt, int uses, int usesLeft,
        SortedMap<Long, Long> tags) {
    public JoinToken {
        hash = hash.clone();
        tags = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(tags));
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    public boolean active(long now) {
        return usesLeft > 0 && now < expiresAt;
    }

    JoinToken consumed() {
        return new JoinToken(networkId, id, hash, createdAt, expiresAt, uses, usesLeft - 1, tags);
    }
}

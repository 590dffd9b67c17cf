package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;

/**
 * A specialist the NetworkConfig lists (VL.md §7.4 field {@code 0x0e}): an authorised member whose
 * credential flags are not 0 — bit0 bridge ({@code activeBridge}), bit1 multicast replicator
 * ({@code multicastReplicator}, §10.7) — with the same flags as its Member Credential (§8.1).
 */
public record Specialist(Address address, Fingerprint fingerprint, long flags) {
    public Specialist {
        if (address == null || fingerprint == null) throw new IllegalArgumentException("a specialist needs an address and a fingerprint");
        if (flags == 0) throw new IllegalArgumentException("a specialist has at least one flag (bit0 bridge, bit1 replicator)");
    }
}

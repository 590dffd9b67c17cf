package dev.planetary.controller;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/** The content of a Member Credential (VL.md §8.1); {@code timestamp} is ts(MC). */
public record CredentialContent(long networkId, Fingerprint issuedTo, Address address, long revision, long maxDelta, long flags,
        List<Ip.Prefixed> ips, SortedMap<Long, Long> tags, SortedSet<Long> capabilities, long timestamp) {
    public CredentialContent {
        ips = List.copyOf(ips);
    }
}

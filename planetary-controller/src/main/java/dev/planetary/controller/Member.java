package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A member row (VL.md §14.2): keyed by (network, address), bound to one fingerprint once known
 * ({@code null} for a row the API made before the member's first request, §13.3).
 *
 * @param identity          the member's public identity text, once it requested (null before)
 * @param revision          the member revision (u32, §7.5): authorization, IPs, tags, grants, flags, max-delta
 * @param ipAssignments     manual and pool-assigned addresses (persisted, §7.5 step 4); rfc4193 is derived
 * @param credentialMaxDelta 0 = the network's
 * @param stored            name, description and ignored ZeroTier fields, returned as sent
 */
public record Member(long networkId, Address address, Fingerprint fingerprint, String identity, boolean authorized,
        long revision, long creationTime, long lastAuthorizedTime, long lastDeauthorizedTime, long lastRequestTime,
        List<Ip> ipAssignments, boolean noAutoAssignIps, SortedMap<Long, Long> tags, SortedSet<Long> capabilities,
        boolean activeBridge, boolean multicastReplicator, long credentialMaxDelta, ObjectNode stored) {
    public Member {
        if (revision < 0 || revision > 0xFFFF_FFFFL) throw new IllegalArgumentException("a member revision is a u32");
        ipAssignments = List.copyOf(ipAssignments);
        tags = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(tags));
        capabilities = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(capabilities));
        stored = stored.deepCopy();
    }

    /** A fresh unauthorised row. */
    public static Member fresh(long networkId, Address address, Fingerprint fingerprint, String identity, long now) {
        return new Member(networkId, address, fingerprint, identity, false, 0, now, 0, 0, 0, List.of(), false, new TreeMap<>(),
                new TreeSet<>(), false, false, 0, ControllerJson.MAPPER.createObjectNode());
    }

    /** MC flags (§8.1 field 0x06): bit0 bridge, bit1 multicast replicator. */
    public long credentialFlags() {
        return (activeBridge ? 1 : 0) | (multicastReplicator ? 2 : 0);
    }

    /** The part of the row the Member Credential carries (§8.1): a change of it raises the revision and revokes older MCs. */
    public boolean sameCredentialContent(Member o) {
        return authorized == o.authorized && ipAssignments.equals(o.ipAssignments) && tags.equals(o.tags)
                && capabilities.equals(o.capabilities) && credentialFlags() == o.credentialFlags()
                && credentialMaxDelta == o.credentialMaxDelta;
    }

    Builder edit() {
        return new Builder(this);
    }

    /** A mutable copy for the engine's edits. */
    static final class Builder {
        Fingerprint fingerprint;
        String identity;
        boolean authorized, noAutoAssignIps, activeBridge, multicastReplicator;
        long revision, lastAuthorizedTime, lastDeauthorizedTime, lastRequestTime, credentialMaxDelta;
        List<Ip> ipAssignments;
        SortedMap<Long, Long> tags;
        SortedSet<Long> capabilities;
        ObjectNode stored;
        private final Member m;

        Builder(Member m) {
            this.m = m;
            fingerprint = m.fingerprint;
            identity = m.identity;
            authorized = m.authorized;
            noAutoAssignIps = m.noAutoAssignIps;
            activeBridge = m.activeBridge;
            multicastReplicator = m.multicastReplicator;
            revision = m.revision;
            lastAuthorizedTime = m.lastAuthorizedTime;
            lastDeauthorizedTime = m.lastDeauthorizedTime;
            lastRequestTime = m.lastRequestTime;
            credentialMaxDelta = m.credentialMaxDelta;
            ipAssignments = new java.util.ArrayList<>(m.ipAssignments);
            tags = new TreeMap<>(m.tags);
            capabilities = new TreeSet<>(m.capabilities);
            stored = m.stored.deepCopy();
        }

        Member build() {
            return new Member(m.networkId, m.address, fingerprint, identity, authorized, revision, m.creationTime, lastAuthorizedTime,
                    lastDeauthorizedTime, lastRequestTime, ipAssignments, noAutoAssignIps, tags, capabilities, activeBridge,
                    multicastReplicator, credentialMaxDelta, stored);
        }
    }
}

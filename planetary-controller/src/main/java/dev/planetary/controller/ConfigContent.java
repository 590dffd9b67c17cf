package dev.planetary.controller;

import dev.planetary.identity.Fingerprint;
import java.util.List;

/** The content of a NetworkConfig (VL.md §7.4) apart from the embedded credential; revision = network ‖ member (§7.5). */
public record ConfigContent(long networkId, Fingerprint issuedTo, long revision, long flags, int mtu, long revocationListRevision,
        byte[] revocationListDigest, int multicastLimit, String name, List<Route> routes, List<TagDefinition> tags,
        List<Specialist> specialists, long timestamp) {
    public ConfigContent {
        routes = List.copyOf(routes);
        tags = List.copyOf(tags);
        specialists = List.copyOf(specialists);
        revocationListDigest = revocationListDigest.clone();
    }
}

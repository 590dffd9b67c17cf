package dev.planetary.controller;

import dev.planetary.identity.Fingerprint;
import java.util.List;

/** The content of a NetworkConfig (VL.md §7.4) apart from the embedded credential (base rules: one ACCEPT entry is sent as absent, §11.4); revision = network ‖ member (§7.5). */
public record ConfigContent(long networkId, Fingerprint issuedTo, long revision, long flags, int mtu, long revocationListRevision,
        byte[] revocationListDigest, int multicastLimit, String name, List<Route> routes, List<TagDefinition> tags, dev.planetary.vl1.Bytes rules,
        List<CapabilityDefinition> capabilities, List<Specialist> specialists, long timestamp) {
    public ConfigContent {
        capabilities = List.copyOf(capabilities);
        routes = List.copyOf(routes);
        tags = List.copyOf(tags);
        specialists = List.copyOf(specialists);
        revocationListDigest = revocationListDigest.clone();
    }
}

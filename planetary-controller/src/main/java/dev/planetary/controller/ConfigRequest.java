package dev.planetary.controller;

/**
 * A NETWORK_CONFIG_REQUEST as the engine needs it (VL.md §7.3).
 *
 * @param configRevision       revision of the config the member holds (0 = none)
 * @param revocationRevision   revision of the revocation list the member holds (0 = none)
 * @param joinToken            TLV 0x01's bytes (the text as typed), or null
 * @param sourcePrefix         the request's source /24 (IPv4) or /64 (IPv6) as text, for the new-row rate (§7.5 step 2)
 */
public record ConfigRequest(long networkId, long configRevision, long revocationRevision, byte[] joinToken, String sourcePrefix) {
    public ConfigRequest {
        joinToken = joinToken == null ? null : joinToken.clone();
    }
}

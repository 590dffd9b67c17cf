package dev.planetary.transport;

/**
 * The per-peer security flags of spec §1.3 that may differ between peers.
 *
 * @param initiatorDisallowsDowngrade π2: when we connect, refuse a Response that only the empty ratchet decrypts
 * @param responderDisallowsDowngrade π3: when the peer connects, reject it if it used a ratchet we did
 *                                    not store (when false, the empty ratchet is accepted with a warning)
 * @param silentlyReject              π4: when refusing this peer, send nothing instead of a Session-Rejected packet
 */
public record PeerFlags(boolean initiatorDisallowsDowngrade, boolean responderDisallowsDowngrade, boolean silentlyReject) {

    /** Opportunistic: all false. */
    public static final PeerFlags OPPORTUNISTIC = new PeerFlags(false, false, false);

    /** Persistent: all true. */
    public static final PeerFlags PERSISTENT = new PeerFlags(true, true, true);
}

/**
 * Planetary VL2 wire objects (VL.md §7–§10): the controller-signed objects (NetworkConfig §7.4,
 * MemberCredential §8.1, RevocationList §8.4, all PSOs §2.8), the VL2 messages (NETWORK_CONFIG_REQUEST,
 * NETWORK_CONFIG, NETWORK_CREDENTIALS, FRAME, EXT_FRAME, MULTICAST_LIKE) and the pure acceptance checks
 * of §7.6 and §8.2. Sans-IO: bytes in, values out; decoders never throw on hostile bytes. Package
 * {@code dev.planetary.vl2.node} is the VL2 layer of a node (SEQEX over VL1 sessions §6, dispatch of
 * the VL2 verbs, the member side of §7), driven from the node's thread. See {@code docs/vl2.md}.
 */
@SuppressWarnings("module") // the name follows the layer (VL2), terminal digit included
module dev.planetary.vl2 {
    requires transitive dev.planetary.identity;
    requires transitive dev.planetary.nic;
    requires transitive dev.planetary.vl1;
    requires transitive dev.planetary.seqex;

    exports dev.planetary.vl2;
    exports dev.planetary.vl2.node;
    exports dev.planetary.vl2.rules;
}

/**
 * Planetary VL2 (VL.md §6–§10): the VL2 layer of a node ({@code dev.planetary.vl2.node}: SEQEX over
 * VL1 sessions, dispatch of the VL2 verbs). Sans-IO: driven from the node's thread. See
 * {@code docs/vl2.md}.
 */
@SuppressWarnings("module") // the name follows the layer (VL2), terminal digit included
module dev.planetary.vl2 {
    requires transitive dev.planetary.identity;
    requires transitive dev.planetary.nic;
    requires transitive dev.planetary.vl1;
    requires transitive dev.planetary.seqex;

    exports dev.planetary.vl2.node;
}

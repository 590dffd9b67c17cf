/**
 * Planetary VL1: the message codecs of the VL1 layer (every ZSSP Data payload is one VL1 message)
 * and the L0 network simulator that drives sans-IO engines over a virtual network and clock.
 *
 * <p>{@code dev.planetary.vl1} (messages, codec, limits, small value types, the engine) and
 * {@code dev.planetary.vl1.udp} (a thin UDP driver) are exported. {@code dev.planetary.vl1.portmap}
 * and {@code dev.planetary.vl1.engine} are exported to the daemon only; {@code dev.planetary.vl1.sim}
 * (a test harness for engines) to VL2 only, and tests reach it on the class path.
 * See {@code docs/vl1.md}.
 */
@SuppressWarnings("module") // the name follows the layer (VL1), terminal digit included
module dev.planetary.vl1 {
    requires transitive dev.planetary.zssp;
    requires transitive dev.planetary.identity;

    exports dev.planetary.vl1;
    exports dev.planetary.vl1.udp;
    // internals the daemon needs (its jar's Automatic-Module-Name is dev.planetary.daemon): port-mapping
    // codecs (§5.9) and the engine's bounded map; not API
    exports dev.planetary.vl1.portmap to dev.planetary.daemon;
    exports dev.planetary.vl1.engine to dev.planetary.daemon, dev.planetary.bench;
    exports dev.planetary.vl1.sim to dev.planetary.vl2; // the L0 simulator for the VL2 engine tests
}

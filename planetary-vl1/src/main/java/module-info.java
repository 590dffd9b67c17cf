/**
 * Planetary VL1: the message codecs of the VL1 layer (every ZSSP Data payload is one VL1 message)
 * and the L0 network simulator that drives sans-IO engines over a virtual network and clock.
 *
 * <p>Only {@code dev.planetary.vl1} (messages, codec, limits, small value types) is exported.
 * {@code dev.planetary.vl1.sim} is a test harness for engines; tests reach it on the class path.
 * See {@code docs/vl1.md}.
 */
@SuppressWarnings("module") // the name follows the layer (VL1), terminal digit included
module dev.planetary.vl1 {
    requires transitive dev.planetary.zssp;
    requires transitive dev.planetary.identity;

    exports dev.planetary.vl1;
    exports dev.planetary.vl1.udp;
    exports dev.planetary.vl1.portmap;
    exports dev.planetary.vl1.sim to dev.planetary.vl2; // the L0 simulator for the VL2 engine tests
}

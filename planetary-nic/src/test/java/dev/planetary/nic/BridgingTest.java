package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Bridging between network ports (VL.md §9.3 step 4, §9.4 step 3, §9.6) over the in-memory wire: a
 * bridge member carries the frames of two foreign MACs (a LAN behind it), members learn them and their
 * replies reach them; unknown unicast floods the bridges within the budget; a non-bridge's foreign
 * MACs are refused both ways.
 */
class BridgingTest {
    static final NetworkId NWID = NetworkPortTest.NWID;
    static final long A = NetworkPortTest.A, B = NetworkPortTest.B, C = NetworkPortTest.C;
    static final MacAddress H1 = new MacAddress(0x0e_11_22_33_44_01L), H2 = new MacAddress(0x0e_11_22_33_44_02L);

    private final PortWire net = new PortWire();
    private final AtomicLong clock = new AtomicLong(1_000_000);

    @AfterEach
    void stop() {
        net.close();
    }

    private NetworkPort.Peer peer(long a) {
        return net.peer(a);
    }

    private NetworkPortTest.RecordingNic join(long address, boolean bridge) throws Exception {
        PortConfig cfg = PortWire.bridge(PortConfig.of(NWID, address, NetworkPortTest.ALL, NetworkPortTest.assigned(address, "10.147.17." + (address & 0x7f))), bridge);
        NetworkPortTest.RecordingNic nic = new NetworkPortTest.RecordingNic(cfg.mac());
        net.join(cfg, nic).bridging(() -> List.copyOf(net.bridges), clock::get);
        if (bridge) net.bridges.add(address);
        return nic;
    }

    private static byte[] frame(MacAddress dst, MacAddress src, int tag) {
        byte[] f = UserspaceNicTest.Frames.eth(dst, src, 0x88b5, 46); // local experimental ethertype: no IP, no ARP
        f[14] = (byte) tag;
        return f;
    }

    @Test
    void aBridgeCarriesTwoForeignMacsRepliesReachThemAndUnknownUnicastFloodsWithinTheBudget() throws Exception {
        NetworkPortTest.RecordingNic a = join(A, true), b = join(B, false);
        MacAddress macB = b.mac();
        // two LAN hosts behind A talk to B: EXT_FRAME with their MACs; B learns both behind A
        a.emit(frame(macB, H1, 1));
        a.emit(frame(macB, H2, 2));
        net.drain();
        NetworkPort pb = net.ports.get(B), pa = net.ports.get(A);
        assertEquals(2, b.written.size(), () -> "delivered to B; " + net.ports.get(B).drops() + " drops");
        assertArrayEquals(H1.toBytes(), Arrays.copyOfRange(b.written.get(0), 6, 12), "the LAN host's MAC is kept");
        assertEquals(A, pb.bridgeTable().bridgeOf(H1, clock.get()));
        assertEquals(A, pb.bridgeTable().bridgeOf(H2, clock.get()));
        // B's replies go to A, which (a bridge) takes unicast for foreign MACs onto its LAN
        b.emit(frame(H1, macB, 3));
        b.emit(frame(H2, macB, 4));
        net.drain();
        assertEquals(2, a.written.size());
        assertArrayEquals(H1.toBytes(), Arrays.copyOfRange(a.written.get(0), 0, 6));
        assertArrayEquals(H2.toBytes(), Arrays.copyOfRange(a.written.get(1), 0, 6));
        assertEquals(4, net.log.size(), "exactly one message per frame: nothing flooded");
        // unknown unicast: to every bridge, at most 100 per second
        MacAddress unknown = new MacAddress(0x0e_99_00_00_00_01L);
        for (int i = 0; i < 150; i++) b.emit(frame(unknown, macB, 5));
        net.drain();
        assertEquals(BridgeTable.FLOODS_PER_SECOND, net.log.stream().filter(s -> unknown.equals(s.dst())).count());
        assertEquals(50, pb.drops(PortDrop.FLOOD_BUDGET));
        // learned MACs expire after 600 s: H1 is unknown again, so flooded (a new second: budget again)
        clock.addAndGet(BridgeTable.EXPIRY_MS);
        assertEquals(-1, pb.bridgeTable().bridgeOf(H1, clock.get()));
        long before = net.log.size();
        b.emit(frame(H1, macB, 6));
        assertEquals(before + 1, net.log.size(), "flooded to the one bridge");
        assertEquals(50, pb.drops(PortDrop.FLOOD_BUDGET));
        assertEquals(0, pa.drops(), "the bridge dropped nothing");
    }

    @Test
    void aNonBridgesForeignMacsAreRefusedBothWaysAndABridgeMayNotClaimAnotherMembersMac() throws Exception {
        NetworkPortTest.RecordingNic b = join(B, false), c = join(C, false);
        join(A, true);
        NetworkPort pb = net.ports.get(B), pc = net.ports.get(C);
        c.emit(frame(b.mac(), H1, 1));
        assertEquals(1, pc.drops(PortDrop.FOREIGN_SOURCE), "§9.3 step 2: C's MC lacks the bridge flag");
        pb.inboundExtFrame(peer(C), 0, b.mac(), H1, 0x88b5, ByteBuffer.allocate(46));
        assertEquals(1, pb.drops(PortDrop.SPOOFED_MAC), "§9.4 step 3: a non-bridge's foreign MAC");
        pb.inboundExtFrame(peer(A), 0, b.mac(), c.mac(), 0x88b5, ByteBuffer.allocate(46));
        assertEquals(2, pb.drops(PortDrop.SPOOFED_MAC), "a bridge carries foreign MACs, not another member's");
        pb.inboundExtFrame(peer(A), 0, H2, H1, 0x88b5, ByteBuffer.allocate(46));
        assertEquals(1, pb.drops(PortDrop.NOT_OUR_MAC), "B is no bridge: unicast for another MAC is not its");
        assertEquals(0, b.written.size());
        assertEquals(0, pb.bridgeTable().size(), "nothing refused was learned");
    }
}

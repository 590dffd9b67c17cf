package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bridging against real kernels (VL.md §9.6, the V1 manual's layer-2 bridge): member A's TAP is
 * enslaved to a Linux bridge with a veth to a LAN namespace where a host without Planetary lives;
 * member B has an ordinary TAP. The ports are joined by an in-memory VL1 ({@link PortWire}). The
 * LAN host pings B and B pings it. Namespaces are {@code pbr-*} (removed at the end, and by .ci/run
 * after a killed run). Needs root; fails without it unless {@code -Dplanetary.tap=skip}.
 */
class BridgedLanTapTest {
    static final NetworkId NWID = NetworkPortTapTest.NWID;
    static final long A = NetworkPortTapTest.A, B = NetworkPortTapTest.B;
    static final String LAN_MAC = "0e:11:22:33:44:99"; // locally administered, never derived for NWID (§9.1)

    @BeforeEach
    void privileges() {
        TestNamespaces.requireTapPrivileges();
    }

    private static PortConfig config(long address, String ip4, boolean bridge) throws Exception {
        return PortWire.bridge(PortConfig.of(NWID, address, PortConfig.FLAG_BROADCAST, List.of(new IpAssignment(InetAddress.getByName(ip4), 24))), bridge);
    }

    @Test
    void aHostOnALanBridgedThroughOneMemberPingsAnotherMemberAndBack() throws Exception {
        try (TestNamespaces.Ns nsA = TestNamespaces.create("pbr-"); TestNamespaces.Ns nsB = TestNamespaces.create("pbr-");
                TestNamespaces.Ns lan = TestNamespaces.create("pbr-"); PortWire net = new PortWire()) {
            PortConfig ca = config(A, "10.147.21.1", true);
            PortConfig cb = config(B, "10.147.21.2", false);
            Tap ta = NetworkNamespace.callIn(nsA.name(), () -> Tap.open(TapName.of(NWID)));
            Tap tb = NetworkNamespace.callIn(nsB.name(), () -> Tap.open(TapName.of(NWID)));
            ca.applyTo(ta, new LinkConfigurator(nsA.name()));
            cb.applyTo(tb, new LinkConfigurator(nsB.name()));
            // A's side: br0 = A's TAP + a veth to the LAN, as `ip link set <tap> master br0` in the V1 manual
            nsA.exec("ip", "addr", "flush", "dev", ta.name());
            nsA.exec("ip", "link", "add", "br0", "type", "bridge");
            nsA.exec("ip", "link", "set", ta.name(), "master", "br0");
            nsA.exec("ip", "link", "add", "pbrv0", "type", "veth", "peer", "name", "pbrv1", "netns", lan.name());
            nsA.exec("ip", "link", "set", "pbrv0", "master", "br0");
            nsA.exec("ip", "link", "set", "pbrv0", "up");
            nsA.exec("ip", "link", "set", "br0", "up");
            lan.exec("ip", "link", "set", "pbrv1", "address", LAN_MAC);
            lan.exec("ip", "addr", "add", "10.147.21.99/24", "dev", "pbrv1");
            lan.exec("ip", "link", "set", "pbrv1", "up");
            net.bridges.add(A);
            NetworkPort a = net.join(ca, ta);
            NetworkPort b = net.join(cb, tb);
            a.bridging(() -> List.copyOf(net.bridges));
            b.bridging(() -> List.copyOf(net.bridges));

            String out = lan.exec("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.147.21.2");
            assertTrue(out.contains("3 received"), out);
            String back = nsB.exec("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.147.21.99");
            assertTrue(back.contains("3 received"), back);
            net.drain();
            assertEquals(A, b.bridgeTable().bridgeOf(MacAddress.parse(LAN_MAC), System.nanoTime() / 1_000_000), "B learned the LAN host behind A");
            assertEquals(0, b.drops(PortDrop.SPOOFED_MAC) + b.drops(PortDrop.SPOOFED_IP));
        }
    }
}

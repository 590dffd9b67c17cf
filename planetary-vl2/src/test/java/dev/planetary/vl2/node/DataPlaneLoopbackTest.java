package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.udp.UdpNode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * E4/E5-like on loopback (VL.md §16.4): two member nodes (real VL1 over UDP on 127.0.0.1, ZSSP
 * sessions) with userspace NICs; the data plane rides the node's upper-layer hook, frames go by
 * {@code sendUpper} and arrive through {@link Vl2Layer}; A pings B's and B pings A's virtual IPv4 address.
 */
class DataPlaneLoopbackTest {
    @Test
    void twoMembersPingEachOtherOverVl1() throws Exception {
        SecureRandom r = new SecureRandom();
        SecretIdentity ia = SecretIdentity.generate(r, 2);
        SecretIdentity ib = SecretIdentity.generate(r, 2);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            UdpNode a = new UdpNode("a", any, ia, l -> NodeConfig.member(l, List.of()), e -> { });
            open.add(a);
            UdpNode b = new UdpNode("b", any, ib, l -> NodeConfig.member(l, List.of()), e -> { });
            open.add(b);
            // Each knows the other's identity and endpoint (what WHOIS and the paths layer provide).
            a.call(n -> { n.remember(ib.identity(), b.localAddress()); return null; }).join();
            b.call(n -> { n.remember(ia.identity(), a.localAddress()); return null; }).join();

            PortConfig ca = DataPlaneTest.config(ia.address(), "10.147.17.1");
            PortConfig cb = DataPlaneTest.config(ib.address(), "10.147.17.2");
            Map<Long, PortConfig> configs = Map.of(ia.address().value(), ca, ib.address().value(), cb);
            NetworkPort pa = attach(a, configs, open).open(ca, ca.userspaceNic(), DataPlaneTest.members(configs));
            NetworkPort pb = attach(b, configs, open).open(cb, cb.userspaceNic(), DataPlaneTest.members(configs));

            UserspaceNic na = (UserspaceNic) pa.nic();
            UserspaceNic nb = (UserspaceNic) pb.nic();
            Duration first = na.ping((Inet4Address) InetAddress.getByName("10.147.17.2"), Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                na.ping((Inet4Address) InetAddress.getByName("10.147.17.2"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                nb.ping((Inet4Address) InetAddress.getByName("10.147.17.1"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            }
            assertTrue(first.toNanos() > 0);
            assertEquals(0, pa.drops() + pb.drops(), "nothing dropped by the ports");
            assertTrue(pa.sent() >= 11 && pb.delivered() >= 11, "A sent " + pa.sent() + ", B delivered " + pb.delivered());
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            ia.destroy();
            ib.destroy();
        }
    }

    /** A data plane on {@code node}'s VL2 layer: frames out by sendUpper on the node's thread, in through the hook. */
    private static DataPlane attach(UdpNode node, Map<Long, PortConfig> configs, List<AutoCloseable> open) {
        DataPlane plane = new DataPlane((nwid, to, message) -> node.call(n -> n.sendUpper(to, message)), DataPlaneTest.gate(configs));
        node.call(n -> {
            plane.register(new Vl2Layer(n));
            return null;
        }).join();
        open.add(plane);
        return plane;
    }

}

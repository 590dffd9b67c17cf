package dev.planetary.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.transport.Endpoint;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import org.junit.jupiter.api.Test;

/** The datagram size a tunnel uses for a peer when --mtu is not given (BENCHMARKS.md, issue 19). */
class PathMtuTest {
    @Test
    void aPeerOnThisHostGetsItsInterfaceMtu() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(java.net.InetAddress.getLoopbackAddress());
        int mtu = PathMtu.forPeer(new InetSocketAddress("127.0.0.1", 4000), Endpoint.DEFAULT_MTU);
        if (lo != null && lo.getMTU() > Endpoint.DEFAULT_MTU + 28) {
            assertEquals(Math.min(Endpoint.MAX_MTU, lo.getMTU() - 28), mtu);
        } else {
            assertEquals(Endpoint.DEFAULT_MTU, mtu);
        }
        assertTrue(mtu <= Endpoint.MAX_MTU);
    }

    @Test
    void aRemotePeerKeepsTheConfiguredMtu() {
        assertEquals(Endpoint.DEFAULT_MTU, PathMtu.forPeer(new InetSocketAddress("192.0.2.1", 4000), Endpoint.DEFAULT_MTU)); // TEST-NET-1
        assertEquals(1280, PathMtu.forPeer(new InetSocketAddress("198.51.100.7", 4000), 1280));
        assertEquals(1432, PathMtu.forPeer(InetSocketAddress.createUnresolved("example.invalid", 1), 1432));
    }

    @Test
    void neverBelowTheConfiguredMtu() {
        assertEquals(Endpoint.MAX_MTU, PathMtu.forPeer(new InetSocketAddress("127.0.0.1", 4000), Endpoint.MAX_MTU));
    }
}

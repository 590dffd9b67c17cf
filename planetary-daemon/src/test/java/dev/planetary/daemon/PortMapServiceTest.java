package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.vl1.portmap.PortMapMessages;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The socket side of §5.9 against a UDP double of the gateway on loopback (a PCP gateway, and a
 * NAT-PMP-only one), and the default route from {@code /proc/net/route}. The real gateway
 * (miniupnpd in namespaces) is scripts/portmap-miniupnpd's.
 */
class PortMapServiceTest {
    private static final Inet4Address EXTERNAL = v4("203.0.113.7");

    private static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pcpGatewayMapsAndTheMappingIsDeletedAtClose() throws Exception {
        try (DatagramSocket gw = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            gw.setSoTimeout(5_000);
            BlockingQueue<Optional<InetSocketAddress>> changes = new LinkedBlockingQueue<>();
            PortMapService s = PortMapService.start((InetSocketAddress) gw.getLocalSocketAddress(), 9993, m -> changes.add(Optional.ofNullable(m)));
            try {
                DatagramPacket req = receive(gw);
                byte[] r = Arrays.copyOf(req.getData(), req.getLength());
                assertEquals(PortMapMessages.PCP_MAP_LENGTH, r.length);
                assertEquals(PortMapMessages.PCP_VERSION, r[0]);
                assertEquals(7200, ByteBuffer.wrap(r).getInt(4), "lifetime 7,200 s (§5.9)");
                assertEquals("127.0.0.1", InetAddress.getByAddress(Arrays.copyOfRange(r, 20, 24)).getHostAddress(), "client address: the source");
                assertEquals(9993, ByteBuffer.wrap(r).getShort(40) & 0xFFFF);
                reply(gw, req, PortMapMessages.pcpMapAnswer(r, 0, 7200, 1, EXTERNAL, 41000));
                assertEquals(Optional.of(new InetSocketAddress(EXTERNAL, 41000)), changes.poll(5, TimeUnit.SECONDS));
                assertEquals(new InetSocketAddress(EXTERNAL, 41000), s.mapped());
            } finally {
                s.close();
            }
            byte[] del = data(receive(gw));
            assertEquals(PortMapMessages.PCP_VERSION, del[0]);
            assertEquals(0, ByteBuffer.wrap(del).getInt(4), "lifetime 0 deletes the mapping at shutdown");
        }
    }

    @Test
    void natPmpOnlyGatewayIsUsedAfterUnsupportedVersion() throws Exception {
        try (DatagramSocket gw = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            gw.setSoTimeout(5_000);
            BlockingQueue<Optional<InetSocketAddress>> changes = new LinkedBlockingQueue<>();
            try (PortMapService s = PortMapService.start((InetSocketAddress) gw.getLocalSocketAddress(), 9993, m -> changes.add(Optional.ofNullable(m)))) {
                DatagramPacket pcp = receive(gw);
                reply(gw, pcp, PortMapMessages.natPmpUnsupportedVersion(data(pcp)));
                boolean address = false, map = false;
                while (!(address && map)) {
                    DatagramPacket p = receive(gw);
                    byte[] d = data(p);
                    assertEquals(PortMapMessages.NATPMP_VERSION, d[0]);
                    if (d[1] == PortMapMessages.NATPMP_OPCODE_ADDRESS) {
                        address = true;
                        reply(gw, p, PortMapMessages.natPmpAddressAnswer(0, 5, EXTERNAL));
                    } else {
                        assertEquals(PortMapMessages.NATPMP_OPCODE_MAP_UDP, d[1]);
                        map = true;
                        reply(gw, p, PortMapMessages.natPmpMapAnswer(0, 5, 9993, 42000, 3600));
                    }
                }
                assertEquals(Optional.of(new InetSocketAddress(EXTERNAL, 42000)), changes.poll(5, TimeUnit.SECONDS));
                reply(gw, new DatagramPacket(new byte[0], 0, s.socketForTest()), new byte[] {1, 2, 3}); // garbage from the gateway
                assertTrue(waitFor(() -> s.dropped() == 1), "garbage dropped and counted");
                assertEquals(new InetSocketAddress(EXTERNAL, 42000), s.mapped());
            }
        }
    }

    @Test
    void defaultRouteIsReadFromProcNetRoute() {
        String table = """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0
                """;
        assertEquals(Optional.of(v4("10.0.2.1")), DefaultGateway.parse(table));
        assertEquals(Optional.empty(), DefaultGateway.parse(table.replace("0003", "0001")), "no gateway flag");
        assertEquals(Optional.empty(), DefaultGateway.parse("Iface\n"));
        assertEquals(Optional.empty(), DefaultGateway.parse("h\neth0 00000000 zz 0003 0 0 0 00000000\n"));
    }

    private static boolean waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 500 && !c.getAsBoolean(); i++) Thread.sleep(10);
        return c.getAsBoolean();
    }

    private static DatagramPacket receive(DatagramSocket gw) throws java.io.IOException {
        DatagramPacket p = new DatagramPacket(new byte[1100], 1100);
        gw.receive(p);
        return p;
    }

    private static byte[] data(DatagramPacket p) {
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static void reply(DatagramSocket gw, DatagramPacket to, byte[] d) throws java.io.IOException {
        gw.send(new DatagramPacket(d, d.length, to.getSocketAddress()));
    }
}

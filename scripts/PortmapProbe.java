import dev.planetary.vl1.portmap.PortMapMessages;
import dev.planetary.vl1.portmap.PortMapper;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * scripts/portmap-miniupnpd's client: drives the sans-IO PortMapper against a real gateway
 * (args: gateway IPv4, internal port): maps with PCP, deletes, then maps and deletes with NAT-PMP
 * through the codec; exits 0 when every step succeeded (PCP within 15 s).
 */
public class PortmapProbe {
    public static void main(String[] a) throws Exception {
        InetSocketAddress gw = new InetSocketAddress(InetAddress.getByName(a[0]), 5351);
        int port = Integer.parseInt(a[1]);
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(gw);
            PortMapper m = new PortMapper((Inet4Address) s.getLocalAddress(), port, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 0);
            long t0 = System.nanoTime();
            byte[] buf = new byte[1100];
            while (m.mapped().isEmpty()) {
                long now = (System.nanoTime() - t0) / 1_000_000;
                if (now > 15_000 || m.state() == PortMapper.State.FAILED) {
                    System.out.println("no mapping: state " + m.state() + ", dropped " + m.dropped());
                    System.exit(1);
                }
                for (byte[] d : m.poll(now)) s.send(new DatagramPacket(d, d.length));
                s.setSoTimeout((int) Math.max(1, Math.min(1000, m.nextDeadline() - now)));
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    m.receive(Arrays.copyOf(p.getData(), p.getLength()), (System.nanoTime() - t0) / 1_000_000);
                } catch (SocketTimeoutException e) {
                    // poll again
                }
            }
            System.out.println("PCP: mapped " + port + " -> " + m.mapped().get() + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms, dropped " + m.dropped());
            for (byte[] d : m.stop()) s.send(new DatagramPacket(d, d.length));
            System.out.println("PCP: delete sent");
            // NAT-PMP (the fallback) against the same gateway, through the codec directly
            s.setSoTimeout(3000);
            var addr = PortMapMessages.natPmpAddressResponse(exchange(s, PortMapMessages.natPmpAddressRequest())).orElseThrow();
            var map = PortMapMessages.natPmpMapResponse(exchange(s, PortMapMessages.natPmpMapRequest(port, port, 7200))).orElseThrow();
            System.out.println("NAT-PMP: external " + addr.address().getHostAddress() + " result " + addr.result() + "; mapped " + port + " -> "
                    + map.externalPort() + " for " + map.lifetime() + " s, result " + map.result());
            var del = PortMapMessages.natPmpMapResponse(exchange(s, PortMapMessages.natPmpMapRequest(port, 0, 0))).orElseThrow();
            System.out.println("NAT-PMP: delete result " + del.result() + " lifetime " + del.lifetime());
            if (addr.result() != 0 || map.result() != 0 || map.externalPort() == 0 || del.result() != 0) System.exit(1);
        }
    }

    private static byte[] exchange(DatagramSocket s, byte[] req) throws java.io.IOException {
        s.send(new DatagramPacket(req, req.length));
        byte[] buf = new byte[1100];
        while (true) { // skip the answer to PCP's delete, which may still be queued
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            if (buf[0] == PortMapMessages.NATPMP_VERSION) return Arrays.copyOf(buf, p.getLength());
        }
    }
}

package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The data plane against real kernels (VL.md §9, §10.6, §12.3, §16.4 E4/E5/E19): two TAPs in two
 * namespaces, each configured from a {@link PortConfig} and driven by a {@link NetworkPort}, the ports
 * joined by an in-memory VL1 ({@link PortWire}). Needs root; fails without it unless
 * {@code -Dplanetary.tap=skip}.
 */
class NetworkPortTapTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long A = 0x89e92ceee5L;
    static final long B = 0xf3da19d0f4L;

    @BeforeEach
    void privileges() {
        TestNamespaces.requireTapPrivileges();
    }

    private static PortConfig config(long address, String ip4) throws Exception {
        return PortConfig.of(NWID, address, PortConfig.FLAG_BROADCAST | PortConfig.FLAG_NDP_EMULATION, List.of(
                new IpAssignment(InetAddress.getByName(ip4), 24), new IpAssignment(Ipv6Addresses.rfc4193(NWID, address), 88)));
    }

    @Test
    void kernelPingsCrossTheDataPlaneAndASpoofedSourceDoesNot() throws Exception {
        try (TestNamespaces.Ns ns1 = TestNamespaces.create(); TestNamespaces.Ns ns2 = TestNamespaces.create(); PortWire net = new PortWire()) {
            PortConfig ca = config(A, "10.147.19.1");
            PortConfig cb = config(B, "10.147.19.2");
            Tap ta = NetworkNamespace.callIn(ns1.name(), () -> Tap.open(TapName.of(NWID)));
            Tap tb = NetworkNamespace.callIn(ns2.name(), () -> Tap.open(TapName.of(NWID)));
            ca.applyTo(ta, new LinkConfigurator(ns1.name()));
            cb.applyTo(tb, new LinkConfigurator(ns2.name()));
            NetworkPort a = net.join(ca, ta);
            NetworkPort b = net.join(cb, tb);

            // E5-like: IPv4 (ARP by broadcast), then IPv6 between rfc4193 addresses.
            String out = ns1.exec("ping", "-c", "5", "-i", "0.2", "-W", "5", "10.147.19.2");
            assertTrue(out.contains("5 received"), out);
            String six = ns2.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5", Ipv6Addresses.rfc4193(NWID, A).getHostAddress());
            assertTrue(six.contains("3 received"), six);
            net.drain();
            assertTrue(a.emulated() + b.emulated() > 0, "§10.6: the kernel's solicitation was answered locally");
            assertEquals(0, net.log.stream().filter(NetworkPortTapTest::isNeighbourSolicitationForRfc4193).count(),
                    "no solicitation for an rfc4193 address went on the wire (E12)");
            assertEquals(0, b.drops(PortDrop.SPOOFED_IP), "the kernel's own traffic (MLD, NDP from its EUI-64 link-local) passes");

            // A second IPv4 the MC does not carry: B drops the ARP and the echo from it (§9.5).
            ns1.exec("ip", "addr", "add", "10.147.19.99/24", "dev", ta.name());
            assertThrows(NicException.class, () -> ns1.exec("ping", "-c", "2", "-i", "0.2", "-W", "1", "-I", "10.147.19.99", "10.147.19.2"));
            net.drain();
            assertTrue(b.spoofs(SourceCheck.Verdict.ARP_SENDER_NOT_OWNED) + b.spoofs(SourceCheck.Verdict.IPV4_SOURCE_NOT_OWNED) > 0,
                    "B counted the unowned source");
        }
    }

    private static boolean isNeighbourSolicitationForRfc4193(PortWire.Sent s) {
        byte[] p = s.payload();
        return s.ethertype() == 0x86dd && p.length >= 64 && (p[6] & 0xff) == 58 && (p[40] & 0xff) == 135
                && (p[48] & 0xff) == 0xfd;
    }
}

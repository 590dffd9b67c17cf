package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real TAP devices through FFM (VL.md §12.1–§12.3), each in a namespace of its own ({@code plt-nic-*}):
 * the kernel's {@code ping} reaches a userspace NIC bridged to a TAP, and two TAPs in two namespaces
 * joined by an in-JVM frame pump carry the kernel's pings both ways — the shape VL2 takes (frames read
 * from one TAP, written to another). Needs root; fails without it unless {@code -Dplanetary.tap=skip}.
 */
class TapNamespaceTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long ADDR_A = 0x89e92ceee5L;
    static final long ADDR_B = 0xf3da19d0f4L;

    @BeforeEach
    void privileges() {
        TestNamespaces.requireTapPrivileges();
    }

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void kernelPingReachesUserspaceNicThroughTap() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            String name = TapName.of(NWID);
            Tap tap = NetworkNamespace.callIn(ns.name(), () -> Tap.open(name));
            try (tap; UserspaceNic user = new UserspaceNic(MacAddress.derive(NWID, ADDR_B), ip("10.147.17.2"), 24)) {
                assertEquals("ptqqmmpymy", tap.name());
                MacAddress macA = MacAddress.derive(NWID, ADDR_A);
                new LinkConfigurator(ns.name()).apply(tap, macA, 2800, List.of(
                        new IpAssignment(ip("10.147.17.1"), 24),
                        new IpAssignment(Ipv6Addresses.rfc4193(NWID, ADDR_A), Ipv6Addresses.RFC4193_PREFIX)), List.of(
                        new LinkConfigurator.Route(ip("10.99.0.0"), 16, ip("10.147.17.2"), 5000),
                        new LinkConfigurator.Route(InetAddress.getByName("fd99::"), 64, null, 7)));
                String link = ns.exec("ip", "link", "show", "dev", name);
                assertTrue(link.contains("link/ether " + macA), link);
                assertTrue(link.contains("mtu 2800"), link);
                assertTrue(link.contains(",UP"), link);
                String addrs = ns.exec("ip", "addr", "show", "dev", name);
                assertTrue(addrs.contains("inet 10.147.17.1/24"), addrs);
                assertTrue(addrs.contains("inet6 fd80:56c2:e21c:0:199:9389:e92c:eee5/88"), addrs);
                assertTrue(addrs.contains("brd 10.147.17.255"), addrs);
                // §12.3 step 3 → §9.5: the kernel's link-local address is the EUI-64 one of the derived MAC (B.2)
                assertTrue(addrs.contains("inet6 fe80::89:e9ff:fe30:c27/64"), addrs);
                assertEquals("net.ipv6.conf." + name + ".accept_ra = 0",
                        ns.exec("sysctl", "net.ipv6.conf." + name + ".accept_ra"));
                assertEquals("net.ipv6.conf." + name + ".autoconf = 0",
                        ns.exec("sysctl", "net.ipv6.conf." + name + ".autoconf"));
                String routes = ns.exec("ip", "route", "show", "dev", name);
                assertTrue(routes.contains("10.99.0.0/16 via 10.147.17.2 proto static metric 5000"), routes);
                String routes6 = ns.exec("ip", "-6", "route", "show", "dev", name);
                assertTrue(routes6.contains("fd99::/64 proto static metric 7"), routes6);
                // a route the kernel refuses comes back as a NicException naming the request and errno
                NicException refused = assertThrows(NicException.class,
                        () -> tap.replaceRoute(ip("10.98.0.0"), 16, ip("192.0.2.1"), 1));
                assertTrue(refused.getMessage().contains("RTM_NEWROUTE 10.98.0.0/16 refused by the kernel"), refused.getMessage());
                tap.replaceAddress(new IpAssignment(ip("10.147.17.1"), 24)); // replace is idempotent

                user.addIpv6(Ipv6Addresses.rfc4193(NWID, ADDR_B));
                user.start(tap::send);
                tap.start(user::send);

                String out = ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.147.17.2");
                assertTrue(out.contains("3 received"), out);
                String out6 = ns.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5",
                        Ipv6Addresses.rfc4193(NWID, ADDR_B).getHostAddress());
                assertTrue(out6.contains("3 received"), out6);
                // and the other way: the userspace NIC pings the kernel
                Duration rtt = user.ping(ip("10.147.17.1"), Duration.ofSeconds(10)).get(20, TimeUnit.SECONDS);
                assertNotNull(rtt);
                assertEquals(macA, user.arpEntry(ip("10.147.17.1")));
                assertTrue(tap.framesRead() >= 6 && tap.framesWritten() >= 6, tap.framesRead() + "/" + tap.framesWritten());
            }
            // §12.1: closing the fd removes the device
            assertThrows(NicException.class, () -> ns.exec("ip", "link", "show", "dev", name));
        }
    }

    @Test
    void twoTapsInTwoNamespacesJoinedByAFramePump() throws Exception {
        try (TestNamespaces.Ns ns1 = TestNamespaces.create(); TestNamespaces.Ns ns2 = TestNamespaces.create()) {
            Tap t1 = NetworkNamespace.callIn(ns1.name(), () -> Tap.open(TapName.of(NWID)));
            try (t1) {
                Tap t2 = NetworkNamespace.callIn(ns2.name(), () -> Tap.open(TapName.of(NWID)));
                try (t2) {
                    new LinkConfigurator(ns1.name()).apply(t1, MacAddress.derive(NWID, ADDR_A), 2800, List.of(
                            new IpAssignment(ip("10.147.18.1"), 24),
                            new IpAssignment(Ipv6Addresses.rfc4193(NWID, ADDR_A), 88)), List.of());
                    new LinkConfigurator(ns2.name()).apply(t2, MacAddress.derive(NWID, ADDR_B), 2800, List.of(
                            new IpAssignment(ip("10.147.18.2"), 24),
                            new IpAssignment(Ipv6Addresses.rfc4193(NWID, ADDR_B), 88)), List.of());
                    t1.start(t2::send);
                    t2.start(t1::send);
                    String out = ns1.exec("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.147.18.2");
                    assertTrue(out.contains("3 received"), out);
                    String back = ns2.exec("ping", "-c", "3", "-i", "0.2", "-W", "5", "10.147.18.1");
                    assertTrue(back.contains("3 received"), back);
                    String out6 = ns1.exec("ping", "-6", "-c", "3", "-i", "0.2", "-W", "5",
                            Ipv6Addresses.rfc4193(NWID, ADDR_B).getHostAddress());
                    assertTrue(out6.contains("3 received"), out6);
                    // a 2,000-byte ping crosses whole (MTU 2800, no fragmentation)
                    String big = ns1.exec("ping", "-c", "2", "-i", "0.2", "-W", "5", "-M", "do", "-s", "2000", "10.147.18.2");
                    assertTrue(big.contains("2 received"), big);
                }
            }
        }
    }

    @Test
    void kernelNeighbourSolicitationsAreAnsweredByNdpEmulation() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            Tap tap = NetworkNamespace.callIn(ns.name(), () -> Tap.open(TapName.of(NWID)));
            try (tap) {
                new LinkConfigurator(ns.name()).apply(tap, MacAddress.derive(NWID, ADDR_A), 2800, List.of(
                        new IpAssignment(Ipv6Addresses.rfc4193(NWID, ADDR_A), 88)), List.of());
                NdpEmulator emulator = new NdpEmulator(NWID, ADDR_A);
                tap.start(f -> {
                    ByteBuffer na = emulator.answer(f);
                    if (na != null) {
                        tap.send(na); // §10.6: answered locally, nothing goes on the network
                    }
                });
                String b = Ipv6Addresses.rfc4193(NWID, ADDR_B).getHostAddress();
                try {
                    ns.exec("ping", "-6", "-c", "1", "-W", "2", b); // no echo reply: nobody is there
                } catch (NicException expected) {
                    // the solicitation is what this test is about
                }
                String neigh = ns.exec("ip", "-6", "neigh", "show", "dev", tap.name());
                assertTrue(neigh.contains(b + " lladdr " + MacAddress.derive(NWID, ADDR_B)), neigh);
            }
        }
    }

    /** §12.5: what the kernel joins on the TAP (here by hand, as an mDNS responder would) is seen, and seen left. */
    @Test
    void theKernelsMulticastMembershipsOnTheTapAreSeenJoinedAndLeft() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            Tap tap = NetworkNamespace.callIn(ns.name(), () -> Tap.open(TapName.of(NWID)));
            try (tap) {
                ns.exec("ip", "link", "set", "dev", tap.name(), "up");
                MacAddress mdns = MacAddress.parse("01:00:5e:00:00:fb");
                assertFalse(NetworkNamespace.callIn(ns.name(), tap::joinedGroups).contains(mdns));
                ns.exec("ip", "maddr", "add", mdns.toString(), "dev", tap.name());
                assertTrue(NetworkNamespace.callIn(ns.name(), tap::joinedGroups).contains(mdns), ns.exec("ip", "maddr", "show", "dev", tap.name()));
                ns.exec("ip", "maddr", "del", mdns.toString(), "dev", tap.name());
                assertFalse(NetworkNamespace.callIn(ns.name(), tap::joinedGroups).contains(mdns));
                assertTrue(tap.joinedGroups().isEmpty(), "this thread's namespace has no such device");
            }
        }
    }

    @Test
    void readReturnsMinusOneAfterCloseAndSendAfterCloseIsCounted() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            Tap tap = NetworkNamespace.callIn(ns.name(), () -> Tap.open("plt%d"));
            assertTrue(tap.name().startsWith("plt"), tap.name());
            Thread reader = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocate(Tap.MAX_FRAME);
                while (tap.read(b) >= 0) {
                    b.clear();
                }
            });
            tap.close();
            reader.join(10_000);
            assertTrue(!reader.isAlive(), "the blocked reader returned -1 once the Tap closed");
            tap.send(ByteBuffer.wrap(new byte[60]));
            assertEquals(1, tap.writeDrops());
            tap.close(); // idempotent
        }
    }

    @Test
    void openConfigureCloseLeavesNoDescriptorThreadOrDevice() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            LinkConfigurator cfg = new LinkConfigurator(ns.name());
            Runnable cycle = () -> {
                Tap t = NetworkNamespace.callIn(ns.name(), () -> Tap.open("plt-nic-leak"));
                try (t) {
                    cfg.apply(t, MacAddress.derive(NWID, ADDR_A), 1500, List.of(), List.of());
                    t.start(f -> { });
                }
            };
            cycle.run(); // warm-up: classes, the JDK's process reaper, lazily opened files
            long fds = openFds();
            for (int i = 0; i < 20; i++) {
                cycle.run();
            }
            assertEquals(fds, openFds(), "file descriptors back to the baseline after 20 TAPs");
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("tap-plt-nic-leak") && t.isAlive()), "reader threads ended");
            assertThrows(NicException.class, () -> ns.exec("ip", "link", "show", "dev", "plt-nic-leak"));
        }
    }

    private static long openFds() throws Exception {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void misuseIsNamed() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> Tap.open("a-name-longer-than-15"));
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            Tap tap = NetworkNamespace.callIn(ns.name(), () -> Tap.open("plt-x"));
            try (tap) {
                assertTrue(assertThrows(IllegalStateException.class, tap::mac).getMessage().contains("setMac"));
                assertThrows(IllegalArgumentException.class, () -> tap.setMac(MacAddress.BROADCAST));
                assertThrows(IllegalArgumentException.class, () -> tap.setMtu(10));
                assertThrows(IllegalArgumentException.class, () -> tap.write(ByteBuffer.allocate(5)));
            }
        }
        NicException e = assertThrows(NicException.class, () -> NetworkNamespace.callIn("plt-nic-none", () -> 1));
        assertTrue(e.getMessage().contains("ip netns add"), e.getMessage());
    }
}

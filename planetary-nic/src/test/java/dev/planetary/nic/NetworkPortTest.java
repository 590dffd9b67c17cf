package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * VL.md §9.3–§9.5, §10.5, §10.6: network ports joined by an in-memory "VL1" (each message copied and
 * handed over on a thread of its own, as the node loop would), with userspace NICs behind them.
 */
class NetworkPortTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long A = 0x89e92ceee5L;
    static final long B = 0xf3da19d0f4L;
    static final long C = 0x1122334455L;
    static final long ALL = PortConfig.FLAG_BROADCAST | PortConfig.FLAG_NDP_EMULATION;

    private final PortWire net = new PortWire();
    private final Map<Long, NetworkPort> ports = net.ports;
    private final List<PortWire.Sent> log = net.log;
    private final Set<Long> members = net.members;
    private final Map<Long, List<SourceCheck.Owned>> owned = net.owned;
    private final NetworkPort.Membership membership = net.membership;

    @AfterEach
    void stop() {
        net.close();
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static List<IpAssignment> assigned(long address, String ip4) throws Exception {
        return List.of(new IpAssignment(ip(ip4), 24), new IpAssignment(Ipv6Addresses.rfc4193(NWID, address), 88));
    }

    /** The Ethernet payload of {@code frame} (what FRAME carries). */
    private static ByteBuffer payload(byte[] frame) {
        return ByteBuffer.wrap(frame, 14, frame.length - 14).slice();
    }

    /** Member {@code address} with a userspace NIC on {@code ip4}/24 and its rfc4193 address; it passes every gate. */
    private NetworkPort join(long address, String ip4, long flags) throws Exception {
        PortConfig cfg = PortConfig.of(NWID, address, flags, assigned(address, ip4));
        return join(cfg, cfg.userspaceNic());
    }

    private NetworkPort join(PortConfig cfg, VirtualNic nic) {
        return net.join(cfg, nic);
    }

    private static UserspaceNic nic(NetworkPort p) {
        return (UserspaceNic) p.nic();
    }

    @Test
    void twoMembersPingThroughUserspaceNicsArpByBroadcastThenUnicastFrames() throws Exception {
        NetworkPort a = join(A, "10.147.17.1", ALL);
        NetworkPort b = join(B, "10.147.17.2", ALL);
        for (int i = 0; i < 5; i++) {
            Duration rtt = nic(a).ping((Inet4Address) ip("10.147.17.2"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
            assertTrue(rtt.toNanos() > 0);
        }
        nic(b).ping((Inet4Address) ip("10.147.17.1"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        List<PortWire.Sent> arp = log.stream().filter(s -> s.ethertype() == 0x0806).toList();
        assertEquals(MacAddress.BROADCAST, arp.getFirst().dst(), "the ARP request went as EXT_FRAME to the broadcast MAC");
        assertEquals(B, arp.getFirst().to());
        assertTrue(arp.stream().skip(1).allMatch(s -> s.dst() == null), "the ARP reply is a unicast FRAME");
        assertTrue(log.stream().filter(s -> s.ethertype() == 0x0800).allMatch(s -> s.dst() == null), "ICMP travels as FRAME");
        assertEquals(6, log.stream().filter(s -> s.ethertype() == 0x0800 && s.from() == A).count(), "5 requests, 1 reply");
        assertEquals(0, a.drops() + b.drops());
        assertEquals(0, nic(a).drops() + nic(b).drops());
        // the last reply can complete the ping before the threads count it sent and delivered: wait for the counters
        for (long end = System.nanoTime() + 2_000_000_000L; (log.size() != a.sent() + b.sent() || log.size() != a.delivered() + b.delivered()) && System.nanoTime() < end; ) Thread.sleep(5);
        assertEquals(log.size(), a.sent() + b.sent());
        assertEquals(log.size(), a.delivered() + b.delivered());
    }

    @Test
    void ping6BetweenRfc4193AddressesSendsNoSolicitationOnTheWire() throws Exception {
        NetworkPort a = join(A, "10.147.17.1", ALL);
        NetworkPort b = join(B, "10.147.17.2", ALL);
        for (int i = 0; i < 3; i++) {
            nic(a).ping(Ipv6Addresses.rfc4193(NWID, B), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        }
        nic(b).ping(Ipv6Addresses.rfc4193(NWID, A), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        net.drain();
        assertEquals(2, a.emulated() + b.emulated(), "each side's one solicitation answered locally (§10.6)");
        assertTrue(log.stream().allMatch(s -> s.dst() == null && s.ethertype() == 0x86dd), "only unicast IPv6 FRAMEs (E12)");
        assertEquals(8, log.size(), "4 echo requests, 4 replies");
        assertEquals(0, a.drops() + b.drops() + nic(a).drops() + nic(b).drops());
    }

    @Test
    void withBroadcastDisabledArpGoesNowhere() throws Exception {
        NetworkPort a = join(A, "10.147.17.1", 0);
        join(B, "10.147.17.2", 0);
        var ping = nic(a).ping((Inet4Address) ip("10.147.17.2"), Duration.ofMillis(200));
        assertThrows(ExecutionException.class, () -> ping.get(5, TimeUnit.SECONDS));
        assertEquals(1, a.drops(PortDrop.BROADCAST_DISABLED));
        assertEquals(0, log.size());
        ByteBuffer bc = ByteBuffer.wrap(UserspaceNicTest.Frames.arpRequest(MacAddress.derive(NWID, A),
                (Inet4Address) ip("10.147.17.1"), (Inet4Address) ip("10.147.17.2")));
        NetworkPort b = ports.get(B);
        b.inboundExtFrame(net.peer(A), 0, MacAddress.BROADCAST, MacAddress.derive(NWID, A), 0x0806, bc.slice(14, 28));
        assertEquals(1, b.drops(PortDrop.BROADCAST_DISABLED), "inbound broadcast refused too");
    }

    @Test
    void framesFromMembersWithoutAValidCredentialAreDropped() throws Exception {
        NetworkPort b = join(B, "10.147.17.2", ALL);
        byte[] f = UserspaceNicTest.Frames.udp4(MacAddress.derive(NWID, B), MacAddress.derive(NWID, C),
                (Inet4Address) ip("10.147.17.3"), (Inet4Address) ip("10.147.17.2"), 5, 7, new byte[8]);
        owned.put(C, List.of(new SourceCheck.Owned(new IpAssignment(ip("10.147.17.3"), 24), false)));
        b.inboundFrame(net.peer(C), 0x0800, payload(f));
        assertEquals(1, b.drops(PortDrop.NOT_MEMBER));
        b.inboundFrame(net.peer(B), 0x0800, payload(f));
        b.inboundFrame(net.peer(1L << 40), 0x0800, payload(f));
        assertEquals(3, b.drops(PortDrop.NOT_MEMBER), "itself and a 41-bit address are no members either");
        assertEquals(0, b.delivered());
        nic(b).echoUdp(7);
        members.add(C);
        b.inboundFrame(net.peer(C), 0x0800, payload(f));
        assertEquals(1, b.delivered(), "the same frame once C holds a valid MC");
        assertEquals(1, log.stream().filter(s -> s.to() == C).count(), "and B's UDP echo went back as a FRAME");
    }

    @Test
    void antiSpoofingDropsUnownedSourcesAndAnotherMembersLinkLocal() throws Exception {
        NetworkPort b = join(B, "10.147.17.2", ALL);
        join(C, "10.147.17.3", ALL);
        MacAddress macB = MacAddress.derive(NWID, B);
        MacAddress macC = MacAddress.derive(NWID, C);
        // C claims A's IPv4 address.
        byte[] v4 = UserspaceNicTest.Frames.udp4(macB, macC, (Inet4Address) ip("10.147.17.1"), (Inet4Address) ip("10.147.17.2"), 5, 7, new byte[8]);
        b.inboundFrame(net.peer(C), 0x0800, payload(v4));
        assertEquals(1, b.spoofs(SourceCheck.Verdict.IPV4_SOURCE_NOT_OWNED));
        // E19: C answers neighbour discovery from A's link-local address, and advertises it as target.
        byte[] llA = Ipv6Addresses.linkLocal(MacAddress.derive(NWID, A)).getAddress();
        byte[] llB = Ipv6Addresses.linkLocal(macB).getAddress();
        byte[] na = new byte[32];
        na[0] = (byte) 136;
        na[4] = 0x60;
        System.arraycopy(llA, 0, na, 8, 16);
        b.inboundFrame(net.peer(C), 0x86dd, payload(UserspaceNicTest.Frames.ipv6(macB, macC, llA, llB, 255, na)));
        assertEquals(1, b.spoofs(SourceCheck.Verdict.FOREIGN_LINK_LOCAL));
        byte[] llC = Ipv6Addresses.linkLocal(macC).getAddress();
        b.inboundFrame(net.peer(C), 0x86dd, payload(UserspaceNicTest.Frames.ipv6(macB, macC, llC, llB, 255, na)));
        assertEquals(1, b.spoofs(SourceCheck.Verdict.NA_TARGET_NOT_OWNED), "own source, someone else's target");
        assertEquals(3, b.drops(PortDrop.SPOOFED_IP));
        assertEquals(0, b.delivered());
        // An EXT_FRAME carrying A's MAC as source from C (not a bridge).
        b.inboundExtFrame(net.peer(C), 0, macB, MacAddress.derive(NWID, A), 0x0800, payload(v4));
        assertEquals(1, b.drops(PortDrop.SPOOFED_MAC));
        // C's own addresses pass: an ICMPv6 echo from its link-local address is answered.
        byte[] echo = new byte[16];
        echo[0] = (byte) 128;
        b.inboundFrame(net.peer(C), 0x86dd, payload(UserspaceNicTest.Frames.ipv6(macB, macC, llC, llB, 64, echo)));
        assertEquals(1, b.delivered());
        assertEquals(0, nic(b).drops());
    }

    @Test
    void configFlagBit3TurnsAntiSpoofingOff() throws Exception {
        NetworkPort b = join(B, "10.147.17.2", ALL | PortConfig.FLAG_ALLOW_UNOWNED);
        members.add(C);
        byte[] v4 = UserspaceNicTest.Frames.udp4(MacAddress.derive(NWID, B), MacAddress.derive(NWID, C),
                (Inet4Address) ip("10.147.17.1"), (Inet4Address) ip("10.147.17.2"), 5, 7, new byte[8]);
        nic(b).echoUdp(7);
        b.inboundFrame(net.peer(C), 0x0800, payload(v4));
        assertEquals(0, b.drops());
        assertEquals(1, b.delivered());
    }

    @Test
    void oversizedFramesAreDroppedBothWays() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        PortConfig cfg = new PortConfig(NWID, A, 1280, ALL, 32, assigned(A, "10.147.17.1"), List.of(), false,
                PortConfig.RoutePolicy.DEFAULT);
        NetworkPort a = join(cfg, rec);
        members.add(B);
        MacAddress macA = MacAddress.derive(NWID, A);
        MacAddress macB = MacAddress.derive(NWID, B);
        a.outbound(ByteBuffer.wrap(UserspaceNicTest.Frames.eth(macB, macA, 0x0800, 1281)));
        a.outbound(ByteBuffer.wrap(UserspaceNicTest.Frames.eth(macB, macA, 0x0800, 1280)));
        assertEquals(1, a.drops(PortDrop.OVERSIZE));
        assertEquals(1, a.sent(), "exactly the MTU goes");
        a.inboundFrame(net.peer(B), 0x0800, ByteBuffer.allocate(1281));
        assertEquals(2, a.drops(PortDrop.OVERSIZE));
        assertEquals(0, rec.written.size());
    }

    @Test
    void ndpEmulationAnswersAnotherMembersRfc4193WithoutWireTraffic() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = join(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec);
        members.add(B);
        byte[] srcA = Ipv6Addresses.rfc4193(NWID, A).getAddress();
        byte[] ns = UserspaceNicTest.Frames.solicitation(rec.mac(), srcA, Ipv6Addresses.rfc4193(NWID, B).getAddress());
        rec.emit(ns);
        assertEquals(1, a.emulated());
        assertEquals(0, log.size(), "no neighbour solicitation on the wire");
        assertEquals(1, rec.written.size());
        byte[] answer = rec.written.getFirst();
        assertEquals(MacAddress.derive(NWID, B), MacAddress.fromBytes(answer, 6), "answered with B's derived MAC");
        assertEquals(136, answer[54] & 0xff);
        assertEquals(0, UserspaceNicTest.Frames.icmp6Check(answer));
        // Without flag bit2 the same solicitation is multicast to the members (bounded broadcast).
        RecordingNic rec2 = new RecordingNic(MacAddress.derive(NWID, C));
        NetworkPort c = join(PortConfig.of(NWID, C, PortConfig.FLAG_BROADCAST, assigned(C, "10.147.17.3")), rec2);
        rec2.emit(UserspaceNicTest.Frames.solicitation(rec2.mac(), Ipv6Addresses.rfc4193(NWID, C).getAddress(),
                Ipv6Addresses.rfc4193(NWID, B).getAddress()));
        assertEquals(0, c.emulated());
        assertEquals(2, log.size(), "to A and B");
        assertTrue(log.stream().allMatch(s -> s.dst().isMulticast()));
    }

    @Test
    void outboundChecks() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = join(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec);
        MacAddress macA = rec.mac();
        MacAddress macB = MacAddress.derive(NWID, B);
        rec.emit(new byte[13]);
        assertEquals(1, a.drops(PortDrop.MALFORMED));
        rec.emit(UserspaceNicTest.Frames.eth(macB, new MacAddress(0x0e_0000_0000_01L), 0x0800, 40));
        assertEquals(1, a.drops(PortDrop.FOREIGN_SOURCE), "bridging is off");
        rec.emit(UserspaceNicTest.Frames.eth(new MacAddress(0x0e_0000_0000_01L), macA, 0x0800, 40));
        assertEquals(1, a.drops(PortDrop.UNKNOWN_DESTINATION), "not derived for the network");
        rec.emit(UserspaceNicTest.Frames.eth(macA, macA, 0x0800, 40));
        assertEquals(1, a.drops(PortDrop.SELF));
        rec.emit(UserspaceNicTest.Frames.eth(MacAddress.BROADCAST, macA, 0x0806, 28));
        assertEquals(1, a.drops(PortDrop.NO_RECIPIENTS), "A is the only member");
        assertEquals(0, log.size());
        rec.emit(UserspaceNicTest.Frames.eth(macB, macA, 0x0800, 40));
        assertEquals(1, log.size());
        assertEquals(B, log.getFirst().to());
        assertEquals(40, log.getFirst().payload().length);
    }

    @Test
    void extFrameChecks() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = join(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec);
        members.add(B);
        MacAddress macB = MacAddress.derive(NWID, B);
        a.inboundExtFrame(net.peer(B), 1, rec.mac(), macB, 0x0800, ByteBuffer.allocate(20));
        assertEquals(1, a.drops(PortDrop.BAD_FLAGS));
        a.inboundExtFrame(net.peer(B), 0, MacAddress.derive(NWID, C), macB, 0x0800, ByteBuffer.allocate(20));
        assertEquals(1, a.drops(PortDrop.NOT_OUR_MAC));
        a.inboundExtFrame(net.peer(B), 0, new MacAddress(0x3333_0000_0001L), macB, 0x1234, ByteBuffer.allocate(20));
        assertEquals(1, rec.written.size(), "multicast from a member is delivered (non-IP: not anti-spoofing's)");
        a.close();
        a.inboundFrame(net.peer(B), 0x1234, ByteBuffer.allocate(20));
        rec.emit(UserspaceNicTest.Frames.eth(macB, rec.mac(), 0x0800, 40));
        assertEquals(2, a.drops(PortDrop.CLOSED));
    }

    @Test
    void broadcastReachesAtMostTheMulticastLimit() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = join(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec);
        for (long m = 1; m <= 100; m++) {
            members.add(0x1000000000L + m);
        }
        rec.emit(UserspaceNicTest.Frames.arpRequest(rec.mac(), (Inet4Address) ip("10.147.17.1"), (Inet4Address) ip("10.147.17.9")));
        assertEquals(PortConfig.DEFAULT_MULTICAST_LIMIT, log.size());
        assertEquals(PortConfig.DEFAULT_MULTICAST_LIMIT, log.stream().map(PortWire.Sent::to).distinct().count());
        assertTrue(log.stream().noneMatch(s -> s.to() == A));
        assertEquals(PortConfig.DEFAULT_MULTICAST_LIMIT, a.sent());
    }

    @Test
    void theRulesHookIsAskedBothWaysAndOncePerBroadcast() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        List<String> asked = new CopyOnWriteArrayList<>();
        NetworkPort.Filter refuse1234 = new NetworkPort.Filter() { // refuses ethertype 0x1234 either way
            @Override
            public boolean outbound(long receiver, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                asked.add("out " + (receiver == NetworkPort.NO_RECEIVER ? "none" : Long.toHexString(receiver)) + " " + Integer.toHexString(ethertype));
                return ethertype != 0x1234;
            }

            @Override
            public boolean inbound(NetworkPort.Peer sender, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                asked.add("in " + Long.toHexString(sender.address()) + " " + sender.rulesInput() + " " + Integer.toHexString(ethertype));
                return ethertype != 0x1234;
            }
        };
        NetworkPort a = new NetworkPort(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec, net.uplink(A), membership, refuse1234);
        a.start();
        for (long m = 1; m <= 5; m++) members.add(0x1000000000L + m);
        MacAddress macB = MacAddress.derive(NWID, B);
        rec.emit(UserspaceNicTest.Frames.eth(macB, rec.mac(), 0x1234, 40));
        assertEquals(1, a.drops(PortDrop.RULES), "refused outbound (§9.3 step 5)");
        assertEquals(0, log.size());
        rec.emit(UserspaceNicTest.Frames.eth(macB, rec.mac(), 0x1235, 40));
        assertEquals(1, log.size());
        rec.emit(UserspaceNicTest.Frames.eth(MacAddress.BROADCAST, rec.mac(), 0x1234, 40));
        assertEquals(2, a.drops(PortDrop.RULES), "a refused broadcast goes to nobody");
        assertEquals(1, log.size());
        rec.emit(UserspaceNicTest.Frames.eth(MacAddress.BROADCAST, rec.mac(), 0x1235, 40));
        assertEquals(6, log.size(), "an accepted broadcast goes to all five");
        assertEquals(List.of("out " + Long.toHexString(B) + " 1234", "out " + Long.toHexString(B) + " 1235", "out none 1234", "out none 1235"), asked,
                "unicast with its receiver, a broadcast once with none (§10.4 step 2)");
        NetworkPort.Peer b = new NetworkPort.Peer(B, true, false, List.of(), "B's rules input");
        a.inboundFrame(b, 0x1234, ByteBuffer.allocate(20));
        assertEquals(3, a.drops(PortDrop.RULES), "refused inbound (§9.4 step 5)");
        assertEquals(0, rec.written.size());
        a.inboundFrame(b, 0x1235, ByteBuffer.allocate(20));
        assertEquals(1, rec.written.size());
        assertEquals("in " + Long.toHexString(B) + " B's rules input 1235", asked.getLast());
        a.inboundFrame(NetworkPort.Peer.denied(B), 0x1235, ByteBuffer.allocate(20));
        assertEquals(6, asked.size(), "a sender failing the gate never reaches the rules");
    }

    @Test
    void uplinkFaultsAreCountedNotThrown() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = new NetworkPort(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec, new NetworkPort.Uplink() {
            @Override
            public void frame(long peer, int ethertype, ByteBuffer payload) {
                throw new IllegalStateException("no session");
            }

            @Override
            public void extFrame(long peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                throw new IllegalStateException("no session");
            }
        }, membership);
        a.start();
        rec.emit(UserspaceNicTest.Frames.eth(MacAddress.derive(NWID, B), rec.mac(), 0x0800, 40));
        assertEquals(1, a.drops(PortDrop.UPLINK_FAULT));
    }

    @Test
    void misuseIsNamed() throws Exception {
        PortConfig cfg = PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1"));
        var e = assertThrows(IllegalArgumentException.class, () -> new NetworkPort(cfg, new RecordingNic(MacAddress.derive(NWID, B)), net.uplink(A), membership));
        assertTrue(e.getMessage().contains("derived MAC"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PortConfig(NWID, A, 1279, 0, 32, List.of(), List.of(), false, PortConfig.RoutePolicy.DEFAULT));
        assertThrows(IllegalArgumentException.class, () -> new PortConfig(NWID, A, 2800, 0, 241, List.of(), List.of(), false, PortConfig.RoutePolicy.DEFAULT));
    }

    @Test
    void routesFollowTheLocalPolicy() throws Exception {
        List<LinkConfigurator.Route> routes = List.of(
                new LinkConfigurator.Route(ip("10.147.17.0"), 24, null, 0),      // the kernel's prefix route
                new LinkConfigurator.Route(ip("10.20.0.0"), 16, ip("10.147.17.254"), 0),
                new LinkConfigurator.Route(ip("0.0.0.0"), 0, ip("10.147.17.254"), 0),
                new LinkConfigurator.Route(ip("8.8.8.0"), 24, ip("10.147.17.254"), 0),
                new LinkConfigurator.Route(ip("fd00:1::"), 64, null, 0));
        List<IpAssignment> mine = assigned(A, "10.147.17.1");
        java.util.function.Function<PortConfig.RoutePolicy, List<String>> installed = p -> new PortConfig(NWID, A, 2800, 0, 32,
                mine, routes, false, p).installedRoutes().stream().map(r -> r.target().getHostAddress() + "/" + r.prefix()).toList();
        assertEquals(List.of("10.20.0.0/16", "fd00:1:0:0:0:0:0:0/64"), installed.apply(PortConfig.RoutePolicy.DEFAULT));
        assertEquals(List.of("10.20.0.0/16", "0.0.0.0/0", "8.8.8.0/24", "fd00:1:0:0:0:0:0:0/64"),
                installed.apply(new PortConfig.RoutePolicy(true, true, true)));
        assertEquals(List.of(), installed.apply(new PortConfig.RoutePolicy(false, true, true)));
    }

    @Test
    void hostileFramesBothWaysAreCountedNeverThrown() throws Exception {
        RecordingNic rec = new RecordingNic(MacAddress.derive(NWID, A));
        NetworkPort a = join(PortConfig.of(NWID, A, ALL, assigned(A, "10.147.17.1")), rec);
        members.add(B);
        owned.put(B, List.of(new SourceCheck.Owned(new IpAssignment(ip("10.147.17.2"), 24), false)));
        Random r = new Random(15);
        List<byte[]> seeds = new ArrayList<>(List.of(
                UserspaceNicTest.Frames.udp4(MacAddress.derive(NWID, B), rec.mac(), (Inet4Address) ip("10.147.17.1"),
                        (Inet4Address) ip("10.147.17.2"), 1, 2, new byte[30]),
                UserspaceNicTest.Frames.arpRequest(rec.mac(), (Inet4Address) ip("10.147.17.1"), (Inet4Address) ip("10.147.17.2")),
                UserspaceNicTest.Frames.solicitation(rec.mac(), Ipv6Addresses.rfc4193(NWID, A).getAddress(),
                        Ipv6Addresses.rfc4193(NWID, B).getAddress())));
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            byte[] f = seeds.get(r.nextInt(seeds.size()));
            f = Arrays.copyOf(f, r.nextInt(f.length + 8));
            for (int k = r.nextInt(4); k > 0 && f.length > 0; k--) {
                f[r.nextInt(f.length)] ^= (byte) (1 << r.nextInt(8));
            }
            rec.emit(f);
            int cut = Math.min(14, f.length);
            int type = f.length >= 14 && r.nextInt(8) != 0 ? (f[12] & 0xff) << 8 | f[13] & 0xff : r.nextInt(1 << 16);
            a.inboundFrame(net.peer(B), type, ByteBuffer.wrap(f, cut, f.length - cut));
            a.inboundExtFrame(net.peer(B), r.nextInt(4) == 0 ? 1 : 0, new MacAddress(r.nextLong() & 0xffff_ffff_ffffL),
                    new MacAddress(r.nextLong() & 0xffff_ffff_ffffL), type, ByteBuffer.wrap(f, cut, f.length - cut));
        }
        // Broadcasts reach the one other member (B), so every call is exactly one of these.
        assertEquals(3L * n, a.drops() + a.sent() + a.emulated() + a.delivered(), "every frame sent, emulated, delivered or counted");
        assertTrue(a.drops(PortDrop.SPOOFED_IP) > 0 && a.delivered() > 0 && a.sent() > 0, "the mutations reached every path");
    }

    /** A NIC that records what the port writes and emits what the test hands it. */
    static final class RecordingNic implements VirtualNic {
        final List<byte[]> written = new CopyOnWriteArrayList<>();
        private final MacAddress mac;
        private FrameHandler handler;

        RecordingNic(MacAddress mac) {
            this.mac = mac;
        }

        void emit(byte[] frame) {
            handler.onFrame(ByteBuffer.wrap(frame));
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        @Override
        public void start(FrameHandler h) {
            handler = h;
        }

        @Override
        public void send(ByteBuffer frame) {
            written.add(PortWire.copy(frame));
        }

        @Override
        public void close() {
        }
    }
}

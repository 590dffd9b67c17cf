package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.Ipv6Addresses;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.SourceCheck;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.ExtFrame;
import dev.planetary.vl2.Frame;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** VL.md §9.2–§9.4: FRAME / EXT_FRAME between two data planes, and from the signed objects to a port. */
class DataPlaneTest {
    static final NetworkId NWID = NetworkId.parse("f3da19d0f4000001");
    static final Address A = Address.parse("89e92ceee5").orElseThrow();
    static final Address B = Address.parse("0102030405").orElseThrow();

    private final ExecutorService wire = Executors.newSingleThreadExecutor();
    private final Map<Address, DataPlane> planes = new ConcurrentHashMap<>();
    private final List<byte[]> sent = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        wire.shutdownNow();
        planes.values().forEach(DataPlane::close);
    }

    static final Fingerprint PEER = Fingerprint.of(new byte[Fingerprint.SIZE]);

    /** The members of {@code configs} pass the gate and own their config's assignments. */
    static DataPlane.Gate gate(Map<Long, PortConfig> configs) {
        return (nwid, fp, address) -> {
            PortConfig c = configs.get(address.value());
            return c == null ? NetworkPort.Peer.denied(address.value())
                    : new NetworkPort.Peer(address.value(), true, false, c.assignments().stream().map(a -> new SourceCheck.Owned(a, false)).toList());
        };
    }

    static NetworkPort.Membership members(Map<Long, PortConfig> configs) {
        return () -> List.copyOf(configs.keySet());
    }

    private DataPlane plane(Address self, Map<Long, PortConfig> configs) {
        DataPlane p = new DataPlane((nwid, to, message) -> {
            sent.add(message);
            DataPlane dest = planes.get(to);
            if (dest != null) {
                wire.execute(() -> dest.received(PEER, self, message));
            }
        }, gate(configs));
        planes.put(self, p);
        return p;
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static PortConfig config(Address a, String ip4) {
        return PortConfig.of(NWID, a.value(), PortConfig.FLAG_BROADCAST | PortConfig.FLAG_NDP_EMULATION,
                List.of(new IpAssignment(ip(ip4), 24), new IpAssignment(Ipv6Addresses.rfc4193(NWID, a.value()), 88)));
    }

    @Test
    void twoPlanesPingThroughUserspaceNics() throws Exception {
        PortConfig ca = config(A, "10.147.17.1");
        PortConfig cb = config(B, "10.147.17.2");
        Map<Long, PortConfig> configs = Map.of(A.value(), ca, B.value(), cb);
        NetworkPort a = plane(A, configs).open(ca, ca.userspaceNic(), members(configs));
        NetworkPort b = plane(B, configs).open(cb, cb.userspaceNic(), members(configs));
        for (int i = 0; i < 3; i++) {
            ((UserspaceNic) a.nic()).ping((Inet4Address) ip("10.147.17.2"), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        }
        wire.submit(() -> { }).get(5, TimeUnit.SECONDS); // the last reply's delivery is counted after the ping completes
        assertEquals(Verb.EXT_FRAME, sent.getFirst()[0] & 0xff, "the ARP broadcast is an EXT_FRAME");
        assertTrue(sent.stream().skip(1).allMatch(m -> (m[0] & 0xff) == Verb.FRAME), "then FRAMEs");
        assertEquals(0, a.drops() + b.drops());
        assertEquals(sent.size(), a.delivered() + b.delivered());
    }

    @Test
    void hostileMessagesAreCountedNeverThrown() throws Exception {
        PortConfig ca = config(A, "10.147.17.1");
        Map<Long, PortConfig> configs = Map.of(A.value(), ca, B.value(), config(B, "10.147.17.2"));
        DataPlane plane = plane(A, configs);
        NetworkPort a = plane.open(ca, ca.userspaceNic(), members(configs));
        assertFalse(plane.received(PEER, B, new byte[0]));
        assertFalse(plane.received(PEER, B, new byte[] {(byte) Verb.NETWORK_CREDENTIALS, 1, 2}), "not the data plane's verb");
        byte[] frame = new Frame(NWID, 0x0800, Bytes.of(new byte[40])).encode();
        assertTrue(plane.received(PEER, null, frame));
        assertEquals(1, plane.drops(DataPlane.Drop.UNBOUND_PEER));
        assertTrue(plane.received(PEER, B, new byte[] {(byte) Verb.FRAME, 1, 2}));
        byte[] ext = new ExtFrame(NWID, MacAddress.BROADCAST, MacAddress.derive(NWID, B.value()), 0x0806, Bytes.of(new byte[28])).encode();
        ext[9] = 1; // §9.2 reserved flags
        assertTrue(plane.received(PEER, B, ext));
        assertEquals(2, plane.drops(DataPlane.Drop.MALFORMED));
        plane.received(PEER, B, new Frame(NetworkId.parse("f3da19d0f4000002"), 0x0800, Bytes.of(new byte[40])).encode());
        assertEquals(1, plane.drops(DataPlane.Drop.UNKNOWN_NETWORK));
        plane.received(PEER, B, frame);
        assertEquals(1, a.delivered(), "a well-formed FRAME from a member reaches the NIC (which drops the empty IPv4 header)");
        assertEquals(0, a.drops());
        Random r = new Random(9);
        for (int i = 0; i < 20_000; i++) {
            byte[] m = (r.nextBoolean() ? frame : ext).clone();
            m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 4));
            for (int k = r.nextInt(3); k > 0 && m.length > 0; k--) {
                m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            }
            plane.received(PEER, r.nextBoolean() ? B : A, m);
        }
    }

    @Test
    void atMostSixtyFourNetworks() {
        DataPlane plane = plane(A, Map.of());
        for (int i = 1; i <= DataPlane.MAX_NETWORKS; i++) {
            PortConfig c = PortConfig.of(NetworkId.of(0xf3da19d0f4L, i), A.value(), 0, List.of());
            plane.open(c, c.userspaceNic(), members(Map.of()));
        }
        PortConfig again = PortConfig.of(NetworkId.of(0xf3da19d0f4L, 1), A.value(), 0, List.of());
        plane.open(again, again.userspaceNic(), members(Map.of())); // reconfiguring a joined network is fine
        PortConfig more = PortConfig.of(NetworkId.of(0xf3da19d0f4L, 65), A.value(), 0, List.of());
        var e = assertThrows(IllegalStateException.class, () -> plane.open(more, more.userspaceNic(), members(Map.of())));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
        assertEquals(DataPlane.MAX_NETWORKS, plane.ports().size());
        plane.close(NetworkId.of(0xf3da19d0f4L, 1));
        assertEquals(DataPlane.MAX_NETWORKS - 1, plane.ports().size());
    }
}

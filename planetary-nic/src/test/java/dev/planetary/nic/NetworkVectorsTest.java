package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** VL.md Appendix B.2/B.3: MAC (§9.1), rfc4193 (§10.6), EUI-64 link-local (§9.5), TAP name (§12.2). */
class NetworkVectorsTest {
    private static final String FILE = "vectors/vl/network_vectors.json";

    private static JsonNode bundled() throws IOException {
        try (InputStream in = NetworkVectorsTest.class.getResourceAsStream("/" + FILE)) {
            assertNotNull(in, "bundled " + FILE);
            return new ObjectMapper().readTree(in);
        }
    }

    @Test
    void bundledVectorsReproduce() throws IOException {
        JsonNode vectors = bundled().get("vectors");
        assertEquals(2, vectors.size());
        for (JsonNode v : vectors) {
            check(v);
        }
    }

    @Test
    void sharedVectorsReproduceAndEqualTheBundledCopy() throws IOException {
        String shared = System.getProperty("planetary.shared");
        Path p = shared == null ? null : Path.of(shared, FILE);
        Assumptions.assumeTrue(p != null && Files.isRegularFile(p), "no shared/vectors beside the checkout");
        JsonNode fromShared = new ObjectMapper().readTree(p.toFile());
        for (JsonNode v : fromShared.get("vectors")) {
            check(v);
        }
        try (InputStream in = getClass().getResourceAsStream("/" + FILE)) {
            assertArrayEquals(Files.readAllBytes(p), in.readAllBytes(),
                    FILE + " differs from shared: copy it into src/test/resources");
        }
    }

    private static void check(JsonNode v) throws IOException {
        NetworkId nwid = NetworkId.parse(v.get("nwid").asText());
        long address = NetworkId.parseAddress(v.get("address").asText());
        MacAddress mac = MacAddress.derive(nwid, address);
        assertEquals(v.get("mac").asText(), mac.toString());
        assertTrue(mac.isDerivedFor(nwid));
        assertFalse(mac.isMulticast());
        assertEquals(address, mac.addressOn(nwid), "§9.1 inverse");
        String[] rfc = v.get("rfc4193").asText().split("/");
        assertEquals(Ipv6Addresses.RFC4193_PREFIX, Integer.parseInt(rfc[1]));
        var r = Ipv6Addresses.rfc4193(nwid, address);
        assertArrayEquals(InetAddress.getByName(rfc[0]).getAddress(), r.getAddress());
        assertEquals(address, Ipv6Addresses.rfc4193Owner(nwid, r.getAddress()));
        assertArrayEquals(InetAddress.getByName(v.get("link_local_eui64").asText()).getAddress(),
                Ipv6Addresses.linkLocal(mac).getAddress());
        assertEquals(v.get("tap_name").asText(), TapName.of(nwid));
    }

    @Test
    void macFirstByteAvoids52AndIsLocalUnicast() {
        // low byte 0x50 → (0x50 & 0xfe) | 2 = 0x52 → 0x32 (§9.1)
        NetworkId n = new NetworkId(0x8056c2e21c000050L);
        assertEquals(0x32, MacAddress.firstByte(n));
        MacAddress m = MacAddress.derive(n, 0x89e92ceee5L);
        assertEquals(0x32, m.toBytes()[0] & 0xff);
        assertEquals(0x89e92ceee5L, m.addressOn(n));
        assertFalse(m.isDerivedFor(new NetworkId(0x8056c2e21c000001L)));
        assertEquals(0x02, MacAddress.firstByte(new NetworkId(0x01)) & 0x03, "locally administered, unicast");
    }

    @Test
    void networkIdParts() {
        NetworkId n = NetworkId.parse("8056c2e21c000001");
        assertEquals(0x8056c2e21cL, n.controllerAddress());
        assertEquals(1, n.networkNumber());
        assertEquals(n, NetworkId.of(0x8056c2e21cL, 1));
        assertEquals("8056c2e21c000001", n.toString());
        assertEquals(-1, Ipv6Addresses.rfc4193Owner(n, Ipv6Addresses.rfc4193(new NetworkId(2), 5).getAddress()));
    }

    @Test
    void misuseIsNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkId.parse("xyz")).getMessage().contains("16 hex"));
        assertThrows(IllegalArgumentException.class, () -> NetworkId.parse("8056c2e21c00000g"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> MacAddress.derive(new NetworkId(1), 1L << 40)).getMessage().contains("40 bits"));
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:89:e9:30:0c"));
        assertThrows(IllegalArgumentException.class, () -> TapName.check("sixteen-chars-xx"));
        assertThrows(IllegalArgumentException.class, () -> TapName.check("a/b"));
        assertEquals(MacAddress.parse("02:89:e9:30:0c:27"), new MacAddress(0x0289e9300c27L));
    }
}

package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** VL.md §12.6/§12.7: the --nic values and why a TAP cannot be had. */
class NicModeTest {
    @Test
    void parsesTheFlagValuesAndNamesMisuse() {
        assertEquals(NicMode.TAP, NicMode.parse("tap"));
        assertEquals(NicMode.USERSPACE, NicMode.parse("userspace"));
        assertEquals("userspace", NicMode.USERSPACE.flag());
        var e = assertThrows(IllegalArgumentException.class, () -> NicMode.parse("TUN\u0007"));
        assertTrue(e.getMessage().contains("tap or userspace") && e.getMessage().contains("TUN?"), e.getMessage());
    }

    @Test
    void userspaceOpensAUserspaceNicWithTheConfigsMacAndAddresses() throws Exception {
        NetworkId nwid = NetworkId.parse("8056c2e21c000001");
        PortConfig c = PortConfig.of(nwid, 0x89e92ceee5L, 0, java.util.List.of(new IpAssignment(java.net.InetAddress.getByName("10.147.17.7"), 24)));
        try (VirtualNic nic = NicMode.USERSPACE.open(c, TapName.of(nwid))) {
            UserspaceNic u = (UserspaceNic) nic;
            assertEquals(c.mac(), u.mac());
            assertEquals("10.147.17.7", u.ipv4().getHostAddress());
            assertEquals(24, u.ipv4Prefix());
        }
    }

    @Test
    void tapNeedsTheDeviceAndCapNetAdmin() {
        String root = "Name:\tjava\nCapEff:\t000001ffffffffff\n";
        String user = "Name:\tjava\nCapEff:\t0000000000000000\n";
        String onlyNetAdmin = "CapEff:\t0000000000001000\n";
        assertNull(NicMode.tapMissing(true, root));
        assertNull(NicMode.tapMissing(true, onlyNetAdmin));
        assertTrue(NicMode.tapMissing(true, user).contains("CAP_NET_ADMIN"));
        assertTrue(NicMode.tapMissing(false, root).contains("/dev/net/tun"));
        assertTrue(NicMode.tapMissing(true, "CapEff:\tzz\n").contains("cannot read"));
        assertTrue(NicMode.tapMissing(true, "").contains("cannot read"));
    }
}

package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.SourceCheck;
import dev.planetary.vl2.node.DataPlane;
import java.util.List;
import org.junit.jupiter.api.Test;

/** From a signed NetworkConfig (§7.4) and its embedded MC (§8.1) to the data plane's {@link PortConfig}. */
class DataPlaneConfigTest {
    static final Address A = Fixtures.MEMBER_ADDRESS;
    static final dev.planetary.nic.NetworkId NWID = Fixtures.NWID;

    @Test
    void portConfigFromTheSignedConfigAndCredential() {
        var key = Fixtures.controller();
        var mc = Fixtures.credential().sign(key, Fixtures.TS);
        var cfg = Fixtures.config(mc, Fixtures.revocationList().sign(key, Fixtures.TS)).sign(key, Fixtures.TS + 1).value();
        PortConfig pc = DataPlane.portConfig(cfg, mc.value(), A, PortConfig.RoutePolicy.DEFAULT);
        assertEquals(NWID, pc.nwid());
        assertEquals(MacAddress.derive(NWID, A.value()), pc.mac());
        assertEquals(2800, pc.mtu());
        assertEquals(32, pc.multicastLimit());
        assertTrue(pc.has(PortConfig.FLAG_BROADCAST) && pc.has(PortConfig.FLAG_ARP_EMULATION) && !pc.has(PortConfig.FLAG_NDP_EMULATION));
        assertEquals(List.of("10.147.17.5/24", "fdf3:da19:d0f4:0:0:0:0:1/88"), pc.assignments().stream().map(Object::toString).toList());
        assertEquals(List.of(), pc.installedRoutes(), "the on-link route is the kernel's; the default route needs allowDefault");
        PortConfig all = DataPlane.portConfig(cfg, mc.value(), A, new PortConfig.RoutePolicy(true, true, true));
        assertEquals(1, all.installedRoutes().size());
        assertEquals(Fixtures.ip("10.147.17.1"), all.installedRoutes().getFirst().via());
        List<SourceCheck.Owned> owned = DataPlane.owned(mc.value());
        assertEquals(List.of(false, true), owned.stream().map(SourceCheck.Owned::prefixOwned).toList());
        // The flag bits are the same ones on both sides of the module boundary.
        assertEquals(NetworkConfig.FLAG_BROADCAST, PortConfig.FLAG_BROADCAST);
        assertEquals(NetworkConfig.FLAG_ARP_EMULATION, PortConfig.FLAG_ARP_EMULATION);
        assertEquals(NetworkConfig.FLAG_NDP_EMULATION, PortConfig.FLAG_NDP_EMULATION);
        assertEquals(NetworkConfig.FLAG_ALLOW_UNOWNED_SOURCE, PortConfig.FLAG_ALLOW_UNOWNED);
    }

}

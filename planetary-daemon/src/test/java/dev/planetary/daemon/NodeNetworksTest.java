package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node daemon's networks (VL.md §7.2, §13.2, §2.10): join, list, files, restart, leave. */
class NodeNetworksTest {
    private static SecretIdentity identity;

    @TempDir
    Path home;

    static synchronized SecretIdentity identity() {
        if (identity == null) identity = SecretIdentity.generate(new SecureRandom(), Math.max(1, Runtime.getRuntime().availableProcessors()));
        return identity;
    }

    private NodeEngine engine(List<String> events) {
        EngineContext c = new EngineContext(EngineContext.Role.NODE, identity(), new InetSocketAddress("127.0.0.1", 9), List.of(), home);
        return new NodeEngine(c, new Vl1Engine.Output() {
            @Override
            public void transmit(InetSocketAddress to, byte[] datagram) {}

            @Override
            public void event(String name, Map<String, Object> fields) {
                events.add(name + " " + fields.get("status"));
            }
        }, 0);
    }

    @Test
    void joinListsTheNetworkWritesItsPinFileSurvivesARestartAndLeaveRemovesIt() throws Exception {
        String nwid = "c661bb1b8f000001";
        List<String> events = new ArrayList<>();
        NodeEngine e = engine(events);
        assertNull(e.join(nwid, null, "a-token", 0));
        Map<String, Object> n = e.networks(0).getFirst();
        assertEquals(nwid, n.get("nwid"));
        assertEquals(nwid, n.get("id"));
        assertEquals("REQUESTING_CONFIGURATION", n.get("status"));
        assertEquals("PRIVATE", n.get("type"));
        assertTrue(((String) n.get("portDeviceName")).startsWith("pt"));
        assertTrue(events.contains("network.changed REQUESTING_CONFIGURATION"), events::toString);
        Path pin = home.resolve("networks.d").resolve(nwid + ".pin");
        assertTrue(Files.exists(pin));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pin)));
        assertFalse(Files.readString(pin).contains("a-token"), "the token is never stored");
        assertTrue(e.service(1) > 1, "the member engine is driven from the loop");
        e.close();

        NodeEngine again = engine(new ArrayList<>());
        assertEquals(List.of(nwid), again.networks(0).stream().map(m -> m.get("nwid")).toList(), "rejoined from networks.d after a restart");
        assertTrue(again.leave(nwid, 0));
        assertFalse(Files.exists(pin));
        assertFalse(again.leave(nwid, 0));
        assertTrue(again.networks(0).isEmpty());
        again.close();
    }

    @Test
    void badRequestsAreRefusedWithAReason() {
        NodeEngine e = engine(new ArrayList<>());
        assertNotNull(e.join("not-a-network", null, null, 0));
        assertNotNull(e.join("c661bb1b8f000001", "not-a-fingerprint", null, 0));
        assertTrue(e.join("c661bb1b8f000001", null, "bad\ttoken", 0).contains("ASCII"));
        assertNotNull(e.join("0000000000000001", null, null, 0), "no controller address");
        assertTrue(e.networks(0).isEmpty());
        e.close();
    }
}

package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Black-box E4/E5/E12-like (VL.md §16.4): a root, {@code planetary controller} and two {@code planetary
 * node --nic userspace} processes on loopback. Both join a network the controller CLI made, are
 * authorised, bring their userspace NICs up, and {@code planetary ping-vl2} pings across it: IPv4
 * first, between members that never exchanged anything (ARP through the controller's GATHER answer,
 * §10.3–§10.5), then IPv6 between rfc4193 addresses (neighbour discovery answered on the node's own
 * NIC), then IPv4 back; a network the node did not join is refused.
 */
class Vl2PingIT extends BlackBoxTest {
    PlanetaryProcess cli(String... args) throws Exception {
        return PlanetaryProcess.run(dir, 60, args);
    }

    /** The node's address on the network of the family ({@code ':'} for IPv6, {@code '.'} for IPv4), without the prefix. */
    static String assigned(JsonNode network, char family) {
        for (JsonNode a : network.path("assignedAddresses")) {
            String s = a.asText();
            if (s.indexOf(family) >= 0) return s.substring(0, s.indexOf('/'));
        }
        throw new AssertionError("no " + (family == ':' ? "IPv6" : "IPv4") + " address in " + network);
    }

    @Test
    void twoNodesPingEachOtherAcrossTheNetworkWithPingVl2() throws Exception {
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1");
        Path rootset = DaemonFixture.rootSet(dir, root);
        DaemonFixture.Daemon ctl = DaemonFixture.start(dir, "controller", "ctl", "--rootset", rootset.toString());
        PlanetaryProcess created = cli("controller", "network", "create", "--home", ctl.home().toString(), "--name", "lab",
                "--route", "10.147.17.0/24", "--pool", "10.147.17.1-10.147.17.254", "--rfc4193");
        assertEquals(0, created.exitCode(), created.err.text());
        String nwid = created.out.text().strip();

        DaemonFixture.Daemon a = DaemonFixture.start(dir, "node", "a", "--rootset", rootset.toString());
        DaemonFixture.Daemon b = DaemonFixture.start(dir, "node", "b", "--rootset", rootset.toString());
        assertEquals("userspace", PlanetaryProcess.field(a.ready(), "nic"));
        for (DaemonFixture.Daemon n : new DaemonFixture.Daemon[] {a, b}) {
            assertEquals(200, n.post("/network/" + nwid, "{}").status());
            ControllerCliIT.awaitStatus(n, nwid, "ACCESS_DENIED", 30); // pending approval
            var auth = ctl.post("/controller/network/" + nwid + "/member/" + n.address(), "{\"authorized\": true}"); // the controller API (§13.3)
            assertEquals(200, auth.status(), auth.body());
        }
        JsonNode na = ControllerCliIT.awaitStatus(a, nwid, "OK", 30);
        JsonNode nb = ControllerCliIT.awaitStatus(b, nwid, "OK", 30);

        // IPv4 first, between members that never exchanged anything: A's ARP request goes to the group
        // (ff:ff:ff:ff:ff:ff, B's IPv4), whose owner A learns by GATHER from the controller (§10.3,
        // §10.5); the request then goes to B as MULTICAST_FRAME and B's NIC answers it.
        PlanetaryProcess four = cli("ping-vl2", "--home", a.home().toString(), "-c", "3", "-i", "0.2", "-W", "5", nwid, assigned(nb, '.'));
        assertEquals(0, four.exitCode(), four.out.text() + four.err.text() + a.process().dump());
        assertTrue(four.out.text().contains("reply from " + assigned(nb, '.')), four.out.text());
        assertTrue(a.dropCounter("vl2_multicast_gathers_sent") >= 1, a.metrics());
        // IPv6 between rfc4193 addresses (neighbour discovery answered on the node's own NIC, §10.6).
        PlanetaryProcess six = cli("ping-vl2", "--home", a.home().toString(), "-c", "3", "-i", "0.2", "-W", "5", nwid, assigned(nb, ':'));
        assertEquals(0, six.exitCode(), six.out.text() + six.err.text() + a.process().dump());
        assertTrue(six.out.text().contains("3 received, 0% loss"), six.out.text());
        PlanetaryProcess back = cli("ping-vl2", "--home", b.home().toString(), "-c", "2", "-i", "0.2", "-W", "5", nwid, assigned(na, '.'));
        assertEquals(0, back.exitCode(), back.out.text() + back.err.text());
        assertTrue(back.out.text().matches("(?s).*rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms.*"), back.out.text());

        PlanetaryProcess other = cli("ping-vl2", "--home", a.home().toString(), "-c", "1", "0123456789000001", "10.147.17.2");
        assertEquals(1, other.exitCode());
        assertTrue(other.err.text().contains("not joined"), other.err.text());
    }
}

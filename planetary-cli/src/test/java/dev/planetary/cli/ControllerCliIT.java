package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Black-box (VL.md §7, §13.3, §14.2): a root, {@code planetary controller} and a node as processes
 * on loopback. The node joins a network the controller CLI made, is pending, is authorised and gets
 * its config with a pool address, is deauthorised (ACCESS_DENIED); the controller's state survives
 * a restart; refused fields exit 2 naming the field.
 */
class ControllerCliIT extends BlackBoxTest {
    PlanetaryProcess cli(String... args) throws Exception {
        return PlanetaryProcess.run(dir, 60, args);
    }

    /** Polls the node's GET /network/{nwid} until its status is {@code status}; returns the object. */
    static JsonNode awaitStatus(DaemonFixture.Daemon node, String nwid, String status, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode n = null;
        while (System.nanoTime() < deadline) {
            n = node.get("/network/" + nwid);
            if (status.equals(n.path("status").asText())) return n;
            Thread.sleep(200);
        }
        throw new AssertionError("network " + nwid + " not " + status + " within " + seconds + " s: " + n + "\n" + node.process().dump());
    }

    @Test
    void aNodeJoinsIsAuthorisedAndDeauthorisedThroughTheControllerCli() throws Exception {
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1");
        Path rootset = DaemonFixture.rootSet(dir, root);
        DaemonFixture.Daemon ctl = DaemonFixture.start(dir, "controller", "ctl", "--rootset", rootset.toString());
        assertEquals("sqlite", PlanetaryProcess.field(ctl.ready(), "store"));
        String home = ctl.home().toString();
        PlanetaryProcess created = cli("controller", "network", "create", "--home", home, "--name", "lab", "--route", "10.147.17.0/24",
                "--pool", "10.147.17.1-10.147.17.254", "--rfc4193");
        assertEquals(0, created.exitCode(), created.err.text());
        String nwid = created.out.text().strip();
        assertTrue(nwid.matches(ctl.address() + "[0-9a-f]{6}"), nwid);

        DaemonFixture.Daemon node = DaemonFixture.start(dir, "node", "node1", "--rootset", rootset.toString());
        assertEquals(200, node.post("/network/" + nwid, "{}").status());
        awaitStatus(node, nwid, "ACCESS_DENIED", 30); // pending approval (§7.2)

        PlanetaryProcess members = cli("controller", "member", "list", "--home", home, nwid);
        assertTrue(members.out.text().startsWith(node.address() + " unauthorized"), members.out.text());
        PlanetaryProcess auth = cli("controller", "member", "authorize", "--home", home, nwid, node.address());
        assertEquals(0, auth.exitCode(), auth.err.text());
        JsonNode ok = awaitStatus(node, nwid, "OK", 30); // the controller pushes the config (§7.5)
        assertEquals("lab", ok.path("name").asText());
        assertTrue(ok.path("assignedAddresses").toString().contains("10.147.17.1/24"), ok.toString());
        // the node made a multicast replicator (§10.7): listed as the network's specialist
        PlanetaryProcess rep = cli("controller", "member", "authorize", "--home", home, nwid, node.address(), "--replicator");
        assertEquals(0, rep.exitCode(), rep.err.text());
        assertTrue(rep.out.text().startsWith(node.address() + " authorized replicator"), rep.out.text());
        PlanetaryProcess withSpecialist = cli("controller", "network", "show", "--home", home, nwid);
        assertTrue(withSpecialist.out.text().contains("\"multicastReplicator\" : true"), withSpecialist.out.text());

        PlanetaryProcess deauth = cli("controller", "member", "deauthorize", "--home", home, nwid, node.address());
        assertEquals(0, deauth.exitCode(), deauth.err.text());
        PlanetaryProcess bad = cli("controller", "network", "create", "--home", home, "--route", "nonsense");
        assertEquals(CliError.USAGE, bad.exitCode(), bad.err.text());
        assertTrue(bad.err.text().contains("routes[0].target"), bad.err.text());

        assertEquals(0, DaemonFixture.terminate(ctl), ctl.process().dump());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ctl.home().resolve("controller.db"))));
        PlanetaryProcess noController = cli("controller", "network", "list", "--home", home);
        assertEquals(CliError.FAILED, noController.exitCode());
        assertTrue(noController.err.text().contains("is 'planetary controller' running?"), noController.err.text());

        DaemonFixture.start(dir, "controller", "ctl", "--rootset", rootset.toString());
        assertEquals(List.of(nwid), cli("controller", "network", "list", "--home", home).out.lines);
        PlanetaryProcess show = cli("controller", "network", "show", "--home", home, nwid);
        assertTrue(show.out.text().contains("\"rfc4193\" : true"), show.out.text());
        assertTrue(cli("controller", "member", "list", "--home", home, nwid).out.text().startsWith(node.address() + " unauthorized"));
    }
}

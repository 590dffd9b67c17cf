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
 * a restart; refused fields exit 2 naming the field. Rules from a file and a tag set by the CLI
 * reach the member as a new config and credential within seconds (issue 17).
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

        // issue 17: rules from a file, a tag and a grant by CLI; the member takes the new config and credential in seconds
        long section = System.nanoTime();
        Path rules = dir.resolve("ssh-admins.json");
        Files.writeString(rules, """
                {"tags": [{"id": 1, "default": 0}],
                 "rules": [{"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6}, {"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22},
                           {"type": "MATCH_TAG_SENDER", "id": 1, "value": 1, "not": true}, {"type": "ACTION_DROP"}, {"type": "ACTION_ACCEPT"}],
                 "capabilities": [{"id": 3, "rules": [{"type": "MATCH_ETHERTYPE", "etherType": 2054}, {"type": "ACTION_ACCEPT"}]}]}""");
        PlanetaryProcess setRules = cli("controller", "network", "rules", "--home", home, nwid, "--file", rules.toString());
        assertEquals(0, setRules.exitCode(), setRules.err.text());
        assertTrue(setRules.out.text().contains("MATCH_TAG_SENDER"), setRules.out.text());
        Path badRules = dir.resolve("bad.json");
        Files.writeString(badRules, "[{\"type\": \"ACTION_ACCEPT\"}, {\"type\": \"ACTION_TEE\"}]");
        PlanetaryProcess refused = cli("controller", "network", "rules", "--home", home, nwid, "--file", badRules.toString());
        assertEquals(CliError.USAGE, refused.exitCode(), refused.err.text());
        assertTrue(refused.err.text().contains("rules[1].type"), refused.err.text());
        long revision = ok.path("credentialRevision").asLong();
        PlanetaryProcess tagged = cli("controller", "member", "set", "--home", home, nwid, node.address(), "--tag", "1=1", "--capability", "3");
        assertEquals(0, tagged.exitCode(), tagged.err.text());
        assertTrue(tagged.out.text().contains("tags [[1,1]] capabilities [3]"), tagged.out.text());
        long tagSet = System.nanoTime(), deadline = tagSet + TimeUnit.SECONDS.toNanos(10);
        while (node.get("/network/" + nwid).path("credentialRevision").asLong() <= revision && System.nanoTime() < deadline) Thread.sleep(50);
        System.out.printf("tag change: the member held its new credential %d ms after 'member set' returned; rules section %d ms%n",
                (System.nanoTime() - tagSet) / 1_000_000, (System.nanoTime() - section) / 1_000_000);
        assertTrue(node.get("/network/" + nwid).path("credentialRevision").asLong() > revision, "the new credential was pushed: "
                + node.get("/network/" + nwid));
        assertEquals("OK", node.get("/network/" + nwid).path("status").asText(), "the member accepted a config with rules and capabilities");

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

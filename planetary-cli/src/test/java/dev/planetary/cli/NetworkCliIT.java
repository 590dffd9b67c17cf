package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.cli.DaemonFixture.Daemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The zerotier-cli style verbs against a real node daemon (VL.md §7.2, §13.2): join, networks (text
 * and JSON), info, peers, a restart keeping the network, leave. The network's controller does not
 * exist, so the network stays REQUESTING_CONFIGURATION.
 */
class NetworkCliIT extends BlackBoxTest {
    private PlanetaryProcess cli(String... args) throws Exception {
        PlanetaryProcess p = PlanetaryProcess.run(dir, 60, args);
        assertEquals(0, p.exitCode(), String.join(" ", args) + ": " + p.err.text());
        return p;
    }

    @Test
    void joinListRestartLeave() throws Exception {
        Daemon r1 = DaemonFixture.start(dir, "root", "r1");
        Path set = DaemonFixture.rootSet(dir, r1);
        Daemon n = DaemonFixture.start(dir, "node", "n", "--rootset", set.toString());
        DaemonFixture.awaitEvent(n, 20, "online");
        String home = n.home().toString();
        String nwid = "c661bb1b8f000001";

        assertTrue(cli("join", "--home", home, "--token", "let-me-in", nwid).out.text().contains("200 join OK " + nwid + " REQUESTING_CONFIGURATION"));
        String line = cli("networks", "--home", home).out.text();
        assertTrue(line.contains("200 listnetworks " + nwid + " - "), line);
        assertTrue(line.contains(" REQUESTING_CONFIGURATION PRIVATE pt"), line);
        assertTrue(cli("networks", "--home", home, "--json").out.text().contains("\"nwid\":\"" + nwid + "\""));
        assertTrue(cli("info", "--home", home).out.text().startsWith("200 info " + n.address() + " "));
        assertTrue(cli("peers", "--home", home).out.text().contains("200 listpeers " + r1.address() + " "));
        Path pin = n.home().resolve("networks.d").resolve(nwid + ".pin");
        assertTrue(Files.exists(pin));
        assertFalse(Files.readString(pin).contains("let-me-in"), "the token is never written");
        PlanetaryProcess bad = PlanetaryProcess.run(dir, 60, "join", "--home", home, "123");
        assertEquals(2, bad.exitCode(), bad.err.text());

        assertEquals(0, DaemonFixture.terminate(n));
        Daemon again = DaemonFixture.start(dir, "node", "n", "--rootset", set.toString());
        assertEquals(nwid, again.get("/network").path(0).path("nwid").asText(), "rejoined after the restart");
        assertEquals("REQUESTING_CONFIGURATION", again.get("/network/" + nwid).path("status").asText());

        assertTrue(cli("leave", "--home", home, nwid).out.text().contains("200 leave OK"));
        assertEquals(0, again.get("/network").size());
        assertFalse(Files.exists(pin));
        PlanetaryProcess notJoined = PlanetaryProcess.run(dir, 60, "leave", "--home", home, nwid);
        assertEquals(1, notJoined.exitCode(), notJoined.err.text());
    }
}

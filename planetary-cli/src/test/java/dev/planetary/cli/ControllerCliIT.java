package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box: {@code planetary controller} and its client subcommands (VL.md §13.3, §14.2) as real processes. */
class ControllerCliIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void jar() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void cleanup() {
        PlanetaryProcess.killAll();
    }

    PlanetaryProcess startController(Path home) throws Exception {
        PlanetaryProcess p = PlanetaryProcess.start("controller", dir, List.of("controller", "--home", home.toString(), "--json", "--api-tcp",
                "--api-port", "0"));
        p.out.await(l -> l.contains("\"event\":\"ready\""), 90, "controller ready");
        return p;
    }

    PlanetaryProcess cli(String... args) throws Exception {
        return PlanetaryProcess.run(dir, 60, args);
    }

    @Test
    void networksAndMembersThroughTheCliSurviveARestart() throws Exception {
        Path home = dir.resolve("ctl");
        PlanetaryProcess ctl = startController(home);
        String ready = ctl.out.lines.getFirst();
        String address = PlanetaryProcess.field(ready, "address");
        assertEquals("sqlite", PlanetaryProcess.field(ready, "store"));
        PlanetaryProcess created = cli("controller", "network", "create", "--home", home.toString(), "--name", "lab", "--route", "10.147.17.0/24",
                "--pool", "10.147.17.1-10.147.17.254", "--rfc4193");
        assertEquals(0, created.exitCode(), created.err.text());
        String nwid = created.out.text().strip();
        assertTrue(nwid.matches(address + "[0-9a-f]{6}"), nwid);

        PlanetaryProcess auth = cli("controller", "member", "authorize", "--home", home.toString(), nwid, "0123456789");
        assertEquals(0, auth.exitCode(), auth.err.text());
        assertTrue(auth.out.text().startsWith("0123456789 authorized"), auth.out.text());
        PlanetaryProcess members = cli("controller", "member", "list", "--home", home.toString(), nwid);
        assertTrue(members.out.text().startsWith("0123456789 authorized"), members.out.text());
        PlanetaryProcess deauth = cli("controller", "member", "deauthorize", "--home", home.toString(), nwid, "0123456789");
        assertTrue(deauth.out.text().startsWith("0123456789 deauthorized revision 2"), deauth.out.text());

        PlanetaryProcess bad = cli("controller", "network", "create", "--home", home.toString(), "--route", "nonsense");
        assertEquals(CliError.USAGE, bad.exitCode(), bad.err.text());
        assertTrue(bad.err.text().contains("routes[0].target"), bad.err.text());

        ctl.stop();
        assertEquals(0, ctl.exitCode(), ctl.dump());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("controller.db"))));
        PlanetaryProcess noController = cli("controller", "network", "list", "--home", home.toString());
        assertEquals(CliError.FAILED, noController.exitCode());
        assertTrue(noController.err.text().contains("is 'planetary controller' running?"), noController.err.text());

        startController(home);
        PlanetaryProcess list = cli("controller", "network", "list", "--home", home.toString());
        assertEquals(List.of(nwid), list.out.lines);
        PlanetaryProcess show = cli("controller", "network", "show", "--home", home.toString(), nwid);
        assertTrue(show.out.text().contains("\"name\" : \"lab\""), show.out.text());
        assertTrue(show.out.text().contains("\"rfc4193\" : true"), show.out.text());
    }
}

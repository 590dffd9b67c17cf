package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Black-box: {@code scripts/install-service} and the systemd units of {@code packaging/systemd}
 * (README "Install as a service"). The machine's PID 1 is no systemd, so the units are checked with
 * {@code systemd-analyze verify} (syntax, directives, the executable they name) and the installed
 * launcher is run the way the unit runs it: a root daemon that stops on SIGTERM with exit 0.
 */
class PackagingIT extends BlackBoxTest {
    /** The repository: planetary-cli/target/planetary.jar → ../../.. */
    static Path repo() {
        return PlanetaryProcess.jar().toAbsolutePath().getParent().getParent().getParent();
    }

    static String run(Path cwd, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + text);
        return text;
    }

    @Test
    void theInstalledUnitsVerifyAndTheInstalledLauncherStopsCleanlyOnSigterm() throws Exception {
        Path prefix = dir.resolve("opt");
        Path units = dir.resolve("units");
        Path etc = dir.resolve("etc");
        Path rootset = Files.writeString(dir.resolve("rootset.txt"), "placeholder\n");
        String out = run(repo(), List.of("scripts/install-service", "--prefix", prefix.toString(), "--unit-dir", units.toString(),
                "--etc-dir", etc.toString(), "--rootset", rootset.toString(), "--no-systemctl", "node", "root", "controller"));
        assertTrue(out.contains("next: systemctl enable --now planetary-node planetary-root planetary-controller"), out);
        assertTrue(Files.isExecutable(prefix.resolve("bin/planetary")));
        assertTrue(Files.isRegularFile(prefix.resolve("docs/operations.md")));
        assertEquals("PLANETARY_ARGS=\"--rootset " + etc.resolve("planetary/rootset") + "\"",
                Files.readString(etc.resolve("default/planetary-node")).strip());

        // the units name the installed launcher and only the node gets a capability (CAP_NET_ADMIN, for its TAP)
        String node = Files.readString(units.resolve("planetary-node.service"));
        assertTrue(node.contains("ExecStart=" + prefix.resolve("bin/planetary") + " node --home /var/lib/planetary/node $PLANETARY_ARGS"), node);
        assertTrue(node.contains("\nCapabilityBoundingSet=CAP_NET_ADMIN\n") && node.contains("\nAmbientCapabilities=CAP_NET_ADMIN\n"), node);
        for (String role : List.of("root", "controller")) {
            String unit = Files.readString(units.resolve("planetary-" + role + ".service"));
            assertTrue(unit.contains("\nCapabilityBoundingSet=\n"), role + " must drop every capability:\n" + unit);
            assertFalse(unit.contains("AmbientCapabilities"), unit);
            assertTrue(unit.contains("StateDirectory=planetary/" + role + "\n") && unit.contains("Restart=on-failure\n"), unit);
        }
        List<String> verify = new ArrayList<>(List.of("systemd-analyze", "verify"));
        try (var s = Files.list(units)) {
            s.sorted().forEach(u -> verify.add(u.toString()));
        }
        String verified = run(dir, verify);
        assertFalse(verified.contains("planetary"), "systemd-analyze verify complained:\n" + verified);

        // what the root unit runs: ExecStart, then SIGTERM (systemctl stop) → exit 0, the unit's success
        Process root = new ProcessBuilder(prefix.resolve("bin/planetary").toString(), "root", "--home", dir.resolve("root").toString(),
                "--port", "0", "--json").redirectErrorStream(true).start();
        root.getOutputStream().close();
        var lines = new PlanetaryProcess.Lines(root.getInputStream());
        String ready = lines.await(l -> l.startsWith("{\"event\":\"ready\""), 60, "the ready line");
        assertTrue(ready.contains("\"address\""), ready);
        root.toHandle().destroy(); // SIGTERM
        assertTrue(root.waitFor(20, TimeUnit.SECONDS), "the root did not stop on SIGTERM");
        assertEquals(0, root.exitValue(), lines.text());
    }
}

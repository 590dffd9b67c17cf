package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rootless mode (VL.md §12.6) as an unprivileged user: a root and a controller on the host's
 * loopback, {@code planetary node --rootless} as {@code nobody} (CI is root: the test drops to it
 * with setpriv) reaches the root through slirp4netns (the host is 10.0.2.2 from the namespace),
 * joins a network, and {@code planetary exec -- ip -br link} shows its TAP inside the namespace
 * (and the host has none). SIGTERM stops it with exit 0 and removes {@code rootless.pid}.
 * A kernel without unprivileged user namespaces, a missing tool or a /dev/net/tun that is not
 * 0666 fails the test with the reason; {@code -Dplanetary.rootless=skip} skips it explicitly.
 */
class RootlessIT extends BlackBoxTest {
    private static final Pattern TAP = Pattern.compile("(?m)^(pt[0-9a-z]+)\\s");

    private Path home;

    @BeforeAll
    static void rootlessHost() {
        Assumptions.assumeFalse("skip".equals(System.getProperty("planetary.rootless")), "-Dplanetary.rootless=skip");
        List<String> problems = Rootless.problems(Rootless.Host.current());
        if (!problems.isEmpty()) fail("rootless mode cannot run on this host (-Dplanetary.rootless=skip to skip): " + String.join("; ", problems));
    }

    @AfterEach
    void killHolder() throws Exception {
        if (home != null && Files.exists(home.resolve(Rootless.PID_FILE))) { // the parent died by SIGKILL: the node too
            long pid = Long.parseLong(Files.readString(home.resolve(Rootless.PID_FILE)).strip());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** As root, {@code setpriv} to nobody; an unprivileged developer runs it as themselves. */
    private static List<String> unprivileged() {
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--") : List.of();
    }

    @Test
    void anUnprivilegedNodeRunsInItsNamespaceAndExecSeesItsTap() throws Exception {
        // a directory that nobody may write, with a copy of the jar that it may read
        Path ns = Files.createDirectory(dir.resolve("ns"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(ns, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path jar = Files.copy(PlanetaryProcess.jar(), ns.resolve("planetary.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        home = ns.resolve("node");

        PlanetaryProcess none = exec(ns, jar, "true");
        assertEquals(1, none.exitCode(), none.err.text());
        assertTrue(none.err.text().contains("no rootless node runs with the home"), none.err.text());

        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1");
        Path hostSet = DaemonFixture.rootSet(dir, root);
        // the same root as the namespace sees it: slirp4netns' gateway is the host's loopback
        Path nsSet = DaemonFixture.rootSet(dir, "it", 1, "ns/ns.rootset",
                List.of(root.home().resolve("identity.public") + "@10.0.2.2/" + root.port()));
        Files.setPosixFilePermissions(nsSet, PosixFilePermissions.fromString("rw-r--r--"));
        DaemonFixture.Daemon ctl = DaemonFixture.start(dir, "controller", "ctl", "--rootset", hostSet.toString());
        PlanetaryProcess created = PlanetaryProcess.run(dir, 60, "controller", "network", "create", "--home", ctl.home().toString(),
                "--name", "lab", "--route", "10.147.17.0/24", "--pool", "10.147.17.1-10.147.17.254");
        assertEquals(0, created.exitCode(), created.err.text());
        String nwid = created.out.text().strip();

        PlanetaryProcess p = PlanetaryProcess.start("rootless", ns, unprivileged(), jar,
                List.of("node", "--rootless", "--home", home.toString(), "--port", "0", "--json", "--rootset", nsSet.toString()));
        DaemonFixture.Daemon node = DaemonFixture.ready(p, home);
        assertEquals("tap", PlanetaryProcess.field(node.ready(), "nic"));
        assertTrue(Files.isRegularFile(home.resolve(Rootless.PID_FILE)), "no " + Rootless.PID_FILE);
        awaitOnline(node);
        PlanetaryProcess second = PlanetaryProcess.run(ns, 60, unprivileged(), jar, "node", "--rootless", "--home", home.toString(), "--rootset", nsSet.toString());
        assertEquals(1, second.exitCode(), second.err.text());
        assertTrue(second.err.text().contains("a rootless node already runs with the home"), second.err.text());
        assertTrue(Files.isRegularFile(home.resolve(Rootless.PID_FILE)), "the refused second node removed " + Rootless.PID_FILE);

        assertEquals(200, node.post("/network/" + nwid, "{}").status());
        ControllerCliIT.awaitStatus(node, nwid, "ACCESS_DENIED", 30);
        var auth = ctl.post("/controller/network/" + nwid + "/member/" + node.address(), "{\"authorized\": true}");
        assertEquals(200, auth.status(), auth.body());
        ControllerCliIT.awaitStatus(node, nwid, "OK", 30);

        PlanetaryProcess links = exec(ns, jar, "ip", "-br", "link");
        assertEquals(0, links.exitCode(), links.err.text() + node.process().dump());
        assertTrue(links.out.text().contains(Rootless.UPLINK), links.out.text());
        Matcher tap = TAP.matcher(links.out.text());
        assertTrue(tap.find(), "no pt… TAP in the namespace:\n" + links.out.text() + node.process().dump());
        assertFalse(Files.exists(Path.of("/sys/class/net", tap.group(1))), tap.group(1) + " is on the host, not only in the namespace");
        PlanetaryProcess failing = exec(ns, jar, "sh", "-c", "exit 7");
        assertEquals(7, failing.exitCode(), failing.err.text());

        long holder = Long.parseLong(Files.readString(home.resolve(Rootless.PID_FILE)).strip());
        assertEquals(0, DaemonFixture.terminate(node), node.process().dump());
        assertFalse(Files.exists(home.resolve(Rootless.PID_FILE)), Rootless.PID_FILE + " left behind");
        Optional<ProcessHandle> left = ProcessHandle.of(holder);
        assertTrue(left.isEmpty() || left.get().onExit().get(10, TimeUnit.SECONDS) != null, "the node in the namespace outlived its parent");
    }

    /** {@code planetary exec --home HOME -- COMMAND…} as the unprivileged user, to completion (bounded). */
    private PlanetaryProcess exec(Path ns, Path jar, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", "--home", home.toString(), "--"));
        args.addAll(List.of(command));
        return PlanetaryProcess.run(ns, 60, unprivileged(), jar, args.toArray(String[]::new));
    }

    private static void awaitOnline(DaemonFixture.Daemon node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!node.online()) {
            if (System.nanoTime() > deadline) fail("the rootless node is not online with its root over slirp4netns within 30 s\n" + node.process().dump());
            Thread.sleep(200);
        }
    }
}

package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rootless mode's checks and plumbing (VL.md §12.6) on files of the test's own; RootlessIT runs it for real. */
class RootlessTest {
    @TempDir
    Path dir;

    private Rootless.Host host(String... tools) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String t : tools) {
            Path f = Files.writeString(bin.resolve(t), "#!/bin/sh\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(dir.resolve("sys/kernel"));
        Files.createDirectories(dir.resolve("sys/user"));
        Path tun = dir.resolve("tun");
        if (!Files.exists(tun)) Files.createFile(tun);
        Files.setPosixFilePermissions(tun, PosixFilePermissions.fromString("rw-rw-rw-")); // not masked by the umask
        return new Rootless.Host(dir.resolve("sys"), tun, bin.toString());
    }

    @Test
    void aHostWithTheToolsUserNamespacesAndAnOpenTunHasNoProblems() throws Exception {
        assertEquals(List.of(), Rootless.problems(host("unshare", "setpriv", "slirp4netns")));
    }

    @Test
    void eachMissingToolIsNamedWithItsDebianPackage() throws Exception {
        List<String> problems = Rootless.problems(host("setpriv"));
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("'unshare' is not installed (Debian package util-linux"), problems.get(0));
        assertTrue(problems.get(1).contains("'slirp4netns' is not installed (Debian package slirp4netns"), problems.get(1));
    }

    @Test
    void disabledUserNamespacesAreReportedWithTheSysctlThatEnablesThem() throws Exception {
        Rootless.Host h = host("unshare", "setpriv", "slirp4netns");
        Files.writeString(dir.resolve("sys/kernel/unprivileged_userns_clone"), "0\n");
        Files.writeString(dir.resolve("sys/user/max_user_namespaces"), "0\n");
        Files.writeString(dir.resolve("sys/kernel/apparmor_restrict_unprivileged_userns"), "1\n");
        List<String> problems = Rootless.problems(h);
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("sysctl -w kernel.unprivileged_userns_clone=1"), problems.get(0));
        assertTrue(problems.get(1).contains("user.max_user_namespaces = 0"), problems.get(1));
        assertTrue(problems.get(2).contains("AppArmor"), problems.get(2));
        Files.writeString(dir.resolve("sys/kernel/unprivileged_userns_clone"), "1\n");
        Files.writeString(dir.resolve("sys/user/max_user_namespaces"), "15000\n");
        Files.writeString(dir.resolve("sys/kernel/apparmor_restrict_unprivileged_userns"), "0\n");
        assertEquals(List.of(), Rootless.problems(h));
    }

    @Test
    void aTunDeviceThatIsNot0666OrMissingIsAProblemNamingTheFix() throws Exception {
        Rootless.Host h = host("unshare", "setpriv", "slirp4netns");
        Files.setPosixFilePermissions(h.tun(), PosixFilePermissions.fromString("rw-------"));
        List<String> problems = Rootless.problems(h);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("chmod 0666"), problems.get(0));
        assertTrue(Rootless.tunProblem(dir.resolve("no-such-tun")).orElseThrow().contains("modprobe tun"));
    }

    @Test
    void theRelaunchKeepsTheJvmArgumentsAndReplacesTheCommandsOwn() {
        List<String> jvm = List.of("-Xmx96m", "--enable-native-access=ALL-UNNAMED", "-jar", "/x/planetary.jar");
        List<String> original = List.of("node", "--rootless", "--home", "h");
        List<String> process = new java.util.ArrayList<>(jvm);
        process.addAll(original);
        List<String> child = List.of("node", "--home", "h", "--rootless-inside", "--nic", "tap");
        List<String> cmd = Rootless.relaunch("/jdk/bin/java", process, original, child);
        assertEquals("/jdk/bin/java", cmd.get(0));
        assertEquals(jvm, cmd.subList(1, 5));
        assertEquals(child, cmd.subList(5, cmd.size()));
        CliError e = assertThrows(CliError.class, () -> Rootless.relaunch("/jdk/bin/java", List.of("-jar", "x", "node"), original, child));
        assertTrue(e.getMessage().contains("--rootless"), e.getMessage());
    }

    @Test
    void theUplinkIsThereOnceTheRoutingTableHasADefaultRoute() throws Exception {
        Path route = dir.resolve("route");
        String header = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";
        Files.writeString(route, header);
        assertFalse(Rootless.hasDefaultRoute(route));
        Files.writeString(route, header + "tap0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n");
        assertFalse(Rootless.hasDefaultRoute(route));
        Files.writeString(route, header + "tap0\t00000000\t0202000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        assertTrue(Rootless.hasDefaultRoute(route));
        assertFalse(Rootless.hasDefaultRoute(dir.resolve("absent")));
    }

    @Test
    void execWithoutARootlessNodeSaysHowToStartOne() {
        CliError e = assertThrows(CliError.class, () -> Rootless.holder(dir));
        assertTrue(e.getMessage().contains("planetary node --rootless --home " + dir), e.getMessage());
    }

    @Test
    void aStalePidFileIsNotTakenForTheNamespace() throws Exception {
        Files.writeString(dir.resolve(Rootless.PID_FILE), ProcessHandle.current().pid() + "\n"); // same user namespace: not a holder
        CliError e = assertThrows(CliError.class, () -> Rootless.holder(dir));
        assertTrue(e.getMessage().contains("is not running"), e.getMessage());
        assertFalse(Rootless.running(dir)); // a new rootless node may take the home over
        Files.writeString(dir.resolve(Rootless.PID_FILE), "garbage\n");
        assertTrue(assertThrows(CliError.class, () -> Rootless.holder(dir)).getMessage().contains("does not hold a process id"));
    }
}

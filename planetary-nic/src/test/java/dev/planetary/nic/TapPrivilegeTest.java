package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * VL.md §12.6 from the outside: a process without CAP_NET_ADMIN is told what to do, and a rootless
 * process (a new user + network namespace) may create a TAP. Each case runs {@link TapProbe} in a
 * JVM of its own. Needs root to set up; fails without it unless {@code -Dplanetary.tap=skip}.
 */
class TapPrivilegeTest {
    @BeforeEach
    void privileges() {
        TestNamespaces.requireTapPrivileges();
    }

    private static List<String> java(String nsArg) throws Exception {
        String classes = Path.of(Tap.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String tests = Path.of(TapProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes + ":" + tests, TapProbe.class.getName(), nsArg);
    }

    @Test
    void withoutNetAdminTheErrorNamesTheFix() throws Exception {
        try (TestNamespaces.Ns ns = TestNamespaces.create()) {
            // root, but CAP_NET_ADMIN removed from the bounding set: exec leaves it out of every set
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"));
            cmd.addAll(java(ns.name()));
            String out = LinkConfigurator.run(cmd);
            assertTrue(out.startsWith("FAIL "), out);
            assertTrue(out.contains("needs CAP_NET_ADMIN: run as root, or grant the service"), out);
        }
    }

    @Test
    void rootlessUserAndNetworkNamespaceMayCreateATap() throws Exception {
        // §12.6 rootless mode: unshare --user --map-root-user --net, then the TAP is created there
        List<String> cmd = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "--net"));
        cmd.addAll(java("-"));
        String out = LinkConfigurator.run(cmd);
        assertTrue(out.equals("OK plt-nic-probe"), out);
    }
}

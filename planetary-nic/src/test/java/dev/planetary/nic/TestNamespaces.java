package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Small network namespaces for the real-TAP tests, named {@code plt-nic-<hex>}: each is removed by
 * {@link Ns#close} and, should the JVM die first, by a shutdown hook. Tests needing root do not skip
 * silently: without root or /dev/net/tun they fail, unless {@code -Dplanetary.tap=skip} is set.
 */
final class TestNamespaces {
    static final String PREFIX = "plt-nic-";
    private static final Set<String> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(TestNamespaces::delete)));
    }

    private TestNamespaces() {
    }

    /** Aborts on an explicit {@code -Dplanetary.tap=skip}; otherwise fails with what is missing. */
    static void requireTapPrivileges() {
        if ("skip".equals(System.getProperty("planetary.tap"))) {
            Assumptions.abort("real-TAP tests skipped on request (-Dplanetary.tap=skip)");
        }
        String how = " — run the tests as root on Linux with the tun driver (CI does), or pass -Dplanetary.tap=skip to skip them explicitly";
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            fail("/dev/net/tun is missing (modprobe tun; in a container --device /dev/net/tun)" + how);
        }
        Object uid;
        try {
            uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (Exception e) {
            uid = "unknown (" + e + ")";
        }
        if (!Integer.valueOf(0).equals(uid)) {
            fail("the real-TAP tests need root (CAP_NET_ADMIN for the TAP, CAP_SYS_ADMIN for namespaces); uid is " + uid + how);
        }
        try {
            LinkConfigurator.run(List.of("ip", "-V"));
        } catch (NicException e) {
            fail("iproute2 is missing (apt-get install iproute2)" + how);
        }
    }

    /** A fresh namespace with loopback up. */
    static Ns create() {
        return create(PREFIX);
    }

    /** A fresh namespace named {@code prefix<hex>} with loopback up (the bridging test's are {@code pbr-}, cleaned by .ci/run too). */
    static Ns create(String prefix) {
        String name = prefix + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        LIVE.add(name);
        LinkConfigurator.run(List.of("ip", "netns", "add", name));
        LinkConfigurator.run(List.of("ip", "-n", name, "link", "set", "lo", "up"));
        return new Ns(name);
    }

    static void delete(String name) {
        try {
            LinkConfigurator.run(List.of("ip", "netns", "del", name));
        } catch (NicException e) {
            // already gone
        }
        LIVE.remove(name);
    }

    record Ns(String name) implements AutoCloseable {
        /** Runs a command inside the namespace; returns its output, throws NicException on a non-zero exit. */
        String exec(String... cmd) {
            List<String> full = new java.util.ArrayList<>(List.of("ip", "netns", "exec", name));
            full.addAll(List.of(cmd));
            return LinkConfigurator.run(full);
        }

        @Override
        public void close() {
            delete(name);
        }
    }
}

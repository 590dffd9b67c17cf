package dev.planetary.nic;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures a TAP in the order of VL.md §12.3, all through FFM: MAC, MTU and IFF_UP by ioctls,
 * addresses and routes by rtnetlink (the requests {@code ip addr replace} / {@code ip route replace}
 * send), the IPv6 sysctls through {@code /proc/sys} in the device's namespace (named here when it is
 * not the JVM's). {@link #ip} runs the reference command for checks and for what is not built in.
 */
public final class LinkConfigurator {
    /** A route of the config (§12.3 step 6): {@code via} may be null. */
    public record Route(InetAddress target, int prefix, InetAddress via, int metric) {
    }

    private final String netns;

    /** {@code netns} null: the JVM's own namespace. */
    public LinkConfigurator(String netns) {
        if (netns != null) {
            NetworkNamespace.path(netns);
        }
        this.netns = netns;
    }

    /** §12.3 steps 1–6 in order. Policy filtering of routes (allowManaged/Global/Default) is the caller's. */
    public void apply(Tap tap, MacAddress mac, int mtu, List<IpAssignment> addresses, List<Route> routes) {
        tap.setMac(mac);                                                  // 1
        tap.setMtu(mtu);                                                  // 2
        ipv6Sysctls(tap.name());                                          // 3
        tap.setUp(true);                                                  // 4
        for (IpAssignment a : addresses) {                                // 5
            tap.replaceAddress(a);
        }
        for (Route r : routes) {                                          // 6
            tap.replaceRoute(r.target(), r.prefix(), r.via(), r.metric());
        }
    }

    /**
     * §12.3 step 3: {@code addr_gen_mode=0} (EUI-64 link-local from the derived MAC, §9.5),
     * {@code accept_ra=0}, {@code autoconf=0}, written to {@code /proc/sys} from a thread in the
     * device's namespace ({@code /proc/sys/net} shows the namespace of the thread that opens it).
     */
    void ipv6Sysctls(String dev) {
        java.util.concurrent.Callable<Void> write = () -> {
            Path conf = Path.of("/proc/sys/net/ipv6/conf", dev);
            if (!Files.isDirectory(conf)) {
                return null; // IPv6 disabled in this kernel or namespace: nothing to configure
            }
            for (String[] kv : new String[][] {{"addr_gen_mode", "0"}, {"accept_ra", "0"}, {"autoconf", "0"}}) {
                try {
                    Files.writeString(conf.resolve(kv[0]), kv[1]);
                } catch (IOException e) {
                    throw new NicException("cannot set net.ipv6.conf." + dev + "." + kv[0] + ": " + e.getMessage()
                            + "; " + Tap.PRIVILEGE_HINT, e);
                }
            }
            return null;
        };
        try {
            if (netns == null) {
                write.call();
            } else {
                NetworkNamespace.callIn(netns, write);
            }
        } catch (NicException e) {
            throw e;
        } catch (Exception e) {
            throw new NicException("cannot configure IPv6 on " + dev + ": " + e, e);
        }
    }

    /** Runs {@code ip [-n netns] args…}; a non-zero exit is a {@link NicException} carrying ip's message. */
    public void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        if (netns != null) {
            cmd.addAll(List.of("-n", netns));
        }
        cmd.addAll(List.of(args));
        run(cmd);
    }

    static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out;
            try (var in = p.getInputStream()) {
                out = in.readNBytes(1 << 20); // bounded: the rest is discarded
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NicException("`" + String.join(" ", cmd) + "` did not finish within 30 s", 0);
            }
            String text = new String(out, StandardCharsets.UTF_8).replaceAll("[^\\x20-\\x7e\\n\\t]", "?").strip();
            if (p.exitValue() != 0) {
                throw new NicException("`" + String.join(" ", cmd) + "` failed (exit " + p.exitValue() + "): " + text, 0);
            }
            return text;
        } catch (IOException e) {
            throw new NicException("cannot run `" + String.join(" ", cmd) + "` (is iproute2 installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NicException("interrupted running `" + String.join(" ", cmd) + "`", e);
        }
    }
}

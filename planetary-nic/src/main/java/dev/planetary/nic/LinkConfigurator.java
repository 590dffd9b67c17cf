package dev.planetary.nic;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures a TAP in the order of VL.md §12.3. MAC, MTU and IFF_UP go through ioctls on the Tap
 * (FFM); the IPv6 sysctls, addresses and routes through the reference commands ({@code sysctl},
 * {@code ip addr replace}, {@code ip route replace}) — rtnetlink through FFM is left for later
 * (docs/nic.md). With a namespace name, the commands run there ({@code ip -n}, {@code ip netns exec}).
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
        String conf = "net.ipv6.conf." + tap.name() + ".";
        sysctl(conf + "addr_gen_mode=0", conf + "accept_ra=0", conf + "autoconf=0"); // 3
        tap.setUp(true);                                                  // 4
        for (IpAssignment a : addresses) {                                // 5
            if (a.address() instanceof Inet4Address) {
                ip("addr", "replace", a.toString(), "broadcast", "+", "dev", tap.name());
            } else {
                ip("-6", "addr", "replace", a.toString(), "dev", tap.name(), "nodad");
            }
        }
        for (Route r : routes) {                                          // 6
            List<String> cmd = new ArrayList<>(List.of("route", "replace",
                    r.target().getHostAddress() + "/" + r.prefix()));
            if (r.via() != null) {
                cmd.addAll(List.of("via", r.via().getHostAddress()));
            }
            cmd.addAll(List.of("dev", tap.name(), "metric", Integer.toString(r.metric())));
            ip(cmd.toArray(String[]::new));
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

    private void sysctl(String... settings) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) {
            cmd.addAll(List.of("ip", "netns", "exec", netns));
        }
        cmd.addAll(List.of("sysctl", "-q", "-w"));
        cmd.addAll(List.of(settings));
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

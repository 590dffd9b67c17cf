package dev.planetary.cli;

import dev.planetary.daemon.Daemon;
import dev.planetary.daemon.DaemonConfig;
import dev.planetary.daemon.EngineContext.Role;
import dev.planetary.daemon.EventSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planetary root} and {@code planetary node}: the daemons (VL.md §16.2). Everything but the
 * command line lives in planetary-daemon; this class reads the flags, sets up logging, starts the
 * {@link Daemon} and waits for SIGTERM or SIGINT, on which it stops cleanly and exits 0.
 */
abstract class DaemonCommand implements Callable<Integer> {
    @Option(names = "--home", paramLabel = "DIR", defaultValue = "/var/lib/planetary",
            description = "Home directory (created 0700; default ${DEFAULT-VALUE}).")
    Path home;
    @Option(names = "--rootset", paramLabel = "FILE", description = "A root set file that replaces the embedded default set.")
    Path rootset;
    @Option(names = "--port", paramLabel = "N", description = "UDP port (0: any free port; default: planetary.json, else 9993).")
    Integer port;
    @Option(names = "--json", description = "Events as one JSON object per line on stdout (the first is 'ready').")
    boolean json;
    @Option(names = "--log-level", paramLabel = "LEVEL", description = "off, error, warn, info, debug or trace (default: planetary.json, else info).")
    String logLevel;
    @Option(names = "--log-file", paramLabel = "FILE", description = "Log to FILE instead of standard error.")
    Path logFile;
    @Option(names = "--api-socket", paramLabel = "PATH", description = "The API's Unix-domain socket (default: planetary.json, else <home>/planetary.sock).")
    Path apiSocket;
    @Option(names = "--api-tcp", description = "Also serve the API on 127.0.0.1 with the token of authtoken.secret.")
    boolean apiTcp;
    @Option(names = "--api-port", paramLabel = "N", description = "Port of the TCP API (0: any free port; default 9993).")
    Integer apiPort;
    @Option(names = "--debug-block-direct", hidden = true, description = "Tests: drop datagrams to and from everyone but the roots (forces RELAY).")
    boolean debugBlockDirect;

    abstract Role role();

    /** A node's NIC mode (§12.1, §12.7); null for the other roles. */
    dev.planetary.nic.NicMode nic() {
        return null;
    }

    /** The controller's PostgreSQL JDBC URL ({@code planetary controller --postgres}), null for SQLite and the other roles. */
    String controllerPostgres() {
        return null;
    }

    @Override
    public Integer call() throws Exception {
        if (port != null && (port < 0 || port > 65535)) throw new CliError(CliError.USAGE, "--port must be 0..65535");
        if (apiPort != null && (apiPort < 0 || apiPort > 65535)) throw new CliError(CliError.USAGE, "--api-port must be 0..65535");
        DaemonConfig config;
        try {
            config = Files.isDirectory(home) ? DaemonConfig.load(home) : DaemonConfig.defaults();
            if (logLevel != null) DaemonConfig.logLevel(logLevel, "--log-level");
        } catch (DaemonConfig.ConfigException e) {
            throw new CliError(CliError.USAGE, e.getMessage());
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot read " + home.resolve(DaemonConfig.FILE) + ": " + KeyFiles.describe(e));
        }
        configureLogging(logLevel != null ? logLevel : config.logLevel(), logFile != null ? logFile : config.logFile());
        for (String w : config.warnings()) System.err.println("planetary: warning: " + w);
        EventSink events = new EventSink(System.out, json);
        // handlers first: a SIGTERM during the start stops the daemon once it is up, still with exit 0
        CountDownLatch stop = new CountDownLatch(1);
        onSignal("TERM", stop);
        onSignal("INT", stop);
        Daemon daemon;
        try {
            daemon = Daemon.start(new Daemon.Options(role(), home, rootset, port, apiTcp, apiPort, apiSocket, debugBlockDirect, Main.version(),
                    controllerPostgres(), nic()), config, events);
        } catch (Daemon.StartException e) {
            throw new CliError(e.exitCode, e.getMessage());
        }
        stop.await();
        events.emit("stopping", Map.of("reason", "signal"));
        daemon.close();
        return 0;
    }

    /** SIGTERM/SIGINT end the wait (exit 0 after a clean stop) instead of the JVM's exit 143. */
    static void onSignal(String name, CountDownLatch stop) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // not on this platform: the JVM's default handling stays
        }
    }

    /** slf4j-simple reads its settings once, at the first logger: set them before the daemon classes log. */
    private static void configureLogging(String level, Path file) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        if (file != null) {
            try {
                Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new CliError(CliError.USAGE, "cannot write the log file " + file + ": " + KeyFiles.describe(e));
            }
            System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        }
    }

    @Command(name = "root", mixinStandardHelpOptions = true,
            description = {"Runs a root (VL.md §4.4): answers WHOIS, relays between nodes, serves the local API.",
                    "Prints events (with --json: one JSON object per line, 'ready' first). SIGTERM stops it (exit 0)."})
    static final class Root extends DaemonCommand {
        @Override
        Role role() {
            return Role.ROOT;
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true,
            description = {"Runs a node (VL.md §4.3): sessions with its roots and peers, its networks' NICs, and the local API.",
                    "Needs roots: --rootset FILE, or sets in <home>/roots.d (the embedded default set is empty for now).",
                    "Prints events (with --json: one JSON object per line, 'ready' first). SIGTERM stops it (exit 0)."})
    static final class Node extends DaemonCommand {
        @Option(names = "--nic", paramLabel = "MODE", description = {"tap: a Linux TAP device per joined network (needs /dev/net/tun and CAP_NET_ADMIN);",
                "userspace: an in-process NIC (ARP, ICMP, UDP, NDP; no kernel interface; 'planetary ping-vl2' pings through it).",
                "Default: tap. A node that may not create TAPs still runs (VL1 works): it warns at start and its networks report PORT_ERROR (VL.md §7.2) until it may."})
        String nicFlag;
        @Option(names = "--rootless", description = {"Runs the node in a new user + network namespace (VL.md §12.6; needs unshare, slirp4netns and /dev/net/tun mode 0666)",
                "where it may create TAPs without root; slirp4netns gives it outside connectivity. 'planetary exec -- COMMAND' runs applications in it."})
        boolean rootless;
        @Option(names = "--rootless-inside", hidden = true, description = "Set by --rootless for the node it starts in the namespace: wait for the uplink first.")
        boolean rootlessInside;
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        Role role() {
            return Role.NODE;
        }

        @Override
        public Integer call() throws Exception {
            if (rootless && rootlessInside) throw new CliError(CliError.USAGE, "--rootless-inside is set by --rootless for the node in the namespace");
            if (rootless) {
                java.util.List<String> original = spec.root().commandLine().getParseResult().originalArgs();
                java.util.List<String> child = new java.util.ArrayList<>(original);
                child.removeIf("--rootless"::equals);
                child.add("--rootless-inside");
                if (nicFlag == null) child.addAll(java.util.List.of("--nic", "tap")); // what the namespace is for
                return Rootless.runNode(home, original, child);
            }
            if (rootlessInside) Rootless.awaitUplink(home);
            return super.call();
        }

        @Override
        dev.planetary.nic.NicMode nic() {
            try {
                if (nicFlag != null) return dev.planetary.nic.NicMode.parse(nicFlag);
                try {
                    return dev.planetary.nic.NicMode.detect();
                } catch (dev.planetary.nic.NicException e) {
                    // §7.2: TAP creation failing is a network's PORT_ERROR (retried every 60 s), not the node's end
                    System.err.println("planetary: warning: " + e.getMessage() + "; joined networks will be in PORT_ERROR until then");
                    return dev.planetary.nic.NicMode.TAP;
                }
            } catch (IllegalArgumentException e) {
                throw new CliError(CliError.USAGE, e.getMessage());
            } catch (dev.planetary.nic.NicException e) {
                throw new CliError(CliError.FAILED, e.getMessage());
            }
        }
    }
}

package dev.planetary.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Rootless mode (VL.md §12.6): {@code planetary node --rootless} runs the node in a new user +
 * network namespace where it may create TAPs, and {@code planetary exec} runs commands in it.
 *
 * <p>The namespace is made by re-executing the JVM through {@code unshare --user --map-root-user
 * --net}: unshare(2) with {@code CLONE_NEWUSER} fails in a multi-threaded process, and a JVM has a
 * dozen threads before {@code main} runs, so an FFM call from inside it cannot work. unshare(1)
 * execs the JVM in place, so the child's pid is the namespace holder that {@code rootless.pid}
 * names. {@code slirp4netns} then gives the namespace a {@code tap0} with a NAT'd default route
 * (the host is 10.0.2.2, its loopback included), which the node waits for before starting.
 */
final class Rootless {
    /** The namespace holder's pid, in the node's home (read by {@code planetary exec}). */
    static final String PID_FILE = "rootless.pid";
    /** slirp4netns' own output (it is chatty on stdout, which carries the node's events). */
    static final String SLIRP_LOG = "slirp4netns.log";
    /** The namespace's uplink device that slirp4netns creates. */
    static final String UPLINK = "tap0";
    /** slirp4netns' largest MTU: fewer, larger segments through its userspace TCP/IP stack. */
    static final int SLIRP_MTU = 65520;
    /** How long the node in the namespace waits for slirp4netns' default route. */
    static final long UPLINK_WAIT_MILLIS = 15_000;

    private Rootless() {}

    /** A tool rootless mode runs, with the Debian package that ships it. */
    record Tool(String command, String debianPackage) {}

    static final Tool UNSHARE = new Tool("unshare", "util-linux");
    static final Tool NSENTER = new Tool("nsenter", "util-linux");
    static final Tool SETPRIV = new Tool("setpriv", "util-linux");
    static final Tool SLIRP4NETNS = new Tool("slirp4netns", "slirp4netns");

    /** Where the checks look (a test points them at files of its own). */
    record Host(Path procSys, Path tun, String path) {
        static Host current() {
            return new Host(Path.of("/proc/sys"), Path.of("/dev/net/tun"), Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin"));
        }

        /** The executable {@code command} on PATH, or null. */
        Path which(String command) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, command);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            }
            return null;
        }
    }

    /** The reasons this host cannot run a rootless node (empty: it can), each naming the fix. */
    static List<String> problems(Host host) {
        List<String> problems = new ArrayList<>();
        for (Tool t : List.of(UNSHARE, SETPRIV, SLIRP4NETNS)) {
            if (host.which(t.command()) == null) {
                problems.add("'" + t.command() + "' is not installed (Debian package " + t.debianPackage() + ": apt-get install " + t.debianPackage() + ")");
            }
        }
        problems.addAll(userNamespaceProblems(host.procSys()));
        tunProblem(host.tun()).ifPresent(problems::add);
        return problems;
    }

    /** Kernel switches that forbid unprivileged user namespaces (Debian's, upstream's, Ubuntu's AppArmor one). */
    static List<String> userNamespaceProblems(Path procSys) {
        List<String> problems = new ArrayList<>();
        if ("0".equals(sysctl(procSys, "kernel/unprivileged_userns_clone"))) {
            problems.add("unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0): as root, sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if ("0".equals(sysctl(procSys, "user/max_user_namespaces"))) {
            problems.add("user namespaces are disabled (user.max_user_namespaces = 0): as root, sysctl -w user.max_user_namespaces=15000");
        }
        if ("1".equals(sysctl(procSys, "kernel/apparmor_restrict_unprivileged_userns"))) {
            problems.add("AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1): "
                    + "as root, sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or run the node as root");
        }
        return problems;
    }

    /** A TAP in a user namespace is opened with the caller's real uid: /dev/net/tun must be mode 0666 (§12.6). */
    static Optional<String> tunProblem(Path tun) {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(tun, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of(tun + " is missing (the tun module is not loaded): as root, modprobe tun");
        }
        if (mode.contains(PosixFilePermission.OTHERS_READ) && mode.contains(PosixFilePermission.OTHERS_WRITE)) return Optional.empty();
        return Optional.of(tun + " is mode " + PosixFilePermissions.toString(mode) + ", not rw-rw-rw- (0666, the Debian default), so no TAP can be "
                + "opened in a user namespace: as root, chmod 0666 " + tun + ", or run the node as root instead of --rootless");
    }

    private static String sysctl(Path procSys, String name) {
        try {
            return Files.readString(procSys.resolve(name), StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            return null; // absent on this kernel: not a switch that can forbid anything
        }
    }

    /**
     * The command that re-runs this JVM with {@code childArgs} instead of {@code originalArgs}:
     * the JVM's own arguments (its options, {@code -jar JAR} or the class path and main class)
     * are the process' arguments without the trailing application arguments.
     */
    static List<String> relaunch(String javaCommand, List<String> processArgs, List<String> originalArgs, List<String> childArgs) {
        int jvmArgs = processArgs.size() - originalArgs.size();
        if (jvmArgs < 1 || !processArgs.subList(jvmArgs, processArgs.size()).equals(originalArgs)) {
            throw new CliError(CliError.FAILED, "--rootless: cannot tell this JVM's own arguments from the command's (run it as 'java … -jar planetary.jar node …')");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand);
        cmd.addAll(processArgs.subList(0, jvmArgs));
        cmd.addAll(childArgs);
        return cmd;
    }

    /**
     * {@code planetary node --rootless}: starts the node in its namespace, gives it an uplink,
     * records the holder pid, forwards SIGTERM/SIGINT and returns the node's exit code.
     */
    static int runNode(Path home, List<String> originalArgs, List<String> childArgs) throws IOException, InterruptedException {
        Host host = Host.current();
        List<String> problems = problems(host);
        if (!problems.isEmpty()) throw new CliError(CliError.FAILED, "rootless mode (VL.md §12.6) cannot run here: " + String.join("; ", problems));
        ProcessHandle.Info self = ProcessHandle.current().info();
        List<String> java = relaunch(self.command().orElseThrow(() -> new CliError(CliError.FAILED, "--rootless: this JVM's executable is unknown")),
                List.of(self.arguments().orElse(new String[0])), originalArgs, childArgs);
        List<String> cmd = new ArrayList<>(List.of(host.which(UNSHARE.command()).toString(), "--user", "--map-root-user", "--net", "--"));
        cmd.addAll(orphanGuard(host));
        cmd.addAll(java);
        createHome(home);
        Path pidFile = home.resolve(PID_FILE);
        if (running(home)) throw new CliError(CliError.FAILED, "a rootless node already runs with the home " + home + " (" + pidFile + ")");
        Process node = new ProcessBuilder(cmd).inheritIO().start();
        Process slirp = null;
        try {
            Files.writeString(pidFile, node.pid() + "\n", StandardCharsets.US_ASCII);
            Path log = home.resolve(SLIRP_LOG);
            // host loopback stays reachable (10.0.2.2): the same user reaches it from outside anyway
            List<String> slirpCmd = new ArrayList<>(orphanGuard(host));
            slirpCmd.addAll(List.of(host.which(SLIRP4NETNS.command()).toString(), "--configure", "--mtu=" + SLIRP_MTU, Long.toString(node.pid()), UPLINK));
            slirp = new ProcessBuilder(slirpCmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            CountDownLatch stop = new CountDownLatch(1);
            DaemonCommand.onSignal("TERM", stop);
            DaemonCommand.onSignal("INT", stop);
            node.onExit().thenRun(stop::countDown);
            stop.await();
            if (node.isAlive()) {
                node.toHandle().destroy(); // SIGTERM: the node stops cleanly, exit 0
                if (!node.waitFor(20, TimeUnit.SECONDS)) node.destroyForcibly();
            }
            return node.waitFor();
        } finally {
            if (node.isAlive()) node.destroyForcibly();
            if (slirp != null) {
                slirp.destroy();
                if (!slirp.waitFor(5, TimeUnit.SECONDS)) slirp.destroyForcibly();
            }
            Files.deleteIfExists(pidFile);
        }
    }

    /**
     * {@code setpriv --pdeathsig TERM --}: a child started by this (main) thread gets SIGTERM when
     * this process dies, even by SIGKILL, so neither the node nor slirp4netns outlives it.
     */
    private static List<String> orphanGuard(Host host) {
        return List.of(host.which(SETPRIV.command()).toString(), "--pdeathsig", "TERM", "--");
    }

    private static void createHome(Path home) throws IOException {
        if (Files.isDirectory(home)) return;
        try {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot create the home " + home + ": " + KeyFiles.describe(e));
        }
    }

    /** Inside the namespace: waits (bounded) until slirp4netns has configured the default route. */
    static void awaitUplink(Path home) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UPLINK_WAIT_MILLIS);
        while (!hasDefaultRoute(Path.of("/proc/self/net/route"))) {
            if (System.nanoTime() > deadline) {
                throw new CliError(CliError.FAILED, "rootless: slirp4netns gave the namespace no default route within "
                        + UPLINK_WAIT_MILLIS / 1000 + " s (see " + home.resolve(SLIRP_LOG) + ")");
            }
            Thread.sleep(50);
        }
    }

    /** True if the IPv4 routing table ({@code /proc/net/route} format) has a default route. */
    static boolean hasDefaultRoute(Path route) {
        try {
            for (String line : Files.readAllLines(route, StandardCharsets.US_ASCII)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && f[1].equals("00000000") && !f[0].equals("Iface")) return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code planetary exec}: runs {@code command} in the namespace of the rootless node of {@code home}. */
    static int exec(Path home, List<String> command) throws IOException, InterruptedException {
        long pid = holder(home);
        Host host = Host.current();
        Path nsenter = host.which(NSENTER.command());
        if (nsenter == null) {
            throw new CliError(CliError.FAILED, "'nsenter' is not installed (Debian package util-linux: apt-get install util-linux)");
        }
        // --preserve-credentials: the namespace denies setgroups(2) (--map-root-user); the caller's uid is the namespace's root anyway
        List<String> cmd = new ArrayList<>(List.of(nsenter.toString(), "--user", "--net", "--preserve-credentials", "--target", Long.toString(pid), "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        // a terminal's SIGINT reaches the whole foreground group, the command included: this JVM only
        // waits for the command's own exit code; a SIGTERM sent to this process alone is passed on
        DaemonCommand.onSignal("INT", new CountDownLatch(1));
        CountDownLatch term = new CountDownLatch(1);
        DaemonCommand.onSignal("TERM", term);
        Thread.ofVirtual().start(() -> {
            try {
                term.await();
                p.toHandle().destroy();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return p.waitFor();
    }

    /** True if {@code home/rootless.pid} names a live namespace holder (a stale file does not count). */
    static boolean running(Path home) throws IOException {
        try {
            holder(home);
            return true;
        } catch (CliError e) {
            return false;
        }
    }

    /** The live namespace holder that {@code home/rootless.pid} names (a clear error if there is none). */
    static long holder(Path home) throws IOException {
        Path file = home.resolve(PID_FILE);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliError(CliError.FAILED, "no rootless node runs with the home " + home + " (no " + file
                    + "): start one with 'planetary node --rootless --home " + home + "'");
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new CliError(CliError.FAILED, file + " does not hold a process id");
        }
        // a stale file may name a recycled pid: the holder must be alive and in another user namespace
        Path ns = Path.of("/proc", Long.toString(pid), "ns", "user");
        boolean other;
        try {
            other = !Files.readSymbolicLink(ns).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
        } catch (IOException e) {
            other = false;
        }
        if (!other) throw new CliError(CliError.FAILED, "the rootless node of " + home + " (pid " + pid + ") is not running");
        return pid;
    }
}

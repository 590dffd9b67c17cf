package dev.planetary.cli;

import dev.planetary.daemon.Daemon;
import dev.planetary.daemon.DaemonConfig;
import dev.planetary.daemon.EngineContext.Role;
import dev.planetary.daemon.EventSink;
import dev.planetary.nic.NicMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Several {@code planetary node --nic userspace} daemons in one JVM, for black-box tests that need
 * many members on 2 cores ({@link MulticastNetnsIT}): one JVM start for k nodes instead of k. Each
 * is the shipped {@link Daemon} with its own home, UDP port and API socket; all print their JSON
 * events (a {@code ready} line each) on stdout. Runs until killed.
 *
 * <p>Usage: {@code MemberHost ROOTSET FIRST-PORT HOME…} (node i listens on FIRST-PORT + i).
 */
final class MemberHost {
    private MemberHost() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) throw new IllegalArgumentException("usage: MemberHost ROOTSET FIRST-PORT HOME...");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Path rootset = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        EventSink events = new EventSink(System.out, true);
        List<Daemon> daemons = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            Path home = Path.of(args[i]);
            daemons.add(Daemon.start(new Daemon.Options(Role.NODE, home, rootset, port + i - 2, false, null, null, false, "member-host", null,
                    NicMode.USERSPACE), DaemonConfig.defaults(), events));
        }
        Thread.currentThread().join(); // until SIGKILL: the test owns the lifetime
    }
}

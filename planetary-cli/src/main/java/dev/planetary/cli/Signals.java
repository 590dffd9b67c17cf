package dev.planetary.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGINT and SIGTERM. The JVM's default ends the process with 128 + the signal's number (130, 143)
 * after the shutdown hooks, which a service manager reads as a failure. For the long-running
 * commands a stop is the normal end: {@link #stopCleanly()} makes it exit 0 (after the same hooks).
 * For ping, {@link #interruptOnStop} turns the first signal into an interrupt, so that it prints its
 * statistics like {@code ping(8)}. Either way a second signal during the stop ends the process at
 * once (the default action, no hooks).
 */
final class Signals {
    private static final String[] STOP = {"INT", "TERM"};

    private Signals() {}

    /** listen, tunnel: SIGINT/SIGTERM run the shutdown hooks (counters, store close) and exit 0. */
    static void stopCleanly() {
        install(() -> System.exit(0));
    }

    /**
     * The first SIGINT/SIGTERM sets the returned flag and interrupts {@code worker}, which then
     * finishes on its own (ping prints its statistics).
     */
    static AtomicBoolean interruptOnStop(Thread worker) {
        AtomicBoolean stopped = new AtomicBoolean();
        install(() -> {
            stopped.set(true);
            worker.interrupt();
        });
        return stopped;
    }

    private static void install(Runnable onStop) {
        AtomicBoolean first = new AtomicBoolean(true);
        SignalHandler handler = sig -> {
            restoreDefaults(); // a second Ctrl-C kills at once
            if (first.getAndSet(false)) onStop.run();
        };
        for (String name : STOP) {
            try {
                Signal.handle(new Signal(name), handler);
            } catch (IllegalArgumentException e) {
                // signal not available (e.g. -Xrs): the JVM's default stays
            }
        }
    }

    private static void restoreDefaults() {
        for (String name : STOP) {
            try {
                Signal.handle(new Signal(name), SignalHandler.SIG_DFL);
            } catch (IllegalArgumentException ignored) {
                // as above
            }
        }
    }
}

package dev.planetary.zssp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Engine bugs: an unexpected exception inside a receive or timer step ({@link Fault#INTERNAL}, never
 * blamed on the packet). Each is counted; each kind (the step, the exception class and the frame
 * that threw it) is logged once at warning level, with the stack frames only: an exception's
 * message may quote application or peer data, so it is not logged. The set of kinds logged is
 * bounded; past the bound they are still counted.
 */
final class EngineErrors {
    private static final System.Logger LOG = System.getLogger("dev.planetary.zssp");
    /** Kinds remembered as logged at most (a bug has few; this only bounds memory). */
    static final int MAX_KINDS = 256;
    private static final int LOGGED_FRAMES = 12;

    private final AtomicLong count = new AtomicLong();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();
    private volatile RuntimeException last;

    /** Counts {@code e}, raised in {@code step} ("receive", "service"), and logs it if its kind is new. */
    void report(String step, RuntimeException e) {
        count.incrementAndGet();
        last = e;
        StackTraceElement[] frames = e.getStackTrace();
        String kind = step + ": " + e.getClass().getName() + (frames.length > 0 ? " at " + frames[0] : "");
        if (logged.size() >= MAX_KINDS || !logged.add(kind)) return;
        StringBuilder b = new StringBuilder("ZSSP engine error in ").append(kind)
                .append(" (logged once per kind; Context.internalErrorCount() counts them all)");
        for (int i = 1; i < Math.min(frames.length, LOGGED_FRAMES); i++) b.append("\n\tat ").append(frames[i]);
        LOG.log(System.Logger.Level.WARNING, b.toString());
    }

    long count() {
        return count.get();
    }

    /** Kinds logged so far. */
    int kindsLogged() {
        return logged.size();
    }

    RuntimeException last() {
        return last;
    }
}

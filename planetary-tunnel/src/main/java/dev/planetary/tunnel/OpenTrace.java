package dev.planetary.tunnel;

/**
 * Timestamps of a stream's OPEN round trip, per hop, for measuring set-up (BENCHMARKS.md, issue 19
 * fourth round). Off unless the system property {@code planetary.tunnel.trace=true}; then each hop
 * prints one line to standard error: {@code trace <side> stream <id> <hop> <µs>}, the time from
 * {@link System#nanoTime()} in microseconds. On Linux that clock is the same in every process of a
 * host, so the two sides' lines of one stream line up (scripts/tunnel-bench.py {@code --trace}).
 */
final class OpenTrace {
    private OpenTrace() {}

    static final boolean ENABLED = Boolean.getBoolean("planetary.tunnel.trace");

    /** Records hop {@code hop} of stream {@code stream} on {@code side} ("tunnel" or "listener"), if tracing. */
    static void mark(String side, int stream, String hop) {
        if (ENABLED) mark(side, stream, hop, System.nanoTime());
    }

    /** As {@link #mark(String, int, String)}, for a hop that happened at {@code nanos} ({@link System#nanoTime()}). */
    static void mark(String side, int stream, String hop, long nanos) {
        if (!ENABLED) return;
        long us = nanos / 1_000;
        System.err.println("trace " + side + " stream " + Integer.toUnsignedString(stream) + " " + hop + " " + us);
    }
}

package dev.planetary.tunnel;

/**
 * Where a tunnel reports what happens (streams opened, refused, closed; warnings). The {@code planetary}
 * command prints these as human lines or JSON events (docs/cli.md, "Output"); a library user can log
 * or count them. Implementations must be thread-safe: streams report from their own threads.
 */
public interface TunnelEvents {
    /**
     * An event.
     *
     * @param name   the event name ({@code stream.open}, {@code stream.closed}, {@code stream.refused}, ...)
     * @param text   a human line, or null when there is none at this verbosity
     * @param fields key/value pairs (keys are strings)
     */
    void event(String name, String text, Object... fields);

    /** An event a peer caused (an implementation may rate-limit these); by default {@link #event}. */
    default void peerEvent(String name, String text, Object... fields) {
        event(name, text, fields);
    }

    /** A warning for the operator. */
    void warn(String text);

    /** True if per-stream human lines are wanted (the {@code text} of {@link #event} is then non-null). */
    boolean verbose();

    /** True if events are consumed as data (JSON): a refused stream is then an event rather than a warning. */
    boolean json();

    /**
     * True if a stream's {@code stream.open} would show nothing and record nothing: not {@link #json()},
     * not {@link #verbose()}, and {@link #event} with a null text does nothing. A tunnel then reports a
     * stream's open on the thread at hand, without starting one for an event nobody sees (issue 19,
     * set-up). False by default: an implementation that records or logs events gets them on a thread of their own.
     */
    default boolean silent() {
        return false;
    }

    /** Peer-chosen text made safe for a human line (control characters escaped, length bounded). */
    String peerText(String peerChosen);

    /** Events to nowhere. */
    TunnelEvents NONE = new TunnelEvents() {
        @Override
        public void event(String name, String text, Object... fields) {}

        @Override
        public void warn(String text) {}

        @Override
        public boolean verbose() {
            return false;
        }

        @Override
        public boolean json() {
            return false;
        }

        @Override
        public boolean silent() {
            return true;
        }

        @Override
        public String peerText(String peerChosen) {
            return peerChosen;
        }
    };
}

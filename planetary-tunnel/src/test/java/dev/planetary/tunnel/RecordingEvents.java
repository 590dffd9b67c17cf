package dev.planetary.tunnel;

import java.util.ArrayList;
import java.util.List;

/** Events kept as lines {@code name k=v k=v}, for tests. */
final class RecordingEvents implements TunnelEvents {
    private final List<String> lines = new ArrayList<>();
    /** What {@link #silent()} answers (a test of the path without events sets it before its streams). */
    volatile boolean silent;

    @Override
    public synchronized void event(String name, String text, Object... fields) {
        StringBuilder b = new StringBuilder(name);
        for (int i = 0; i + 1 < fields.length; i += 2) b.append(' ').append(fields[i]).append('=').append(fields[i + 1]);
        lines.add(b.toString());
    }

    @Override
    public synchronized void warn(String text) {
        lines.add("warning " + text);
    }

    @Override
    public boolean verbose() {
        return false;
    }

    @Override
    public boolean json() {
        return true;
    }

    @Override
    public boolean silent() {
        return silent;
    }

    @Override
    public String peerText(String peerChosen) {
        return peerChosen;
    }

    synchronized long count(String name) {
        return lines.stream().filter(l -> l.startsWith(name + " ")).count();
    }

    @Override
    public synchronized String toString() {
        return String.join("\n", lines);
    }
}

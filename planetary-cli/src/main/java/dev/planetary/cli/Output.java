package dev.planetary.cli;

import dev.planetary.tunnel.TunnelEvents;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the CLI talks: human lines, or with {@code --json} one JSON object per line for every
 * event (fields {@code event} and {@code ts} first). Warnings and errors for humans go to stderr.
 * Thread-safe (one line at a time).
 *
 * <p>Hostile peers write here too, so: every human line is one line (control, format and
 * line-separator characters are escaped; only {@link #eventBlock} keeps its own newlines), strings a
 * peer chose go through {@link #peer} (escaped and truncated) at the call site, and the events a
 * remote party can cause at packet rate ({@link #peerEvent}: refused tunnel streams, challenged
 * Hellos, refused peers) print at most {@link #BURST} lines per kind and second; the rest are
 * counted and reported as one line per kind and second.
 */
public final class Output implements TunnelEvents {
    /** Longest peer-supplied string printed, in characters (a HOST:PORT target is at most ~260). */
    static final int MAX_PEER_TEXT = 256;
    /** Lines per rate-limited kind and second printed individually. */
    static final int BURST = 3;
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PrintStream human;
    private final PrintStream json;
    private final boolean jsonMode;
    private final boolean quiet;
    private final boolean verbose;
    /** Per rate-limited kind: the current one-second window (guarded by this). */
    private final Map<String, Window> windows = new HashMap<>();
    private ScheduledExecutorService flusher;

    private static final class Window {
        long start;
        int printed;
        long suppressed;
    }

    /**
     * @param human where human-readable lines go (stdout, or stderr when stdout carries payloads)
     * @param json  where JSON lines go
     */
    Output(PrintStream human, PrintStream json, boolean jsonMode, boolean quiet, boolean verbose) {
        this.human = human;
        this.json = json;
        this.jsonMode = jsonMode;
        this.quiet = quiet;
        this.verbose = verbose;
    }

    @Override
    public boolean json() {
        return jsonMode;
    }

    @Override
    public boolean verbose() {
        return verbose;
    }

    /** Without --json and -v a stream's events print nothing (their text is null): the tunnel skips them. */
    @Override
    public boolean silent() {
        return !jsonMode && !verbose;
    }

    /**
     * Reports an event: as JSON {@code {"event":name,"ts":…,k1:v1,…}}, or as {@code text} for
     * humans (nothing when text is null or --quiet).
     */
    @Override
    public synchronized void event(String name, String text, Object... kv) {
        emit(name, text == null ? null : escape(text, false), kv, false);
    }

    /**
     * As {@link #event}, for an event a remote party can cause at will (a refused tunnel stream, a
     * challenged Hello): at most {@link #BURST} per name and second are printed, the others counted
     * and reported once the second is over ({@code (N more NAME events in 1.0 s not shown…)}, JSON
     * event {@code suppressed} with {@code kind} and {@code count}).
     */
    @Override
    public synchronized void peerEvent(String name, String text, Object... kv) {
        emit(name, text == null ? null : escape(text, false), kv, true);
    }

    /** As {@link #event}, for a multi-line text of our own (ping statistics, the demo's report): newlines are kept. */
    synchronized void eventBlock(String name, String text, Object... kv) {
        emit(name, text == null ? null : escape(text, true), kv, false);
    }

    private void emit(String name, String text, Object[] kv, boolean limited) {
        boolean shown = jsonMode || (text != null && !quiet);
        if (!shown) return;
        if (limited && !admit(name)) return;
        if (!limited) flushSuppressed(false); // counts first, then what came after them
        if (jsonMode) {
            json.println(jsonLine(name, kv));
            json.flush();
        } else {
            human.println(text);
            human.flush();
        }
    }

    /** Whether a line of rate-limited {@code kind} is printed now; counts it otherwise. */
    private boolean admit(String kind) {
        long now = System.nanoTime();
        Window w = windows.computeIfAbsent(kind, k -> new Window());
        if (w.printed == 0 || now - w.start >= WINDOW_NANOS) {
            report(kind, w);
            w.start = now;
            w.printed = 0;
        }
        if (w.printed < BURST) {
            w.printed++;
            return true;
        }
        if (w.suppressed++ == 0) scheduleFlush();
        return false;
    }

    private void scheduleFlush() {
        if (flusher == null) {
            flusher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("planetary-output").unstarted(r));
            flusher.scheduleWithFixedDelay(() -> flushSuppressed(true), 250, 250, TimeUnit.MILLISECONDS);
        }
    }

    /** Reports the counts of suppressed lines: of windows that have ended, or (expiredOnly false) all. */
    private synchronized void flushSuppressed(boolean expiredOnly) {
        if (windows.isEmpty()) return;
        long now = System.nanoTime();
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            if (!expiredOnly || now - e.getValue().start >= WINDOW_NANOS) report(e.getKey(), e.getValue());
        }
    }

    private void report(String kind, Window w) {
        if (w.suppressed == 0) return;
        long n = w.suppressed;
        w.suppressed = 0;
        double seconds = Math.max(0.001, (System.nanoTime() - w.start) / 1e9);
        if (jsonMode) {
            json.println(jsonLine("suppressed", "kind", kind, "count", n, "seconds", seconds));
            json.flush();
        } else {
            human.println(String.format(Locale.ROOT, "(%d more %s events in %.1f s not shown: at most %d per second are printed)", n, kind,
                    seconds, BURST));
            human.flush();
        }
    }

    /**
     * A string a peer chose (a tunnel target, an identity, a reason text), ready to print: control,
     * format and line-separator characters escaped, at most {@link #MAX_PEER_TEXT} characters.
     */
    static String peer(String s) {
        if (s == null) return null;
        String e = escape(s, false);
        if (e.length() <= MAX_PEER_TEXT) return e;
        int cut = MAX_PEER_TEXT;
        if (Character.isHighSurrogate(e.charAt(cut - 1))) cut--;
        return e.substring(0, cut) + "…(" + s.length() + " chars)";
    }

    /** {@link #peer}, for the tunnel library. */
    @Override
    public String peerText(String peerChosen) {
        return peer(peerChosen);
    }

    /**
     * {@code s} with every character a terminal or a log reader could act on escaped: C0/C1
     * controls and DEL as {@code \xNN} ({@code \n}, {@code \r}, {@code \t} by name, newlines kept
     * if {@code keepNewlines}), Unicode format characters (bidi overrides, zero-width), line and
     * paragraph separators and lone surrogates as <code>&#92;uNNNN</code>.
     */
    static String escape(String s, boolean keepNewlines) {
        int n = s.length();
        int i = 0;
        while (i < n && plain(s, i)) i += Character.isHighSurrogate(s.charAt(i)) ? 2 : 1;
        if (i == n) return s;
        StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (plain(s, i)) {
                b.append(c);
                if (Character.isHighSurrogate(c)) b.append(s.charAt(++i));
            } else if (c == '\n') {
                b.append(keepNewlines ? "\n" : "\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c < 0x100) {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return b.toString();
    }

    /** Whether the character at {@code i} (with its low surrogate) prints as itself. */
    private static boolean plain(String s, int i) {
        char c = s.charAt(i);
        if (c >= 0x20 && c < 0x7f) return true;
        if (c < 0xa0) return false; // C0, DEL, C1
        if (Character.isHighSurrogate(c)) {
            if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
            return printableType(Character.getType(s.codePointAt(i)));
        }
        if (Character.isLowSurrogate(c)) return false;
        return printableType(Character.getType(c));
    }

    private static boolean printableType(int type) {
        return type != Character.FORMAT && type != Character.LINE_SEPARATOR && type != Character.PARAGRAPH_SEPARATOR
                && type != Character.CONTROL && type != Character.UNASSIGNED && type != Character.PRIVATE_USE;
    }

    /** A human-only line shown with --verbose (JSON mode: an event "debug"). */
    void debug(String text) {
        if (verbose) event("debug", text, "message", text);
    }

    /** A warning: stderr for humans (even with --quiet), an event "warning" in JSON mode. */
    @Override
    public synchronized void warn(String text) {
        flushSuppressed(false);
        if (jsonMode) {
            json.println(jsonLine("warning", new Object[] {"message", text}));
            json.flush();
        } else {
            System.err.println("planetary: warning: " + escape(text, false));
            System.err.flush();
        }
    }

    /** One JSON object {@code {"event":EVENT,K:V…}} on one line (public for the {@link PluginCommand}s of other jars). */
    public static String jsonLine(String event, Object... kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException("key/value pairs expected");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("ts", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        StringBuilder b = new StringBuilder(128);
        write(b, m);
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isFinite(d)) b.append(String.format(Locale.ROOT, "%.3f", d));
            else b.append("null");
        } else if (v instanceof Number n) {
            b.append(n);
        } else if (v instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) b.append(',');
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof List<?> list) {
            b.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) b.append(',');
                write(b, list.get(i));
            }
            b.append(']');
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}

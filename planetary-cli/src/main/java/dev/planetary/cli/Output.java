package dev.planetary.cli;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the CLI talks: human lines, or with {@code --json} one JSON object per line for every
 * event (fields {@code event} and {@code ts} first). Warnings and errors for humans go to stderr.
 * Thread-safe (one line at a time).
 */
final class Output {
    private final PrintStream human;
    private final PrintStream json;
    private final boolean jsonMode;
    private final boolean quiet;
    private final boolean verbose;

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

    boolean json() {
        return jsonMode;
    }

    boolean verbose() {
        return verbose;
    }

    /**
     * Reports an event: as JSON {@code {"event":name,"ts":…,k1:v1,…}}, or as {@code text} for
     * humans (nothing when text is null or --quiet).
     */
    synchronized void event(String name, String text, Object... kv) {
        if (jsonMode) {
            json.println(jsonLine(name, kv));
            json.flush();
        } else if (text != null && !quiet) {
            human.println(text);
            human.flush();
        }
    }

    /** A human-only line shown with --verbose (JSON mode: an event "debug"). */
    void debug(String text) {
        if (verbose) event("debug", text, "message", text);
    }

    /** A warning: stderr for humans (even with --quiet), an event "warning" in JSON mode. */
    synchronized void warn(String text) {
        if (jsonMode) {
            json.println(jsonLine("warning", new Object[] {"message", text}));
            json.flush();
        } else {
            System.err.println("planetary: warning: " + text);
            System.err.flush();
        }
    }

    static String jsonLine(String event, Object... kv) {
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

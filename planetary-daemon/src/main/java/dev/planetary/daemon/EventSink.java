package dev.planetary.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a daemon's events go (VL.md §16.2): with {@code --json} one JSON object per line on
 * standard output ({@code event} and {@code ts} first), else one human line per event. Peer
 * supplied text is escaped either way (JSON escaping, or control characters shown as {@code \\uXXXX}).
 * Thread-safe: one line at a time.
 */
public final class EventSink {
    private final PrintStream out;
    private final boolean json;

    public EventSink(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** Emits {@code name} with {@code fields} (strings, numbers, booleans, lists, maps). */
    public synchronized void emit(String name, Map<String, ?> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", name);
        m.put("ts", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        m.putAll(fields);
        if (json) {
            try {
                out.println(HttpMessages.JSON.writeValueAsString(m));
            } catch (JsonProcessingException e) {
                out.println("{\"event\":\"" + name + "\",\"error\":\"unserialisable fields\"}");
            }
        } else {
            StringBuilder b = new StringBuilder(name);
            fields.forEach((k, v) -> b.append(' ').append(k).append('=').append(printable(String.valueOf(v))));
            out.println(b);
        }
        out.flush();
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }
}

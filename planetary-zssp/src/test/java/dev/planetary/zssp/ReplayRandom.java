package dev.planetary.zssp;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.testing.Vectors;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Replays the random draws the Rust reference recorded for one context, step by step: a draw
 * requested during step X must be the next recorded draw of step X, of the same kind and length.
 * Outside strict mode (after a deliberate deviation from the reference) extra draws come from a
 * seeded generator.
 */
final class ReplayRandom implements RandomSource {
    private final String name;
    private final Map<String, ArrayDeque<JsonNode>> byStep = new HashMap<>();
    private final SplittableRandom fallback = new SplittableRandom(42);
    private String step = "";
    private boolean strict = true;

    ReplayRandom(String name, JsonNode draws) {
        this.name = name;
        for (JsonNode d : draws) byStep.computeIfAbsent(d.get("step").asText(), k -> new ArrayDeque<>()).add(d);
    }

    synchronized void step(String step, boolean strict) {
        this.step = step;
        this.strict = strict;
    }

    /** Draws recorded for the current step that were not consumed (must be 0 after a replayed step). */
    synchronized int remaining() {
        ArrayDeque<JsonNode> q = byStep.get(step);
        return q == null ? 0 : q.size();
    }

    private JsonNode next(String method, int len) {
        ArrayDeque<JsonNode> q = byStep.get(step);
        if (q == null || q.isEmpty()) {
            if (strict) throw new AssertionError(name + ": unexpected " + method + " draw in step " + step);
            return null;
        }
        JsonNode d = q.poll();
        String m = d.get("method").asText();
        boolean fill = method.equals("fill_bytes") && (m.equals("fill_bytes") || m.equals("try_fill_bytes"));
        if (!(fill || m.equals(method)) || d.get("len").asInt() != len) {
            throw new AssertionError(name + " step " + step + ": expected draw " + m + "(" + d.get("len") + ") but the engine asked for " + method + "(" + len + ")");
        }
        return d;
    }

    @Override
    public synchronized void nextBytes(byte[] out, int off, int len) {
        JsonNode d = next("fill_bytes", len);
        if (d == null) {
            for (int i = 0; i < len; i++) out[off + i] = (byte) fallback.nextInt();
            return;
        }
        System.arraycopy(Vectors.hex(d.get("bytes")), 0, out, off, len);
    }

    @Override
    public synchronized int nextInt() {
        JsonNode d = next("next_u32", 4);
        return d == null ? fallback.nextInt() : (int) d.get("value").asLong();
    }

    @Override
    public synchronized long nextLong() {
        JsonNode d = next("next_u64", 8);
        return d == null ? fallback.nextLong() : Long.parseUnsignedLong(d.get("value").asText());
    }
}

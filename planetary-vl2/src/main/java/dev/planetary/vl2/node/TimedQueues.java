package dev.planetary.vl2.node;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Short-lived bounded queues by key (frames held while a group is gathered, messages waiting for
 * their sender's credential): at most {@code perKey} per key (the oldest dropped), {@code keys} keys
 * (the least recently added-to dropped), each entry at most {@code ttlMs}. Every entry dropped is
 * counted. Not thread-safe: the node's thread.
 */
class TimedQueues<K, T> {
    record Entry<T>(T value, long at) {}

    private final int perKey, keys;
    private final long ttlMs;
    private final LinkedHashMap<K, ArrayDeque<Entry<T>>> queues = new LinkedHashMap<>();
    private long dropped;

    TimedQueues(int perKey, int keys, long ttlMs) {
        this.perKey = perKey;
        this.keys = keys;
        this.ttlMs = ttlMs;
    }

    /** Adds {@code value} under {@code key}; returns when it expires. */
    long add(K key, T value, long now) {
        ArrayDeque<Entry<T>> q = queues.remove(key); // re-inserted: the most recent key last
        if (q == null) q = new ArrayDeque<>();
        if (q.size() >= perKey) {
            q.removeFirst();
            dropped++;
        }
        q.add(new Entry<>(value, now));
        queues.put(key, q);
        while (queues.size() > keys) {
            Iterator<ArrayDeque<Entry<T>>> it = queues.values().iterator();
            dropped += it.next().size();
            it.remove();
        }
        return now + ttlMs;
    }

    /** The values under {@code key}, oldest first, now removed. */
    List<T> take(K key) {
        ArrayDeque<Entry<T>> q = queues.remove(key);
        return q == null ? List.of() : q.stream().map(Entry::value).toList();
    }

    /** Drops the entries older than the ttl; returns when the next one expires (or MAX_VALUE). */
    long expire(long now) {
        long next = Long.MAX_VALUE;
        for (Iterator<Map.Entry<K, ArrayDeque<Entry<T>>>> it = queues.entrySet().iterator(); it.hasNext(); ) {
            ArrayDeque<Entry<T>> q = it.next().getValue();
            while (!q.isEmpty() && now - q.peekFirst().at() >= ttlMs) {
                q.removeFirst();
                dropped++;
            }
            if (q.isEmpty()) it.remove();
            else next = Math.min(next, q.peekFirst().at() + ttlMs);
        }
        return next;
    }

    /** Entries dropped (bounds or age). */
    long dropped() {
        return dropped;
    }

    /** Entries held now. */
    int size() {
        return queues.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}

package dev.planetary.vl1.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that evicts its least recently used entry beyond {@code capacity}: every table fed by peers is one. */
public final class BoundedMap<K, V> extends LinkedHashMap<K, V> {
    private static final long serialVersionUID = 1L;
    private final int capacity;
    private long evictions;

    public BoundedMap(int capacity) {
        super(16, 0.75f, true);
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Entries dropped because the map was full. */
    public long evictions() {
        return evictions;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        if (size() <= capacity) return false;
        evictions++;
        return true;
    }
}

package dev.planetary.vl2.node;

import java.util.LinkedHashMap;
import java.util.Map;

/** Bounded tables of the node's VL2 engines: an access-ordered map that forgets its least recently used entry beyond {@code max}. */
final class Lru {
    private Lru() {}

    static <K, V> Map<K, V> map(int max) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > max;
            }
        };
    }
}

package dev.planetary.vl1.engine;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The verification queue of VL.md §2.6: at most {@code capacity} (256) entries, at most
 * {@code perPrefix} (2) per source prefix (/24 or /64; a relayed session counts under its relaying
 * root), taken round robin over prefixes. When full, an entry is admitted iff its prefix has fewer
 * entries than the fullest prefix; then one of the fullest prefixes, chosen at random (so no prefix
 * is the predictable victim of a tie, e.g. when every prefix holds one entry), loses its oldest
 * entry, which is returned so its session can be refused. A prefix's lone entry is therefore only
 * ever evicted for a newcomer whose prefix had nothing queued. Single-threaded; the engine runs it
 * from {@code service} within a time budget.
 *
 * @param <T> the queued work item
 */
public final class VerificationQueue<T> {
    /** The result of {@link #offer}. */
    public sealed interface Offer<T> {
        record Admitted<T>() implements Offer<T> {}

        record AdmittedEvicting<T>(T evicted) implements Offer<T> {}

        record Refused<T>() implements Offer<T> {}
    }

    private final int capacity;
    private final int perPrefix;
    /** Prefix → its entries (oldest first), in round-robin order: the head prefix is served next. */
    private final LinkedHashMap<Object, ArrayDeque<T>> byPrefix = new LinkedHashMap<>();
    private final RandomGenerator random;
    private int size;

    /** @param random picks the victim among the fullest prefixes (a seeded one in simulations) */
    public VerificationQueue(int capacity, int perPrefix, RandomGenerator random) {
        if (capacity < 1 || perPrefix < 1) throw new IllegalArgumentException("capacity and perPrefix must be ≥ 1");
        this.capacity = capacity;
        this.perPrefix = perPrefix;
        this.random = Objects.requireNonNull(random, "random");
    }

    public Offer<T> offer(Object prefix, T item) {
        ArrayDeque<T> q = byPrefix.get(prefix);
        int mine = q == null ? 0 : q.size();
        if (mine >= perPrefix) return new Offer.Refused<>();
        T evicted = null;
        if (size >= capacity) {
            Object fullest = null;
            int most = 0, ties = 0;
            for (Map.Entry<Object, ArrayDeque<T>> e : byPrefix.entrySet()) { // reservoir sampling over the fullest
                int n = e.getValue().size();
                if (n > most) {
                    most = n;
                    fullest = e.getKey();
                    ties = 1;
                } else if (n == most && random.nextInt(++ties) == 0) {
                    fullest = e.getKey();
                }
            }
            if (mine >= most) return new Offer.Refused<>();
            ArrayDeque<T> f = byPrefix.get(fullest);
            evicted = f.pollFirst();
            size--;
            if (f.isEmpty()) byPrefix.remove(fullest);
        }
        byPrefix.computeIfAbsent(prefix, k -> new ArrayDeque<>()).addLast(item);
        size++;
        return evicted == null ? new Offer.Admitted<>() : new Offer.AdmittedEvicting<>(evicted);
    }

    /** The next item, round robin over prefixes; {@code null} if empty. */
    public T poll() {
        Iterator<Map.Entry<Object, ArrayDeque<T>>> it = byPrefix.entrySet().iterator();
        if (!it.hasNext()) return null;
        Map.Entry<Object, ArrayDeque<T>> e = it.next();
        it.remove();
        T item = e.getValue().pollFirst();
        size--;
        if (!e.getValue().isEmpty()) byPrefix.put(e.getKey(), e.getValue()); // to the back of the round
        return item;
    }

    /** Removes every queued item equal to {@code item} (its session went away). */
    public void remove(T item) {
        Iterator<ArrayDeque<T>> it = byPrefix.values().iterator();
        while (it.hasNext()) {
            ArrayDeque<T> q = it.next();
            if (q.removeIf(item::equals)) size = countAll();
            if (q.isEmpty()) it.remove();
        }
        size = countAll();
    }

    private int countAll() {
        int n = 0;
        for (ArrayDeque<T> q : byPrefix.values()) n += q.size();
        return n;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }
}

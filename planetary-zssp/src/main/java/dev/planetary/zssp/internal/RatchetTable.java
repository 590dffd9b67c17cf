package dev.planetary.zssp.internal;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Ratchet pairs in memory, one entry per peer, with the fingerprint index of spec §8.2 kept in step:
 * the one piece behind planetary-store's {@code MemoryRatchetStore} and the engine tests' store
 * (which cannot depend on planetary-store). An entry is the caller's type {@code E} holding a
 * {@link RatchetPair}. Entries are kept in access order, so {@link #removeEldest()} evicts the least
 * recently used peer. Not thread-safe: callers hold one monitor around every call, which makes
 * {@link #matches} followed by {@link #put} an atomic compare-and-swap.
 */
public final class RatchetTable<E> {
    private final Map<StaticPublicKey, E> byPeer = new LinkedHashMap<>(16, 0.75f, true); // least recently used first
    private final Map<ByteBuffer, Set<StaticPublicKey>> byFingerprint = new HashMap<>();
    private final Function<E, RatchetPair> pair;

    /** @param pair the ratchet pair an entry holds */
    public RatchetTable(Function<E, RatchetPair> pair) {
        this.pair = Objects.requireNonNull(pair, "pair");
    }

    /**
     * §8.3: whether the stored pair ({@code null} = no record = {@code (EMPTY, none)}) is the update's
     * current pair, the precondition of its compare-and-swap. Both states are compared (constant time,
     * no short cut) so that timing does not tell which one differed.
     */
    public static boolean matches(RatchetPair stored, RatchetUpdate u) {
        RatchetPair s = stored == null ? RatchetPair.INITIAL : stored;
        boolean one = same(s.state1(), u.current1());
        boolean two = same(s.state2(), u.current2());
        return one & two;
    }

    /** §8.1: same fingerprint (constant time) and chain; no state equals only no state. */
    private static boolean same(RatchetState a, RatchetState b) {
        return a == null ? b == null : a.equals(b);
    }

    /** The peer's entry (a use, for the access order), or {@code null}. */
    public E get(StaticPublicKey peer) {
        return byPeer.get(peer);
    }

    /** The peer's stored pair, or {@code null} for no record. */
    public RatchetPair pair(StaticPublicKey peer) {
        E e = byPeer.get(peer);
        return e == null ? null : pair.apply(e);
    }

    /** Stores {@code entry} for {@code peer} and re-indexes its states; returns the entry it replaced, or {@code null}. */
    public E put(StaticPublicKey peer, E entry) {
        RatchetPair p = pair.apply(entry);
        E old = byPeer.put(peer, entry);
        if (old != null) unindex(peer, pair.apply(old));
        index(peer, p.state1());
        index(peer, p.state2());
        return old;
    }

    /** Removes the peer and its fingerprints; returns its entry, or {@code null}. */
    public E remove(StaticPublicKey peer) {
        E old = byPeer.remove(peer);
        if (old != null) unindex(peer, pair.apply(old));
        return old;
    }

    /** Removes the least recently used peer; returns it, or {@code null} when the table is empty. */
    public StaticPublicKey removeEldest() {
        if (byPeer.isEmpty()) return null;
        StaticPublicKey eldest = byPeer.keySet().iterator().next();
        remove(eldest);
        return eldest;
    }

    /**
     * The stored state whose fingerprint this is (spec §8.2), or {@code null}; the caller has checked
     * that the fingerprint is 32 bytes and not the empty state's.
     */
    public RatchetState findByFingerprint(byte[] fingerprint) {
        Set<StaticPublicKey> peers = byFingerprint.get(ByteBuffer.wrap(fingerprint.clone()));
        if (peers == null) return null;
        for (StaticPublicKey p : peers) {
            RatchetPair stored = pair.apply(byPeer.get(p));
            if (!stored.state1().isEmpty() && Arrays.equals(stored.state1().fingerprint(), fingerprint)) return stored.state1();
            if (stored.state2() != null && Arrays.equals(stored.state2().fingerprint(), fingerprint)) return stored.state2();
        }
        throw new IllegalStateException("fingerprint index out of step with the stored states");
    }

    /** A copy of the entries, least recently used first, that does not count as a use. */
    public List<Map.Entry<StaticPublicKey, E>> entries() {
        return byPeer.entrySet().stream().<Map.Entry<StaticPublicKey, E>>map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    public int size() {
        return byPeer.size();
    }

    /** How many distinct fingerprints are indexed. */
    public int indexedFingerprints() {
        return byFingerprint.size();
    }

    public void clear() {
        byPeer.clear();
        byFingerprint.clear();
    }

    private void index(StaticPublicKey peer, RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.computeIfAbsent(ByteBuffer.wrap(s.fingerprint()), k -> new HashSet<>()).add(peer);
    }

    private void unindex(StaticPublicKey peer, RatchetPair p) {
        for (RatchetState s : new RatchetState[] {p.state1(), p.state2()}) {
            if (s == null || s.isEmpty()) continue;
            ByteBuffer k = ByteBuffer.wrap(s.fingerprint());
            Set<StaticPublicKey> peers = byFingerprint.get(k);
            if (peers != null && peers.remove(peer) && peers.isEmpty()) byFingerprint.remove(k);
        }
    }
}

package dev.planetary.store;

import dev.planetary.store.internal.Pairs;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A ratchet store in memory: for tests, and for users who explicitly accept opportunistic-only
 * operation (everything is lost when the process ends, so persistent-mode peers get locked out
 * after a restart). Thread-safe; every operation runs under one monitor, which makes
 * compare-and-swap atomic. The fingerprint index maps each non-empty fingerprint to the peers
 * whose stored states carry it. With a capacity it is an LRU (a VL1 root's ratchets, VL.md §3.3):
 * beyond it the least recently used peer is forgotten, and its next session downgrades.
 */
public final class MemoryRatchetStore implements PeerRatchetStore {
    private record Entry(RatchetPair pair, Instant updated) {}

    private final Map<StaticPublicKey, Entry> byPeer = new java.util.LinkedHashMap<>(16, 0.75f, true); // least recently used first
    private final int capacity;
    private final Map<ByteBuffer, Set<StaticPublicKey>> byFingerprint = new HashMap<>();
    private final Clock clock;
    private boolean closed;

    public MemoryRatchetStore() {
        this(Clock.systemUTC());
    }

    public MemoryRatchetStore(Clock clock) {
        this(clock, Integer.MAX_VALUE);
    }

    /** An LRU of at most {@code capacity} peers. */
    public MemoryRatchetStore(int capacity) {
        this(Clock.systemUTC(), capacity);
    }

    private MemoryRatchetStore(Clock clock, int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be ≥ 1, got " + capacity);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.capacity = capacity;
    }

    @Override
    public synchronized RatchetPair load(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        open();
        Entry e = byPeer.get(peer);
        return e == null ? null : e.pair();
    }

    @Override
    public synchronized RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
        if (!Pairs.indexable(fingerprint)) return null;
        open();
        Set<StaticPublicKey> peers = byFingerprint.get(ByteBuffer.wrap(fingerprint.clone()));
        if (peers == null) return null;
        for (StaticPublicKey p : peers) {
            RatchetPair pair = byPeer.get(p).pair();
            if (!pair.state1().isEmpty() && Arrays.equals(pair.state1().fingerprint(), fingerprint)) return pair.state1();
            if (pair.state2() != null && Arrays.equals(pair.state2().fingerprint(), fingerprint)) return pair.state2();
        }
        throw new IllegalStateException("fingerprint index out of step with the stored states");
    }

    @Override
    public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Pairs.check(u);
        open();
        Entry stored = byPeer.get(peer);
        if (!Pairs.matches(stored == null ? null : stored.pair(), u)) return false;
        put(peer, new RatchetPair(u.new1(), u.new2()));
        return true;
    }

    @Override
    public synchronized void provision(StaticPublicKey peer, RatchetState initial, boolean force) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(initial, "initial");
        open();
        if (!force && byPeer.containsKey(peer)) throw new PeerExistsException(toString(), peer);
        put(peer, new RatchetPair(initial, null));
    }

    @Override
    public synchronized List<PeerRecord> peers() throws IOException {
        open();
        List<PeerRecord> out = new ArrayList<>(byPeer.size());
        byPeer.forEach((peer, e) -> out.add(new PeerRecord(peer, e.pair().state1().chainLength(),
                e.pair().state2() == null ? OptionalLong.empty() : OptionalLong.of(e.pair().state2().chainLength()),
                e.updated())));
        out.sort((a, b) -> Arrays.compareUnsigned(a.peer().toBytes(), b.peer().toBytes()));
        return out;
    }

    @Override
    public synchronized boolean forget(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        open();
        Entry old = byPeer.remove(peer);
        if (old == null) return false;
        unindex(peer, old.pair());
        return true;
    }

    @Override
    public synchronized int prune(Instant cutoff) throws IOException {
        Objects.requireNonNull(cutoff, "cutoff");
        open();
        int n = 0;
        for (var it = byPeer.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().updated().isBefore(cutoff)) {
                it.remove();
                unindex(e.getKey(), e.getValue().pair());
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized void close() {
        closed = true;
        byPeer.clear();
        byFingerprint.clear();
    }

    private void open() throws IOException {
        if (closed) throw new IOException("ratchet store " + this + " is closed");
    }

    private void put(StaticPublicKey peer, RatchetPair pair) {
        Entry old = byPeer.put(peer, new Entry(pair, clock.instant()));
        if (old != null) unindex(peer, old.pair());
        index(peer, pair.state1());
        index(peer, pair.state2());
        if (byPeer.size() > capacity) {
            var eldest = byPeer.entrySet().iterator().next();
            byPeer.remove(eldest.getKey());
            unindex(eldest.getKey(), eldest.getValue().pair());
        }
    }

    private void index(StaticPublicKey peer, RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.computeIfAbsent(ByteBuffer.wrap(s.fingerprint()), k -> new HashSet<>()).add(peer);
    }

    private void unindex(StaticPublicKey peer, RatchetPair pair) {
        for (RatchetState s : new RatchetState[] {pair.state1(), pair.state2()}) {
            if (s == null || s.isEmpty()) continue;
            ByteBuffer k = ByteBuffer.wrap(s.fingerprint());
            Set<StaticPublicKey> peers = byFingerprint.get(k);
            if (peers != null && peers.remove(peer) && peers.isEmpty()) byFingerprint.remove(k);
        }
    }

    @Override
    public synchronized String toString() {
        return "MemoryRatchetStore[" + byPeer.size() + " peers" + (closed ? ", closed" : "") + "]";
    }
}

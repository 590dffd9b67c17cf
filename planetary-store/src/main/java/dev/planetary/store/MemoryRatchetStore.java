package dev.planetary.store;

import dev.planetary.store.internal.Pairs;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.internal.RatchetTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

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

    private final RatchetTable<Entry> table = new RatchetTable<>(Entry::pair); // the pairs and the fingerprint index
    private final int capacity;
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
        return table.pair(peer);
    }

    @Override
    public synchronized RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
        if (!Pairs.indexable(fingerprint)) return null;
        open();
        return table.findByFingerprint(fingerprint);
    }

    @Override
    public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Pairs.check(u);
        open();
        if (!RatchetTable.matches(table.pair(peer), u)) return false;
        put(peer, new RatchetPair(u.new1(), u.new2()));
        return true;
    }

    @Override
    public synchronized void provision(StaticPublicKey peer, RatchetState initial, boolean force) throws IOException {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(initial, "initial");
        open();
        if (!force && table.get(peer) != null) throw new PeerExistsException(toString(), peer);
        put(peer, new RatchetPair(initial, null));
    }

    @Override
    public synchronized List<PeerRecord> peers() throws IOException {
        open();
        List<PeerRecord> out = new ArrayList<>(table.size());
        for (var e : table.entries()) {
            RatchetPair p = e.getValue().pair();
            out.add(new PeerRecord(e.getKey(), p.state1().chainLength(),
                    p.state2() == null ? OptionalLong.empty() : OptionalLong.of(p.state2().chainLength()), e.getValue().updated()));
        }
        out.sort((a, b) -> Arrays.compareUnsigned(a.peer().toBytes(), b.peer().toBytes()));
        return out;
    }

    @Override
    public synchronized boolean forget(StaticPublicKey peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        open();
        return table.remove(peer) != null;
    }

    @Override
    public synchronized int prune(Instant cutoff) throws IOException {
        Objects.requireNonNull(cutoff, "cutoff");
        open();
        int n = 0;
        for (var e : table.entries()) {
            if (e.getValue().updated().isBefore(cutoff)) {
                table.remove(e.getKey());
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized void close() {
        closed = true;
        table.clear();
    }

    private void open() throws IOException {
        if (closed) throw new IOException("ratchet store " + this + " is closed");
    }

    private void put(StaticPublicKey peer, RatchetPair pair) {
        table.put(peer, new Entry(pair, clock.instant()));
        if (table.size() > capacity) table.removeEldest();
    }

    @Override
    public synchronized String toString() {
        return "MemoryRatchetStore[" + table.size() + " peers" + (closed ? ", closed" : "") + "]";
    }
}

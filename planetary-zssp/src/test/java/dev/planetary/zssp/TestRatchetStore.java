package dev.planetary.zssp;

import dev.planetary.zssp.internal.RatchetTable;
import java.util.function.Function;

/**
 * A reliable in-memory {@link RatchetStore} for engine tests: the {@link RatchetTable} behind
 * {@code dev.planetary.store.MemoryRatchetStore} (planetary-zssp cannot depend on planetary-store),
 * plus counters and a few hooks the tests use (failure injection, inspection).
 */
final class TestRatchetStore implements RatchetStore {
    private final RatchetTable<RatchetPair> table = new RatchetTable<>(Function.identity());
    int casCalls;
    int casRefused;

    @Override
    public synchronized RatchetPair load(StaticPublicKey peer) {
        return table.pair(peer);
    }

    @Override
    public synchronized RatchetState findByFingerprint(byte[] fingerprint) {
        return table.findByFingerprint(fingerprint);
    }

    @Override
    public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) {
        casCalls++;
        if (!RatchetTable.matches(table.pair(peer), u)) {
            casRefused++;
            return false;
        }
        table.put(peer, new RatchetPair(u.new1(), u.new2()));
        return true;
    }

    /** Pre-stores a pair (e.g. an OTP-derived state) for {@code peer}. */
    synchronized void put(StaticPublicKey peer, RatchetPair pair) {
        table.put(peer, pair);
    }

    /** The stored pair, never null ({@link RatchetPair#INITIAL} for an unknown peer). */
    synchronized RatchetPair pair(StaticPublicKey peer) {
        RatchetPair p = table.pair(peer);
        return p == null ? RatchetPair.INITIAL : p;
    }

    synchronized int indexedFingerprints() {
        return table.indexedFingerprints();
    }
}

package dev.planetary.zssp;

import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * A reliable in-memory {@link RatchetStore} for engine tests: the logic of
 * {@code dev.planetary.store.MemoryRatchetStore} (planetary-zssp cannot depend on planetary-store),
 * plus counters and a few hooks the tests use (failure injection, inspection).
 */
final class TestRatchetStore implements RatchetStore {
    private final Map<StaticPublicKey, RatchetPair> byPeer = new HashMap<>();
    private final Map<String, RatchetState> byFingerprint = new HashMap<>();
    int casCalls;
    int casRefused;

    @Override
    public synchronized RatchetPair load(StaticPublicKey peer) {
        return byPeer.get(peer);
    }

    @Override
    public synchronized RatchetState findByFingerprint(byte[] fingerprint) {
        return byFingerprint.get(HexFormat.of().formatHex(fingerprint));
    }

    @Override
    public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) {
        casCalls++;
        RatchetPair stored = byPeer.getOrDefault(peer, RatchetPair.INITIAL);
        if (!stored.state1().equals(u.current1()) || !RatchetState.same(stored.state2(), u.current2())) {
            casRefused++;
            return false;
        }
        unindex(stored.state1());
        unindex(stored.state2());
        byPeer.put(peer, new RatchetPair(u.new1(), u.new2()));
        index(u.new1());
        index(u.new2());
        return true;
    }

    /** Pre-stores a pair (e.g. an OTP-derived state) for {@code peer}. */
    synchronized void put(StaticPublicKey peer, RatchetPair pair) {
        RatchetPair old = byPeer.put(peer, pair);
        if (old != null) {
            unindex(old.state1());
            unindex(old.state2());
        }
        index(pair.state1());
        index(pair.state2());
    }

    /** The stored pair, never null ({@link RatchetPair#INITIAL} for an unknown peer). */
    synchronized RatchetPair pair(StaticPublicKey peer) {
        return byPeer.getOrDefault(peer, RatchetPair.INITIAL);
    }

    synchronized int indexedFingerprints() {
        return byFingerprint.size();
    }

    private void index(RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.put(HexFormat.of().formatHex(s.fingerprint()), s);
    }

    private void unindex(RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.remove(HexFormat.of().formatHex(s.fingerprint()));
    }
}

package dev.planetary.store;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * A ratchet store in memory: for tests, and for users who explicitly accept opportunistic-only
 * operation (everything is lost when the process ends, so persistent-mode peers get locked out
 * after a restart). Thread-safe; compare-and-swap is atomic under one monitor.
 */
public final class MemoryRatchetStore implements RatchetStore {
    private final Map<StaticPublicKey, RatchetPair> byPeer = new HashMap<>();
    private final Map<String, RatchetState> byFingerprint = new HashMap<>();

    @Override
    public synchronized RatchetPair load(StaticPublicKey peer) {
        return byPeer.get(Objects.requireNonNull(peer, "peer"));
    }

    @Override
    public synchronized RatchetState findByFingerprint(byte[] fingerprint) {
        return byFingerprint.get(HexFormat.of().formatHex(fingerprint));
    }

    @Override
    public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate u) {
        RatchetPair stored = byPeer.getOrDefault(peer, RatchetPair.INITIAL);
        if (!stored.state1().equals(u.current1()) || !sameOrBothNull(stored.state2(), u.current2())) return false;
        unindex(stored.state1());
        unindex(stored.state2());
        byPeer.put(peer, new RatchetPair(u.new1(), u.new2()));
        index(u.new1());
        index(u.new2());
        return true;
    }

    private static boolean sameOrBothNull(RatchetState a, RatchetState b) {
        return a == null ? b == null : a.equals(b);
    }

    private void index(RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.put(HexFormat.of().formatHex(s.fingerprint()), s);
    }

    private void unindex(RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.remove(HexFormat.of().formatHex(s.fingerprint()));
    }

    @Override
    public synchronized String toString() {
        return "MemoryRatchetStore[" + byPeer.size() + " peers]";
    }
}

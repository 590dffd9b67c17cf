package dev.planetary.nic;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The learned bridge table of one network (VL.md §9.3 step 4, §9.4 step 3, §9.6): foreign MAC →
 * the bridge member it was last seen behind, at most {@link #MAX_MACS_PER_BRIDGE} MACs per bridge
 * (oldest first out) and {@link #MAX_BRIDGES} bridges, each entry expiring {@link #EXPIRY_MS} after
 * it was last seen; and the flood budget for unknown unicast ({@link #FLOODS_PER_SECOND}).
 *
 * <p>Sans-IO: time (ms, any monotonic origin) is passed in. Thread-safe (the NIC's reader looks up,
 * the node's loop learns).
 */
public final class BridgeTable {
    /** §9.6: MACs learned per bridge. */
    public static final int MAX_MACS_PER_BRIDGE = 4096;
    /** §9.3 step 4: unknown unicast goes to at most this many bridges (V1 {@code ZT_MAX_BRIDGE_SPAM}); also the bridges learned from. */
    public static final int MAX_BRIDGES = 32;
    /** §9.3 step 4: a learned MAC expires this long after it was last seen. */
    public static final long EXPIRY_MS = 600_000;
    /** §9.3 step 4: unknown-unicast floods per second from this node. */
    public static final int FLOODS_PER_SECOND = 100;

    private record Seen(long bridge, long at) {
    }

    /** Per bridge: its MACs in the order last seen (oldest first). */
    private final Map<Long, LinkedHashMap<MacAddress, Long>> byBridge = new HashMap<>();
    private final Map<MacAddress, Seen> byMac = new HashMap<>();
    private long floodWindowStart = Long.MIN_VALUE;
    private int floodsInWindow;
    private long refused;

    /**
     * {@code mac} was the source of a frame from bridge {@code bridge} at {@code now}: (re)learned.
     * Returns false (and counts it) when the table already holds {@link #MAX_BRIDGES} other bridges.
     */
    public synchronized boolean learn(MacAddress mac, long bridge, long now) {
        Seen old = byMac.get(mac);
        if (old != null) {
            byBridge.get(old.bridge()).remove(mac);
            if (byBridge.get(old.bridge()).isEmpty()) byBridge.remove(old.bridge());
        }
        LinkedHashMap<MacAddress, Long> macs = byBridge.get(bridge);
        if (macs == null) {
            if (byBridge.size() >= MAX_BRIDGES) {
                byMac.remove(mac);
                refused++;
                return false;
            }
            macs = new LinkedHashMap<>();
            byBridge.put(bridge, macs);
        }
        macs.put(mac, now);
        byMac.put(mac, new Seen(bridge, now));
        if (macs.size() > MAX_MACS_PER_BRIDGE) { // §9.6: oldest first
            Iterator<MacAddress> it = macs.keySet().iterator();
            byMac.remove(it.next());
            it.remove();
        }
        return true;
    }

    /** The bridge {@code mac} was learned behind, or -1 when unknown or expired. */
    public synchronized long bridgeOf(MacAddress mac, long now) {
        Seen s = byMac.get(mac);
        if (s == null) return -1;
        if (now - s.at() >= EXPIRY_MS) {
            forget(mac, s);
            return -1;
        }
        return s.bridge();
    }

    /** Forgets every MAC learned behind {@code bridge} (e.g. it lost the bridge flag). */
    public synchronized void forgetBridge(long bridge) {
        LinkedHashMap<MacAddress, Long> macs = byBridge.remove(bridge);
        if (macs != null) byMac.keySet().removeAll(macs.keySet());
    }

    /** Whether one more unknown-unicast flood fits the budget at {@code now} (and takes it if so). */
    public synchronized boolean takeFlood(long now) {
        if (now - floodWindowStart >= 1_000 || floodWindowStart == Long.MIN_VALUE) {
            floodWindowStart = now;
            floodsInWindow = 0;
        }
        if (floodsInWindow >= FLOODS_PER_SECOND) return false;
        floodsInWindow++;
        return true;
    }

    /** Drops expired entries (each bridge's oldest first); returns how many went. */
    public synchronized int expire(long now) {
        int n = 0;
        for (Iterator<LinkedHashMap<MacAddress, Long>> b = byBridge.values().iterator(); b.hasNext();) {
            LinkedHashMap<MacAddress, Long> macs = b.next();
            for (Iterator<Map.Entry<MacAddress, Long>> it = macs.entrySet().iterator(); it.hasNext();) {
                Map.Entry<MacAddress, Long> e = it.next();
                if (now - e.getValue() < EXPIRY_MS) break; // in last-seen order: the rest are younger
                byMac.remove(e.getKey());
                it.remove();
                n++;
            }
            if (macs.isEmpty()) b.remove();
        }
        return n;
    }

    /** Learned MACs (expired ones included until looked up or {@link #expire}d). */
    public synchronized int size() {
        return byMac.size();
    }

    /** MACs learned behind {@code bridge}. */
    public synchronized List<MacAddress> macsOf(long bridge) {
        LinkedHashMap<MacAddress, Long> macs = byBridge.get(bridge);
        return macs == null ? List.of() : new ArrayList<>(macs.keySet());
    }

    /** Learnings refused because {@link #MAX_BRIDGES} other bridges were known. */
    public synchronized long refused() {
        return refused;
    }

    private void forget(MacAddress mac, Seen s) {
        byMac.remove(mac);
        LinkedHashMap<MacAddress, Long> macs = byBridge.get(s.bridge());
        if (macs != null) {
            macs.remove(mac);
            if (macs.isEmpty()) byBridge.remove(s.bridge());
        }
    }
}

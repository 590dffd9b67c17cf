package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.vl1.Node.Direct;
import dev.planetary.vl1.engine.BoundedMap;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One peer's path table (VL.md §5.1, §5.2): at most {@link Vl1Limits#MAX_PATHS_PER_PEER} direct
 * paths in the states candidate → alive ⇄ stale, the candidates' ECHO probe schedule, the path
 * score and the preferred path with its 0.8× hysteresis, and the peer's sticky relay root. Pure
 * bookkeeping: the {@link Node} sends the probes this table asks for and follows its preferred path.
 */
final class PeerPaths {
    /** §5.1 path states. */
    enum State { CANDIDATE, ALIVE, STALE }

    /** §5.2: probes of a learned candidate at +0, 0.5, 1.5 and 3.5 s. */
    static final long[] LEARNED_PROBES = {0, 500, 1_500, 3_500};
    /** §5.2: at most this many candidates are probed at once per peer. */
    static final int MAX_CANDIDATES = 16;
    /** §5.1: a global remote endpoint scores 5 ms worse than a private one. */
    static final double GLOBAL_PENALTY_MS = 5;
    /** §5.1: switch only to a path scoring below 0.8 × the preferred one. */
    static final double HYSTERESIS = 0.8;
    /** No (more) probes: a confirmed path's schedule, shared (schedules are never written). */
    static final long[] NO_PROBES = {};
    /** Outstanding probe request ids remembered per peer (bounded like every per-peer table). */
    static final int MAX_OUTSTANDING_PROBES = 64;

    /** One direct path. Times are the driver's clock, ms; {@code Long.MIN_VALUE / 2} means never. */
    static final class Entry {
        final Direct path;
        final boolean global;
        State state = State.CANDIDATE;
        long created;
        long lastRecv = Long.MIN_VALUE / 2;
        long lastSend = Long.MIN_VALUE / 2;
        long lastHeartbeat = Long.MIN_VALUE / 2;
        long giveUpAt;
        double latency = Double.NaN;
        long[] probes = NO_PROBES;
        long probeBase;
        int probeIndex;

        Entry(Direct path, long now) {
            this.path = path;
            this.created = now;
            this.global = !isPrivate(path.remote().getAddress());
        }

        boolean confirmed() {
            return state != State.CANDIDATE;
        }

        /** §5.1 score, lower is better; an unmeasured path scores after every measured one. */
        double score() {
            double l = Double.isNaN(latency) ? 1e9 : latency;
            return l + (global ? GLOBAL_PENALTY_MS : 0);
        }

        long nextProbe() {
            return probeIndex < probes.length ? probeBase + probes[probeIndex] : Long.MAX_VALUE;
        }
    }

    private final Map<Direct, Entry> direct = new LinkedHashMap<>(2); // most peers (all of a root's members) have one path: a 2-slot table, grown on demand
    private BoundedMap<Integer, Direct> outstanding; // allocated on the first probe (most peers of a root never need it)
    private Direct preferred;
    /** §5.1 sticky relay root, null until chosen. */
    Address relayRoot;

    Entry get(Direct d) {
        return direct.get(d);
    }

    /** The direct paths' endpoints, in learning order (at most {@code MAX_PATHS_PER_PEER}). */
    List<Direct> directs() {
        return List.copyOf(direct.keySet());
    }

    Direct preferred() {
        return preferred;
    }

    int size() {
        return direct.size();
    }

    List<Entry> entries() {
        return List.copyOf(direct.values());
    }

    /** True if an alive direct path exists (§5.5: no rendezvous then). */
    boolean anyAlive() {
        for (Entry e : direct.values()) if (e.state == State.ALIVE) return true;
        return false;
    }

    private int candidates() {
        int n = 0;
        for (Entry e : direct.values()) if (e.state == State.CANDIDATE) n++;
        return n;
    }

    /** Outcome of {@link #learn}. */
    enum Learned { NEW, KNOWN, REFUSED }

    /**
     * §5.2: learns {@code d} as a candidate probed on {@code schedule} (a confirmed path is left as
     * is; an unconfirmed one gets the new schedule and a fresh {@code T_CANDIDATE_GIVEUP} only if
     * {@code refresh}, so packets from a candidate never restart its probes). Beyond
     * 16 candidates the path is refused; beyond 64 paths the one with the oldest receipt goes.
     */
    Learned learn(Direct d, long now, long[] schedule, boolean refresh) {
        Entry e = direct.get(d);
        if (e != null) {
            if (!e.confirmed() && refresh) arm(e, now, schedule);
            return Learned.KNOWN;
        }
        if (candidates() >= MAX_CANDIDATES) return Learned.REFUSED;
        if (direct.size() >= Vl1Limits.MAX_PATHS_PER_PEER) evictOldest();
        e = new Entry(d, now);
        arm(e, now, schedule);
        direct.put(d, e);
        return Learned.NEW;
    }

    private static void arm(Entry e, long now, long[] schedule) {
        e.probes = schedule;
        e.probeBase = now;
        e.probeIndex = 0;
        e.giveUpAt = now + Vl1Limits.T_CANDIDATE_GIVEUP;
    }

    private void evictOldest() {
        Entry oldest = null;
        for (Entry e : direct.values()) {
            if (e.path.equals(preferred)) continue;
            if (oldest == null || e.lastRecv < oldest.lastRecv) oldest = e;
        }
        if (oldest != null) direct.remove(oldest.path);
    }

    /** §3.5 (a)/(b): {@code d} is confirmed (probe answered from it, or the handshake ran over it). */
    Entry confirm(Direct d, long now) {
        Entry e = direct.get(d);
        if (e == null) {
            if (direct.size() >= Vl1Limits.MAX_PATHS_PER_PEER) evictOldest();
            e = new Entry(d, now);
            direct.put(d, e);
        }
        e.state = State.ALIVE;
        e.lastRecv = now;
        e.probes = NO_PROBES;
        return e;
    }

    /** An authenticated packet arrived on {@code d}; false if {@code d} is not a confirmed path. */
    boolean received(Direct d, long now) {
        Entry e = direct.get(d);
        if (e == null || !e.confirmed()) return false;
        e.lastRecv = now;
        e.state = State.ALIVE;
        return true;
    }

    void sent(Direct d, long now) {
        Entry e = direct.get(d);
        if (e != null) e.lastSend = now;
    }

    /** §3.8: RTT sample on {@code d}, EWMA with α = 1/4. */
    void sample(Direct d, long rtt) {
        Entry e = direct.get(d);
        if (e != null) e.latency = Double.isNaN(e.latency) ? rtt : e.latency * 0.75 + rtt * 0.25;
    }

    void probeSent(int requestId, Direct d) {
        if (outstanding == null) outstanding = new BoundedMap<>(MAX_OUTSTANDING_PROBES);
        outstanding.put(requestId, d);
    }

    /** True if {@code requestId} was a probe sent on exactly {@code d} (§5.2: the answer must come from it). */
    boolean probeAnswered(int requestId, Direct d) {
        Direct sentOn = outstanding == null ? null : outstanding.get(requestId);
        if (sentOn == null || !sentOn.equals(d)) return false;
        outstanding.remove(requestId);
        return true;
    }

    /**
     * Advances the states at {@code now}: candidates give up after 10 s, confirmed paths go stale
     * after 19 s and away after 243 s without receipt (§5.1). Adds the candidates due for a probe to
     * {@code probes} and returns the next time this table has work.
     */
    long tick(long now, List<Direct> probes) {
        long next = Long.MAX_VALUE;
        for (Iterator<Entry> it = direct.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.state == State.CANDIDATE) {
                if (now >= e.giveUpAt) {
                    it.remove();
                    continue;
                }
                if (now >= e.nextProbe()) {
                    probes.add(e.path);
                    e.probeIndex++;
                    while (e.nextProbe() <= now) e.probeIndex++; // a late service sends one probe, not a burst
                }
                next = Math.min(next, Math.min(e.giveUpAt, e.nextProbe()));
                continue;
            }
            if (now - e.lastRecv >= Vl1Limits.T_PATH_EXPIRE) {
                it.remove();
                continue;
            }
            e.state = now - e.lastRecv < Vl1Limits.T_PATH_ALIVE ? State.ALIVE : State.STALE;
            next = Math.min(next, e.state == State.ALIVE ? e.lastRecv + Vl1Limits.T_PATH_ALIVE : e.lastRecv + Vl1Limits.T_PATH_EXPIRE);
        }
        if (preferred != null && !direct.containsKey(preferred)) preferred = null;
        return next;
    }

    /**
     * §5.1: the alive direct path with the lowest score; the current one stays unless it stopped
     * being alive or another scores below 0.8 × its score. Null: no alive direct path (use the relay).
     */
    Direct choosePreferred() {
        Entry cur = preferred == null ? null : direct.get(preferred);
        if (cur != null && cur.state != State.ALIVE) cur = null;
        Entry best = null;
        for (Entry e : direct.values()) {
            if (e.state != State.ALIVE) continue;
            if (best == null || better(e, best)) best = e;
        }
        if (cur != null && best != null && best != cur && !(best.score() < HYSTERESIS * cur.score())) best = cur;
        preferred = best == null ? null : best.path;
        return preferred;
    }

    /** Lower score; ties prefer IPv6, then the latest receipt (§5.1). */
    private static boolean better(Entry a, Entry b) {
        if (a.score() != b.score()) return a.score() < b.score();
        boolean a6 = a.path.remote().getAddress() instanceof Inet6Address, b6 = b.path.remote().getAddress() instanceof Inet6Address;
        if (a6 != b6) return a6;
        return a.lastRecv > b.lastRecv;
    }

    /** The best stale path, used only when no alive path and no relay exist (§5.1). */
    Direct bestStale() {
        Entry best = null;
        for (Entry e : direct.values()) if (e.state == State.STALE && (best == null || e.lastRecv > best.lastRecv)) best = e;
        return best == null ? null : best.path;
    }

    void clear() {
        direct.clear();
        outstanding = null;
        preferred = null;
    }

    /** Address scopes of §5.7. */
    enum Scope { LINK_LOCAL, PRIVATE, GLOBAL }

    static Scope scope(InetAddress a) {
        if (a.isLinkLocalAddress()) return Scope.LINK_LOCAL;
        return isPrivate(a) ? Scope.PRIVATE : Scope.GLOBAL;
    }

    /** §5.1/§5.7 "private": 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 and link-local. */
    static boolean isPrivate(InetAddress a) {
        if (a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isLoopbackAddress()) return true;
        byte[] b = a.getAddress();
        if (b.length == 4) return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
        return (b[0] & 0xfe) == 0xfc;
    }

    /** §5.7: never a pushed path (loopback, multicast, unspecified; port 0). */
    /**
     * §5.1: a heartbeat is due on a path (or a relayed session) on which nothing was sent for
     * T_HEARTBEAT, and also on one that keeps sending but heard nothing for as long (at most one per
     * T_HEARTBEAT): RELAYs towards a dead peer kept a root's path "busy", so it was never asked,
     * lapsed past T_PATH_ALIVE, and a node with one root went offline.
     */
    static boolean heartbeatDue(long t, long lastSend, long lastRecv, long lastHeartbeat) {
        return t - lastSend >= Vl1Limits.T_HEARTBEAT || t - lastRecv >= Vl1Limits.T_HEARTBEAT && t - lastHeartbeat >= Vl1Limits.T_HEARTBEAT;
    }

    /** When {@link #heartbeatDue} next becomes true (if nothing is sent or received meanwhile). */
    static long nextHeartbeat(long lastSend, long lastRecv, long lastHeartbeat) {
        return Math.min(lastSend, Math.max(lastRecv, lastHeartbeat)) + Vl1Limits.T_HEARTBEAT;
    }

    static boolean unusable(InetAddress a, int port) {
        return a.isLoopbackAddress() || unroutable(a, port);
    }

    /** Never a path at all: multicast, unspecified, port 0 (a root's observed endpoint may be loopback on a one-host lab). */
    static boolean unroutable(InetAddress a, int port) {
        return port == 0 || a.isMulticastAddress() || a.isAnyLocalAddress();
    }

    /** Views for the API (copies). */
    List<Entry> snapshot() {
        return new ArrayList<>(direct.values());
    }
}

package dev.planetary.vl1.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Admission of ZSSP handshakes at a root, decided on a Hello that passed the challenge (so its
 * source is proven, VL.md §3.3) and before the handshake's public-key work (issue 13's
 * verification budget, VL.md §2.6 cost control). A root cannot tell a returning member from an
 * attacker before the handshake (the initiator's identity travels in the X3), so every Hello
 * competes for one global budget of {@code perSecond} handshakes, shared fairly over source
 * prefixes (/24 or /48, chosen by the caller):
 * <ul>
 *   <li>while the global bucket is more than half full, any Hello is admitted (no contention);
 *   <li>below that, a Hello is admitted only if its prefix has a token of its own: each of the
 *       N prefixes seen in the last {@code activeWindowMs} refills at 3/4 of {@code perSecond}/N,
 *       so contending prefixes together leave a quarter of the budget for newcomers, and a prefix
 *       seen for the first time starts with a full bucket;
 *   <li>the last quarter of the global bucket is the newcomers' reserve: a prefix already heard
 *       in the window spends its own token only while more than that is left. The tokens the
 *       contending prefixes saved while refused add up to more than the whole bucket (one each,
 *       256 prefixes), and flooders whose resent Hellos arrive together spent them in one burst,
 *       emptying the bucket just before a newcomer's first Hello (RootFloodSimTest, seed 30).
 * </ul>
 * A flood from many prefixes therefore cannot keep a quiet prefix's first Hello out.
 * A refused Hello is dropped unanswered; its initiator resends it after 1 s (ZSSP §3.5). Memory is
 * bounded: at most {@code maxPrefixes} records, least recently seen evicted (an evicted prefix comes
 * back as new, which the global bucket still bounds). Single-threaded, on the caller's clock.
 */
public final class HandshakeAdmission {
    private static final double CONTENDED_SHARE = 0.75;
    /** The part of the global bucket only a newcomer's first Hello may take: contending prefixes stop above it. */
    private static final double NEWCOMER_RESERVE = 0.25;

    private static final class Share {
        double tokens;
        long last;
        long seen;

        Share(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
            this.seen = now;
        }
    }

    private final double perSecond;
    private final double globalBurst;
    private final TokenBucket global;
    private final int maxPrefixes;
    private final long activeWindowMs;
    private final LinkedHashMap<Object, Share> prefixes = new LinkedHashMap<>(64, 0.75f, true); // least recently seen first
    private long admitted;
    private long refused;

    public HandshakeAdmission(int perSecond, int maxPrefixes, long activeWindowMs, long now) {
        if (perSecond < 2 || maxPrefixes < 1 || activeWindowMs < 1) {
            throw new IllegalArgumentException("perSecond must be ≥ 2, maxPrefixes and activeWindowMs ≥ 1");
        }
        this.perSecond = perSecond;
        this.globalBurst = perSecond; // one second of budget
        this.global = new TokenBucket(perSecond, globalBurst, now);
        this.maxPrefixes = maxPrefixes;
        this.activeWindowMs = activeWindowMs;
    }

    /** Whether a Hello from {@code prefix} gets a handshake now; takes its tokens if so. */
    public boolean admit(Object prefix, long now) {
        expire(now);
        int n = prefixes.size() + (prefixes.containsKey(prefix) ? 0 : 1);
        double rate = CONTENDED_SHARE * perSecond / n; // per second, for this prefix
        double burst = Math.max(1, Math.min(rate, 8));
        Share s = prefixes.get(prefix);
        boolean newcomer = s == null;
        if (s == null) {
            if (prefixes.size() >= maxPrefixes) evictEldest();
            s = new Share(burst, now);
            prefixes.put(prefix, s);
        } else {
            s.tokens = Math.min(burst, s.tokens + Math.max(0, now - s.last) * rate / 1000.0);
            s.last = now;
            s.seen = now;
        }
        double level = global.available(now);
        boolean uncontended = level > globalBurst / 2;
        boolean own = s.tokens >= 1 && (newcomer || level >= 1 + globalBurst * NEWCOMER_RESERVE);
        if ((uncontended || own) && global.take(now)) {
            if (own) s.tokens -= 1;
            admitted++;
            return true;
        }
        refused++;
        return false;
    }

    private void expire(long now) {
        Iterator<Share> it = prefixes.values().iterator();
        while (it.hasNext()) {
            Share s = it.next();
            if (now - s.seen <= activeWindowMs) break; // access order: the rest were seen later
            it.remove();
        }
    }

    private void evictEldest() {
        Iterator<Map.Entry<Object, Share>> it = prefixes.entrySet().iterator();
        it.next();
        it.remove();
    }

    /** Prefixes currently tracked (contending). */
    public int prefixes() {
        return prefixes.size();
    }

    public long admitted() {
        return admitted;
    }

    public long refused() {
        return refused;
    }
}

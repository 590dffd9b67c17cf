package dev.planetary.zssp;

import java.util.HashSet;
import java.util.Set;

/** Invariants the simulation tests assert on a Context and on a pair of ratchet stores. */
final class EngineChecks {
    private EngineChecks() {}

    /**
     * Memory and bookkeeping bounds of one context; returns a description of the first violation or
     * null. The key-id table must hold exactly the receive kids of live sessions plus one kid per
     * pending handshake (a leak or a dangling kid shows up as a mismatch).
     */
    static String memory(Context<?> ctx, int maxSessions) {
        Set<? extends Session<?>> live = ctx.sessions();
        if (live.size() > maxSessions) return "sessions " + live.size() + " > " + maxSessions;
        int pending = ctx.pendingHandshakes();
        if (pending > ctx.settings().maxPendingHandshakes()) return "pending handshakes " + pending + " > cap " + ctx.settings().maxPendingHandshakes();
        int expected = pending;
        for (Session<?> s : live) {
            if (s.isExpired()) return "an expired session is still tracked";
            Set<Integer> kids = new HashSet<>();
            Session.Keys k = s.keys;
            if (k != null) {
                for (int kid : new int[] {k.current().recvKid(), k.other().recvKid()}) {
                    if (kid == 0) continue;
                    if (ctx.kids.get(kid) != s) return "kid " + Integer.toHexString(kid) + " of a live " + s.state() + " session is not registered to it";
                    kids.add(kid);
                }
            }
            expected += kids.size();
            Session.Headers h = s.headers;
            if (h != null && h.pending() > Context.SESSION_REASSEMBLY_SLOTS) return "session reassembly over its slots";
        }
        if (ctx.kids.size() != expected) return "key-id table holds " + ctx.kids.size() + " kids, expected " + expected + " (leak)";
        if (ctx.helloReassemblies() > ctx.settings().maxHelloReassemblies()) return "Hello reassembly over its cap";
        return null;
    }

    /**
     * §8: between honest peers the two stored pairs never diverge beyond the two-state window: each
     * side's pair shares at least one state with the other's. Returns null if so.
     */
    static String ratchetsShareAState(RatchetPair a, RatchetPair b) {
        for (RatchetState x : new RatchetState[] {a.state1(), a.state2()}) {
            if (x != null && (x.equals(b.state1()) || x.equals(b.state2()))) return null;
        }
        return "stored ratchet pairs diverged: " + a + " vs " + b;
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.vl1.engine.BoundedMap;
import dev.planetary.vl1.engine.TimerQueue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A member's WHOIS client under the trust rule of VL.md §2.7 (§3.9): two agreeing roots, the next
 * root on no answer (≤ 3), every live root once on a conflict, TOFU only with a one-root set; a
 * failed lookup is cached 30 s (3 s in the first minute of consecutive failures, Local). Part of a
 * {@link Node}, on its thread; its timers run in the node's {@link TimerQueue}.
 */
final class WhoisClient {
    private final Node node;
    private final Map<Address, Lookup> lookups = new HashMap<>();
    private final Map<Integer, Lookup> lookupByRequest = new HashMap<>();
    /** A failed lookup: cached until {@code until}; {@code since}: the first of the consecutive failures (Vl1Limits.T_WHOIS_NEGATIVE_GRACE). */
    private record Negative(long until, long since) {}

    private final BoundedMap<Address, Negative> negative = new BoundedMap<>(4096);

    WhoisClient(Node node) {
        this.node = node;
    }

    /** True while a failed lookup for {@code a} is cached. */
    boolean recentlyFailed(Address a) {
        Negative n = negative.get(a);
        return n != null && n.until > node.now;
    }

    /** An ERROR in answer to WHOIS request {@code requestId} from root {@code p}: no answer from it. */
    void onError(Node.Peer p, int requestId) {
        Lookup l = lookupByRequest.get(requestId);
        if (l == null) return;
        Ask a = l.asks.get(p.fp);
        if (a != null && a.requestId == requestId && !a.done) {
            a.done = true;
            evaluate(l);
        }
    }

    void sizes(Map<String, Integer> m) {
        m.put("lookups", lookups.size());
        m.put("lookupRequests", lookupByRequest.size());
        m.put("negative", negative.size());
    }

    /** One WHOIS lookup (§2.7, §3.9). */
    private final class Lookup implements TimerQueue.Timed {
        final Address address;
        final long started;
        final Map<Fingerprint, Ask> asks = new LinkedHashMap<>();
        final Map<Fingerprint, Identity> identities = new HashMap<>();
        boolean conflictRound;
        boolean finished;

        Lookup(Address address, long started) {
            this.address = address;
            this.started = started;
        }

        @Override
        public long onTimer(long t) {
            return lookupTimer(this, t);
        }
    }

    private static final class Ask {
        final int requestId;
        final long sentAt;
        boolean done;
        Fingerprint answer;

        Ask(int requestId, long sentAt) {
            this.requestId = requestId;
            this.sentAt = sentAt;
        }
    }

    void start(Address a) {
        if (lookups.containsKey(a)) return;
        if (lookups.size() >= node.config.maxPendingLookups()) {
            node.out.event(new NodeEvent.LookupFailed(a, "too many lookups in progress"));
            node.dropWaiting(a, "lookup refused");
            return;
        }
        Lookup l = new Lookup(a, node.now);
        lookups.put(a, l);
        List<Node.Peer> live = node.liveRoots();
        int first = tofu() ? 1 : 2;
        for (int i = 0; i < Math.min(first, live.size()); i++) ask(l, live.get(i));
        node.timers.schedule(l, node.now + (l.asks.isEmpty() ? 250 : Vl1Limits.T_WHOIS_RETRY));
    }

    /** §2.7: only a node whose root sets hold exactly one root trusts it alone. */
    private boolean tofu() {
        return node.rootPeers.size() == 1;
    }

    private void ask(Lookup l, Node.Peer root) {
        int id = node.nextRequestId();
        l.asks.put(root.fp, new Ask(id, node.now));
        lookupByRequest.put(id, l);
        node.sendMessage(root, new Whois(id, List.of(l.address)));
    }

    void onReply(Node.Peer p, Ok.WhoisReply r) {
        Lookup l = lookupByRequest.get(r.inReRequestId());
        if (l == null || p.root == null) return;
        Ask a = l.asks.get(p.fp);
        if (a == null || a.requestId != r.inReRequestId() || a.done) return;
        a.done = true;
        for (Ok.WhoisRecord rec : r.records()) {
            if (!rec.address().equals(l.address)) { // not requested: discarded
                node.bump(NodeCounter.WHOIS_RECORD_DISCARDED);
                continue;
            }
            Identity id = Identity.decode(rec.identity().toArray()).orNull();
            if (id == null || !node.verifier.selfSignatureValid(id)) {
                node.bump(NodeCounter.WHOIS_RECORD_DISCARDED);
                continue;
            }
            a.answer = id.fingerprint();
            l.identities.put(a.answer, id);
        }
        evaluate(l);
    }

    /** The §2.7 decision after each answer or timeout. */
    private void evaluate(Lookup l) {
        if (l.finished) return;
        List<Fingerprint> answers = new ArrayList<>();
        boolean outstanding = false;
        for (Ask a : l.asks.values()) {
            if (!a.done) outstanding = true;
            else if (a.answer != null) answers.add(a.answer);
        }
        Set<Fingerprint> distinct = new LinkedHashSet<>(answers);
        if (!l.conflictRound) {
            if (distinct.size() > 1) { // ask every live root once, those already asked included
                l.conflictRound = true;
                forgetAsks(l);
                for (Node.Peer r : node.liveRoots()) ask(l, r);
                if (l.asks.isEmpty()) conflict(l, distinct);
                return;
            }
            if (answers.size() >= 2 || (tofu() && answers.size() == 1)) {
                succeed(l, answers.getFirst(), tofu());
                return;
            }
            if (outstanding) return;
            if (l.asks.size() < Vl1Limits.WHOIS_MAX_ROOTS_ASKED) {
                for (Node.Peer r : node.liveRoots()) {
                    if (!l.asks.containsKey(r.fp)) {
                        ask(l, r);
                        return;
                    }
                }
            }
            // Local: a lookup that has not yet asked two roots waits (≤ 5 s, the queue lifetime) for another live root
            if (l.asks.size() < 2 && node.now - l.started < Node.LOOKUP_WAIT_FOR_ROOTS && node.rootPeers.size() > 1) return;
            if (answers.isEmpty()) fail(l, "no root knows the address", noAnswerCache(l.address));
            else fail(l, "only one root answered", Vl1Limits.T_WHOIS_PARTIAL_CACHE); // Local: the other registries may just lag (a node that came online a moment ago)
            return;
        }
        if (outstanding) return;
        if (answers.size() >= 2 && distinct.size() == 1) succeed(l, answers.getFirst(), false);
        else conflict(l, distinct);
    }

    private void forgetAsks(Lookup l) {
        for (Ask a : l.asks.values()) lookupByRequest.remove(a.requestId);
        l.asks.clear();
    }

    private void succeed(Lookup l, Fingerprint fp, boolean tofu) {
        Identity id = l.identities.get(fp);
        // §2.6: a VL1 peer addressed by address needs the PoW and derived address checked
        if (id == null || !node.verifier.verify(id, l.address).isOk()) {
            node.bump(NodeCounter.WHOIS_RECORD_DISCARDED);
            fail(l, "the agreed identity does not derive the address");
            return;
        }
        Fingerprint existing = node.byAddress.get(l.address);
        if (existing != null && !existing.equals(fp)) {
            Node.CacheEntry e = node.cache.get(existing);
            if (e != null && node.now - e.lastUsed < Node.PIN_PROTECT_MS) {
                conflict(l, new LinkedHashSet<>(List.of(existing, fp)));
                return;
            }
        }
        finish(l);
        node.pin(id, l.address, tofu ? Node.Source.WHOIS_TOFU : Node.Source.WHOIS);
        node.out.event(new NodeEvent.IdentityResolved(l.address, fp, tofu));
        if (node.waiting.containsKey(l.address)) {
            Node.Peer p = node.ensurePeer(fp);
            if (p != null) {
                if (p.canSend()) {
                    p.bound = true;
                    p.address = l.address;
                    node.flush(l.address);
                } else {
                    node.timers.schedule(p, node.now);
                }
            }
        }
    }

    private void conflict(Lookup l, Set<Fingerprint> fps) {
        node.out.event(new NodeEvent.IdentityConflict(l.address, List.copyOf(fps)));
        fail(l, "identity.conflict");
    }

    private void fail(Lookup l, String reason) {
        fail(l, reason, Vl1Limits.T_WHOIS_NEGATIVE_CACHE);
    }

    /**
     * Local (§3.9): how long a lookup of {@code a} that no root answered stays failed: 3 s during
     * the first minute of consecutive failures, then 30 s ({@link Vl1Limits#T_WHOIS_NEGATIVE_GRACE}).
     */
    private long noAnswerCache(Address a) {
        return node.now - streakSince(a) < Vl1Limits.T_WHOIS_NEGATIVE_GRACE ? Vl1Limits.T_WHOIS_PARTIAL_CACHE : Vl1Limits.T_WHOIS_NEGATIVE_CACHE;
    }

    /** When the current streak of failed lookups of {@code a} began: now if there is none (its last entry expired a quiet 30 s ago). */
    private long streakSince(Address a) {
        Negative n = negative.get(a);
        return n == null || node.now - n.until > Vl1Limits.T_WHOIS_NEGATIVE_CACHE ? node.now : n.since;
    }

    private void fail(Lookup l, String reason, long cacheMs) {
        finish(l);
        negative.put(l.address, new Negative(node.now + cacheMs, streakSince(l.address)));
        node.out.event(new NodeEvent.LookupFailed(l.address, reason));
        node.dropWaiting(l.address, "lookup failed: " + reason);
    }

    private void finish(Lookup l) {
        l.finished = true;
        forgetAsks(l);
        lookups.remove(l.address);
        node.timers.cancel(l);
    }

    private long lookupTimer(Lookup l, long t) {
        if (l.finished) return Long.MAX_VALUE;
        if (l.asks.isEmpty()) { // waiting for a live root
            List<Node.Peer> live = node.liveRoots();
            if (!live.isEmpty()) {
                for (int i = 0; i < Math.min(tofu() ? 1 : 2, live.size()); i++) ask(l, live.get(i));
                return t + Vl1Limits.T_WHOIS_RETRY;
            }
            if (t - l.started >= Node.LOOKUP_WAIT_FOR_ROOTS) {
                fail(l, "no live root", 0); // says nothing about the address: the next send asks again once a root answers
                return Long.MAX_VALUE;
            }
            return t + 250;
        }
        for (Ask a : l.asks.values()) {
            if (!a.done && t - a.sentAt >= Vl1Limits.T_WHOIS_RETRY) a.done = true; // silence = no answer
        }
        evaluate(l);
        if (l.finished) return Long.MAX_VALUE;
        long next = Long.MAX_VALUE;
        for (Ask a : l.asks.values()) if (!a.done) next = Math.min(next, a.sentAt + Vl1Limits.T_WHOIS_RETRY);
        return next == Long.MAX_VALUE ? t + 250 : next;
    }
}

package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.identity.Base32;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityText;
import dev.planetary.vl2.GatherReply;
import dev.planetary.vl2.MulticastGroup;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The network controller's engine (VL.md §7.5, §8.4, §13.3), sans-IO: requests and operator
 * changes in, answers and the pushes a change needs out; time is passed in. Every method is
 * synchronized (one engine per controller identity); each request or change runs in one store
 * transaction, and a refused request writes nothing.
 *
 * <p>Error contract: hostile input from the network ({@link #onConfigRequest}) never throws — it
 * gets a {@link ConfigAnswer.Refused}; operator input with a bad field throws
 * {@link FieldException} naming it; storage failures throw {@link ControllerStore.StoreException}.
 */
public final class Controller {
    private final Address self;
    private final ControllerStore store;
    private final Issuer issuer;
    private final IdentityCheck identities;
    private final ControllerEvents events;
    private final RandomGenerator random;
    private final IssuanceClock clock;
    private final RateLimiter<Fingerprint> requestRate = new RateLimiter<>(ControllerLimits.CONFIG_REQUESTS_PER_SECOND);
    private final RateLimiter<Fingerprint> queryRate = new RateLimiter<>(ControllerLimits.QUERIES_PER_SECOND);
    private final RateLimiter<Long> newRowsPerNetwork = new RateLimiter<>(ControllerLimits.NEW_ROWS_PER_SECOND_NETWORK);
    private final RateLimiter<String> newRowsPerPrefix = new RateLimiter<>(ControllerLimits.NEW_ROWS_PER_SECOND_PREFIX);
    /** Members with a live session (fingerprint → claimed address), in arrival order. */
    private final Map<Fingerprint, Address> online = new LinkedHashMap<>();
    private final Map<String, Long> counters = new TreeMap<>();
    /** Members whose credentials a change revoked while they had no session: reached at once (§6.4, §7.5 "Pushes"). */
    private final Set<Address> reachSoon = new java.util.LinkedHashSet<>();
    /** Authorised members, assignments, specialists and LIKEs per network, for GATHER answers and configs (§10). */
    private final MulticastDirectory directory = new MulticastDirectory();
    private final TokenBucket<Fingerprint> gatherBudget = new TokenBucket<>(ControllerLimits.GATHER_RATE, ControllerLimits.GATHER_BURST);
    /** LIKE budgets per (member, network): a member of many networks announces each one's full set every 60 s (§10.2). */
    private final TokenBucket<MemberOf> likeBudget = new TokenBucket<>(ControllerLimits.LIKE_RATE, ControllerLimits.LIKE_BURST);

    private record MemberOf(Fingerprint member, long nwid) {}
    /** The order of gather records (load spreading, not a secret): a fast generator seeded from {@code random}. */
    private final SplittableRandom order;

    public Controller(Address self, ControllerStore store, Issuer issuer, IdentityCheck identities, ControllerEvents events,
            RandomGenerator random) {
        this.self = self;
        this.store = store;
        this.issuer = issuer;
        this.identities = identities;
        this.events = events;
        this.random = random;
        this.clock = new IssuanceClock(store);
        this.order = new SplittableRandom(random.nextLong());
    }

    public Address address() {
        return self;
    }

    /** What happened, for metrics: refusals by code and reason, issuances, pushes. */
    public synchronized Map<String, Long> counters() {
        return Map.copyOf(counters);
    }

    private void count(String what) {
        counters.merge(what, 1L, Long::sum);
    }

    /** The last issued timestamp (for {@code GET /controller}'s clock and tests). */
    public synchronized long lastIssued() {
        return clock.last();
    }

    // ---------------------------------------------------------------- sessions

    /** A session with {@code peer} (claiming {@code address}) is up: it gets pushes now (§7.5 "Pushes"). */
    public synchronized void sessionUp(Fingerprint peer, Address address) {
        if (online.size() >= ControllerLimits.MAX_ONLINE && !online.containsKey(peer)) return; // pushes only; it still gets answers
        online.put(peer, address);
    }

    public synchronized void sessionDown(Fingerprint peer) {
        online.remove(peer);
    }

    /**
     * A revoked member without a session would hear of it only when its own dead session times out
     * (T_SESSION_DEAD, 60 s after a controller restart, §6.4): queue it to be reached now, so that it
     * asks for its config and gets the refusal within seconds (issue 15 E9).
     */
    private void reachSoon(Member m) {
        if (m.fingerprint() != null && !online.containsKey(m.fingerprint()) && reachSoon.size() < ControllerLimits.MAX_REACH_SOON) {
            reachSoon.add(m.address());
        }
    }

    /** The members {@link #reachSoon(Member)} queued since the last call (the queue is emptied). */
    public synchronized List<Address> takeReachSoon() {
        List<Address> out = List.copyOf(reachSoon);
        reachSoon.clear();
        return out;
    }

    /** A window of the authorised members: those without a session, and whether any follow the window. */
    public record Unreached(List<Address> addresses, boolean more) {}

    /**
     * The authorised members (bound to a fingerprint) from the {@code from}th on, at most {@code max},
     * across the networks in store order; of them, the addresses of those without a session: whom a
     * restarted controller reaches out to (§6.4; otherwise they notice the lost session only at
     * {@code T_SESSION_DEAD} and miss the pushes meanwhile, §7.5 "Pushes").
     */
    public synchronized Unreached unreachedMembers(int from, int max) {
        if (from < 0 || max < 0) throw new IllegalArgumentException("from and max must be >= 0, got " + from + ", " + max);
        List<Address> out = new ArrayList<>();
        int seen = 0;
        for (long nwid : store.networkIds()) {
            for (Member m : store.members(nwid)) {
                if (!m.authorized() || m.fingerprint() == null) continue;
                int i = seen++;
                if (i < from) continue;
                if (i >= from + max) return new Unreached(out, true);
                if (!online.containsKey(m.fingerprint())) out.add(m.address());
            }
        }
        return new Unreached(out, false);
    }

    /** The VL2 gate at the controller (§8.2, §8.3): {@code peer} has an authorised row of {@code nwid} under {@code address}. */
    public synchronized boolean authorised(long nwid, Address address, Fingerprint peer) {
        return store.member(nwid, address).filter(m -> m.authorized() && peer.equals(m.fingerprint())).isPresent();
    }

    // ---------------------------------------------------------------- multicast (§10.2, §10.3)

    /**
     * A MULTICAST_LIKE from session peer {@code peer} claiming {@code claimed} (§10.2): recorded if
     * it is an authorised member of {@code nwid}, within its budget for that network
     * ({@link ControllerLimits#LIKE_RATE} messages/s) and the LIKE bounds; otherwise dropped and
     * counted. Hostile input never throws.
     */
    public synchronized void onLike(Fingerprint peer, Address claimed, long nwid, List<MulticastGroup> groups, long now) {
        if (!likeBudget.tryAcquire(new MemberOf(peer, nwid), now)) {
            count("likeRateLimited");
            return;
        }
        if (!gate(peer, claimed, nwid)) {
            count("likeNotMember");
            return;
        }
        for (MulticastGroup g : groups) {
            count(switch (directory.like(nwid, claimed, g, now)) {
                case RECORDED -> "likeRecorded";
                case REFRESHED -> "likeRefreshed";
                case EVICTED_OLDEST -> "likeEvictedOldest";
                case REFUSED_FULL -> "likeRefusedFull";
            });
        }
    }

    /**
     * The controller's answer to a MULTICAST_GATHER (§10.3) from session peer {@code peer} claiming
     * {@code claimed}: authorised members only, format 1, without the requester, at most {@code limit}
     * (clamped to 1..240) in random order; authoritative for an ARP group whose IPv4 address is
     * assigned. Empty — send nothing — when nobody is known, when the requester is not an authorised
     * member, or when it is over its budget ({@link ControllerLimits#GATHER_RATE}/s, burst
     * {@link ControllerLimits#GATHER_BURST}); each case is counted. Hostile input never throws.
     */
    public synchronized Optional<GatherReply> onGather(Fingerprint peer, Address claimed, long nwid, MulticastGroup group, int limit, long now) {
        if (!gatherBudget.tryAcquire(peer, now)) {
            count("gatherRateLimited");
            return Optional.empty();
        }
        if (!gate(peer, claimed, nwid)) {
            count("gatherNotMember");
            return Optional.empty();
        }
        int clamped = Math.max(1, Math.min(limit, ControllerLimits.GATHER_LIMIT_MAX));
        if (clamped != limit) count("gatherLimitClamped");
        Optional<GatherReply> r = directory.gather(nwid, claimed, group, clamped, now, order);
        count(r.isEmpty() ? "gatherEmpty" : r.get().authoritative() ? "gatherAuthoritative" : "gatherAnswered");
        return r;
    }

    /** The LIKEs held for {@code nwid} (for status and tests). */
    public synchronized int likes(long nwid) {
        return directory.likes(nwid);
    }

    /** The specialists configs of {@code nwid} list (§7.4 field 0x0e): authorised bridges and replicators. */
    public synchronized List<Specialist> specialists(long nwid) {
        Optional<Network> n = store.network(nwid);
        if (n.isEmpty()) return List.of();
        loadDirectory(n.get());
        return directory.specialists(nwid);
    }

    private boolean gate(Fingerprint peer, Address claimed, long nwid) {
        if (claimed == null || NetworkIds.controllerAddress(nwid) != self.value()) return false; // not ours: no store lookup (§7.1)
        if (!directory.loaded(nwid)) {
            Optional<Network> n = store.network(nwid);
            if (n.isEmpty()) return false;
            loadDirectory(n.get());
        }
        return directory.isMember(nwid, claimed, peer);
    }

    private void loadDirectory(Network n) {
        if (!directory.loaded(n.id())) directory.load(n.id(), n.settings(), store.members(n.id()));
    }

    /** Stores {@code m} and keeps the directory in step; true if the network's specialist list changed (§7.4 field 0x0e). */
    private boolean putMember(Network n, Member m) {
        loadDirectory(n);
        List<Specialist> before = directory.specialists(n.id());
        store.putMember(m);
        directory.update(n.id(), n.settings(), m);
        return !before.equals(directory.specialists(n.id()));
    }

    /** Deletes a row and drops it from the directory; true if the specialist list changed. */
    private boolean deleteMemberRow(Network n, Address address) {
        loadDirectory(n);
        List<Specialist> before = directory.specialists(n.id());
        store.deleteMember(n.id(), address);
        directory.remove(n.id(), address);
        return !before.equals(directory.specialists(n.id()));
    }

    /** The config's specialists (§7.4: ≤ 256; the API refuses more, this only guards rows stored before that rule). */
    private List<Specialist> cappedSpecialists(long nwid) {
        List<Specialist> all = directory.specialists(nwid);
        return all.size() > ControllerLimits.MAX_SPECIALISTS ? all.subList(0, ControllerLimits.MAX_SPECIALISTS) : all;
    }

    /** A network-wide change (§7.5 "Revisions"): the next network revision, stored. */
    private Network nextRevision(Network n) {
        Network updated = new Network(n.id(), (n.revision() + 1) & 0xFFFF_FFFFL, n.creationTime(), n.settings());
        store.putNetwork(updated);
        return updated;
    }

    /** {@code work} in one store transaction; if it fails, the directory of {@code nwid} is reloaded at next use (it may hold the rolled-back change). */
    private <T> T transaction(long nwid, Supplier<T> work) {
        try {
            return store.transaction(work);
        } catch (RuntimeException e) {
            directory.drop(nwid);
            throw e;
        }
    }

    // ---------------------------------------------------------------- NETWORK_CONFIG_REQUEST (§7.5)

    /**
     * Answers a NETWORK_CONFIG_REQUEST from session peer {@code peer} (fingerprint authenticated by
     * ZSSP) that claims {@code claimed} and presented {@code identity} (§7.5 "Handling a request").
     */
    public synchronized ConfigAnswer onConfigRequest(Fingerprint peer, Address claimed, Identity identity, ConfigRequest req, long now) {
        if (!requestRate.tryAcquire(peer, now)) return refuse(ErrorCode.RATE_LIMITED, 0, ControllerLimits.RETRY_AFTER_RATE_S, "config request rate");
        Optional<Network> net = store.network(req.networkId());
        if (net.isEmpty()) return refuse(ErrorCode.OBJ_NOT_FOUND, 0, 0, "no such network");
        Network network = net.get();
        Optional<Member> row = store.member(network.id(), claimed);
        if (row.isPresent() && row.get().fingerprint() != null && !row.get().fingerprint().equals(peer)) {
            events.collision(network.id(), claimed, row.get().fingerprint(), peer); // §7.5 step 2: nothing changes
            return refuse(ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED, 0, "address bound to another fingerprint");
        }
        boolean create = row.isEmpty();
        boolean bind = create || row.get().fingerprint() == null;
        if (create) {
            String prefix = req.sourcePrefix() == null ? "" : req.sourcePrefix();
            if (!newRowsPerNetwork.allowed(network.id(), now) || !newRowsPerPrefix.allowed(prefix, now)) {
                return refuse(ErrorCode.RATE_LIMITED, 0, ControllerLimits.RETRY_AFTER_NEW_ROW_S, "new member rows rate");
            }
        }
        if (bind && (identity == null || !identity.fingerprint().equals(peer) || !identities.provesAddress(identity, claimed))) {
            return refuse(ErrorCode.NETWORK_ACCESS_DENIED, ErrorCode.DENIED, 0, "identity does not prove the claimed address");
        }
        return transaction(network.id(), () -> handle(network, row, create, bind, peer, claimed, identity, req, now));
    }

    private ConfigAnswer handle(Network requested, Optional<Member> row, boolean create, boolean bind, Fingerprint peer, Address claimed,
            Identity identity, ConfigRequest req, long now) {
        Network network = requested;
        if (create) {
            newRowsPerNetwork.tryAcquire(network.id(), now);
            newRowsPerPrefix.tryAcquire(req.sourcePrefix() == null ? "" : req.sourcePrefix(), now);
            if (store.unauthorizedCount(network.id()) >= ControllerLimits.MAX_PENDING_MEMBERS) {
                store.oldestUnauthorized(network.id()).ifPresent(old -> {
                    deleteMemberRow(requested, old.address());
                    count("pendingEvicted");
                });
            }
        }
        Member before = create ? Member.fresh(network.id(), claimed, peer, IdentityText.publicText(identity, claimed), now) : row.get();
        Member.Builder b = before.edit();
        if (bind) {
            b.fingerprint = peer;
            b.identity = IdentityText.publicText(identity, claimed);
        }
        boolean wasAuthorized = before.authorized();
        // Local: a token admits new members; it never overrides the operator's deauthorization (E8 would
        // otherwise be undone by the next request of a member that still holds a token with uses left)
        if (!b.authorized && req.joinToken() != null && before.lastDeauthorizedTime() == 0) redeemToken(network.id(), req.joinToken(), b, now);
        if (!b.authorized && !network.settings().isPrivate()) b.authorized = true; // ZeroTier's public network
        if (b.authorized && !wasAuthorized) b.lastAuthorizedTime = now;
        if (b.authorized) assignAddresses(network, b);
        if (now - b.lastRequestTime >= ControllerLimits.LAST_REQUEST_GRANULARITY_MS || create) b.lastRequestTime = now;
        Member m = b.build();
        boolean contentChanged = !m.sameCredentialContent(before);
        if (contentChanged) m = withRevision(m, before.revision() + 1);
        if ((!m.equals(before) || create) && putMember(network, m)) {
            network = nextRevision(network); // the others get the new specialist list at their next request
            count("specialistsChanged");
        }
        if (!m.authorized()) {
            int reason = m.lastDeauthorizedTime() > 0 ? ErrorCode.REVOKED : ErrorCode.PENDING;
            return refuse(ErrorCode.NETWORK_ACCESS_DENIED, reason, 0, reason == ErrorCode.PENDING ? "pending approval" : "deauthorized");
        }
        long ts = clock.next(now);
        Revocations rev = currentRevocations(network, ts);
        if (contentChanged && wasAuthorized) rev = revoke(network, rev, m, ts); // §7.5 "Revocations": threshold = ts(new MC)
        rev = noteMaxDelta(network, m, rev);
        Issued issued = issue(network, m, rev, ts);
        Signed list = req.revocationRevision() < rev.revision() ? rev.signed() : null;
        count("issued");
        if (req.configRevision() == issued.config.revision() && req.configRevision() != 0) {
            return new ConfigAnswer.FreshCredential(issued.credential, issued.signedCredential, list);
        }
        return new ConfigAnswer.Config(issued.config, issued.credential, issued.signedConfig, issued.signedCredential, list);
    }

    /** The answer to a credential query (§8.3): the signed object found, or a refusal. */
    public record QueryAnswer(Signed found, ConfigAnswer.Refused refused) {}

    /**
     * A NETWORK_CREDENTIALS query from member {@code peer} (§8.3 "Queries"): {@code memberAddress}
     * null asks for the current revocation list (kind 2), otherwise for the current MC of that
     * authorised member (kind 0; issued fresh). Only authorised members of the network may ask;
     * at most {@link ControllerLimits#QUERIES_PER_SECOND} per member (then RATE_LIMITED, 1 s).
     */
    public synchronized QueryAnswer onQuery(Fingerprint peer, Address claimed, long nwid, Address memberAddress, long now) {
        if (!queryRate.tryAcquire(peer, now)) {
            return new QueryAnswer(null, refuse(ErrorCode.RATE_LIMITED, 0, ControllerLimits.RETRY_AFTER_RATE_S, "query rate"));
        }
        Optional<Network> n = store.network(nwid);
        if (n.isEmpty() || !authorised(nwid, claimed, peer)) return new QueryAnswer(null, refuse(ErrorCode.OBJ_NOT_FOUND, 0, 0, "not a member"));
        return store.transaction(() -> {
            long ts = clock.next(now);
            Revocations rev = currentRevocations(n.get(), ts);
            if (memberAddress == null) return new QueryAnswer(rev.signed(), null);
            Optional<Member> m = store.member(nwid, memberAddress).filter(x -> x.authorized() && x.fingerprint() != null);
            if (m.isEmpty()) return new QueryAnswer(null, refuse(ErrorCode.OBJ_NOT_FOUND, 0, 0, "no such authorised member"));
            count("queryCredential");
            return new QueryAnswer(issue(n.get(), m.get(), rev, ts).signedCredential, null);
        });
    }

    private ConfigAnswer.Refused refuse(ErrorCode code, int reason, int retry, String why) {
        count(code.name() + (code == ErrorCode.NETWORK_ACCESS_DENIED ? "/" + reason : ""));
        return new ConfigAnswer.Refused(code, reason, retry, why);
    }

    private static Member withRevision(Member m, long revision) {
        Member.Builder b = m.edit();
        b.revision = revision & 0xFFFF_FFFFL;
        return b.build();
    }

    /** §7.5 step 2: a join token TLV that matches an active token authorizes and consumes one use. */
    private void redeemToken(long nwid, byte[] text, Member.Builder b, long now) {
        if (text.length == 0 || text.length > ControllerLimits.TOKEN_MAX_CHARS) return;
        byte[] hash = sha384(text);
        JoinToken match = null;
        for (JoinToken t : store.tokens(nwid)) {
            if (MessageDigest.isEqual(hash, t.hash()) && t.active(now) && match == null) match = t; // every stored hash compared
        }
        if (match == null) {
            count("tokenRefused");
            return;
        }
        store.putToken(match.consumed());
        b.authorized = true;
        for (Map.Entry<Long, Long> e : match.tags().entrySet()) b.tags.putIfAbsent(e.getKey(), e.getValue());
        count("tokenRedeemed");
    }

    /** §7.5 step 4: pool addresses, unless noAutoAssignIps or a manual address of that family exists. */
    private void assignAddresses(Network network, Member.Builder b) {
        NetworkSettings s = network.settings();
        if (b.noAutoAssignIps) return;
        for (int family : new int[] {4, 6}) {
            boolean wanted = family == 4 ? s.v4AssignZt() : s.v6AssignZt();
            if (!wanted || b.ipAssignments.stream().anyMatch(ip -> ip.family() == family)) continue;
            if (b.ipAssignments.size() >= ControllerLimits.MAX_IPS) continue;
            Set<Ip> used = new HashSet<>();
            for (Member other : store.members(network.id())) used.addAll(other.ipAssignments());
            Addressing.lowestFree(family, s.pools(), s.routes(), used).ifPresent(b.ipAssignments::add);
        }
    }

    // ---------------------------------------------------------------- issuing

    private record Issued(ConfigContent config, CredentialContent credential, Signed signedConfig, Signed signedCredential) {}

    private long maxDelta(Network n, Member m) {
        return m.credentialMaxDelta() != 0 ? m.credentialMaxDelta() : n.settings().credentialMaxDelta();
    }

    private Issued issue(Network n, Member m, Revocations rev, long ts) {
        CredentialContent cc = new CredentialContent(n.id(), m.fingerprint(), m.address(), m.revision(), maxDelta(n, m), m.credentialFlags(),
                Addressing.credentialAssignments(n.id(), m, n.settings()), m.tags(), m.capabilities(), ts);
        Signed mc = issuer.credential(cc);
        NetworkSettings s = n.settings();
        loadDirectory(n);
        ConfigContent config = new ConfigContent(n.id(), m.fingerprint(), (n.revision() << 32) | m.revision(), s.configFlags(), s.mtu(),
                rev.revision(), rev.signed().digest(), s.multicastLimit(), s.name(), s.routes(), s.tags(), s.rules(), s.capabilities(),
                cappedSpecialists(n.id()), ts);
        return new Issued(config, cc, issuer.config(config, mc), mc);
    }

    /** The network's revocation state, signed (signing and persisting it the first time). */
    private Revocations currentRevocations(Network n, long tsIfNew) {
        Revocations r = store.revocations(n.id()).orElseGet(() -> Revocations.start(n.id(), tsIfNew, n.settings().credentialMaxDelta()));
        if (r.signed() == null) {
            r = r.withSigned(issuer.revocationList(r.content()));
            store.putRevocations(r);
        }
        return r;
    }

    private Revocations noteMaxDelta(Network n, Member m, Revocations r) {
        long d = maxDelta(n, m);
        if (d <= r.largestMaxDelta()) return r;
        Revocations updated = r.withLargestMaxDelta(d);
        store.putRevocations(updated);
        return updated;
    }

    /** Adds or raises {@code m}'s entry to {@code threshold} and signs the next list revision (§8.4). */
    private Revocations revoke(Network n, Revocations r, Member m, long threshold) {
        if (m.fingerprint() == null) return r;
        long ts = Math.max(threshold, clock.last());
        Revocations next = r.revoke(m.fingerprint(), threshold, ts, maxDelta(n, m));
        next = next.withSigned(issuer.revocationList(next.content()));
        store.putRevocations(next);
        count(next.floorRaisedFrom(r) ? "revocationFloorRaised" : "revocationAdded");
        return next;
    }

    // ---------------------------------------------------------------- operator: networks (§13.3)

    /** An operator change's result: the object as now stored and what must be pushed (§7.5 "Pushes"). */
    public record Change<T>(T value, List<Push> pushes) {
        public Change {
            pushes = List.copyOf(pushes);
        }
    }

    public synchronized List<Long> networkIds() {
        return store.networkIds();
    }

    public synchronized Optional<Network> network(long nwid) {
        return store.network(nwid);
    }

    /**
     * Creates a network: {@code number} given (POST /controller/network/{nwid}) or a random free
     * one (POST …/{@code <address>______}); applies {@code body} to the defaults; issues its
     * revocation list revision 1 (§8.4 "Start").
     */
    public synchronized Network createNetwork(OptionalLong number, ObjectNode body, long now) {
        NetworkSettings settings = ControllerJson.applyNetwork(NetworkSettings.defaults(), body);
        return store.transaction(() -> {
            long nwid = number.isPresent() ? NetworkIds.of(self, number.getAsLong()) : freeNetworkId();
            if (store.network(nwid).isPresent()) throw new IllegalStateException("network " + NetworkIds.format(nwid) + " exists");
            if (store.networkIds().size() >= ControllerLimits.MAX_NETWORKS) throw new FieldException("nwid", "this controller already has " + ControllerLimits.MAX_NETWORKS + " networks");
            Network n = new Network(nwid, 1, now, settings);
            store.putNetwork(n);
            long ts = clock.next(now);
            currentRevocations(n, ts);
            return n;
        });
    }

    private long freeNetworkId() {
        for (int i = 0; i < 64; i++) {
            long nwid = NetworkIds.of(self, random.nextLong(NetworkIds.NUMBER_MASK + 1));
            if (store.network(nwid).isEmpty()) return nwid;
        }
        Set<Long> used = new HashSet<>(store.networkIds());
        for (long n = 0; n <= NetworkIds.NUMBER_MASK; n++) if (!used.contains(NetworkIds.of(self, n))) return NetworkIds.of(self, n);
        throw new FieldException("nwid", "no free network number");
    }

    /** Updates a network with a partial object; a change raises the network revision and pushes configs to online members. */
    public synchronized Change<Network> updateNetwork(long nwid, ObjectNode patch, long now) {
        return transaction(nwid, () -> {
            Network n = store.network(nwid).orElseThrow(() -> new NotFound("network " + NetworkIds.format(nwid)));
            NetworkSettings s = ControllerJson.applyNetwork(n.settings(), patch);
            if (ControllerJson.settings(s).equals(ControllerJson.settings(n.settings()))) return new Change<>(n, List.of());
            requireGrantsKept(n, s);
            Network updated = new Network(nwid, (n.revision() + 1) & 0xFFFF_FFFFL, n.creationTime(), s);
            store.putNetwork(updated);
            if (directory.loaded(nwid)) directory.load(nwid, s, store.members(nwid)); // assignments follow routes and rfc4193 (§7.5 step 4)
            return new Change<>(updated, configPushes(updated, null, now));
        });
    }

    /** A capability still granted to a member cannot be removed (§11.6: grants name defined capabilities); nothing is changed. */
    private void requireGrantsKept(Network n, NetworkSettings s) {
        Set<Long> kept = new HashSet<>();
        for (CapabilityDefinition c : s.capabilities()) kept.add(c.id());
        for (CapabilityDefinition c : n.settings().capabilities()) {
            if (kept.contains(c.id())) continue;
            for (Member m : store.members(n.id())) {
                if (m.capabilities().contains(c.id())) {
                    throw new FieldException("capabilities", "capability " + c.id() + " is granted to member " + m.address()
                            + "; remove the grant from its members first");
                }
            }
        }
    }

    /** Grants an operator change adds must name capabilities the network defines (§11.6); {@code patch} has been applied already. */
    private static void requireDefinedGrants(Network n, Member before, ObjectNode patch) {
        if (!patch.has("capabilities")) return;
        Set<Long> defined = new HashSet<>();
        for (CapabilityDefinition c : n.settings().capabilities()) defined.add(c.id());
        for (int i = 0; i < patch.get("capabilities").size(); i++) {
            long id = patch.get("capabilities").get(i).longValue();
            if (!defined.contains(id) && !before.capabilities().contains(id)) {
                throw new FieldException("capabilities[" + i + "]", "capability " + id + " is not defined on network " + NetworkIds.format(n.id())
                        + " (define it in the network's capabilities first)");
            }
        }
    }

    public synchronized boolean deleteNetwork(long nwid) {
        if (store.network(nwid).isEmpty()) return false;
        store.deleteNetwork(nwid);
        directory.drop(nwid);
        return true;
    }

    /** Fresh configs for online authorised members of {@code n} (all of them, or only {@code only}). */
    private List<Push> configPushes(Network n, Fingerprint only, long now) {
        List<Push> out = new ArrayList<>();
        Revocations rev = null;
        for (Map.Entry<Fingerprint, Address> e : new ArrayList<>(online.entrySet())) {
            if (only != null && !only.equals(e.getKey())) continue;
            Optional<Member> m = store.member(n.id(), e.getValue());
            if (m.isEmpty() || !m.get().authorized() || !e.getKey().equals(m.get().fingerprint())) continue;
            long ts = clock.next(now);
            if (rev == null) rev = currentRevocations(n, ts);
            Issued issued = issue(n, m.get(), rev, ts);
            out.add(new Push.Config(e.getKey(), n.id(), issued.config, issued.signedConfig));
            count("pushConfig");
        }
        return out;
    }

    /** The specialist list changed (§7.4 field 0x0e, §10.7): a network-wide change, so a fresh config for every online member instead of the member's own. */
    private void specialistPushes(Network n, List<Push> pushes, long now) {
        pushes.removeIf(p -> p instanceof Push.Config);
        pushes.addAll(configPushes(nextRevision(n), null, now));
        count("specialistsChanged");
    }

    private List<Push> listPushes(Network n, Revocations rev) {
        List<Push> out = new ArrayList<>();
        for (Map.Entry<Fingerprint, Address> e : new ArrayList<>(online.entrySet())) {
            Optional<Member> m = store.member(n.id(), e.getValue());
            if (m.isEmpty() || !e.getKey().equals(m.get().fingerprint())) continue;
            out.add(new Push.RevocationList(e.getKey(), n.id(), rev.signed()));
            count("pushRevocationList");
        }
        return out;
    }

    // ---------------------------------------------------------------- operator: members (§13.3)

    public synchronized List<Member> members(long nwid) {
        return store.members(nwid);
    }

    public synchronized Optional<Member> member(long nwid, Address address) {
        return store.member(nwid, address);
    }

    /**
     * Creates or updates a member row with a partial object (§13.3). {@code fingerprint} is settable
     * only in the POST that creates the row; manual {@code ipAssignments} must be covered by a route
     * without via. A credential-content change raises the member revision; deauthorization and every
     * content change of an authorised member revoke its older credentials (§7.5 "Revocations").
     */
    public synchronized Change<Member> upsertMember(long nwid, Address address, ObjectNode patch, long now) {
        Network n = store.network(nwid).orElseThrow(() -> new NotFound("network " + NetworkIds.format(nwid)));
        return transaction(nwid, () -> {
            Optional<Member> existing = store.member(nwid, address);
            Fingerprint fp = ControllerJson.fingerprint(patch, "fingerprint");
            if (existing.isPresent() && fp != null && !fp.equals(existing.get().fingerprint())) {
                throw new FieldException("fingerprint", "settable only in the POST that creates the row (delete the row to rebind the address)");
            }
            Member before = existing.orElseGet(() -> Member.fresh(nwid, address, fp, null, now));
            Member.Builder b = before.edit();
            ControllerJson.applyMember(b, patch);
            requireDefinedGrants(n, before, patch);
            for (int i = 0; i < b.ipAssignments.size(); i++) {
                Ip ip = b.ipAssignments.get(i);
                if (!before.ipAssignments().contains(ip) && !Addressing.assignable(ip, n.settings().routes())) {
                    throw new FieldException("ipAssignments[" + i + "]", ip + " is not covered by a route without via (or is a network/broadcast address)");
                }
            }
            if (b.authorized && !before.authorized()) b.lastAuthorizedTime = now;
            if (b.authorized) assignAddresses(n, b); // so that the config pushed for this change carries them
            boolean deauthorized = !b.authorized && before.authorized();
            if (deauthorized) b.lastDeauthorizedTime = now;
            Member m = b.build();
            boolean contentChanged = !m.sameCredentialContent(before);
            if (contentChanged) m = withRevision(m, before.revision() + 1);
            if (m.equals(before) && existing.isPresent()) return new Change<>(m, List.of());
            boolean specialistsChanged = putMember(n, m);
            if (specialistsChanged && directory.specialists(nwid).size() > ControllerLimits.MAX_SPECIALISTS) { // rolled back
                throw new FieldException(m.multicastReplicator() && !before.multicastReplicator() ? "multicastReplicator" : "activeBridge",
                        "a network lists at most " + ControllerLimits.MAX_SPECIALISTS + " specialists (bridges and replicators, §7.4)");
            }
            List<Push> pushes = new ArrayList<>();
            if (contentChanged && before.authorized() && m.fingerprint() != null) {
                long ts = clock.next(now); // deauthorization: a fresh ts; otherwise exactly ts(new MC), issued below
                Revocations prev = currentRevocations(n, ts);
                Revocations rev = revoke(n, prev, m, ts);
                if (m.authorized() && online.containsKey(m.fingerprint())) {
                    Issued issued = issue(n, m, rev, ts);
                    pushes.add(new Push.Config(m.fingerprint(), nwid, issued.config, issued.signedConfig));
                    count("pushConfig");
                }
                pushes.addAll(listPushes(n, rev));
                if (rev.floorRaisedFrom(prev)) {
                    for (Push p : configPushes(n, null, now)) if (!p.to().equals(m.fingerprint())) pushes.add(p); // §8.4: mass change
                }
            } else if (contentChanged && m.authorized() && m.fingerprint() != null) {
                pushes.addAll(configPushes(n, m.fingerprint(), now));
            }
            if (specialistsChanged) specialistPushes(n, pushes, now);
            if (deauthorized) reachSoon(m);
            return new Change<>(m, pushes);
        });
    }

    /** Deletes a row (freeing the address, §13.3); an authorised member's credentials are revoked first. */
    public synchronized Change<Boolean> deleteMember(long nwid, Address address, long now) {
        return transaction(nwid, () -> {
            Optional<Network> n = store.network(nwid);
            Optional<Member> m = store.member(nwid, address);
            if (n.isEmpty() || m.isEmpty()) return new Change<>(false, List.of());
            boolean specialistsChanged = deleteMemberRow(n.get(), address);
            if (!m.get().authorized() || m.get().fingerprint() == null) return new Change<>(true, List.of());
            long ts = clock.next(now);
            Revocations rev = revoke(n.get(), currentRevocations(n.get(), ts), m.get(), ts);
            List<Push> pushes = new ArrayList<>(listPushes(n.get(), rev));
            if (specialistsChanged) specialistPushes(n.get(), pushes, now);
            reachSoon(m.get());
            return new Change<>(true, pushes);
        });
    }

    /** Deletes unauthorised rows that have not requested for 30 days (§7.5 step 2); returns how many. */
    public synchronized int expirePending(long now) {
        return store.deleteUnauthorizedBefore(now - ControllerLimits.PENDING_EXPIRY_MS);
    }

    public synchronized Optional<Revocations> revocations(long nwid) {
        return store.revocations(nwid);
    }

    // ---------------------------------------------------------------- operator: join tokens (§13.3)

    /** A token just made; {@code text} is shown this once. */
    public record CreatedToken(JoinToken token, String text) {}

    public synchronized CreatedToken createToken(long nwid, ObjectNode body, long now) {
        if (store.network(nwid).isEmpty()) throw new NotFound("network " + NetworkIds.format(nwid));
        String text;
        if (body.has("token")) {
            text = ControllerJson.text(body, "token", ControllerLimits.TOKEN_MAX_CHARS, false);
            if (!text.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) throw new FieldException("token", "1.." + ControllerLimits.TOKEN_MAX_CHARS + " printable ASCII characters, no spaces");
        } else {
            byte[] raw = new byte[ControllerLimits.TOKEN_RANDOM_BYTES];
            random.nextBytes(raw);
            text = Base32.encode(raw); // 39 characters
            java.util.Arrays.fill(raw, (byte) 0);
        }
        long expires = ControllerJson.integer(body, "expiresAt", now + ControllerLimits.TOKEN_DEFAULT_LIFETIME_MS, now + 1, Long.MAX_VALUE);
        int uses = (int) ControllerJson.integer(body, "uses", 1, 1, ControllerLimits.TOKEN_MAX_USES);
        SortedMap<Long, Long> tags = body.has("tags") ? ControllerJson.tagValues(ControllerJson.array(body, "tags", ControllerLimits.MAX_TAGS), "tags") : new TreeMap<>();
        if (store.tokens(nwid).size() >= ControllerLimits.MAX_TOKENS_PER_NETWORK) {
            throw new FieldException("token", "this network already has " + ControllerLimits.MAX_TOKENS_PER_NETWORK + " tokens; delete some");
        }
        byte[] idBytes = new byte[8];
        random.nextBytes(idBytes);
        JoinToken t = new JoinToken(nwid, HexFormat.of().formatHex(idBytes), sha384(text.getBytes(StandardCharsets.US_ASCII)), now, expires,
                uses, uses, tags);
        store.putToken(t);
        return new CreatedToken(t, text);
    }

    public synchronized List<JoinToken> tokens(long nwid) {
        return store.tokens(nwid);
    }

    public synchronized boolean deleteToken(long nwid, String id) {
        return store.deleteToken(nwid, id);
    }

    static byte[] sha384(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-384").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-384", e);
        }
    }

    /** An operator addressed an object that does not exist (the API answers 404). */
    public static final class NotFound extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NotFound(String what) {
            super(what + " not found");
        }
    }
}

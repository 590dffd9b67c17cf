package dev.planetary.controller;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Address;
import dev.planetary.identity.Base32;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityText;
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
import java.util.TreeMap;
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

    public Controller(Address self, ControllerStore store, Issuer issuer, IdentityCheck identities, ControllerEvents events,
            RandomGenerator random) {
        this.self = self;
        this.store = store;
        this.issuer = issuer;
        this.identities = identities;
        this.events = events;
        this.random = random;
        this.clock = new IssuanceClock(store);
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
        return store.transaction(() -> handle(network, row, create, bind, peer, claimed, identity, req, now));
    }

    private ConfigAnswer handle(Network network, Optional<Member> row, boolean create, boolean bind, Fingerprint peer, Address claimed,
            Identity identity, ConfigRequest req, long now) {
        if (create) {
            newRowsPerNetwork.tryAcquire(network.id(), now);
            newRowsPerPrefix.tryAcquire(req.sourcePrefix() == null ? "" : req.sourcePrefix(), now);
            if (store.unauthorizedCount(network.id()) >= ControllerLimits.MAX_PENDING_MEMBERS) {
                store.oldestUnauthorized(network.id()).ifPresent(old -> {
                    store.deleteMember(network.id(), old.address());
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
        if (!m.equals(before) || create) store.putMember(m);
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
        ConfigContent config = new ConfigContent(n.id(), m.fingerprint(), (n.revision() << 32) | m.revision(), s.configFlags(), s.mtu(),
                rev.revision(), rev.signed().digest(), s.multicastLimit(), s.name(), s.routes(), s.tags(), ts);
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
        return store.transaction(() -> {
            Network n = store.network(nwid).orElseThrow(() -> new NotFound("network " + NetworkIds.format(nwid)));
            NetworkSettings s = ControllerJson.applyNetwork(n.settings(), patch);
            if (ControllerJson.settings(s).equals(ControllerJson.settings(n.settings()))) return new Change<>(n, List.of());
            Network updated = new Network(nwid, (n.revision() + 1) & 0xFFFF_FFFFL, n.creationTime(), s);
            store.putNetwork(updated);
            return new Change<>(updated, configPushes(updated, null, now));
        });
    }

    public synchronized boolean deleteNetwork(long nwid) {
        if (store.network(nwid).isEmpty()) return false;
        store.deleteNetwork(nwid);
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
        return store.transaction(() -> {
            Optional<Member> existing = store.member(nwid, address);
            Fingerprint fp = ControllerJson.fingerprint(patch, "fingerprint");
            if (existing.isPresent() && fp != null && !fp.equals(existing.get().fingerprint())) {
                throw new FieldException("fingerprint", "settable only in the POST that creates the row (delete the row to rebind the address)");
            }
            Member before = existing.orElseGet(() -> Member.fresh(nwid, address, fp, null, now));
            Member.Builder b = before.edit();
            ControllerJson.applyMember(b, patch);
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
            store.putMember(m);
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
            return new Change<>(m, pushes);
        });
    }

    /** Deletes a row (freeing the address, §13.3); an authorised member's credentials are revoked first. */
    public synchronized Change<Boolean> deleteMember(long nwid, Address address, long now) {
        return store.transaction(() -> {
            Optional<Network> n = store.network(nwid);
            Optional<Member> m = store.member(nwid, address);
            if (n.isEmpty() || m.isEmpty()) return new Change<>(false, List.of());
            store.deleteMember(nwid, address);
            if (!m.get().authorized() || m.get().fingerprint() == null) return new Change<>(true, List.of());
            long ts = clock.next(now);
            Revocations rev = revoke(n.get(), currentRevocations(n.get(), ts), m.get(), ts);
            return new Change<>(true, listPushes(n.get(), rev));
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

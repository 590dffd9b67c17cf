package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.vl1.engine.BoundedMap;
import dev.planetary.vl1.engine.TokenBucket;
import java.util.Map;

/**
 * A root's relay (VL.md §5.3 steps 1–6, §4.5 limits, §5.4 RELAY_BLOCK tables): forwards opaque ZSSP
 * datagrams between registered nodes. Part of a root {@link Node}, on its thread.
 */
final class RootRelay {
    /** §4.5 defaults (token buckets, 2 s bursts). */
    static final double PER_ORIGIN = 2_000, PER_PAIR = 1_000, PER_PREFIX = 4_000, HELLOS_PER_ORIGIN = 10;
    static final int ABUSE_LIMIT = 100;
    static final long ABUSE_WINDOW = 60_000, ABUSE_BAN = 60_000;

    private record Pair(Address origin, Address destination) {}

    private final Node node;
    private final BoundedMap<Address, BoundedMap<Address, Long>> blocks;
    private final BoundedMap<Pair, TokenBucket> pairs = new BoundedMap<>(65_536);
    private final BoundedMap<String, TokenBucket> prefixes = new BoundedMap<>(65_536);

    RootRelay(Node node, int maxDestinations) {
        this.node = node;
        this.blocks = new BoundedMap<>(maxDestinations);
    }

    /** A RELAY from session peer {@code p}. */
    void forward(Node.Peer p, Relay r) {
        long now = node.now;
        if (now < p.relayBannedUntil) {
            node.bump(NodeCounter.RELAY_ABUSE_BANNED);
            return;
        }
        if (!p.verified || !r.origin().equals(p.address) || r.hops() != Relay.HOPS_FROM_MEMBER // step 1
                || r.destination().equals(node.selfAddress) || r.destination().equals(r.origin())) { // step 2
            refused(p, null, 0);
            return;
        }
        BoundedMap<Address, Long> b = blocks.get(r.destination());
        Long until = b == null ? null : b.get(r.origin());
        if (until != null && until > now) { // step 3
            node.bump(NodeCounter.RELAY_BLOCKED);
            refused(p, r.destination(), ErrorMessage.RELAY_BLOCKED);
            return;
        }
        // step 4 is the codec's: a datagram outside 32..1188 bytes makes the RELAY malformed (Node.onData)
        if (!allowed(p, r, now)) { // step 5 (§4.5)
            node.bump(NodeCounter.RELAY_LIMITED);
            node.sendError(p, ErrorMessage.relayDenied(r.destination(), ErrorMessage.RELAY_RATE_LIMITED));
            return;
        }
        Node.Peer dest = node.registeredOnline.get(r.destination()); // step 6
        if (dest == null || !dest.canSend()) {
            node.bump(NodeCounter.RELAY_NO_DESTINATION);
            int reason = node.registry.containsKey(r.destination()) ? ErrorMessage.RELAY_OFFLINE : ErrorMessage.RELAY_UNKNOWN;
            node.sendError(p, ErrorMessage.relayDenied(r.destination(), reason));
            return;
        }
        node.bump(NodeCounter.RELAY_FORWARDED);
        node.sendMessage(dest, new Relay(Relay.HOPS_FROM_ROOT, r.destination(), r.origin(), r.datagram()));
    }

    /** Steps 1–4 refusals count towards abuse: more than 100 in a minute bans the peer's RELAYs for 60 s. */
    void refused(Node.Peer p, Address dest, int reason) {
        long now = node.now;
        node.bump(NodeCounter.RELAY_REFUSED);
        if (now - p.relayAbuseWindow >= ABUSE_WINDOW) {
            p.relayAbuseWindow = now;
            p.relayAbuse = 0;
        }
        if (++p.relayAbuse > ABUSE_LIMIT) {
            p.relayBannedUntil = now + ABUSE_BAN;
            return;
        }
        if (dest != null && reason != 0) node.sendError(p, ErrorMessage.relayDenied(dest, reason));
    }

    private boolean allowed(Node.Peer p, Relay r, long now) {
        if (p.relayOrigin == null) p.relayOrigin = new TokenBucket(PER_ORIGIN, 2 * PER_ORIGIN, now);
        if (p.relayHellos == null) p.relayHellos = new TokenBucket(HELLOS_PER_ORIGIN, 2 * HELLOS_PER_ORIGIN, now);
        if (Node.isZsspHello(r.datagram()) && !p.relayHellos.take(now)) return false;
        TokenBucket pair = pairs.computeIfAbsent(new Pair(r.origin(), r.destination()), k -> new TokenBucket(PER_PAIR, 2 * PER_PAIR, now));
        String prefix = p.path == null ? "?" : Node.prefix(p.path);
        TokenBucket px = prefixes.computeIfAbsent(prefix, k -> new TokenBucket(PER_PREFIX, 2 * PER_PREFIX, now));
        return p.relayOrigin.take(now) && pair.take(now) && px.take(now);
    }

    /** §5.4: the destination (session peer {@code p}) blocks relays from an origin; ttl 0 lifts it. */
    void block(Node.Peer p, RelayBlock b) {
        BoundedMap<Address, Long> m = blocks.get(p.address);
        if (b.lifts()) {
            if (m != null) m.remove(b.origin());
            return;
        }
        if (m == null) {
            m = new BoundedMap<>(Vl1Limits.RELAY_BLOCKS_PER_DESTINATION);
            blocks.put(p.address, m);
        }
        m.put(b.origin(), node.now + b.ttlSeconds() * 1000L);
    }

    void sizes(Map<String, Integer> m) {
        m.put("relayBlocks", blocks.size());
        m.put("relayPairs", pairs.size());
        m.put("relayPrefixes", prefixes.size());
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.vl1.Node.Direct;
import dev.planetary.vl1.Node.Peer;
import dev.planetary.vl1.engine.BoundedMap;
import dev.planetary.vl1.engine.TokenBucket;
import java.util.List;

/**
 * The root half of rendezvous by consent (VL.md §5.5): stores RENDEZVOUS_REQUESTs and sends
 * RENDEZVOUS to both members only when both asked within {@code T_RENDEZVOUS_WINDOW}, at most once
 * per pair per {@code T_UNITE}. An endpoint never reaches a peer that was not accepted (deviation X5).
 */
final class RendezvousBroker {
    /** §5.5: requests per second per requester. */
    static final double REQUESTS_PER_SECOND = 10;
    /** Stored requests and recent pairs (bounded; least recently used evicted). */
    static final int MAX_STORED = 65_536;

    private record Request(Address from, Address to) {}

    private final Node node;
    private final BoundedMap<Request, Long> requests = new BoundedMap<>(MAX_STORED);
    private final BoundedMap<Request, Long> united = new BoundedMap<>(MAX_STORED); // (lower, higher) → last RENDEZVOUS

    RendezvousBroker(Node node) {
        this.node = node;
    }

    /** RENDEZVOUS_REQUEST from verified session peer {@code a} (dispatch gates unverified peers, §2.6). */
    void onRequest(Peer a, RendezvousRequest r) {
        long now = node.now;
        if (!node.config.root()) {
            node.bump(NodeCounter.IGNORED_VERB);
            return;
        }
        if (a.rendezvousRate == null) a.rendezvousRate = new TokenBucket(REQUESTS_PER_SECOND, REQUESTS_PER_SECOND, now);
        if (!a.rendezvousRate.take(now)) {
            node.bump(NodeCounter.RENDEZVOUS_LIMITED);
            return;
        }
        Address b = r.peer();
        if (b.equals(a.address) || b.equals(node.selfAddress)) {
            node.bump(NodeCounter.RENDEZVOUS_REFUSED);
            return;
        }
        requests.put(new Request(a.address, b), now);
        Long other = requests.get(new Request(b, a.address));
        if (other == null || now - other >= Vl1Limits.T_RENDEZVOUS_WINDOW) return; // only when both asked
        Peer pb = node.registeredOnline.get(b);
        if (pb == null || !pb.canSend() || !(a.path instanceof Direct da) || !(pb.path instanceof Direct db)) return;
        Request pair = a.address.value() < b.value() ? new Request(a.address, b) : new Request(b, a.address);
        Long last = united.get(pair);
        if (last != null && now - last < Vl1Limits.T_UNITE) return;
        united.put(pair, now);
        requests.remove(new Request(a.address, b));
        requests.remove(new Request(b, a.address));
        node.sendMessage(a, new Rendezvous(pb.symmetricNat ? Rendezvous.PEER_SYMMETRIC_NAT : 0, b, List.of(Endpoint.Udp.of(db.remote()))));
        node.sendMessage(pb, new Rendezvous(a.symmetricNat ? Rendezvous.PEER_SYMMETRIC_NAT : 0, a.address, List.of(Endpoint.Udp.of(da.remote()))));
        node.out.event(new NodeEvent.RendezvousSent(a.address, b));
    }

    void sizes(java.util.Map<String, Integer> m) {
        m.put("rendezvousRequests", requests.size());
        m.put("rendezvousPairs", united.size());
    }
}

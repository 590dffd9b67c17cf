package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a {@link Node} tells its application (VL.md §3, §2.7). Events are passed to
 * {@link NodeOutput#event} synchronously, from inside {@link Node#receive} or {@link Node#service}.
 */
public sealed interface NodeEvent {

    /** At least one root session has an alive path (§4.3). */
    record Online() implements NodeEvent {}

    /** No root session has an alive path any more. */
    record Offline() implements NodeEvent {}

    /**
     * A session with {@code peer} can carry messages.
     *
     * @param address the peer's address if bound (§2.6), else {@code null}
     * @param relayed true if the session's path goes through a root (§5.3)
     */
    record SessionUp(Fingerprint peer, Address address, boolean relayed) implements NodeEvent {}

    /** The session with {@code peer} was closed (reason: a constant, for logs). */
    record SessionDown(Fingerprint peer, String reason) implements NodeEvent {}

    /**
     * A USER_MESSAGE (§3.10) from {@code from}; {@code address} only once bound (§2.6), else null.
     */
    record UserMessageReceived(Fingerprint from, Address address, long typeId, byte[] payload) implements NodeEvent {
        @Override
        public String toString() {
            return "UserMessageReceived[" + from.toShortString() + ", type " + typeId + ", " + payload.length + " bytes]";
        }
    }

    /** A WHOIS lookup succeeded under the §2.7 trust rule; {@code tofu} if a one-root set answered alone. */
    record IdentityResolved(Address address, Fingerprint fingerprint, boolean tofu) implements NodeEvent {}

    /** A WHOIS lookup failed (no agreement, no live root, timeout); nothing was pinned. */
    record LookupFailed(Address address, String reason) implements NodeEvent {}

    /** {@code identity.conflict} (§2.7): roots returned different fingerprints, or a pinned binding was contradicted. Nothing was pinned. */
    record IdentityConflict(Address address, List<Fingerprint> fingerprints) implements NodeEvent {}

    /** Messages queued for {@code destination} were discarded (queue bounds, lookup failure, expiry). */
    record MessagesDropped(Address destination, int count, String reason) implements NodeEvent {}

    /** A root refused this node's identity: ERROR IDENTITY_COLLISION (§4.4). */
    record IdentityCollision(Fingerprint root) implements NodeEvent {}

    /** {@code path.candidate} (§5.2): a direct path to {@code peer} was learned ({@code source}: packet, rendezvous, push). */
    record PathCandidate(Fingerprint peer, InetSocketAddress endpoint, String source) implements NodeEvent {}

    /** {@code path.confirmed} (§5.2): an ECHO probe on {@code endpoint} was answered from it; {@code latencyMs} −1 if unmeasured. */
    record PathConfirmed(Fingerprint peer, InetSocketAddress endpoint, long latencyMs) implements NodeEvent {}

    /**
     * {@code path.preferred} (§5.1): the session with {@code peer} now sends over {@code endpoint}
     * (direct), or through {@code relayRoot} when {@code endpoint} is null; same ZSSP session (§5.8).
     */
    record PathPreferred(Fingerprint peer, InetSocketAddress endpoint, Address relayRoot) implements NodeEvent {}

    /** {@code rendezvous.requested} (§5.5): RENDEZVOUS_REQUEST about {@code peer} sent to {@code root}. */
    record RendezvousRequested(Fingerprint peer, Address peerAddress, Address root) implements NodeEvent {}

    /** {@code rendezvous.sent} (root, §5.5): both members asked; each was told the other's endpoint. */
    record RendezvousSent(Address a, Address b) implements NodeEvent {}

    /** {@code rendezvous.received} (§5.5): an accepted RENDEZVOUS about {@code peer} from {@code root}. */
    record RendezvousReceived(Fingerprint peer, Address root, List<InetSocketAddress> endpoints, boolean peerSymmetric) implements NodeEvent {}

    /**
     * A root pushed a newer revision of one of the node's root sets and it passed the update rule
     * (§4.1, §4.2): the node now uses it; persist it (the daemon keeps {@code roots.d/<name>.pushed})
     * so it survives a restart. {@code roots} are the effective roots after the switch.
     */
    record RootSetUpdated(dev.planetary.identity.RootSets.Accepted set, Address fromRoot, List<RootInfo> roots) implements NodeEvent {
        public String name() {
            return set.name();
        }

        public long revision() {
            return set.valid().set().revision();
        }
    }
}

package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides whether an incoming, fully authenticated session is accepted (the responder's
 * {@code check_accept_session}, spec §12.1). Called on the endpoint's handshake plane (a
 * Completion's step): keep it fast and non-blocking.
 */
@FunctionalInterface
public interface AcceptPolicy {

    /**
     * @param peer     the initiator's authenticated static public key
     * @param identity the identity blob the initiator sent (authenticated; possibly empty)
     * @param source   the address the completing packet came from, or {@code null} if unknown
     * @return true to accept
     */
    boolean accept(StaticPublicKey peer, byte[] identity, InetSocketAddress source);

    /** Accepts every authenticated peer. */
    static AcceptPolicy acceptAll() {
        return (peer, identity, source) -> true;
    }

    /** Refuses every peer. */
    static AcceptPolicy refuseAll() {
        return (peer, identity, source) -> false;
    }

    /** Accepts only these keys. */
    static AcceptPolicy allowList(Collection<StaticPublicKey> allowed) {
        Set<StaticPublicKey> set = Set.copyOf(Objects.requireNonNull(allowed, "allowed"));
        return (peer, identity, source) -> set.contains(peer);
    }

    /** Accepts only these keys. */
    static AcceptPolicy allowList(StaticPublicKey... allowed) {
        return allowList(Arrays.asList(allowed));
    }

    /**
     * Per-peer identity check: a peer listed in {@code expected} is accepted only if it presents
     * exactly that identity blob; peers not listed are accepted (combine with {@link #allowList}).
     */
    static AcceptPolicy identities(Map<StaticPublicKey, byte[]> expected) {
        Map<StaticPublicKey, byte[]> copy = Map.copyOf(Objects.requireNonNull(expected, "expected"));
        return (peer, identity, source) -> {
            byte[] want = copy.get(peer);
            return want == null || java.security.MessageDigest.isEqual(want, identity);
        };
    }

    /** Both this and {@code other} must accept. */
    default AcceptPolicy and(AcceptPolicy other) {
        Objects.requireNonNull(other, "other");
        return (peer, identity, source) -> accept(peer, identity, source) && other.accept(peer, identity, source);
    }
}

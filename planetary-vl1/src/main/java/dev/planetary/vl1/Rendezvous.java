package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.List;
import java.util.Objects;

/**
 * RENDEZVOUS ({@code 0x05}, root → member) (§5.5):
 *
 * <pre>
 * 0  1  verb 0x05
 * 1  1  flags: bit0 the peer reported an endpoint-dependent (symmetric) NAT
 * 2  5  peer Address
 * 7  1  endpoint count n (1..4)
 * 8  …  n × Endpoint: the peer's external endpoints as the root observed them
 * </pre>
 * Flags are kept as sent; endpoints of unknown type count towards n and are kept as {@link Endpoint.Unknown}.
 */
public record Rendezvous(int flags, Address peer, List<Endpoint> endpoints) implements Vl1Message {
    public static final int PEER_SYMMETRIC_NAT = 0x01;
    public static final int MAX_ENDPOINTS = 4;

    public Rendezvous {
        Vl1Message.requireU8(flags, "RENDEZVOUS flags");
        Objects.requireNonNull(peer, "peer");
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty() || endpoints.size() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("RENDEZVOUS carries " + endpoints.size() + " endpoints; 1..4 allowed (§5.5)");
        }
    }

    @Override
    public int verb() {
        return Verb.RENDEZVOUS;
    }

    public boolean peerBehindSymmetricNat() {
        return (flags & PEER_SYMMETRIC_NAT) != 0;
    }
}

package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.Objects;

/**
 * RENDEZVOUS_REQUEST ({@code 0x1a}, member → its relay root): {@code 0x1a ‖ Address peer} (§5.5).
 * Consent to disclose this node's endpoints to {@code peer}; a root answers with RENDEZVOUS only when
 * both sides asked within the window.
 */
public record RendezvousRequest(Address peer) implements Vl1Message {
    public RendezvousRequest {
        Objects.requireNonNull(peer, "peer");
    }

    @Override
    public int verb() {
        return Verb.RENDEZVOUS_REQUEST;
    }
}

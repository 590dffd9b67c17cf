package dev.planetary.store;

import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;

/** {@link PeerRatchetStore#provision} refused because the peer already has a record and force was not given. */
public final class PeerExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient StaticPublicKey peer;

    public PeerExistsException(String store, StaticPublicKey peer) {
        super("ratchet store " + store + ": peer " + peer.toHex() + " already has ratchet states; "
                + "provisioning again would replace them (and lock out or downgrade the peer): use force to replace them");
        this.peer = peer;
    }

    /** The peer that already has a record. */
    public StaticPublicKey peer() {
        return peer;
    }
}

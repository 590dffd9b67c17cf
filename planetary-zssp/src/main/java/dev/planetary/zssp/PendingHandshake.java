package dev.planetary.zssp;

import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.SymmetricState;

/**
 * A responder's pending handshake, state B2 (spec §5.2 step 16): everything needed to finish the
 * handshake when the Completion arrives on {@code kidB}. Registered in the key-id table; capped and
 * expired by the Context (§13 D4).
 */
final class PendingHandshake {
    final int kidA;
    final int kidB;
    final SymmetricState noise;
    final P384KeyPair ephemeral;
    final RatchetState used;
    final HeaderCipher hkSend;
    final HeaderCipher hkRecv;
    final Reassembler reassembler;
    final long created;
    /** Set once a session took over the header keys; until then this entry owns them. */
    private boolean headersHandedOver;

    PendingHandshake(int kidA, int kidB, SymmetricState noise, P384KeyPair ephemeral, RatchetState used,
            HeaderCipher hkSend, HeaderCipher hkRecv, Reassembler reassembler, long created) {
        this.kidA = kidA;
        this.kidB = kidB;
        this.noise = noise;
        this.ephemeral = ephemeral;
        this.used = used;
        this.hkSend = hkSend;
        this.hkRecv = hkRecv;
        this.reassembler = reassembler;
        this.created = created;
    }

    /** The session made from this handshake owns the header keys from now on. */
    void handOverHeaders() {
        headersHandedOver = true;
    }

    /**
     * Wipes the handshake secrets once the entry is discarded or consumed, and retires the header
     * keys unless a session took them over (a receiving thread may still be decrypting a header
     * with them: they are destroyed after the grace period).
     */
    void destroy(Context<?> ctx) {
        noise.destroy();
        ephemeral.destroy();
        if (!headersHandedOver) {
            ctx.retire(hkSend);
            ctx.retire(hkRecv);
        }
    }
}

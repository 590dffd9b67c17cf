package dev.planetary.zssp;

import dev.planetary.zssp.crypto.AesGcm;
import javax.security.auth.Destroyable;

/**
 * One of a session's two key slots (spec §7.1, §7.6): what this side sends with ({@code sendKid},
 * the peer's receive kid, and the send keys) and receives with ({@code recvKid} and the receive
 * keys). Immutable: a slot is replaced, never changed, so the data path reads it without locks.
 * Keys are null while the slot holds only a receive kid (Alice in A1, the initiator in R1).
 *
 * <p>A slot owns its four keys. A slot that leaves the session's {@link Session.Keys} is handed to
 * the Context's {@link KeyRetirement}, which destroys it after the grace period.
 */
record KeySlot(int sendKid, int recvKid, AesGcm kekSend, AesGcm kekRecv, AesGcm nkSend, AesGcm nkRecv) implements Destroyable {

    /** A slot that reserves a receive kid and has no keys yet. */
    static KeySlot receiveOnly(int recvKid) {
        return new KeySlot(0, recvKid, null, null, null, null);
    }

    static final KeySlot NONE = receiveOnly(0);

    boolean hasKeys() {
        return kekRecv != null;
    }

    /** One idle-sweep step over the slot's keys ({@code AesKey.dropIdleCiphers}). */
    void dropIdleCiphers() {
        if (!hasKeys()) return;
        kekSend.dropIdleCiphers();
        kekRecv.dropIdleCiphers();
        nkSend.dropIdleCiphers();
        nkRecv.dropIdleCiphers();
    }

    /** Wipes the key material (the slot must no longer be reachable by the data path). */
    @Override
    public void destroy() {
        if (kekSend != null) kekSend.destroy();
        if (kekRecv != null) kekRecv.destroy();
        if (nkSend != null) nkSend.destroy();
        if (nkRecv != null) nkRecv.destroy();
    }

    @Override
    public boolean isDestroyed() {
        return hasKeys() && kekRecv.isDestroyed();
    }

    @Override
    public String toString() {
        return "KeySlot[send=" + Integer.toHexString(sendKid) + ", recv=" + Integer.toHexString(recvKid) + ", keys " + (hasKeys() ? "set" : "none") + "]";
    }
}

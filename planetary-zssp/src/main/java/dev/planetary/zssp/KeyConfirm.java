package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.KEY_CONFIRM_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_ACK;

import java.io.IOException;

/**
 * Key confirmation C1, its acknowledgement C2, and Session-Rejected D (spec §5.5–§5.7, §6.4):
 * 16-byte packets that are just a GCM tag under a key-exchange key, {@code GCM(kek, N(type, c), ∅, ∅)}.
 */
final class KeyConfirm {
    private KeyConfirm() {}

    /** C1 in any state having the matching kek: always answered with one C2; may complete A3 or R2 (flip to S2). */
    static <D> Received<D> consumeKeyConfirm(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len, long now) {
        if (len != KEY_CONFIRM_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "key confirmation must be 16 bytes");
        s.lock.lock();
        try {
            if (Timers.expireIfOverdue(s, now)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "session timed out");
            Session.Keys keys = s.keys;
            KeySlot slot = keys.forRecvKid(kid);
            if (slot == null) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "key confirmation on a retired key id");
            if (!slot.hasKeys()) return Context.dropped(Fault.OUT_OF_SEQUENCE, false, "key confirmation for a key not yet derived");
            if (!slot.kekRecv().open(nonce, null, p, off, len, new byte[0], 0)) {
                return Context.dropped(Fault.FAILED_AUTH, false, "key confirmation failed authentication");
            }
            if (!s.window.update(counter)) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed key confirmation");
            Zeta was = s.zeta;
            boolean completesNewKey = slot == keys.other() && (was instanceof Zeta.A3 || was instanceof Zeta.R2);
            Received<D> event = new Event.Control<>(s);
            if (completesNewKey) {
                if (s.ratchet2 != null) { // §8.3 row C1: forget the older state
                    RatchetUpdate cas = new RatchetUpdate(s.ratchet1, null, s.ratchet1, s.ratchet2, false, false, true);
                    try {
                        if (!s.context.app.saveRatchetState(s.peer, s.data(), cas)) {
                            s.expire(Transition.Cause.FAILED);
                            return Context.dropped(Fault.OUT_OF_SEQUENCE, false, "ratchet compare-and-swap refused; session expired");
                        }
                    } catch (IOException e) {
                        return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
                    }
                    s.ratchet2 = null;
                }
                s.keys = keys.flip();
                s.enter(Zeta.S2.INSTANCE, Transition.Cause.KEY_CONFIRM, now);
                event = was instanceof Zeta.A3 ? new Event.Established<>(s) : new Event.RekeyCompleted<>(s);
            }
            KeySlot current = s.keys.current();
            s.sendTagOnly(current.kekSend(), current.sendKid(), TYPE_ACK);
            return event;
        } finally {
            s.lock.unlock();
        }
    }

    /** C2: only in S1 and on the current receive kid; S1 → S2. */
    static <D> Received<D> consumeAck(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len, long now) {
        if (len != KEY_CONFIRM_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "acknowledgement must be 16 bytes");
        s.lock.lock();
        try {
            if (Timers.expireIfOverdue(s, now)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "session timed out");
            if (!(s.zeta instanceof Zeta.S1)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "acknowledgement when not confirming");
            KeySlot current = s.keys.current();
            if (current.recvKid() != kid) return Context.dropped(Fault.UNKNOWN_LOCAL_KEY_ID, true, "acknowledgement on a non-current key id");
            if (!current.kekRecv().open(nonce, null, p, off, len, new byte[0], 0)) {
                return Context.dropped(Fault.FAILED_AUTH, false, "acknowledgement failed authentication");
            }
            if (!s.window.update(counter)) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed acknowledgement");
            s.enter(Zeta.S2.INSTANCE, Transition.Cause.ACK, now);
            return new Event.Control<>(s);
        } finally {
            s.lock.unlock();
        }
    }

    /** D: only in A3 and on the other slot's receive kid; the session expires. */
    static <D> Received<D> consumeRejected(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len) {
        if (len != KEY_CONFIRM_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "session-rejected must be 16 bytes");
        s.lock.lock();
        try {
            KeySlot other = s.keys.other();
            if (!(s.zeta instanceof Zeta.A3) || other.recvKid() != kid || !other.hasKeys()) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, false, "session-rejected when not completing a handshake");
            }
            if (!other.kekRecv().open(nonce, null, p, off, len, new byte[0], 0)) {
                return Context.dropped(Fault.FAILED_AUTH, false, "session-rejected failed authentication");
            }
            if (!s.window.update(counter)) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed session-rejected");
            s.expire(Transition.Cause.REJECTED);
            return new Event.Rejected<>(s);
        } finally {
            s.lock.unlock();
        }
    }
}

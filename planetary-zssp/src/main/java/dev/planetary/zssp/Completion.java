package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.COMPLETION_MAX_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.COMPLETION_MIN_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.P384_PUBLIC_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TAG_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_COMPLETION;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_KEY_CONFIRM;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_SESSION_REJECTED;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.SymmetricState;
import dev.planetary.zssp.crypto.SymmetricState.Ask;
import java.io.IOException;

/**
 * The Completion, X3 (spec §5.4): the initiator creates it in {@link Response#consume}; the
 * responder consumes it here, identifies and authorises the initiator, checks the ratchet, and
 * creates the session (state S1) with its first key confirmation C1, or rejects it with D.
 *
 * <pre>X3 = Enc(S_A) (65) ‖ Enc(identity) (|identity| + 16)</pre>
 */
final class Completion {
    static final int STATIC_KEY = 0;
    static final int IDENTITY = P384_PUBLIC_SIZE + TAG_SIZE;

    private Completion() {}

    static <D> Received<D> consume(Context<D> ctx, PendingHandshake b2, byte[] x3, Remote from, long now) {
        // The B2 entry ends here whatever the outcome (§5.4); only one thread may take it.
        if (!ctx.takePending(b2)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "Completion for a handshake already finished");
        if (ctx.pendingExpired(b2, now)) {
            // Its lifetime ended, even if service() has not run since: by now the initiator may have
            // timed out in A3 and sent a new Hello whose PSK was chosen from our *current* stored
            // states; accepting this stale Completion would replace them under it and leave the two
            // stored pairs with no state in common (lockout in persistent mode, §8, §13 D4).
            b2.destroy(ctx);
            return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "Completion for an expired pending handshake");
        }
        try {
            return consumeTaken(ctx, b2, x3, from, now);
        } finally {
            b2.destroy(ctx);
        }
    }

    private static <D> Received<D> consumeTaken(Context<D> ctx, PendingHandshake b2, byte[] x3, Remote from, long now) {
        int len = x3.length;
        if (len < COMPLETION_MIN_SIZE || len > COMPLETION_MAX_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "Completion length out of range");
        SymmetricState noise = b2.noise;
        byte[] staticBytes = noise.decryptAndHash(TYPE_COMPLETION, 1, x3, STATIC_KEY, P384_PUBLIC_SIZE + TAG_SIZE); // s
        if (staticBytes == null) return Context.dropped(Fault.FAILED_AUTH, false, "Completion failed authentication");
        P384PublicKey point = P384PublicKey.decode(staticBytes, 0);
        if (point == null) return Context.dropped(Fault.FAILED_AUTH, false, "invalid static key in Completion");
        byte[] se = b2.ephemeral.agree(point); // se
        noise.mixKey(se);
        Secrets.wipe(se);
        byte[] identity = noise.decryptAndHash(TYPE_COMPLETION, 0, x3, IDENTITY, len - IDENTITY);
        if (identity == null) return Context.dropped(Fault.FAILED_AUTH, false, "Completion failed authentication");
        byte[][] kek = noise.getAsk(Ask.ASKK); // Bob sends with output 1, receives with output 2
        AesGcm kekSend = new AesGcm(kek[0]);
        AesGcm kekRecv = new AesGcm(kek[1]);
        Secrets.wipe(kek[0], kek[1]);
        KeySlot[] installed = new KeySlot[1];
        try {
            return finish(ctx, b2, point, identity, noise, kekSend, kekRecv, installed, from, now);
        } finally {
            if (installed[0] == null) { // no session took the keys, and nothing else ever saw them
                kekSend.destroy();
                kekRecv.destroy();
            }
        }
    }

    /** §5.4 steps 7–12 once the Completion authenticated; sets {@code installed[0]} when a session owns the keys. */
    private static <D> Received<D> finish(Context<D> ctx, PendingHandshake b2, P384PublicKey point, byte[] identity, SymmetricState noise,
            AesGcm kekSend, AesGcm kekRecv, KeySlot[] installed, Remote from, long now) {
        StaticPublicKey peer = new StaticPublicKey(point);

        AcceptDecision<D> decision = ctx.app.checkAcceptSession(peer, identity, from);
        if (decision == null || !decision.accepted()) {
            return reject(b2, kekSend, from, decision != null && decision.responderSilentlyRejects(), "session refused by the application");
        }
        RatchetPair stored;
        try {
            stored = ctx.app.restoreByIdentity(peer, decision.sessionData());
        } catch (IOException e) {
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        if (stored == null) stored = RatchetPair.INITIAL;
        boolean downgraded = false; // §5.4 step 9
        if (!b2.used.equals(stored.state1()) && !RatchetState.same(b2.used, stored.state2())) {
            if (!decision.responderDisallowsDowngrade() && b2.used.isEmpty()) {
                downgraded = true;
            } else {
                return reject(b2, kekSend, from, decision.responderSilentlyRejects(), "ratchet is not one stored for this peer");
            }
        }
        byte[][] r = noise.getAsk(Ask.ASKR);
        RatchetState fresh = new RatchetState(r[0], r[1], b2.used.chainLength() + 1);
        Secrets.wipe(r[0], r[1]);
        try {
            RatchetUpdate cas = new RatchetUpdate(fresh, null, stored.state1(), stored.state2(), true, true, true);
            if (!ctx.app.saveRatchetState(peer, decision.sessionData(), cas)) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, false, "ratchet compare-and-swap refused");
            }
        } catch (IOException e) {
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        byte[] c1 = new byte[TAG_SIZE]; // §5.4 step 11: the first C1 uses counter 0
        kekSend.seal(TYPE_KEY_CONFIRM, 0, null, c1, 0, 0, c1, 0);
        byte[][] nk = noise.split();

        Session<D> s = new Session<>(ctx, peer, decision.sessionData(), true, 1, from);
        s.lock.lock();
        try {
            KeySlot slot = new KeySlot(b2.kidA, b2.kidB, kekSend, kekRecv, new AesGcm(nk[0]), new AesGcm(nk[1]));
            s.keys = new Session.Keys(slot, KeySlot.NONE);
            Secrets.wipe(nk[0], nk[1]);
            s.installHeaders(new Session.Headers(b2.hkSend, b2.hkRecv, ctx));
            s.keyCreationCounter = 1;
            s.ratchet1 = fresh;
            s.ratchet2 = null;
            if (!ctx.kids.claim(b2.kidB, s)) { // the session was never reachable: its data keys go now
                slot.nkSend().destroy();
                slot.nkRecv().destroy();
                return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "key id taken meanwhile");
            }
            s.enter(Zeta.S1.INSTANCE, Transition.Cause.COMPLETION, now);
            installed[0] = slot;
            b2.handOverHeaders();
            ctx.track(s);
            s.sendPacket(c1, TAG_SIZE, b2.kidA, TYPE_KEY_CONFIRM, 0);
        } finally {
            s.lock.unlock();
        }
        return downgraded ? new Event.NewDowngradedSession<>(s) : new Event.NewSession<>(s);
    }

    /** §5.7: unless silent (π4), tell the initiator with D = GCM(kek_send, N(7, 0), ∅, ∅). */
    private static <D> Received<D> reject(PendingHandshake b2, AesGcm kekSend, Remote to, boolean silently, String reason) {
        if (!silently) {
            byte[] d = new byte[TAG_SIZE];
            kekSend.seal(TYPE_SESSION_REJECTED, 0, null, d, 0, 0, d, 0);
            Fragmenter.send(to, to.mtu(), d, TAG_SIZE, b2.kidA, TYPE_SESSION_REJECTED, 0, b2.hkSend);
        }
        return Context.dropped(Fault.REJECTED, false, reason);
    }
}

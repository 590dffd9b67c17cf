package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.KID_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.P384_PUBLIC_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.REKEY_INNER_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.REKEY_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TAG_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_KEY_CONFIRM;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_COMPLETE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_REKEY_INIT;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.SymmetricState;
import dev.planetary.zssp.crypto.SymmetricState.Ask;
import dev.planetary.zssp.crypto.SymmetricState.Protocol;
import java.io.IOException;

/**
 * Rekeying with Noise {@code KKpsk0} (spec §6): Rekey Init K1 and Rekey Complete K2, each an inner
 * Noise message {@code e (49) ‖ Enc(new kid) (20)} wrapped in GCM under the current kek with the
 * session counter (85 bytes). I = the side whose S2 timer fired; R = the other.
 */
final class Rekey {
    private Rekey() {}

    /** I: S2 timeout (or soft limit) → R1, sends K1 (§6.1). */
    static void start(Session<?> s, long now, Transition.Cause cause) {
        Context<?> ctx = s.context;
        int kidI = ctx.kids.allocate(s, ctx.rng);
        s.installOther(KeySlot.receiveOnly(kidI)); // clears the previous generation (§13 D17)
        SymmetricState noise = SymmetricState.initialize(Protocol.KK);
        noise.mixHash(ctx.local.publicKey().encodedShared()); // initiator static first
        noise.mixHash(s.peer.encodedShared());
        noise.mixKeyAndHash(s.ratchet1.keyShared()); // psk0
        byte[] inner = new byte[REKEY_INNER_SIZE];
        P384KeyPair e = NoiseTokens.writeEphemeral(s.context.rng, noise, inner, 0); // e
        P384PublicKey peerPoint = s.peer.point();
        NoiseTokens.mixDh(noise, e.agree(peerPoint)); // es
        NoiseTokens.mixDh(noise, ctx.local.pair().agree(peerPoint)); // ss
        encryptKid(noise, TYPE_REKEY_INIT, kidI, inner);
        s.enter(new Zeta.R1(noise, e, inner), cause, now);
        sendWrapped(s, inner, TYPE_REKEY_INIT);
    }

    /** R: K1 in S2 (or in R1 if we were Bob, the tie-break) → R2, sends K2 (§6.2). */
    static <D> Received<D> consumeInit(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len, long now) {
        if (len != REKEY_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "rekey init must be 85 bytes");
        s.lock.lock();
        try {
            if (Timers.expireIfOverdue(s, now)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "session timed out");
            if (!(s.zeta instanceof Zeta.S2 || (s.zeta instanceof Zeta.R1 && s.wasBob))) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "rekey init when not established");
            }
            byte[] inner = openOuter(s, kid, nonce, counter, p, off);
            if (inner == null) return Context.dropped(Fault.FAILED_AUTH, false, "rekey init failed authentication");
            if (inner.length == 0) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed rekey init");
            return respond(s, inner, now); // from here on, failures expire the session
        } finally {
            s.lock.unlock();
        }
    }

    private static <D> Received<D> respond(Session<D> s, byte[] k1, long now) {
        Context<D> ctx = s.context;
        SymmetricState noise = SymmetricState.initialize(Protocol.KK);
        noise.mixHash(s.peer.encodedShared()); // initiator static first
        noise.mixHash(ctx.local.publicKey().encodedShared());
        noise.mixKeyAndHash(s.ratchet1.keyShared()); // psk0
        P384PublicKey eI = NoiseTokens.readEphemeral(noise, k1, 0);
        if (eI == null) return fail(s, Fault.FAILED_AUTH, "invalid ephemeral key in rekey init");
        NoiseTokens.mixDh(noise, ctx.local.pair().agree(eI)); // es
        NoiseTokens.mixDh(noise, ctx.local.pair().agree(s.peer.point())); // ss
        byte[] kidBytes = noise.decryptAndHash(TYPE_REKEY_INIT, 0, k1, P384_PUBLIC_SIZE, KID_SIZE + TAG_SIZE);
        if (kidBytes == null) return fail(s, Fault.FAILED_AUTH, "rekey init failed authentication");
        int kidI = Bytes.getInt(kidBytes, 0);
        if (kidI == 0) return fail(s, Fault.FAILED_AUTH, "zero key id in rekey init");

        byte[] k2 = new byte[REKEY_INNER_SIZE];
        P384KeyPair eR = NoiseTokens.writeEphemeral(s.context.rng, noise, k2, 0); // e
        NoiseTokens.mixDh(noise, eR.agree(eI)); // ee
        NoiseTokens.mixDh(noise, ctx.local.pair().agree(eI)); // "se" as implemented: DH(s_R, E_I) again (§13 D1)
        eR.destroy();
        int kidR = ctx.kids.allocate(s, ctx.rng);
        encryptKid(noise, TYPE_REKEY_COMPLETE, kidR, k2);
        byte[][] r = noise.getAsk(Ask.ASKR);
        RatchetState fresh = new RatchetState(r[0], r[1], s.ratchet1.chainLength() + 1);
        Secrets.wipe(r[0], r[1]);
        try { // §8.3 row K1: (state1, state2) → (new, state1)
            RatchetUpdate cas = new RatchetUpdate(fresh, s.ratchet1, s.ratchet1, s.ratchet2, true, false, true);
            if (!ctx.app.saveRatchetState(s.peer, s.data(), cas)) {
                ctx.kids.release(kidR, s);
                noise.destroy();
                return fail(s, Fault.OUT_OF_SEQUENCE, "ratchet compare-and-swap refused");
            }
        } catch (IOException e) { // drop without a state change (fixes §13 D14): the peer resends K1
            ctx.kids.release(kidR, s);
            noise.destroy();
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        byte[][] kek = noise.getAsk(Ask.ASKK); // R sends with output 1
        byte[][] nk = noise.split();
        noise.destroy();
        s.installOther(new KeySlot(kidI, kidR, new AesGcm(kek[0]), new AesGcm(kek[1]), new AesGcm(nk[0]), new AesGcm(nk[1])));
        Secrets.wipe(kek[0], kek[1], nk[0], nk[1]);
        s.ratchet2 = s.ratchet1;
        s.ratchet1 = fresh;
        s.keyCreationCounter = s.counter();
        s.enter(new Zeta.R2(k2), Transition.Cause.REKEY_INIT, now); // leaving R1 (the tie-break) wipes our own K1's secrets
        sendWrapped(s, k2, TYPE_REKEY_COMPLETE); // still under the old key until C1 arrives
        return new Event.Control<>(s);
    }

    /** I: K2 in R1 → S1 with the new key, sends C1 (§6.3). */
    static <D> Received<D> consumeComplete(Session<D> s, int kid, byte[] nonce, long counter, byte[] p, int off, int len, long now) {
        if (len != REKEY_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "rekey complete must be 85 bytes");
        s.lock.lock();
        try {
            if (Timers.expireIfOverdue(s, now)) return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "session timed out");
            if (!(s.zeta instanceof Zeta.R1 r1)) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "rekey complete when not rekeying");
            }
            byte[] k2 = openOuter(s, kid, nonce, counter, p, off);
            if (k2 == null) return Context.dropped(Fault.FAILED_AUTH, false, "rekey complete failed authentication");
            if (k2.length == 0) return Context.dropped(Fault.EXPIRED_COUNTER, false, "replayed rekey complete");
            return complete(s, r1, k2, now);
        } finally {
            s.lock.unlock();
        }
    }

    private static <D> Received<D> complete(Session<D> s, Zeta.R1 r1, byte[] k2, long now) {
        Context<D> ctx = s.context;
        SymmetricState noise = r1.noise().copy();
        P384PublicKey eR = NoiseTokens.readEphemeral(noise, k2, 0);
        if (eR == null) return fail(s, Fault.FAILED_AUTH, "invalid ephemeral key in rekey complete");
        NoiseTokens.mixDh(noise, r1.ephemeral().agree(eR)); // ee
        NoiseTokens.mixDh(noise, r1.ephemeral().agree(s.peer.point())); // "se" as implemented (§13 D1)
        byte[] kidBytes = noise.decryptAndHash(TYPE_REKEY_COMPLETE, 0, k2, P384_PUBLIC_SIZE, KID_SIZE + TAG_SIZE);
        if (kidBytes == null) return fail(s, Fault.FAILED_AUTH, "rekey complete failed authentication");
        int kidR = Bytes.getInt(kidBytes, 0);
        if (kidR == 0) return fail(s, Fault.INVALID_PACKET, "zero key id in rekey complete");
        byte[][] r = noise.getAsk(Ask.ASKR);
        RatchetState fresh = new RatchetState(r[0], r[1], s.ratchet1.chainLength() + 1);
        Secrets.wipe(r[0], r[1]);
        try { // §8.3 row K2: (state1, state2) → (new, none)
            RatchetUpdate cas = new RatchetUpdate(fresh, null, s.ratchet1, s.ratchet2, true, true, true);
            if (!ctx.app.saveRatchetState(s.peer, s.data(), cas)) {
                noise.destroy();
                return fail(s, Fault.OUT_OF_SEQUENCE, "ratchet compare-and-swap refused");
            }
        } catch (IOException e) { // stay in R1; the peer resends K2 with a fresh counter
            noise.destroy();
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        byte[][] kek = noise.getAsk(Ask.ASKK); // I receives with output 1, sends with output 2
        byte[][] nk = noise.split();
        noise.destroy();
        Session.Keys keys = s.keys;
        KeySlot fresher = new KeySlot(kidR, keys.other().recvKid(), new AesGcm(kek[1]), new AesGcm(kek[0]), new AesGcm(nk[1]), new AesGcm(nk[0]));
        Secrets.wipe(kek[0], kek[1], nk[0], nk[1]);
        s.keys = new Session.Keys(fresher, keys.current()); // install and flip at once: R has the key
        ctx.retire(keys.other()); // the generation before current
        s.ratchet1 = fresh;
        s.ratchet2 = null;
        s.keyCreationCounter = s.counter();
        s.enter(Zeta.S1.INSTANCE, Transition.Cause.REKEY_COMPLETE, now);
        s.sendTagOnly(fresher.kekSend(), kidR, TYPE_KEY_CONFIRM);
        return new Event.RekeyCompleted<>(s);
    }

    /**
     * Outer layer: {@code GCM(current.kek_send, N(type, c), ∅, inner)} to the peer's current kid; also
     * the resend of K1 (R1) or K2 (R2): the same inner message, re-wrapped with a fresh counter.
     */
    static void sendWrapped(Session<?> s, byte[] inner, int type) {
        KeySlot current = s.keys.current();
        long c = s.nextCounter();
        byte[] wire = new byte[REKEY_SIZE];
        current.kekSend().seal(type, c, null, inner, 0, REKEY_INNER_SIZE, wire, 0);
        s.sendPacket(wire, REKEY_SIZE, current.sendKid(), type, c);
    }

    /**
     * Opens the outer layer with the current kek and updates the window. Returns null on an
     * authentication failure or wrong kid, an empty array on a replay, else the 69-byte inner message.
     */
    private static byte[] openOuter(Session<?> s, int kid, byte[] nonce, long counter, byte[] p, int off) {
        KeySlot current = s.keys.current();
        if (current.recvKid() != kid || !current.hasKeys()) return null;
        byte[] inner = new byte[REKEY_INNER_SIZE];
        if (!current.kekRecv().open(nonce, null, p, off, REKEY_SIZE, inner, 0)) return null;
        if (!s.window.update(counter)) return new byte[0];
        return inner;
    }



    private static void encryptKid(SymmetricState noise, int type, int kid, byte[] msg) {
        byte[] kidBytes = new byte[KID_SIZE];
        Bytes.putInt(kidBytes, 0, kid);
        noise.encryptAndHash(type, 0, kidBytes, 0, KID_SIZE, msg, P384_PUBLIC_SIZE);
    }


    /** After the outer layer authenticated, any failure expires the session (§6.2 step 2, §13 D11). */
    private static <D> Received<D> fail(Session<D> s, Fault fault, String reason) {
        s.expire(Transition.Cause.FAILED);
        return Context.dropped(fault, false, reason + "; session expired");
    }
}

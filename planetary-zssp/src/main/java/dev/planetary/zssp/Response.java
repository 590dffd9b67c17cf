package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.COMPLETION_MIN_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KID_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KYBER_CIPHERTEXT_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.P384_PUBLIC_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.RESPONSE_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TAG_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_COMPLETION;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_RESPONSE;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.SymmetricState;
import dev.planetary.zssp.crypto.SymmetricState.Ask;
import java.io.IOException;

/**
 * The Response, X2 (spec §5.3): the responder creates it in {@link Hello#consume}; the initiator
 * consumes it here, picks the PSK candidate that authenticates it, persists the new ratchet and
 * answers with the Completion, X3 (entering A3).
 *
 * <pre>X2 = e_B (49) ‖ Enc(kyber ct) (1584) ‖ Enc(kid_B) (20)</pre>
 */
final class Response {
    static final int EPHEMERAL = 0;
    static final int KEM_CIPHERTEXT = EPHEMERAL + P384_PUBLIC_SIZE;
    static final int KID = KEM_CIPHERTEXT + KYBER_CIPHERTEXT_SIZE + TAG_SIZE;

    private Response() {}

    /** One PSK candidate of §5.3 step 4. */
    private record Candidate(RatchetState state, int index, boolean downgrade) {}

    static <D> Received<D> consume(Session<D> s, int headerKid, long counter, byte[] p, int off, int len, long now) {
        if (len != RESPONSE_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "Response must be 1653 bytes");
        s.lock.lock();
        try {
            if (!(s.zeta instanceof Zeta.A1 a1)) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "Response when not offering a Hello");
            }
            if (headerKid != s.keys.other().recvKid()) return Context.dropped(Fault.UNKNOWN_LOCAL_KEY_ID, false, "Response on a stale key id");
            long tail = ((p[off + len - 3] & 0xffL) << 16) | ((p[off + len - 2] & 0xffL) << 8) | (p[off + len - 1] & 0xffL);
            if (tail != counter) return Context.dropped(Fault.FAILED_AUTH, false, "Response nonce does not match its tag");
            return answerWithCompletion(s, a1, p, off, now);
        } finally {
            s.lock.unlock();
        }
    }

    /** §5.3 steps 3–7: authenticates the Response with a PSK candidate, persists the ratchet, sends X3 (A1 → A3). */
    private static <D> Received<D> answerWithCompletion(Session<D> s, Zeta.A1 offer, byte[] p, int off, long now) {
        Context<D> ctx = s.context;
        SymmetricState noise = offer.noise().copy();
        P384PublicKey eB = NoiseTokens.readEphemeral(noise, p, off + EPHEMERAL); // read e
        if (eB == null) return regenerate(s, offer, now, "invalid ephemeral key in Response");
        NoiseTokens.mixDh(noise, offer.ephemeral().agree(eB)); // ee
        byte[] ct = noise.decryptAndHash(TYPE_RESPONSE, 0, p, off + KEM_CIPHERTEXT, KYBER_CIPHERTEXT_SIZE + TAG_SIZE);
        if (ct == null) return regenerate(s, offer, now, "Response failed authentication");
        byte[] ss = ctx.kem.decapsulate(offer.kem(), ct);
        noise.mixKey(ss);
        Secrets.wipe(ss);

        SymmetricState chosen = null; // §5.3 step 4: state1, state2, then (if allowed) the zero key
        Candidate used = null;
        int kidB = 0;
        for (Candidate c : candidates(s)) {
            if (c == null) continue;
            if (c.downgrade() && ctx.app.initiatorDisallowsDowngrade(s)) break;
            SymmetricState attempt = noise.copy();
            attempt.mixKeyAndHash(c.state().keyShared());
            byte[] kid = attempt.decryptAndHash(TYPE_RESPONSE, 0, p, off + KID, KID_SIZE + TAG_SIZE);
            if (kid != null && Bytes.getInt(kid, 0) != 0) {
                kidB = Bytes.getInt(kid, 0);
                chosen = attempt;
                used = c;
                break;
            }
            attempt.destroy();
        }
        noise.destroy();
        if (chosen == null) return regenerate(s, offer, now, "no ratchet key authenticates the Response");
        byte[] identity = offer.identity(); // build X3 (§5.3 step 5)
        byte[] x3 = new byte[COMPLETION_MIN_SIZE + identity.length];
        byte[] localPublic = ctx.local.publicKey().encodedShared();
        chosen.encryptAndHash(TYPE_COMPLETION, 1, localPublic, 0, P384_PUBLIC_SIZE, x3, Completion.STATIC_KEY); // s
        byte[] se = ctx.local.pair().agree(eB); // se
        chosen.mixKey(se);
        Secrets.wipe(se);
        chosen.encryptAndHash(TYPE_COMPLETION, 0, identity, 0, identity.length, x3, Completion.IDENTITY);

        byte[][] r = chosen.getAsk(Ask.ASKR);
        RatchetState fresh = new RatchetState(r[0], r[1], used.state().chainLength() + 1);
        Secrets.wipe(r[0], r[1]);
        RatchetState keep = used.index() == 1 ? s.ratchet1 : s.ratchet2;
        RatchetUpdate cas = new RatchetUpdate(fresh, keep, s.ratchet1, s.ratchet2, true, used.index() == 2, used.index() == 1);
        try {
            if (!ctx.app.saveRatchetState(s.peer, s.data(), cas)) {
                chosen.destroy();
                return regenerate(s, offer, now, "ratchet compare-and-swap refused");
            }
        } catch (IOException e) {
            chosen.destroy();
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        byte[][] kek = chosen.getAsk(Ask.ASKK); // Alice receives with output 1, sends with output 2
        byte[][] nk = chosen.split();
        chosen.destroy();
        s.installOther(new KeySlot(kidB, s.keys.other().recvKid(), new AesGcm(kek[1]), new AesGcm(kek[0]), new AesGcm(nk[1]), new AesGcm(nk[0])));
        Secrets.wipe(kek[0], kek[1], nk[0], nk[1]);
        s.ratchet1 = fresh;
        s.ratchet2 = keep; // memory = what was persisted (fixes §13 D3)
        s.keyCreationCounter = s.counter();
        s.enter(new Zeta.A3(identity, x3), Transition.Cause.RESPONSE, now);
        s.sendPacket(x3, x3.length, kidB, TYPE_COMPLETION, 0);
        return used.downgrade() ? new Event.DowngradedRatchetKey<>(s) : new Event.Control<>(s);
    }

    private static Candidate[] candidates(Session<?> s) {
        return new Candidate[] {
            new Candidate(s.ratchet1, 1, false),
            s.ratchet2 == null ? null : new Candidate(s.ratchet2, 2, false),
            new Candidate(RatchetState.EMPTY, 2, true) // index stays 2 (reference), chain 0
        };
    }

    /** Any authentication failure in §5.3 steps 3–7 regenerates the Hello at once (§7.2). */
    private static <D> Received<D> regenerate(Session<D> s, Zeta.A1 offer, long now, String reason) {
        Hello.create(s, offer.identity(), now, Transition.Cause.RESPONSE_FAILED);
        return Context.dropped(Fault.FAILED_AUTH, false, reason + "; sent a new Hello");
    }
}

package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.CHALLENGE_PACKET_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.HELLO_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KID_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KYBER_CIPHERTEXT_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.KYBER_PUBLIC_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.P384_PUBLIC_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.RESPONSE_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TAG_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_CHALLENGE;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_HELLO;
import static dev.planetary.zssp.crypto.ZsspConstants.TYPE_RESPONSE;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.KemEncapsulation;
import dev.planetary.zssp.crypto.KemKeyPair;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.SymmetricState;
import dev.planetary.zssp.crypto.SymmetricState.Ask;
import dev.planetary.zssp.crypto.SymmetricState.Protocol;
import java.io.IOException;

/**
 * The Hello, X1 (spec §5.1, §5.2): the initiator creates it (entering A1); the responder consumes
 * it and answers with the Response, X2, keeping a pending handshake (B2). Also the challenge that
 * may answer a Hello (ZCP, spec §9).
 *
 * <pre>X1 = kid_A (4) ‖ e_A (49) ‖ Enc(kyber pk) (1584) ‖ Enc(rf1 ‖ rf2) (80) ‖ ZCP response (32)</pre>
 */
final class Hello {
    static final int KID = 0;
    static final int EPHEMERAL = KID + KID_SIZE;
    static final int KEM_KEY = EPHEMERAL + P384_PUBLIC_SIZE;
    static final int FINGERPRINTS = KEM_KEY + KYBER_PUBLIC_SIZE + TAG_SIZE;
    static final int RESPONSE = FINGERPRINTS + 64 + TAG_SIZE; // = 1717, the ZCP response

    private Hello() {}

    /** {@link Context#open}: restore the ratchet pair, then create and send the first Hello. */
    static <D> Session<D> open(Context<D> ctx, StaticPublicKey peer, D data, byte[] identity, Remote remote) throws IOException {
        RatchetPair stored = ctx.app.restoreByIdentity(peer, data); // §5.1 step 1
        Session<D> s = new Session<>(ctx, peer, data, false, 0, remote);
        s.lock.lock();
        try {
            s.ratchet1 = stored == null ? RatchetState.EMPTY : stored.state1();
            s.ratchet2 = stored == null ? null : stored.state2();
            ctx.track(s);
            try {
                create(s, identity, ctx.app.time(), Transition.Cause.OPEN);
            } catch (RuntimeException e) { // an engine bug: no half-made session stays in the tables
                s.expire(Transition.Cause.CLOSE);
                throw e;
            }
        } finally {
            s.lock.unlock();
        }
        return s;
    }

    /**
     * Creates and sends a fresh Hello from the in-memory ratchet states, entering A1. Used by
     * {@link #open} and by A1 regeneration (A1/A3 timeout, Response failure, §7.2).
     */
    static <D> void create(Session<D> s, byte[] identity, long now, Transition.Cause cause) {
        Context<D> ctx = s.context;
        int kidA = ctx.kids.allocate(s, ctx.rng); // §5.1 step 2 (remap on regeneration)
        if (s.keys == null) s.keys = new Session.Keys(KeySlot.NONE, KeySlot.receiveOnly(kidA));
        else s.installOther(KeySlot.receiveOnly(kidA));

        byte[] x1 = new byte[HELLO_SIZE];
        Bytes.putInt(x1, KID, kidA);
        SymmetricState noise = SymmetricState.initialize(Protocol.XK);
        noise.mixHash(x1, KID, KID_SIZE); // prologue
        noise.mixHash(s.peer.encodedShared()); // <- s
        P384KeyPair e = NoiseTokens.writeEphemeral(ctx.rng, noise, x1, EPHEMERAL); // -> e
        NoiseTokens.mixDh(noise, e.agree(s.peer.point())); // es
        KemKeyPair kem = ctx.kem.generateKeyPair(ctx.rng); // e1
        byte[] kemPublic = kem.publicKey();
        noise.encryptAndHash(TYPE_HELLO, 0, kemPublic, 0, kemPublic.length, x1, KEM_KEY);
        byte[] fingerprints = new byte[64];
        System.arraycopy(s.ratchet1.fingerprintShared(), 0, fingerprints, 0, 32);
        if (s.ratchet2 != null) System.arraycopy(s.ratchet2.fingerprintShared(), 0, fingerprints, 32, 32);
        noise.encryptAndHash(TYPE_HELLO, 1, fingerprints, 0, 64, x1, FINGERPRINTS);
        Bytes.putLong(x1, RESPONSE + Zcp.POW, ctx.rng.nextLong()); // §5.1 step 9: null ZCP response
        byte[][] hk = noise.getAsk(Ask.ASKH); // Alice receives with output 1, sends with output 2
        s.installHeaders(new Session.Headers(new HeaderCipher(hk[1]), new HeaderCipher(hk[0]), ctx));
        Secrets.wipe(hk[0], hk[1]);

        s.enter(new Zeta.A1(noise, e, kem, identity, x1), cause, now);
        send(s, x1);
    }

    /** Sends (or resends) the Hello: kid 0, no header protection, counter from the rf tag (§5.1 step 8). */
    static void send(Session<?> s, byte[] x1) {
        Remote r = s.remote;
        Fragmenter.send(r, r.mtu(), x1, x1.length, 0, TYPE_HELLO, Bytes.getLong(x1, RESPONSE - 8), null);
    }

    /**
     * Responder, on the received bytes {@code b[off, off+len)} before anything is copied: the length
     * rule (§13 D10), the challenge gate (§9.3) and the application's admission. Returns the drop, or null if the Hello goes on
     * to {@link #consume}.
     */
    static <D> Received<D> screen(Context<D> ctx, byte[] b, int off, int len, Remote from, long now) {
        ctx.hellosReceived.incrementAndGet();
        if (len != HELLO_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "Hello must be 1749 bytes"); // §13 D10
        if (ctx.zcp.enabled()) {
            byte[] address = from.addressBytes();
            if (ctx.zcp.overBudget(address, now)) return limited(); // cheaper than the MAC check below
            if (!ctx.zcp.accept(b, off + RESPONSE, address)) return challenge(ctx, b, off, from, address, now);
        }
        return ctx.app.admitHello(from) ? null : Context.dropped(Fault.HELLO_NOT_ADMITTED, false, "Hello not admitted by the application");
    }

    /** Responder: §5.2 on a Hello that passed {@link #screen}. Produces no session event. */
    static <D> Received<D> consume(Context<D> ctx, byte[] x1, long counter, Remote from, long now) {
        if (Bytes.getLong(x1, RESPONSE - 8) != counter) return Context.dropped(Fault.FAILED_AUTH, false, "Hello nonce does not match its tag");
        int kidA = Bytes.getInt(x1, KID);
        if (kidA == 0) return Context.dropped(Fault.INVALID_PACKET, false, "zero key id in Hello");

        SymmetricState noise = SymmetricState.initialize(Protocol.XK);
        noise.mixHash(x1, KID, KID_SIZE);
        noise.mixHash(ctx.local.publicKey().encodedShared());
        P384PublicKey eA = NoiseTokens.readEphemeral(noise, x1, EPHEMERAL); // read e
        if (eA == null) return Context.dropped(Fault.FAILED_AUTH, false, "invalid ephemeral key in Hello");
        NoiseTokens.mixDh(noise, ctx.local.pair().agree(eA)); // es
        byte[] kemPublic = noise.decryptAndHash(TYPE_HELLO, 0, x1, KEM_KEY, KYBER_PUBLIC_SIZE + TAG_SIZE);
        if (kemPublic == null) return Context.dropped(Fault.FAILED_AUTH, false, "Hello failed authentication");
        byte[] fingerprints = noise.decryptAndHash(TYPE_HELLO, 1, x1, FINGERPRINTS, 64 + TAG_SIZE);
        if (fingerprints == null) return Context.dropped(Fault.FAILED_AUTH, false, "Hello failed authentication");

        RatchetState used; // §5.2 step 8
        try {
            used = lookUpRatchet(ctx, fingerprints);
        } catch (IOException e) {
            return Context.dropped(Fault.STORAGE_ERROR, false, "ratchet store failed: " + e.getMessage());
        }
        if (used == null) {
            if (ctx.app.helloRequiresRecognizedRatchet()) return Context.dropped(Fault.FAILED_AUTH, false, "Hello with an unknown ratchet (π1)");
            used = RatchetState.EMPTY;
        }
        byte[][] hk = noise.getAsk(Ask.ASKH); // Bob sends with output 1, receives with output 2

        byte[] x2 = new byte[RESPONSE_SIZE];
        P384KeyPair eB = NoiseTokens.writeEphemeral(ctx.rng, noise, x2, Response.EPHEMERAL); // e
        NoiseTokens.mixDh(noise, eB.agree(eA)); // ee
        KemEncapsulation enc = ctx.kem.encapsulate(kemPublic, ctx.rng); // ekem1
        noise.encryptAndHash(TYPE_RESPONSE, 0, enc.ciphertext(), 0, KYBER_CIPHERTEXT_SIZE, x2, Response.KEM_CIPHERTEXT);
        noise.mixKey(enc.sharedSecret());
        enc.destroy();
        noise.mixKeyAndHash(used.keyShared()); // psk2

        Object reserved = new Object(); // holds kid_B until the pending handshake exists
        int kidB = ctx.kids.allocate(reserved, ctx.rng);
        byte[] kidBytes = new byte[KID_SIZE];
        Bytes.putInt(kidBytes, 0, kidB);
        noise.encryptAndHash(TYPE_RESPONSE, 0, kidBytes, 0, KID_SIZE, x2, Response.KID);
        long cX2 = ((x2[RESPONSE_SIZE - 3] & 0xffL) << 16) | ((x2[RESPONSE_SIZE - 2] & 0xffL) << 8) | (x2[RESPONSE_SIZE - 1] & 0xffL);

        PendingHandshake b2 = new PendingHandshake(kidA, kidB, noise, eB, used, new HeaderCipher(hk[0]), new HeaderCipher(hk[1]),
                ctx.newCompletionReassembler(), now);
        Secrets.wipe(hk[0], hk[1]);
        ctx.kids.replace(kidB, reserved, b2);
        ctx.addPending(b2);
        ctx.hellosAnswered.incrementAndGet();
        Fragmenter.send(from, from.mtu(), x2, RESPONSE_SIZE, kidA, TYPE_RESPONSE, cX2, b2.hkSend);
        return Received.pending();
    }

    /** §5.2 step 8: look up rf1, then rf2 (the reference looks up rf1 twice, §13 D2). */
    private static RatchetState lookUpRatchet(Context<?> ctx, byte[] fingerprints) throws IOException {
        for (int off = 0; off < 64; off += 32) {
            if (Secrets.isZero(fingerprints, off, 32)) continue;
            RatchetState found = ctx.app.restoreByFingerprint(java.util.Arrays.copyOfRange(fingerprints, off, off + 32));
            if (found != null) return found;
        }
        return null;
    }

    /** §9.3: answers an unsolved Hello with a challenge, within the address's budget. */
    private static <D> Received<D> challenge(Context<D> ctx, byte[] b, int off, Remote from, byte[] address, long now) {
        byte[] challenge = ctx.zcp.issue(b, off, address, now);
        if (challenge == null) return limited();
        Fragmenter.send(from, from.mtu(), challenge, CHALLENGE_PACKET_SIZE, 0, TYPE_CHALLENGE, ctx.rng.nextLong(), null);
        return Context.dropped(Fault.CHALLENGE_ISSUED, true, "Hello answered with a challenge");
    }

    private static <D> Received<D> limited() {
        return Context.dropped(Fault.CHALLENGE_LIMITED, false, "Hello from an address over its challenge budget");
    }

    /** Initiator: a challenge answering our Hello (§9.2). Solves it; the next resend carries the answer. */
    static <D> Received<D> consumeChallenge(Context<D> ctx, byte[] packet) {
        if (packet.length != CHALLENGE_PACKET_SIZE) return Context.dropped(Fault.INVALID_PACKET, false, "challenge must be 36 bytes");
        int kid = Bytes.getInt(packet, 0);
        if (!(ctx.kids.get(kid) instanceof Session<?> any)) return Context.dropped(Fault.UNKNOWN_LOCAL_KEY_ID, false, "challenge naming no session");
        any.lock.lock();
        try {
            if (!(any.zeta instanceof Zeta.A1 h) || any.keys.other().recvKid() != kid) {
                return Context.dropped(Fault.OUT_OF_SEQUENCE, true, "challenge when not offering a Hello");
            }
            byte[] x1 = h.hello();
            if (!Secrets.equal(x1, RESPONSE + Zcp.POW, packet, KID_SIZE + Zcp.POW, 8)) {
                return Context.dropped(Fault.FAILED_AUTH, true, "challenge does not echo our Hello");
            }
            Zcp.solve(x1, RESPONSE, packet, KID_SIZE, ctx.rng);
            return Received.pending();
        } finally {
            any.lock.unlock();
        }
    }
}

package dev.planetary.zssp;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import java.util.SplittableRandom;

/**
 * Benchmark-only access to engine internals (same package on the class path): builds established
 * responder-side sessions directly, with their own random keys and key ids, as the Completion step
 * would leave them, so that a million sessions can be measured without a million handshakes; and
 * builds the DATA datagrams their peers would send.
 */
public final class SessionFactory {
    private SessionFactory() {}

    /** One fabricated session plus the keys its peer would send with. */
    public static final class Made {
        public final Session<String> session;
        public final int kid;

        Made(Session<String> session, int kid) {
            this.session = session;
            this.kid = kid;
        }
    }

    /**
     * The DATA datagram the peer of the session made from {@code seed} sends with counter {@code c}:
     * header + GCM(payload), header protected. The peer's keys are derived again from the seed, so a
     * benchmark need not keep them per session (they are not the engine's memory).
     */
    public static byte[] datagram(long seed, int kid, long c, byte[] payload) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] k = new byte[32];
        rnd.nextBytes(k);
        AesGcm peerNk = new AesGcm(k);
        for (int i = 0; i < 4; i++) rnd.nextBytes(k); // nkSend, kekRecv, kekSend, then the header key
        HeaderCipher peerHk = new HeaderCipher(k);
        byte[] d = new byte[16 + payload.length + 16];
        Bytes.putInt(d, 0, kid);
        d[5] = 1;
        d[7] = 8;
        Bytes.putLong(d, 8, c);
        peerNk.seal(8, c, null, payload, 0, payload.length, d, 16);
        peerHk.encryptBlock(d, 4);
        peerNk.destroy();
        peerHk.destroy();
        return d;
    }

    /** Registers a new established session (state S2) at {@code ctx}, as if a peer had completed a handshake. */
    public static Made make(Context<String> ctx, StaticPublicKey peer, Remote remote, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        // A distinct key object per session, as a responder with a million peers would hold.
        Session<String> s = new Session<>(ctx, new StaticPublicKey(peer.point()), "peer", true, 1, remote);
        byte[] k = new byte[32];
        rnd.nextBytes(k);
        AesGcm nkRecv = new AesGcm(k);
        rnd.nextBytes(k);
        AesGcm nkSend = new AesGcm(k);
        rnd.nextBytes(k);
        AesGcm kekRecv = new AesGcm(k);
        rnd.nextBytes(k);
        AesGcm kekSend = new AesGcm(k);
        rnd.nextBytes(k);
        HeaderCipher hkRecv = new HeaderCipher(k);
        rnd.nextBytes(k);
        HeaderCipher hkSend = new HeaderCipher(k);
        byte[] fp = new byte[32];
        rnd.nextBytes(fp);
        rnd.nextBytes(k);
        s.lock.lock();
        try {
            int kid = ctx.kids.allocate(s, ctx.rng);
            s.keys = new Session.Keys(new KeySlot(rnd.nextInt() | 1, kid, kekSend, kekRecv, nkSend, nkRecv), KeySlot.NONE);
            s.headers = new Session.Headers(hkSend, hkRecv, ctx);
            s.keyCreationCounter = 1;
            s.ratchet1 = new RatchetState(k, fp, 1);
            s.state = Session.State.S2;
            s.timeoutAt = Long.MAX_VALUE / 2;
            ctx.track(s);
            return new Made(s, kid);
        } finally {
            s.lock.unlock();
        }
    }
}

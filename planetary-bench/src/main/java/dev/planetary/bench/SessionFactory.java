package dev.planetary.bench;

import dev.planetary.zssp.Context;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.internal.EngineAccess;
import java.util.SplittableRandom;

/**
 * Established responder-side sessions without handshakes, through the engine's internal entry point
 * ({@link EngineAccess}, reachable because the benchmarks run on the class path), each with its own
 * random keys and key id, so that a million sessions can be measured without a million handshakes;
 * and the DATA datagrams their peers would send.
 */
public final class SessionFactory {
    private SessionFactory() {}

    /** One fabricated session plus the key id its peer sends to. */
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
        EngineAccess.Established<String> e = EngineAccess.establish(ctx, peer, "peer", remote, seed);
        return new Made(e.session(), e.kid());
    }
}

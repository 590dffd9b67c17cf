package dev.planetary.zssp;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.internal.EngineAccess;
import java.util.SplittableRandom;

/**
 * The engine's side of {@link EngineAccess}: established sessions built without a handshake, for
 * the benchmarks only; and contexts with seeded local-only seeds, for the simulator. The key order (nk recv, nk send, kek recv, kek send, hk recv, hk send) is
 * what a benchmark's fabricated peer derives again from the same seed.
 */
final class Fabricated implements EngineAccess.Engine {

    @Override
    public <D> EngineAccess.Established<D> establish(Context<D> ctx, StaticPublicKey peer, D data, Remote remote, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        // A distinct key object per session, as a responder with a million peers would hold.
        Session<D> s = new Session<>(ctx, new StaticPublicKey(peer.point()), data, true, 1, remote);
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
            s.installHeaders(new Session.Headers(hkSend, hkRecv, ctx));
            s.keyCreationCounter = 1;
            s.ratchet1 = new RatchetState(k, fp, 1);
            s.enter(Zeta.S2.INSTANCE, Transition.Cause.COMPLETION, ctx.app.time());
            s.timeoutAt = Long.MAX_VALUE / 2; // no rekey in a benchmark
            s.due = Long.MIN_VALUE; // the first pass queues it at that time
            ctx.track(s);
            return new EngineAccess.Established<>(s, kid);
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public <D> Context<D> seededContext(StaticKeyPair local, Application<D> app, Settings settings, RandomSource rng, long localSeed) {
        return new Context<>(local, app, settings, rng, localSeed);
    }

    @Override
    public void setRemote(Session<?> session, Remote remote) {
        session.setRemote(remote);
    }
}

package dev.planetary.bench;

import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Two contexts joined by in-memory queues, for benchmarks of whole-engine work: opportunistic
 * mode, no storage (every save succeeds), a fixed clock.
 */
final class LoopbackPair {
    /** One direction of the link: datagrams queued until drained. */
    static final class Link implements Remote {
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        final int mtu;

        Link(int mtu) {
            this.mtu = mtu;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(datagram, off, copy, 0, len);
            queue.add(copy);
        }

        @Override
        public int mtu() {
            return mtu;
        }
    }

    /** Accepts everyone, stores nothing. */
    static final class NullApp implements Application.WithoutRatchetStorage<String> {
        @Override
        public long time() {
            return 1_000_000;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept("peer", false, false);
        }
    }

    /** Static keys are made once: benchmarks measure handshakes, not key generation. */
    private static final StaticKeyPair ALICE_KEY = StaticKeyPair.generate();
    private static final StaticKeyPair BOB_KEY = StaticKeyPair.generate();
    final StaticKeyPair aliceKey = ALICE_KEY;
    final StaticKeyPair bobKey = BOB_KEY;
    final Context<String> alice = new Context<>(aliceKey, new NullApp());
    final Context<String> bob = new Context<>(bobKey, new NullApp());
    final Link toBob;
    final Link toAlice;
    Session<String> aliceSession;
    Session<String> bobSession;

    LoopbackPair(int mtu) {
        toBob = new Link(mtu);
        toAlice = new Link(mtu);
    }

    /** Runs a full XK handshake (X1, X2, X3, C1, C2) to established sessions on both sides. */
    void handshake() throws IOException {
        aliceSession = alice.open(bobKey.publicKey(), "bob", new byte[0], toBob);
        while (!toBob.queue.isEmpty() || !toAlice.queue.isEmpty()) {
            drain(toBob, bob, toAlice);
            drain(toAlice, alice, toBob);
        }
        if (!aliceSession.isEstablished() || bobSession == null || !bobSession.isEstablished()) {
            throw new IllegalStateException("handshake did not complete");
        }
    }

    private void drain(Link link, Context<String> receiver, Link reply) {
        byte[] d;
        while ((d = link.queue.poll()) != null) {
            Received<String> r = receiver.receive(d, reply);
            if (r instanceof Event.NewSession<String> e) bobSession = e.session();
            if (r instanceof Received.Dropped<String> dropped) throw new IllegalStateException("dropped: " + dropped);
        }
    }

    void close() {
        alice.close();
        bob.close();
    }
}

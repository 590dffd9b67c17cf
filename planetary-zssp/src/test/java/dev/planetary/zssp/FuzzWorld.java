package dev.planetary.zssp;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small live world for fuzzing the receive path: Alice and Bob with an established session that
 * has rekeyed once, a second Alice session still offering its Hello (A1), and a pending responder
 * handshake at Bob (B2). Legitimate datagrams seen while building it are kept as mutation material.
 * Opportunistic mode, a settable clock, an in-memory store.
 */
final class FuzzWorld {
    static final class Link implements Remote {
        final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        boolean capture = true;

        @Override
        public void send(byte[] datagram, int off, int len) {
            if (!capture) return;
            byte[] b = new byte[len];
            System.arraycopy(datagram, off, b, 0, len);
            queue.add(b);
        }

        @Override
        public int mtu() {
            return 600;
        }

        @Override
        public byte[] addressBytes() {
            return new byte[] {127, 0, 0, 1, 0x1f, 0x40};
        }
    }

    /** Opportunistic application over a map, with a settable clock. */
    static final class App implements Application<String> {
        long now = 1_000_000;
        final Map<StaticPublicKey, RatchetPair> store = new HashMap<>();

        @Override
        public long time() {
            return now;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.accept("peer", false, false);
        }

        @Override
        public synchronized RatchetState restoreByFingerprint(byte[] fingerprint) {
            for (RatchetPair p : store.values()) {
                if (java.util.Arrays.equals(p.state1().fingerprint(), fingerprint)) return p.state1();
                if (p.state2() != null && java.util.Arrays.equals(p.state2().fingerprint(), fingerprint)) return p.state2();
            }
            return null;
        }

        @Override
        public synchronized RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, String sessionData) {
            return store.get(remoteStatic);
        }

        @Override
        public synchronized boolean saveRatchetState(StaticPublicKey remoteStatic, String sessionData, RatchetUpdate u) throws IOException {
            RatchetPair cur = store.getOrDefault(remoteStatic, RatchetPair.INITIAL);
            if (!cur.state1().equals(u.current1()) || !RatchetState.same(cur.state2(), u.current2())) return false;
            store.put(remoteStatic, new RatchetPair(u.new1(), u.new2()));
            return true;
        }
    }

    final App aliceApp = new App();
    final App bobApp = new App();
    final Context<String> alice;
    final Context<String> bob;
    final Link toBob = new Link();
    final Link toAlice = new Link();
    final List<byte[]> seenByBob = new ArrayList<>();
    final List<byte[]> seenByAlice = new ArrayList<>();
    Session<String> aliceSession;
    Session<String> bobSession;
    final StaticKeyPair aliceKey = StaticKeyPair.generate();
    final StaticKeyPair bobKey = StaticKeyPair.generate();

    FuzzWorld() {
        alice = new Context<>(aliceKey, aliceApp);
        bob = new Context<>(bobKey, bobApp);
        bob.setChallengeEnabled(false);
        try {
            aliceSession = alice.open(bobKey.publicKey(), "bob", "alice".getBytes(), toBob);
            pump();
            aliceSession.send(new byte[700]);
            bobSession.send(new byte[10]);
            pump();
            // Force a rekey from Alice, then a pending handshake and an A1 session.
            aliceApp.now += 4_000_000;
            bobApp.now += 4_000_000;
            alice.service();
            pump();
            aliceSession.send(new byte[50]);
            pump();
            alice.open(bobKey.publicKey(), "bob", new byte[0], toBob); // a second session: Hello → B2 at Bob
            deliver(toBob, bob, toAlice, seenByBob);
            toAlice.queue.clear(); // its Response is never delivered: Alice stays in A1, Bob keeps B2
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (!aliceSession.isEstablished() || bobSession == null || bob.pendingHandshakes() != 1) {
            throw new IllegalStateException("fuzz world did not reach its starting state");
        }
        toBob.capture = false;
        toAlice.capture = false;
    }

    private void pump() {
        for (int i = 0; i < 20 && (!toBob.queue.isEmpty() || !toAlice.queue.isEmpty()); i++) {
            deliver(toBob, bob, toAlice, seenByBob);
            deliver(toAlice, alice, toBob, seenByAlice);
        }
    }

    private void deliver(Link link, Context<String> to, Link reply, List<byte[]> seen) {
        byte[] d;
        while ((d = link.queue.poll()) != null) {
            seen.add(d.clone());
            Received<String> r = to.receive(d, reply);
            if (r instanceof Event.NewSession<String> e && bobSession == null) bobSession = e.session();
        }
    }

    /** Receive kids and header keys a forged header can target (sessions and the pending handshake). */
    List<Object[]> targets(Context<String> ctx) {
        List<Object[]> out = new ArrayList<>();
        for (Session<String> s : ctx.sessions()) {
            Session.Keys k = s.keys;
            if (k == null || s.headers == null) continue;
            for (int kid : new int[] {k.current().recvKid(), k.other().recvKid()}) {
                if (kid != 0) out.add(new Object[] {kid, s.headers.recv()});
            }
        }
        return out;
    }

    /** Writes a header for {@code kid} and protects bytes 4..20 with {@code hk}, as a peer would. */
    static byte[] forge(int kid, HeaderCipher hk, int no, int count, int type, long counter, byte[] payload) {
        byte[] d = new byte[16 + Math.max(payload.length, 16)];
        Bytes.putInt(d, 0, kid);
        d[4] = (byte) no;
        d[5] = (byte) count;
        d[7] = (byte) type;
        Bytes.putLong(d, 8, counter);
        System.arraycopy(payload, 0, d, 16, payload.length);
        if (hk != null) hk.encryptBlock(d, 4);
        return d;
    }
}

package dev.planetary.zssp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * In-memory peers for {@link SecurityPropertiesTest} and {@link FaultInjectionTest}: a reliable
 * network whose every datagram the test sees (the attacker's recording), delivered by the test
 * ({@link #deliverAll}) or by a simple event loop ({@link #run}); a manual clock with per-peer
 * offsets (clock jumps); per-link MTUs; ratchet stores that can be made to fail with an
 * {@link IOException}; peers that restart with or without their stored state.
 */
final class AdversaryWorld {
    /** One datagram on the wire. */
    record Packet(Peer from, Peer to, byte[] bytes) {}

    long now = 1_000_000;
    final List<Packet> flight = new ArrayList<>();
    /** Everything ever sent, in order (a passive attacker's recording). */
    final List<Packet> transcript = new ArrayList<>();
    final List<Peer> peers = new ArrayList<>();
    long seed = 1;
    /** When false (default) contexts use the platform CSPRNG; when true, {@link SimRandom}s from {@link #seed}. */
    boolean deterministic;

    Peer peer(String name, Settings settings) {
        return peer(name, settings, deterministic ? StaticKeyPair.generate(new SimRandom(seed++)) : StaticKeyPair.generate());
    }

    Peer peer(String name, Settings settings, StaticKeyPair keys) {
        Peer p = new Peer(name, settings, keys);
        peers.add(p);
        return p;
    }

    /** Delivers every datagram in flight now (not those they cause); returns their results in order. */
    List<Received<String>> deliverAll() {
        List<Packet> now = new ArrayList<>(flight);
        flight.clear();
        List<Received<String>> out = new ArrayList<>();
        for (Packet p : now) out.add(deliver(p));
        return out;
    }

    /** Hands {@code p} (a copy) to its recipient as coming from its sender. */
    Received<String> deliver(Packet p) {
        Received<String> r = p.to().ctx.receive(p.bytes().clone(), p.to().linkTo(p.from()));
        p.to().results.add(r);
        return r;
    }

    /** Delivers until nothing is in flight (at most 50 rounds). */
    void settle() {
        for (int i = 0; i < 50 && !flight.isEmpty(); i++) deliverAll();
    }

    /** Advances the global clock by {@code ms} in 50 ms steps, servicing every peer and settling the network each step. */
    void run(long ms) {
        long end = now + ms;
        while (now < end) {
            now = Math.min(end, now + 50);
            for (Peer p : List.copyOf(peers)) p.ctx.service();
            for (int i = 0; i < 8 && !flight.isEmpty(); i++) deliverAll(); // a few round trips per 50 ms
        }
    }

    /** Runs until {@code done} holds, at most {@code maxMs}; returns whether it held. */
    boolean runUntil(BooleanSupplier done, long maxMs) {
        long end = now + maxMs;
        while (!done.getAsBoolean()) {
            if (now >= end) return false;
            run(50);
        }
        return true;
    }

    /** Datagrams {@code from} sent so far. */
    long sentBy(Peer from) {
        return transcript.stream().filter(p -> p.from() == from).count();
    }

    /** A ratchet store that fails (IOException) on demand. */
    static final class FlakyStore implements RatchetStore {
        final TestRatchetStore inner = new TestRatchetStore();
        volatile boolean failSaves;
        volatile boolean failReads;
        int saveFailures;
        int readFailures;

        @Override
        public synchronized RatchetPair load(StaticPublicKey peer) throws IOException {
            if (failReads) {
                readFailures++;
                throw new IOException("injected read failure");
            }
            return inner.load(peer);
        }

        @Override
        public synchronized RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
            if (failReads) {
                readFailures++;
                throw new IOException("injected read failure");
            }
            return inner.findByFingerprint(fingerprint);
        }

        @Override
        public synchronized boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate update) throws IOException {
            if (failSaves) {
                saveFailures++;
                throw new IOException("injected write failure");
            }
            return inner.compareAndSwap(peer, update);
        }
    }

    /** One endpoint: a Context, its application callbacks and its links. */
    final class Peer implements Application<String> {
        final String name;
        final StaticKeyPair keys;
        final Settings settings;
        Context<String> ctx;
        FlakyStore store = new FlakyStore();
        final Map<Peer, Link> links = new LinkedHashMap<>();
        final List<Received<String>> results = new ArrayList<>();
        long clockOffset;
        boolean pi1;
        boolean pi2;
        boolean pi3;
        boolean pi4;
        boolean accept = true;

        Peer(String name, Settings settings, StaticKeyPair keys) {
            this.name = name;
            this.keys = keys;
            this.settings = settings;
            this.ctx = newContext();
        }

        private Context<String> newContext() {
            return deterministic ? new Context<>(keys, this, settings, new SimRandom(seed++), seed++) : new Context<>(keys, this, settings, RandomSource.secure());
        }

        void flags(boolean persistent) {
            pi1 = pi2 = pi3 = pi4 = persistent;
        }

        /** The process restarts: a new Context with the same static key; the store survives only if {@code keepState}. */
        void restart(boolean keepState) {
            ctx.close();
            if (!keepState) store = new FlakyStore();
            ctx = newContext();
            results.clear();
        }

        Link linkTo(Peer peer) {
            return links.computeIfAbsent(peer, p -> new Link(this, p));
        }

        Session<String> open(Peer peer) {
            try {
                return ctx.open(peer.keys.publicKey(), peer.name, name.getBytes(StandardCharsets.UTF_8), linkTo(peer));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        /** The live session with {@code peer}, or null. */
        Session<String> sessionWith(Peer peer) {
            for (Session<String> s : ctx.sessions()) if (s.peer().equals(peer.keys.publicKey()) && !s.isExpired()) return s;
            return null;
        }

        RatchetPair stored(Peer peer) {
            return store.inner.pair(peer.keys.publicKey());
        }

        <T> boolean saw(Class<T> type) {
            return results.stream().anyMatch(type::isInstance);
        }

        /** Payloads delivered to this peer so far. */
        List<byte[]> payloads() {
            List<byte[]> out = new ArrayList<>();
            for (Received<String> r : results) if (r instanceof Event.Data<String> d) out.add(d.payload());
            return out;
        }

        @Override
        public String toString() {
            return name;
        }

        @Override
        public long time() {
            return now + clockOffset;
        }

        @Override
        public boolean helloRequiresRecognizedRatchet() {
            return pi1;
        }

        @Override
        public boolean initiatorDisallowsDowngrade(Session<String> session) {
            return pi2;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            if (!accept) return AcceptDecision.reject(pi4);
            for (Session<String> s : ctx.sessions()) if (s.peer().equals(remoteStatic)) s.close(); // §7.9
            return AcceptDecision.accept(new String(identity, StandardCharsets.UTF_8), pi3, pi4);
        }

        @Override
        public RatchetState restoreByFingerprint(byte[] fingerprint) throws IOException {
            return store.findByFingerprint(fingerprint);
        }

        @Override
        public RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, String sessionData) throws IOException {
            return store.load(remoteStatic);
        }

        @Override
        public boolean saveRatchetState(StaticPublicKey remoteStatic, String sessionData, RatchetUpdate update) throws IOException {
            return store.compareAndSwap(remoteStatic, update);
        }
    }

    /** A peer's Remote towards another peer: sends go to {@link #flight} and {@link #transcript}. */
    final class Link implements Remote {
        final Peer from;
        final Peer to;
        int mtu = 1432;
        boolean up = true;

        Link(Peer from, Peer to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            if (len > Math.max(mtu, 128)) throw new AssertionError(from + " sent " + len + " bytes over a " + mtu + "-byte MTU");
            byte[] b = java.util.Arrays.copyOfRange(datagram, off, off + len);
            Packet p = new Packet(from, to, b);
            transcript.add(p);
            if (up) flight.add(p);
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public byte[] addressBytes() {
            return to.name.getBytes(StandardCharsets.UTF_8); // the remote's address, as the receiver sees it
        }
    }
}

package dev.planetary.zssp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * An in-memory, single-threaded, seeded datagram network for engine simulations.
 *
 * <p>Any number of {@link Node}s, each with its own {@link Context}, static key, {@link TestRatchetStore},
 * security flags (π1–π4) and local clock (a global virtual time plus a per-node offset, so clocks can
 * jump forwards or backwards independently). Each node has a {@link Link} (its {@link Remote}) per
 * peer; a datagram sent on a link is queued with a random delay and delivered later to the peer's
 * {@link Context#receive}. {@link #step} advances virtual time to the next event: the earliest
 * delivery or the earliest {@link Context#service()} deadline of any node.
 *
 * <p>Impairments ({@link Impairments}): loss, duplication, reordering (extra random delay), random
 * delays, corruption (byte flips), and, driven by the test, clock jumps ({@link Node#jumpClock}) and
 * MTU changes ({@link Link#mtu}). Everything random, including the Contexts' {@link RandomSource}s and
 * reassembly seeds, derives from the one seed, so a failing seed replays exactly.
 */
final class SimNetwork {

    /** Network impairments, all probabilities per datagram. */
    static final class Impairments {
        double loss;
        double duplicate;
        double reorder;
        double corrupt;
        long minDelay = 1;
        long maxDelay = 10;
        /** Extra delay (uniform up to this) for a reordered datagram. */
        long reorderDelay = 200;

        static Impairments none() {
            return new Impairments();
        }

        @Override
        public String toString() {
            return String.format("loss=%.2f dup=%.2f reorder=%.2f corrupt=%.2f delay=%d..%d", loss, duplicate, reorder, corrupt, minDelay, maxDelay);
        }
    }

    /** What a node's receive produced, for the test's "application". */
    interface Listener {
        void received(Node at, Node from, Received<String> result);
    }

    private record InFlight(long at, long seq, Node from, Node to, byte[] bytes) {}

    /** A datagram handed to {@link #tap} instead of the timed queue. */
    record Datagram(Node from, Node to, byte[] bytes) {}

    /** When set, every datagram sent goes here unimpaired (the explorer keeps its own multiset). */
    java.util.function.Consumer<Datagram> tap;

    final long seed;
    final SplittableRandom rnd;
    long now;
    Impairments impairments = Impairments.none();
    Listener listener = (at, from, r) -> { };
    final List<Node> nodes = new ArrayList<>();
    private final PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    long sent;
    long delivered;
    long lost;
    long duplicated;
    long corrupted;

    SimNetwork(long seed) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
    }

    /** A node with a fresh static key, its own seeded RNG and a reliable in-memory ratchet store. */
    Node node(String name, Settings settings) {
        return node(name, settings, StaticKeyPair.generate(new SimRandom(rnd.nextLong())));
    }

    /** As {@link #node(String, Settings)} with a given static key (key generation is the costly part of a small world). */
    Node node(String name, Settings settings, StaticKeyPair keys) {
        Node n = new Node(name, settings, keys, rnd.nextLong(), rnd.nextLong());
        nodes.add(n);
        return n;
    }

    /** Hands {@code d} to its recipient's {@link Context#receive} now, and the result to the listener. */
    Received<String> deliver(Datagram d) {
        delivered++;
        Received<String> r = d.to().ctx.receive(d.bytes().clone(), d.to().links.get(d.from()));
        listener.received(d.to(), d.from(), r);
        return r;
    }

    /** Links {@code a} and {@code b} both ways with the given MTU. */
    void connect(Node a, Node b, int mtu) {
        a.links.put(b, new Link(a, b, mtu));
        b.links.put(a, new Link(b, a, mtu));
    }

    int inFlight() {
        return queue.size();
    }

    /** Discards every datagram in flight. */
    void flush() {
        lost += queue.size();
        queue.clear();
    }

    private void transmit(Node from, Node to, byte[] bytes) {
        sent++;
        if (tap != null) {
            tap.accept(new Datagram(from, to, bytes));
            return;
        }
        Impairments im = impairments;
        if (rnd.nextDouble() < im.loss) {
            lost++;
            return;
        }
        int copies = rnd.nextDouble() < im.duplicate ? 2 : 1;
        if (copies == 2) duplicated++;
        for (int i = 0; i < copies; i++) {
            byte[] b = i == 0 ? bytes : bytes.clone();
            if (rnd.nextDouble() < im.corrupt) {
                corrupted++;
                int flips = 1 + rnd.nextInt(3);
                for (int f = 0; f < flips; f++) b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            }
            long delay = im.minDelay + rnd.nextLong(Math.max(1, im.maxDelay - im.minDelay + 1));
            if (rnd.nextDouble() < im.reorder) delay += rnd.nextLong(Math.max(1, im.reorderDelay));
            queue.add(new InFlight(now + delay, seq++, from, to, b));
        }
    }

    /**
     * Processes the next event if it is due at or before {@code until}: a delivery, or one node's
     * service call. Otherwise moves the clock to {@code until} and returns false.
     */
    boolean step(long until) {
        InFlight head = queue.peek();
        long t = head == null ? Long.MAX_VALUE : head.at;
        Node service = null;
        for (Node n : nodes) {
            if (n.nextServiceAt < t) {
                t = n.nextServiceAt;
                service = n;
            }
        }
        if (t > until) {
            now = Math.max(now, until);
            return false;
        }
        now = Math.max(now, t);
        if (service != null) {
            service.service();
        } else {
            queue.poll();
            delivered++;
            Received<String> r = head.to.ctx.receive(head.bytes, head.to.links.get(head.from));
            listener.received(head.to, head.from, r);
        }
        return true;
    }

    /** Runs every event up to {@code until} (virtual ms). */
    void runUntil(long until) {
        while (step(until)) {
            // keep going
        }
    }

    String describe() {
        StringBuilder b = new StringBuilder("seed=" + seed + " t=" + now + " [" + impairments + "] sent=" + sent + " delivered=" + delivered
                + " lost=" + lost + " dup=" + duplicated + " corrupted=" + corrupted + " inFlight=" + queue.size());
        for (Node n : nodes) b.append("\n  ").append(n.describe());
        return b.toString();
    }

    /** One endpoint: a Context plus the application callbacks a real application would implement. */
    final class Node implements Application<String> {
        final String name;
        final StaticKeyPair keys;
        final Context<String> ctx;
        final TestRatchetStore store = new TestRatchetStore();
        final Map<Node, Link> links = new LinkedHashMap<>();
        long clockOffset;
        long nextServiceAt;
        long services;
        /** π1 (hello requires recognised ratchet), π2 (initiator disallows downgrade), π3, π4. */
        boolean pi1;
        boolean pi2;
        boolean pi3;
        boolean pi4;
        /** check_accept_session refuses when false. */
        boolean accept = true;
        int acceptCalls;
        /** Calls of {@link Application#timersChanged()}. */
        int timersChanged;
        /** Every state transition of this node's sessions, in order, once a test set it to a list. */
        List<Transition<String>> transitions;
        /** Each live session's state as its transitions reported it, to check the stream has no gap. */
        private final Map<Session<String>, Session.State> reported = new java.util.HashMap<>();

        private Node(String name, Settings settings, StaticKeyPair keys, long rngSeed, long reassemblySeed) {
            this.name = name;
            this.keys = keys;
            this.ctx = new Context<>(keys, this, settings, new SimRandom(rngSeed), reassemblySeed);
        }

        /** Sets all four security flags (persistent mode = true, opportunistic = false). */
        void flags(boolean persistent) {
            pi1 = pi2 = pi3 = pi4 = persistent;
        }

        Link linkTo(Node peer) {
            return links.get(peer);
        }

        /** Opens a session to {@code peer} over the link to it, identity = our name. */
        Session<String> open(Node peer) {
            try {
                return ctx.open(peer.keys.publicKey(), peer.name, name.getBytes(StandardCharsets.UTF_8), links.get(peer));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }

        /** The node's clock jumps by {@code delta} ms (negative = backwards). */
        void jumpClock(long delta) {
            clockOffset += delta;
        }

        void service() {
            services++;
            long in = ctx.service();
            nextServiceAt = now + Math.max(1, in);
        }

        /** The peer's stored ratchet pair in this node's store. */
        RatchetPair stored(Node peer) {
            return store.pair(peer.keys.publicKey());
        }

        String describe() {
            StringBuilder b = new StringBuilder(name + " clock=" + time() + " sessions=[");
            for (Session<String> s : ctx.sessions()) b.append(s.state()).append(s.wasResponder() ? "/R " : "/I ");
            b.append("] pending=").append(ctx.pendingHandshakes()).append(" kids=").append(ctx.kids.size())
                    .append(" internalErrors=").append(ctx.internalErrorCount());
            for (Node peer : links.keySet()) b.append(" store[").append(peer.name).append("]=").append(stored(peer));
            return b.toString();
        }

        @Override
        public String toString() {
            return name;
        }

        // ------------------------------------------------------------ Application

        @Override
        public long time() {
            return now + clockOffset;
        }

        @Override
        public void timersChanged() {
            timersChanged++;
        }

        /** Every simulation checks the transition stream: each starts where the last ended, and is the state entered. */
        @Override
        public void stateChanged(Transition<String> t) {
            synchronized (reported) {
                Session.State last = reported.get(t.session());
                if (last != t.from()) throw new AssertionError(name + ": transition " + t.from() + " -> " + t.to() + " after " + last);
                if (t.to() == Session.State.EXPIRED) reported.remove(t.session());
                else reported.put(t.session(), t.to());
                if (t.session().state() != t.to()) throw new AssertionError(name + ": reported " + t.to() + " in " + t.session().state());
                if (transitions != null) transitions.add(t);
            }
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
            acceptCalls++;
            if (!accept) return AcceptDecision.reject(pi4);
            Node peer = null;
            for (Node n : nodes) if (n.keys.publicKey().equals(remoteStatic)) peer = n;
            if (peer == null || !peer.name.equals(new String(identity, StandardCharsets.UTF_8))) return AcceptDecision.reject(pi4);
            // §7.9: a new session with a peer replaces any other session with it.
            for (Session<String> s : ctx.sessions()) if (s.peer().equals(remoteStatic)) s.close();
            return AcceptDecision.accept(peer.name, pi3, pi4);
        }

        @Override
        public RatchetState restoreByFingerprint(byte[] fingerprint) {
            return store.findByFingerprint(fingerprint);
        }

        @Override
        public RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, String sessionData) {
            return store.load(remoteStatic);
        }

        @Override
        public boolean saveRatchetState(StaticPublicKey remoteStatic, String sessionData, RatchetUpdate update) {
            return store.compareAndSwap(remoteStatic, update);
        }
    }

    /** A node's {@link Remote} for one peer: sending queues the datagram for the peer. */
    final class Link implements Remote {
        final Node from;
        final Node to;
        int mtu;
        long datagrams;
        /** When false, datagrams sent here are counted and discarded (e.g. to assert silence). */
        boolean up = true;
        /** When set, sending throws it: a transport bug inside an engine step. */
        RuntimeException broken;

        Link(Node from, Node to, int mtu) {
            this.from = from;
            this.to = to;
            this.mtu = mtu;
        }

        @Override
        public void send(byte[] datagram, int off, int len) {
            if (broken != null) throw broken;
            datagrams++;
            if (len > Math.max(mtu, 128)) throw new AssertionError(from + " sent a " + len + "-byte datagram over a " + mtu + "-byte MTU");
            byte[] copy = new byte[len];
            System.arraycopy(datagram, off, copy, 0, len);
            if (up) transmit(from, to, copy);
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public byte[] addressBytes() {
            return to.name.getBytes(StandardCharsets.UTF_8);
        }
    }
}

package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.planetary.zssp.crypto.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * Bounded exhaustive exploration of two peers' state machines (Alice = initiator, Bob = responder).
 *
 * <p>The network is a multiset of in-flight datagrams (MTU 9000, so every packet is one datagram).
 * Actions: deliver any in-flight datagram, drop one, duplicate one (at most {@value #MAX_DUPS} per
 * path), or fire a node's timers (advance real time to that node's next deadline and run its
 * {@link Context#service()}; the other node's service may lag arbitrarily, its deadlines still pass).
 * Both peers share one clock: with independent clock rates (or a clock jump, or a responder whose
 * B2 lifetime / rekey timeout exceeds the initiator's initial-offer / rekey timeout) the spec's
 * two-slot ratchet storage can diverge for good — see {@link Settings} and the report of this test
 * suite; clock jumps are covered by {@link SessionPropertyTest} in opportunistic mode. Alice's application reopens her
 * session whenever it has expired; Bob's accepts and closes older sessions with her (§7.9).
 * Identical datagrams are one multiset element, so they yield one action of each kind.
 *
 * <p>Every interleaving is explored breadth-first up to the stated depth, memoised on an abstract
 * state: each live session's state, its number of timer firings left before its timeout, and its
 * in-memory ratchet pair; pending handshakes per node; both stored ratchet pairs (ratchets named
 * canonically by first appearance, with chain lengths); and the in-flight multiset as
 * (direction, packet type, receiving slot: Hello / pending / current / other / dead key id, and
 * whether its counter is still fresh in the receiver's replay window). Worlds are not cloned: each
 * state is rebuilt by re-executing its action path from the start (every random draw is seeded, so
 * re-execution is exact).
 *
 * <p>Checked in every reached state: (a) it is not stuck — a fair continuation from it (deliver
 * everything in order, then fire the node with the nearest deadline, repeat) reaches both sides in
 * S2 with data flowing both ways; (b) in persistent mode the two stored ratchet pairs always share a
 * state (the documented two-state window) — this is checked after every single step, of the
 * explored path and of the continuation; plus no internal error, no downgrade event, no rejection,
 * at most one live session per node and an exact key-id table.
 *
 * <p>Three explorations run: from {@code open()} in persistent mode (the XK handshake with A1/A3
 * regeneration, B2 expiry, duplicates and losses), from an established persistent pair (KK rekeying,
 * the tie-break, C1/C2 losses, S1/R1/R2 expiry and reopening), and from {@code open()} in
 * opportunistic mode. Depth = number of actions after the root.
 *
 * <p>Default depth 6 (opportunistic 5): handshake 798 distinct abstract states / 1,864 transitions,
 * rekey 482 / 1,104, opportunistic 315 / 621; about 25 s on two idle cores. Checked once at depth 7
 * (opportunistic 6): 1,926 / 5,330, 1,385 / 3,961 and 798 / 1,864, about 95 s.
 * {@code -Dplanetary.long=true}: depth 8 (opportunistic 7): 4,380 / 14,274, 3,620 / 12,473 and
 * 1,926 / 5,330, about 4 minutes. {@code -Dplanetary.exploreDepth=N} sets any depth. The test prints
 * the exact numbers of each run.
 */
class StateSpaceExplorationTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    static final int DEPTH = Integer.getInteger("planetary.exploreDepth", LONG ? 8 : 6);
    static final int MAX_DUPS = 1;
    static final int CONTINUATION_STEPS = 150;
    static final Settings SETTINGS = Settings.defaults()
            .withResendTime(1_000)
            .withTimeouts(2_500, 2_500)
            .withRekeyAfterTime(3_000, 1) // jitter 1: the S2 timeout is exactly 3 s
            .withPendingHandshakes(4, 2_500); // B2 lifetime ≤ the initial offer timeout (see Settings)
    static final StaticKeyPair ALICE_KEY = StaticKeyPair.generate(new SimRandom(101));
    static final StaticKeyPair BOB_KEY = StaticKeyPair.generate(new SimRandom(202));
    static final RatchetState OTP_STATE = RatchetState.fromOtp("exploration one-time password 32b".getBytes(StandardCharsets.UTF_8));

    sealed interface Action {}

    record Deliver(int index) implements Action {}

    record Drop(int index) implements Action {}

    record Dup(int index) implements Action {}

    record Fire(int node) implements Action {}

    /** One re-executable world: two nodes, the in-flight multiset, the applications' state. */
    static final class World {
        final SimNetwork net = new SimNetwork(7);
        final List<SimNetwork.Datagram> flight = new ArrayList<>();
        final SimNetwork.Node alice;
        final SimNetwork.Node bob;
        final boolean persistent;
        Session<String> aliceSession;
        Session<String> bobSession;
        int dups;
        int[] dataReceived = new int[2];
        String violation;
        final List<Action> path = new ArrayList<>();

        World(boolean persistent) {
            this.persistent = persistent;
            net.tap = flight::add;
            alice = net.node("alice", SETTINGS, ALICE_KEY);
            bob = net.node("bob", SETTINGS, BOB_KEY);
            net.connect(alice, bob, 9_000);
            alice.flags(persistent);
            bob.flags(persistent);
            if (persistent) { // π1 needs a provisioned first state (§8.2)
                alice.store.put(bob.keys.publicKey(), new RatchetPair(OTP_STATE, null));
                bob.store.put(alice.keys.publicKey(), new RatchetPair(OTP_STATE, null));
            }
            net.listener = (at, from, r) -> {
                switch (r) {
                    case Event.NewSession<String> n -> bobSession = n.session();
                    case Event.NewDowngradedSession<String> n -> {
                        bobSession = n.session();
                        if (persistent) violation("downgraded session in persistent mode");
                    }
                    case Event.DowngradedRatchetKey<String> ignored -> {
                        if (persistent) violation("downgraded ratchet key in persistent mode");
                    }
                    case Event.Rejected<String> ignored -> violation("honest responder rejected the session");
                    case Event.Data<String> d -> dataReceived[at == bob ? 0 : 1]++;
                    case Received.Dropped<String> d when d.fault() == Fault.REJECTED -> violation("responder rejected: " + d.reason());
                    default -> { }
                }
            };
            aliceSession = alice.open(bob);
            check();
        }

        static World replay(boolean persistent, List<Action> path) {
            World w = new World(persistent);
            for (Action a : path) w.apply(a);
            return w;
        }

        private void violation(String v) {
            if (violation == null) violation = v;
        }

        SimNetwork.Node node(int i) {
            return i == 0 ? alice : bob;
        }

        void apply(Action a) {
            path.add(a);
            switch (a) {
                case Deliver d -> net.deliver(flight.remove(d.index()));
                case Drop d -> flight.remove(d.index());
                case Dup d -> {
                    SimNetwork.Datagram g = flight.get(d.index());
                    flight.add(new SimNetwork.Datagram(g.from(), g.to(), g.bytes().clone()));
                    dups++;
                }
                case Fire f -> {
                    SimNetwork.Node n = node(f.node());
                    net.now = Math.max(net.now, nextDeadline(n)); // one real-time clock; the other node's service may lag
                    n.service();
                }
            }
            if (aliceSession.isExpired()) aliceSession = alice.open(bob); // what the application does
            check();
        }

        /** The node's earliest session timer; without one, the time its pending handshakes certainly expire. */
        static long nextDeadline(SimNetwork.Node n) {
            long t = n.time() + SETTINGS.pendingHandshakeTimeout();
            for (Session<String> s : n.ctx.sessions()) t = Math.min(t, Math.min(s.resendAt, s.timeoutAt));
            return t;
        }

        boolean hasTimers(SimNetwork.Node n) {
            return !n.ctx.sessions().isEmpty() || n.ctx.pendingHandshakes() > 0;
        }

        void check() {
            for (SimNetwork.Node n : List.of(alice, bob)) {
                String m = EngineChecks.memory(n.ctx, 1);
                if (m != null) violation(n + ": " + m);
                if (n.ctx.internalErrorCount() != 0) violation(n + ": internal error " + n.ctx.lastInternalError());
            }
            if (persistent) {
                String d = EngineChecks.ratchetsShareAState(alice.stored(bob), bob.stored(alice));
                if (d != null) violation(d);
            }
        }

        /** Distinct datagrams (first index of each), then the actions on them, then timer firings. */
        List<Action> actions() {
            List<Action> out = new ArrayList<>();
            List<byte[]> seen = new ArrayList<>();
            for (int i = 0; i < flight.size(); i++) {
                byte[] b = flight.get(i).bytes();
                if (seen.stream().anyMatch(x -> Arrays.equals(x, b))) continue;
                seen.add(b);
                out.add(new Deliver(i));
                out.add(new Drop(i));
                if (dups < MAX_DUPS) out.add(new Dup(i));
            }
            if (hasTimers(alice)) out.add(new Fire(0));
            if (hasTimers(bob)) out.add(new Fire(1));
            return out;
        }

        /** A fair continuation: deliver all in order, else fire the nearest deadline; true once both are in S2 and data flows both ways. */
        boolean fairContinuationEstablishes() {
            for (int step = 0; step < CONTINUATION_STEPS && violation == null; step++) {
                if (flight.isEmpty() && aliceSession.state() == Session.State.S2 && bobSession != null && bobSession.state() == Session.State.S2) {
                    int[] before = dataReceived.clone();
                    aliceSession.send(new byte[] {1});
                    bobSession.send(new byte[] {2});
                    while (!flight.isEmpty()) apply(new Deliver(0));
                    if (dataReceived[0] > before[0] && dataReceived[1] > before[1]) return true;
                    continue;
                }
                if (!flight.isEmpty()) {
                    apply(new Deliver(0));
                } else {
                    long da = hasTimers(alice) ? nextDeadline(alice) - alice.time() : Long.MAX_VALUE;
                    long db = hasTimers(bob) ? nextDeadline(bob) - bob.time() : Long.MAX_VALUE;
                    apply(new Fire(da <= db ? 0 : 1));
                }
            }
            return false;
        }

        /** The abstract state used for memoisation (see the class comment). */
        String abstractState() {
            Map<String, String> names = new LinkedHashMap<>();
            StringBuilder b = new StringBuilder();
            b.append("A:").append(pair(alice.stored(bob), names)).append(" B:").append(pair(bob.stored(alice), names));
            for (SimNetwork.Node n : List.of(alice, bob)) {
                b.append(" | ").append(n.name.charAt(0)).append(" p").append(n.ctx.pendingHandshakes());
                for (Session<String> s : sortedSessions(n)) {
                    long left = s.timeoutAt == Long.MAX_VALUE ? -1 : Math.max(0, (s.timeoutAt - n.time() + SETTINGS.resendTime() - 1) / SETTINGS.resendTime());
                    b.append(' ').append(s.state()).append(s.wasBob ? "r" : "i").append(left)
                            .append('(').append(name(s.ratchet1, names)).append(',').append(name(s.ratchet2, names)).append(')');
                }
            }
            TreeMap<String, Integer> inFlight = new TreeMap<>();
            for (SimNetwork.Datagram d : flight) inFlight.merge(describe(d), 1, Integer::sum);
            b.append(" | net ").append(inFlight);
            if (dups < MAX_DUPS) b.append(" dup-left");
            return b.toString();
        }

        private static List<Session<String>> sortedSessions(SimNetwork.Node n) {
            List<Session<String>> l = new ArrayList<>(n.ctx.sessions());
            l.sort((x, y) -> Long.compare(x.serial, y.serial));
            return l;
        }

        private static String pair(RatchetPair p, Map<String, String> names) {
            return "(" + name(p.state1(), names) + "," + name(p.state2(), names) + ")";
        }

        private static String name(RatchetState s, Map<String, String> names) {
            if (s == null) return "-";
            if (s.isEmpty()) return "0";
            String fp = java.util.HexFormat.of().formatHex(s.fingerprint());
            return names.computeIfAbsent(fp, k -> "r" + names.size()) + "c" + s.chainLength();
        }

        /** (direction, type, slot at the receiver, fresh counter?) of one datagram. */
        private String describe(SimNetwork.Datagram d) {
            byte[] g = d.bytes().clone();
            String dir = d.from() == alice ? "a>" : "b>";
            int kid = Bytes.getInt(g, 0);
            if (kid == 0) return dir + "t" + g[7] + "@hello";
            Object owner = d.to().ctx.kids.get(kid);
            if (owner instanceof Session<?> s) {
                s.headers.recv().decryptBlock(g, 4);
                int type = g[7] & 0xff;
                long counter = Bytes.getLong(g, 8);
                String slot = s.keys.current().recvKid() == kid ? "cur" : "oth";
                boolean windowed = type >= 3 && type <= 8;
                return dir + "t" + type + "@" + slot + s.serial % 2 + (windowed && !s.window.check(counter) ? "-stale" : "");
            }
            if (owner instanceof PendingHandshake p) {
                p.hkRecv.decryptBlock(g, 4);
                return dir + "t" + (g[7] & 0xff) + "@pend";
            }
            return dir + "@dead";
        }
    }

    record Outcome(List<Action> path, String key, String violation, List<Action> actions, boolean stuck) {}

    /** Explores from the state reached by {@code root} (which must pass the checks); returns the number of distinct states. */
    static int[] explore(boolean persistent, List<Action> root, int depth, String label) throws Exception {
        Map<String, List<Action>> seen = new HashMap<>();
        List<Outcome> frontier = List.of(evaluate(persistent, root, true));
        seen.put(frontier.get(0).key(), root);
        assertOk(frontier.get(0), label);
        int edges = 0;
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors())));
        try {
            for (int d = 0; d < depth; d++) {
                List<List<Action>> children = new ArrayList<>();
                for (Outcome o : frontier) {
                    for (Action a : o.actions()) {
                        List<Action> p = new ArrayList<>(o.path());
                        p.add(a);
                        children.add(p);
                    }
                }
                edges += children.size();
                // Pass 1: the abstract state of every child (one re-execution each).
                List<Outcome> keyed = pool.submit(() -> children.parallelStream().map(p -> evaluate(persistent, p, false)).toList()).get();
                List<List<Action>> fresh = new ArrayList<>();
                for (Outcome o : keyed) {
                    assertOk(o, label);
                    if (seen.putIfAbsent(o.key(), o.path()) == null) fresh.add(o.path());
                }
                // Pass 2: new states only: their actions and the fair-continuation check.
                List<Outcome> next = pool.submit(() -> fresh.parallelStream().map(p -> evaluate(persistent, p, true)).toList()).get();
                for (Outcome o : next) assertOk(o, label);
                frontier = next;
                if (frontier.isEmpty()) break;
            }
        } finally {
            pool.shutdown();
        }
        return new int[] {seen.size(), edges};
    }

    static Outcome evaluate(boolean persistent, List<Action> path, boolean full) {
        World w = World.replay(persistent, path);
        String key = w.abstractState();
        if (!full || w.violation != null) return new Outcome(path, key, w.violation, List.of(), false);
        List<Action> actions = w.actions();
        boolean ok = w.fairContinuationEstablishes();
        String violation = w.violation != null ? w.violation + " (during the fair continuation " + w.path.subList(path.size(), w.path.size()) + ")" : null;
        return new Outcome(path, key, violation, actions, !ok);
    }

    static void assertOk(Outcome o, String label) {
        if (o.violation() != null) fail(label + ": " + o.violation() + "\n  path " + o.path() + "\n  state " + o.key());
        if (o.stuck()) fail(label + ": stuck: a fair continuation did not re-establish data both ways within " + CONTINUATION_STEPS + " steps\n  path " + o.path() + "\n  state " + o.key());
    }

    /** The actions of a lossless run from open() until both sides are in S2 with nothing in flight. */
    static List<Action> establishedPrefix(boolean persistent) {
        World w = new World(persistent);
        while (!(w.flight.isEmpty() && w.aliceSession.state() == Session.State.S2 && w.bobSession != null && w.bobSession.state() == Session.State.S2)) {
            if (w.flight.isEmpty()) w.apply(new Fire(0));
            else w.apply(new Deliver(0));
            if (w.path.size() > 50 || w.violation != null) throw new AssertionError("lossless handshake failed: " + w.violation);
        }
        return List.copyOf(w.path);
    }

    @Test
    void handshakeInterleavingsPersistent() throws Exception {
        int depth = DEPTH;
        int[] r = explore(true, List.of(), depth, "handshake/persistent");
        System.out.printf("StateSpaceExplorationTest handshake/persistent: depth %d, %d distinct states, %d transitions%n", DEPTH, r[0], r[1]);
        if (depth >= 5) assertTrue(r[0] > 100, "explored suspiciously few states: " + r[0]);
    }

    @Test
    void rekeyInterleavingsPersistent() throws Exception {
        int depth = DEPTH;
        int[] r = explore(true, establishedPrefix(true), depth, "rekey/persistent");
        System.out.printf("StateSpaceExplorationTest rekey/persistent: depth %d, %d distinct states, %d transitions%n", DEPTH, r[0], r[1]);
        if (depth >= 5) assertTrue(r[0] > 100, "explored suspiciously few states: " + r[0]);
    }

    @Test
    void handshakeInterleavingsOpportunistic() throws Exception {
        int depth = DEPTH - 1;
        int[] r = explore(false, List.of(), depth, "handshake/opportunistic");
        System.out.printf("StateSpaceExplorationTest handshake/opportunistic: depth %d, %d distinct states, %d transitions%n", depth, r[0], r[1]);
        if (depth >= 5) assertTrue(r[0] > 100, "explored suspiciously few states: " + r[0]);
    }
}

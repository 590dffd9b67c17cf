package dev.planetary.vl1;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes {@link Node#receive} of a member with live sessions (a root, a peer through the relay and a
 * hostile peer with a direct session): raw datagrams from arbitrary sources, mutated copies of
 * datagrams it really received (ZSSP headers intact, so inputs reach reassembly and decryption),
 * arbitrary payloads and random valid VL1 messages of every verb inside the hostile peer's session
 * (so they reach the VL1 dispatch), and time jumps. Invariants: nothing throws, ZSSP counts no
 * internal error, every table stays within its bound.
 * Short run (15 s) in every build (tag {@code jazzer}); long runs as for {@link Vl1DecoderFuzzTest}.
 */
class NodeReceiveFuzzTest {
    private static World world;
    private static RawPeer attacker;

    static synchronized World world() {
        if (world == null) {
            World w = new World(11, 1, 2); // one root: WHOIS takes its answer alone (TOFU)
            if (!w.runUntil(w::allOnline, 5_000)) throw new AssertionError("fuzz world not online");
            SimNode a = w.member(0), b = w.member(1);
            a.userMessage(b.node.address(), "hi");
            if (!w.runUntil(() -> b.texts().contains("hi"), 10_000)) throw new AssertionError("no session a→b");
            attacker = new RawPeer(w.sim.publicHost("x", "198.18.0.1"), Pool.get(3).staticKeyPair());
            world = w;
        }
        return world;
    }

    static void ensureAttackerSession(World w) {
        if (attacker.established && attacker.session != null && !attacker.session.isExpired()) return;
        SimNode a = w.member(0);
        attacker.open(Pool.get(1).identity().staticPublicKey(), new dev.planetary.vl1.engine.IdentityBlob(Pool.get(3).address(), Pool.get(3).identity()).encode(), a.local);
        w.run(1_000);
    }

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        World w = world();
        SimNode a = w.member(0);
        int ops = data.consumeInt(1, 12);
        for (int i = 0; i < ops && data.remainingBytes() > 0; i++) {
            switch (data.consumeInt(0, 4)) {
                case 0 -> { // raw bytes from anywhere
                    byte[] ip = data.consumeBytes(4);
                    if (ip.length < 4) ip = Arrays.copyOf(ip, 4);
                    InetSocketAddress from;
                    try {
                        from = new InetSocketAddress(InetAddress.getByAddress(ip), data.consumeInt(1, 65_535));
                    } catch (UnknownHostException e) {
                        throw new AssertionError(e);
                    }
                    a.node.receive(data.consumeBytes(data.consumeInt(0, 1800)), a.local, from, w.sim.now());
                }
                case 1 -> { // a received datagram, mutated, from its real source
                    List<Object[]> seen = new ArrayList<>(a.recent);
                    if (seen.isEmpty()) continue;
                    Object[] s = seen.get(data.consumeInt(0, seen.size() - 1));
                    byte[] d = ((byte[]) s[0]).clone();
                    int flips = data.consumeInt(0, 4);
                    for (int f = 0; f < flips && d.length > 0; f++) d[data.consumeInt(0, d.length - 1)] ^= (byte) data.consumeInt(1, 255);
                    if (data.consumeBoolean() && d.length > 0) d = Arrays.copyOf(d, data.consumeInt(0, d.length));
                    a.node.receive(d, a.local, (InetSocketAddress) s[1], w.sim.now());
                }
                case 2 -> { // arbitrary payload inside a live session
                    ensureAttackerSession(w);
                    if (attacker.established) attacker.send(data.consumeBytes(data.consumeInt(0, 2000)));
                }
                case 3 -> { // a valid random VL1 message of any verb, possibly cut
                    ensureAttackerSession(w);
                    byte[] m = new RandomMessages(data.consumeLong()).any().encode();
                    if (data.consumeBoolean()) m = Arrays.copyOf(m, data.consumeInt(0, m.length));
                    if (attacker.established) attacker.send(m);
                }
                default -> w.run(data.consumeInt(0, 20_000));
            }
            w.run(50);
            check(w);
        }
    }

    private static void check(World w) {
        for (SimNode n : List.of(w.member(0), w.member(1), w.root(0))) {
            if (n.node.zsspInternalErrors() != 0) throw new AssertionError("ZSSP internal error at " + n);
            if (n.node.count(NodeCounter.INTERNAL_ERROR) != 0) throw new AssertionError("engine internal error at " + n);
            Map<String, Integer> t = n.node.tableSizes();
            if (t.get("peers") > 16 || t.get("zsspPending") > 256 || t.get("waiting") > 1024 || t.get("lookups") > 1024 || t.get("timers") > 64) {
                throw new AssertionError("table bound exceeded at " + n + ": " + t);
            }
        }
    }

    @FuzzTest(maxDuration = "8s")
    void receive(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}

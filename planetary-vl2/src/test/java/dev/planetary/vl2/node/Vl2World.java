package dev.planetary.vl2.node;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.SimEngine;
import dev.planetary.vl1.sim.SimHost;
import dev.planetary.vl1.sim.Simulator;
import dev.planetary.zssp.RandomSource;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An L0 world for VL2 engine tests: one root and {@code n} members, each a {@link Node} with its
 * {@link Vl2Layer}, driven as one simulator engine (the daemon's loop in miniature: the node's and
 * the layer's deadlines together). Public: the daemon's controller-in-L0 tests use it too.
 */
public final class Vl2World {
    /** Identities are slow to make (Argon2id): one set per JVM. */
    private static final List<SecretIdentity> IDS = new ArrayList<>();

    public static synchronized SecretIdentity identity(int i) {
        SecureRandom r = new SecureRandom();
        while (IDS.size() <= i) IDS.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        return IDS.get(i);
    }

    /** A deterministic SecureRandom (SHA1PRNG seeded before its first use). */
    public static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One simulated machine running a node and its VL2 layer. */
    public static final class Host implements SimEngine, NodeOutput {
        public final String name;
        public final SimHost host;
        public final InetSocketAddress local;
        public final Node node;
        public Vl2Layer layer;
        /** Another engine of the node's loop (the member engine), or null. */
        public java.util.function.LongUnaryOperator extra;
        public final List<NodeEvent> events = new ArrayList<>();

        public Host(String name, SimHost host, SecretIdentity id, java.util.function.Function<InetSocketAddress, NodeConfig> config) {
            this.name = name;
            this.host = host;
            this.local = host.bind(9993);
            RandomSource rng = RandomSource.of(seeded(host.random().nextLong())); // the simulation depends on the seed only
            this.node = new Node(config.apply(local), id, this, rng, host.now());
            host.attach(this);
        }

        @Override
        public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
            host.send(localSocket.getPort(), to, datagram);
        }

        @Override
        public void event(NodeEvent e) {
            if (events.size() < 10_000) events.add(e);
        }

        @Override
        public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
            node.receive(datagram, localSocket, from, now);
            host.wake(deadline());
        }

        @Override
        public long service(long now) {
            long n = node.service(now);
            long l = layer == null ? Long.MAX_VALUE : layer.service(now);
            long x = extra == null ? Long.MAX_VALUE : extra.applyAsLong(now);
            return Math.min(Math.min(n, x), Math.min(l, deadline()));
        }

        private long deadline() {
            return Math.min(node.nextDeadline(), layer == null ? Long.MAX_VALUE : layer.nextDeadline());
        }

        /** Application calls between simulator steps: clock first, then wake the engine. */
        public void run(Runnable r) {
            node.service(host.now());
            r.run();
            long x = extra == null ? Long.MAX_VALUE : extra.applyAsLong(host.now()); // as the daemon's loop does after an API call
            host.wake(Math.min(x, deadline()));
        }
    }

    public final Simulator sim;
    public final Host root;
    public final List<Host> members = new ArrayList<>();

    public Vl2World(long seed, int memberCount, LinkProfile profile) {
        sim = new Simulator(seed);
        sim.defaultProfile(profile);
        SecretIdentity rid = identity(0);
        root = new Host("r1", sim.publicHost("r1", "198.51.100.1"), rid, NodeConfig::root);
        List<RootInfo> roots = List.of(new RootInfo(rid.identity(), rid.address(), List.of(root.local)));
        for (int i = 0; i < memberCount; i++) {
            String name = String.valueOf((char) ('a' + i));
            Host h = new Host(name, sim.publicHost(name, "203.0." + (113 + i) + ".10"), identity(1 + i), l -> NodeConfig.member(l, roots));
            h.layer = new Vl2Layer(h.node);
            members.add(h);
        }
    }

    public Host member(int i) {
        return members.get(i);
    }

    public boolean runUntil(BooleanSupplier done, long forMs) {
        return sim.runUntil(done, sim.now() + forMs);
    }

    public void run(long forMs) {
        sim.runUntil(sim.now() + forMs);
    }
}

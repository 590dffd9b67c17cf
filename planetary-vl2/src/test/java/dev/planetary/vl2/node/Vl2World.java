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
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * An L0 world for VL2 engine tests: one root and {@code n} members, each a {@link Node} with its
 * {@link Vl2Layer}, driven as one simulator engine (the daemon's loop in miniature: the node's and
 * the layer's deadlines together).
 */
final class Vl2World {
    /** Identities are slow to make (Argon2id): one set per JVM. */
    private static final List<SecretIdentity> IDS = new ArrayList<>();

    static synchronized SecretIdentity identity(int i) {
        SecureRandom r = new SecureRandom();
        while (IDS.size() <= i) IDS.add(SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        return IDS.get(i);
    }

    /** One simulated machine running a node and its VL2 layer. */
    static final class Host implements SimEngine, NodeOutput {
        final String name;
        final SimHost host;
        final InetSocketAddress local;
        final Node node;
        Vl2Layer layer;
        /** Another engine of the node's loop (the member engine), or null. */
        java.util.function.LongUnaryOperator extra;
        final List<NodeEvent> events = new ArrayList<>();

        Host(String name, SimHost host, SecretIdentity id, java.util.function.Function<InetSocketAddress, NodeConfig> config) {
            this.name = name;
            this.host = host;
            this.local = host.bind(9993);
            SplittableRandom seeded = new SplittableRandom(host.random().nextLong());
            RandomSource rng = new RandomSource() {
                @Override
                public void nextBytes(byte[] out, int off, int len) {
                    for (int i = 0; i < len; i++) out[off + i] = (byte) seeded.nextInt(256);
                }

                @Override
                public int nextInt() {
                    return seeded.nextInt();
                }

                @Override
                public long nextLong() {
                    return seeded.nextLong();
                }
            };
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
        void run(Runnable r) {
            node.service(host.now());
            r.run();
            long x = extra == null ? Long.MAX_VALUE : extra.applyAsLong(host.now()); // as the daemon's loop does after an API call
            host.wake(Math.min(x, deadline()));
        }
    }

    final Simulator sim;
    final Host root;
    final List<Host> members = new ArrayList<>();

    Vl2World(long seed, int memberCount, LinkProfile profile) {
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

    Host member(int i) {
        return members.get(i);
    }

    boolean runUntil(BooleanSupplier done, long forMs) {
        return sim.runUntil(done, sim.now() + forMs);
    }

    void run(long forMs) {
        sim.runUntil(sim.now() + forMs);
    }
}

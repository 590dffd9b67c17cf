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
    /**
     * Fixed identities (made once with {@code SecretIdentity.generate}, test keys only): a seed fixes
     * addresses, keys and so every hash order and glare outcome of a run, in every JVM, and no run
     * pays Argon2id's search (≈ 1 s each). Index 0 is the root's, 1.. the members'.
     */
    private static final String[] SECRETS = {
        "0131116818ccf4593a73a4774c31f4ad84e117b902444e4685d35220de3a156c9c6fd96f7262cec26762f1244a91d2ac97e0b9b608682232cd19f25dd909136b9868289245e76e4ff0bafd6168af3727023080828dde52a12441eab1bdd09fd7d9",
        "013fd01652d253ed489ea2246225befad9eae72eafd2a6f45c07618f9c0f1108a8c0091fffd45d33ac2459e4d793c547609da7ed23bb6c6e8746f0510feba48369e92ca4da9ccc6ad1046dd10673d46ad98dbd8a3fbae077f2ad494a98fab57efa",
        "011ddbbed3e3a4bab7e701f09eac6c31a67e1c20126a2dd84473409ee17a989dae319a2adee708630baa52ec62d98f45fc4d2bc46f5df9ad4631461ea3e2b8f941374fc2ca6781719ee2663965065a383f33bb02f030f5d99df789a9cd051035e9",
        "017ab36694e2e7545029b38d7f8ced3970270294fb56424955c3127772862d4af5c13deab143f171c516cadda7fec8763008bc2bed2094b536f2f0acc52504766d3e3bb71101b4761d9d4d35100d0c888ef311b237cc85c31d44724966663ad203",
        "01ccf729a4e0453a173cff52b6a4e6e4e8f1461cb9c2fd5687030fe54c3fa422e588ee955df097aceaa052058f5d3594869ab8288700819b80f312bad369f22d9940ba48af96c78738c046b731a35a51fbead4e399d237278fd1788c14d2851c08",
        "019259bc5eaeda10b58f00294c770fabbe35ee6c005f9d5ad1c95335495bcffec88bbf8d9b31ab78ca18bcd23a32b82a37175bc3ff10692833aa3d4e48cc42a096526aa3ee6777f60f0ffb94c1faff8f6740822b224c69b17ef718854ec914041c",
        "013a75af3852d66a0389e1199fbdda667dafde04cdfba0dec1df363b3ba1c1a08bee36ae50fcddc4a83f8aef456bfd80d99b81be7a42f23708c388f37c9c974206378e6e94bc319aa8681e033a1cc7e3a007de86900899b8aa6db3f813b89f2978",
        "01b4134f6dfa354103330c1845d9361a3069489f341fa5f04efdec90bd5d31762969d6fc1674d5205ad27c94531650b786cdfa9ef2b297b012677e1132a86a51a3b92ed9ae58009598c8a86fd174d5ea34a7ab89efbc63a7ddb3a637bb80daa215",
    };
    /** Decoded on first use; beyond {@link #SECRETS}, made once per JVM (then the run depends on the JVM too). */
    private static final List<SecretIdentity> IDS = new ArrayList<>();

    public static synchronized SecretIdentity identity(int i) {
        SecureRandom r = new SecureRandom();
        while (IDS.size() <= i) {
            int n = IDS.size();
            IDS.add(n < SECRETS.length ? SecretIdentity.decodeSecret(java.util.HexFormat.of().parseHex(SECRETS[n])).orThrow()
                    : SecretIdentity.generate(r, Math.max(1, Runtime.getRuntime().availableProcessors())));
        }
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
            this.node = dev.planetary.vl1.sim.SeededNodes.create(config.apply(local), id, this, rng, host.now(), host.random().nextLong()); // engine-local seeds too
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

        /** Randomness for an engine of this host's loop (a member engine's), drawn from the host's seeded stream. */
        public RandomSource seededRandom() {
            return RandomSource.of(seeded(host.random().nextLong()));
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

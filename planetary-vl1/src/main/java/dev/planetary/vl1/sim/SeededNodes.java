package dev.planetary.vl1.sim;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.zssp.RandomSource;

/**
 * Simulations in other modules (this package is exported to planetary-vl2 only): a {@link Node}
 * whose engine-local seeds (ZSSP's reassembly slot hashing and challenge budget key, which a
 * production node draws from a fresh {@code SecureRandom}) come from the caller, as the VL1
 * simulations' nodes do (EngineAccess.seededContext): with a seeded {@code rng} too, the node
 * replays exactly for its seed. Nothing here is API; {@link Node} installs its side when it
 * initialises.
 */
public final class SeededNodes {
    /** The engine's side: the node constructor that takes the local seed. */
    public interface Factory {
        Node create(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now, long localSeed);
    }

    private static volatile Factory factory;

    private SeededNodes() {}

    /** Called once by {@link Node}; a second call is refused. */
    public static synchronized void install(Factory f) {
        if (factory != null) throw new IllegalStateException("the seeded node factory is already installed");
        factory = f;
    }

    /** A node as {@code new Node(config, self, out, rng, now)} makes it, its engine-local seeds from {@code localSeed}. */
    public static Node create(NodeConfig config, SecretIdentity self, NodeOutput out, RandomSource rng, long now, long localSeed) {
        if (factory == null) {
            try {
                Class.forName(Node.class.getName(), true, Node.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the VL1 Node class is missing", e);
            }
        }
        return factory.create(config, self, out, rng, now, localSeed);
    }
}

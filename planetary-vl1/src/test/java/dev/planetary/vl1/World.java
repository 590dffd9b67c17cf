package dev.planetary.vl1;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.sim.LinkProfile;
import dev.planetary.vl1.sim.Simulator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * An L0 world for engine tests: {@code roots} roots and {@code members} members on public addresses
 * (pool identities 0.. for roots, then members), 20 ms ± 5 ms links.
 */
final class World {
    final Simulator sim;
    final List<SimNode> roots = new ArrayList<>();
    final List<SimNode> members = new ArrayList<>();

    World(long seed, int rootCount, int memberCount) {
        this(seed, rootCount, memberCount, c -> c);
    }

    /** As above, each root's configuration passed through {@code rootConfig} (e.g. a slower verification budget). */
    World(long seed, int rootCount, int memberCount, java.util.function.UnaryOperator<NodeConfig> rootConfig) {
        sim = new Simulator(seed);
        sim.defaultProfile(LinkProfile.latency(20).withJitter(5));
        List<RootInfo> infos = new ArrayList<>();
        for (int i = 0; i < rootCount; i++) {
            SecretIdentity id = Pool.get(i);
            SimNode r = new SimNode("r" + (i + 1), sim.publicHost("r" + (i + 1), "198.51.100." + (i + 1)), 9993, id, l -> rootConfig.apply(NodeConfig.root(l)));
            roots.add(r);
            infos.add(r.rootInfo(id));
        }
        for (int i = 0; i < memberCount; i++) {
            SecretIdentity id = Pool.get(rootCount + i);
            String name = String.valueOf((char) ('a' + i));
            members.add(new SimNode(name, sim.publicHost(name, "203.0." + (113 + i) + ".10"), 9993, id, l -> NodeConfig.member(l, infos)));
        }
    }

    SimNode member(int i) {
        return members.get(i);
    }

    SimNode root(int i) {
        return roots.get(i);
    }

    /** Runs until {@code done} or {@code forMs} of virtual time pass; true if done. */
    boolean runUntil(BooleanSupplier done, long forMs) {
        return sim.runUntil(done, sim.now() + forMs);
    }

    void run(long forMs) {
        sim.runUntil(sim.now() + forMs);
    }

    /** Every member has a live session with every root (WHOIS needs two, §2.7). */
    boolean allRootsAlive() {
        for (SimNode m : members) if (m.node.liveRoots().size() != roots.size()) return false;
        return true;
    }

    boolean allOnline() {
        for (SimNode m : members) if (!m.node.isOnline()) return false;
        return true;
    }
}

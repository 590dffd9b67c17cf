package dev.planetary.daemon;

import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What an engine is built from: the role, the identity (owned by the daemon, which destroys it on
 * close), the bound UDP socket, for members the effective roots (§4.1), and the home directory
 * (§2.10) where a node keeps its networks, or null.
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots, java.nio.file.Path home,
                            DataPlane dataPlane) {
    public EngineContext {
        roots = List.copyOf(roots);
    }

    /**
     * A node's data plane (VL.md §9, §12): the NIC each joined network gets, and the loop thread's
     * executor the NICs' frames hop to. Null: networks join, but no NIC comes up and frames are dropped.
     */
    public record DataPlane(dev.planetary.nic.NicMode nic, java.util.concurrent.Executor loop) {
        public DataPlane {
            java.util.Objects.requireNonNull(nic, "nic");
            java.util.Objects.requireNonNull(loop, "loop");
        }
    }

    /** Without a data plane. */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots, java.nio.file.Path home) {
        this(role, identity, localSocket, roots, home, null);
    }

    /** Without a home: nothing is persisted (joined networks live in memory only). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
        this(role, identity, localSocket, roots, null, null);
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE, CONTROLLER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

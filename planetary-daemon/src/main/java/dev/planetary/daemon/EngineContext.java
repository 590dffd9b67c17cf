package dev.planetary.daemon;

import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.zssp.RatchetStore;
import java.util.function.Consumer;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What an engine is built from: the role, the identity (owned by the daemon, which destroys it on
 * close), the bound UDP socket, for members the effective roots (§4.1), and the ratchet store
 * ({@code node.db} for members, §3.3; owned and closed by the daemon); the accepted root sets (a
 * member follows their pushed updates, a root pushes them, §4.2) and where an accepted push goes
 * to be persisted; the home directory (§2.10) where a node keeps its networks, or null; the data
 * plane (null: networks join but no NIC comes up); and the consent list of §5.5
 * ({@code rendezvous.allow}: base32 fingerprints, or {@code "*"} for every peer).
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                            RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated,
                            java.nio.file.Path home, DataPlane dataPlane, List<String> rendezvousAllow) {
    public EngineContext {
        roots = List.copyOf(roots);
        if (ratchets == null) ratchets = RatchetStore.none();
        rootSets = List.copyOf(rootSets);
        if (rootSetUpdated == null) rootSetUpdated = s -> { };
        rendezvousAllow = rendezvousAllow == null ? List.of() : List.copyOf(rendezvousAllow);
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

    /** Without a data plane and without rendezvous consent (§5.5: the node discloses its endpoints to nobody). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                         RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated, java.nio.file.Path home) {
        this(role, identity, localSocket, roots, ratchets, rootSets, rootSetUpdated, home, null, List.of());
    }

    /** Without ratchet storage and root set push, with a home for the node's networks and a data plane (tests of the member side). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots, java.nio.file.Path home,
                         DataPlane dataPlane) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, home, dataPlane, List.of());
    }

    /**
     * Without ratchet storage (every session starts from the zero ratchet), without root set push
     * (§4.2) and without a home (joined networks live in memory only).
     */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, null, null, List.of());
    }

    /** Without ratchet storage and root set push, with a home for the node's networks (tests of the member side). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots, java.nio.file.Path home) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, home, null, List.of());
    }

    /** Without a home (joined networks live in memory only). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                         RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated) {
        this(role, identity, localSocket, roots, ratchets, rootSets, rootSetUpdated, null, null, List.of());
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE, CONTROLLER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

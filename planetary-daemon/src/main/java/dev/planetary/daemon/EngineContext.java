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
 * to be persisted; the home directory (§2.10) where a node keeps its networks, or null; and the
 * consent list of §5.5 ({@code rendezvous.allow}: base32 fingerprints, or {@code "*"} for every peer).
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                            RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated,
                            java.nio.file.Path home, List<String> rendezvousAllow) {
    public EngineContext {
        roots = List.copyOf(roots);
        if (ratchets == null) ratchets = RatchetStore.none();
        rootSets = List.copyOf(rootSets);
        if (rootSetUpdated == null) rootSetUpdated = s -> { };
        rendezvousAllow = List.copyOf(rendezvousAllow);
    }

    /**
     * Without ratchet storage (every session starts from the zero ratchet), without root set push
     * (§4.2) and without a home (joined networks live in memory only).
     */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, null, List.of());
    }

    /** Without ratchet storage and root set push, with a home for the node's networks (tests of the member side). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots, java.nio.file.Path home) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, home, List.of());
    }

    /** Without a home (joined networks live in memory only). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                         RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated) {
        this(role, identity, localSocket, roots, ratchets, rootSets, rootSetUpdated, null, List.of());
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE, CONTROLLER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

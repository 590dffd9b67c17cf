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
 * to be persisted; the consent list of §5.5 ({@code rendezvous.allow}: base32 fingerprints, or
 * {@code "*"} for every peer).
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                            RatchetStore ratchets, List<RootSets.Accepted> rootSets, Consumer<RootSets.Accepted> rootSetUpdated,
                            List<String> rendezvousAllow) {
    public EngineContext {
        roots = List.copyOf(roots);
        if (ratchets == null) ratchets = RatchetStore.none();
        rootSets = List.copyOf(rootSets);
        if (rootSetUpdated == null) rootSetUpdated = s -> { };
        rendezvousAllow = List.copyOf(rendezvousAllow);
    }

    /** Without ratchet storage (every session starts from the zero ratchet), root set push (§4.2) or rendezvous consent (§5.5). */
    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
        this(role, identity, localSocket, roots, RatchetStore.none(), List.of(), null, List.of());
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

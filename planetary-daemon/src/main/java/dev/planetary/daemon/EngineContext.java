package dev.planetary.daemon;

import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What an engine is built from: the role, the identity (owned by the daemon, which destroys it on
 * close), the bound UDP socket, for members the effective roots (§4.1), and the consent list of
 * §5.5 ({@code rendezvous.allow}: base32 fingerprints, or {@code "*"} for every peer).
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots,
                            List<String> rendezvousAllow) {
    public EngineContext {
        roots = List.copyOf(roots);
        rendezvousAllow = List.copyOf(rendezvousAllow);
    }

    public EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
        this(role, identity, localSocket, roots, List.of());
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

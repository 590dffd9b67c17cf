package dev.planetary.daemon;

import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What an engine is built from: the role, the identity (owned by the daemon, which destroys it on
 * close), the bound UDP socket and, for members, the effective roots (§4.1).
 */
public record EngineContext(Role role, SecretIdentity identity, InetSocketAddress localSocket, List<RootSets.EffectiveRoot> roots) {
    public EngineContext {
        roots = List.copyOf(roots);
    }

    /** The daemon's role. */
    public enum Role {
        ROOT, NODE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}

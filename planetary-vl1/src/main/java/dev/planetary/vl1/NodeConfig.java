package dev.planetary.vl1;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * How a {@link Node} runs: its role, its socket, its roots (members) and the bounds of its tables.
 * Defaults follow VL.md §2.6, §4.5, §5.11 and Appendix A.
 *
 * @param root                  true for a root (§4.4), false for a member
 * @param localSocket           the local socket id datagrams go out from (§3.1)
 * @param roots                 the effective roots (members; empty for a root)
 * @param maxPeers              peer records (sessions included); new sessions beyond it are refused
 * @param identityCacheSize     identity cache entries (§2.7), least recently used evicted
 * @param registrySize          root registry entries (§4.4), least recently seen evicted
 * @param verificationsPerSecond the verification budget (§2.6): one worker's rate, ≈ 71/s at a root, 10/s at a member
 * @param maxPendingLookups     concurrent WHOIS lookups (§3.9)
 * @param relayedPathMtu        MTU of relayed paths (fixed 1188, §5.3)
 */
public record NodeConfig(boolean root, InetSocketAddress localSocket, List<RootInfo> roots, int maxPeers, int identityCacheSize,
                         int registrySize, double verificationsPerSecond, int maxPendingLookups, int relayedPathMtu) {
    public NodeConfig {
        Objects.requireNonNull(localSocket, "localSocket");
        roots = List.copyOf(roots);
        if (root && !roots.isEmpty()) throw new IllegalArgumentException("a root does not use roots");
        if (roots.size() > Vl1Limits.MAX_ROOTS) throw new IllegalArgumentException("at most " + Vl1Limits.MAX_ROOTS + " roots, got " + roots.size());
        if (maxPeers < 1 || identityCacheSize < 1 || registrySize < 1 || maxPendingLookups < 1) {
            throw new IllegalArgumentException("table bounds must be at least 1");
        }
        if (!(verificationsPerSecond > 0)) throw new IllegalArgumentException("verificationsPerSecond must be > 0");
    }

    /** A member with the default bounds. */
    public static NodeConfig member(InetSocketAddress localSocket, List<RootInfo> roots) {
        return new NodeConfig(false, localSocket, roots, 100_000, 4096, 1, 10, 1024, Vl1Limits.RELAYED_PATH_MTU);
    }

    /** A root with the default bounds (registry in memory for now, §4.4). */
    public static NodeConfig root(InetSocketAddress localSocket) {
        return new NodeConfig(true, localSocket, List.of(), 1_000_000, 4096, 1_000_000, 1000.0 / 14, 16, Vl1Limits.RELAYED_PATH_MTU);
    }

    public NodeConfig withMaxPeers(int n) {
        return new NodeConfig(root, localSocket, roots, n, identityCacheSize, registrySize, verificationsPerSecond, maxPendingLookups, relayedPathMtu);
    }

    public NodeConfig withRegistrySize(int n) {
        return new NodeConfig(root, localSocket, roots, maxPeers, identityCacheSize, n, verificationsPerSecond, maxPendingLookups, relayedPathMtu);
    }

    public NodeConfig withVerificationsPerSecond(double perSecond) {
        return new NodeConfig(root, localSocket, roots, maxPeers, identityCacheSize, registrySize, perSecond, maxPendingLookups, relayedPathMtu);
    }

    public NodeConfig withIdentityCacheSize(int n) {
        return new NodeConfig(root, localSocket, roots, maxPeers, n, registrySize, verificationsPerSecond, maxPendingLookups, relayedPathMtu);
    }
}

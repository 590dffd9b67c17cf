package dev.planetary.vl1.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A NAT by RFC 4787's classes: how mappings are chosen ({@link Mapping}) and which inbound datagrams a
 * mapping lets through ({@link Filtering}), with an idle timeout (refreshed by traffic both ways, as
 * Linux conntrack does). Public ports are allocated sequentially from a start port. The four classic
 * NATs of VL spec §16.1:
 *
 * <table>
 *   <caption>Classic NAT types</caption>
 *   <tr><th>Factory</th><th>Mapping</th><th>Filtering</th></tr>
 *   <tr><td>{@link #fullCone}</td><td>endpoint-independent</td><td>endpoint-independent</td></tr>
 *   <tr><td>{@link #addressRestricted}</td><td>endpoint-independent</td><td>address-dependent</td></tr>
 *   <tr><td>{@link #portRestricted}</td><td>endpoint-independent</td><td>address and port dependent</td></tr>
 *   <tr><td>{@link #symmetric}</td><td>address and port dependent</td><td>address and port dependent</td></tr>
 * </table>
 */
public final class NatModel implements NatBehaviour {

    /** How an outbound flow picks its public port. */
    public enum Mapping {
        /** One public port per inside socket, whatever the destination (cone NATs). */
        ENDPOINT_INDEPENDENT,
        /** A new public port per (inside socket, destination socket) (symmetric NATs). */
        ADDRESS_AND_PORT_DEPENDENT
    }

    /** Which sources may send in through a mapping. */
    public enum Filtering {
        ENDPOINT_INDEPENDENT,
        /** Only IP addresses the inside socket sent to through this mapping. */
        ADDRESS_DEPENDENT,
        /** Only sockets (address and port) the inside socket sent to through this mapping. */
        ADDRESS_AND_PORT_DEPENDENT
    }

    private final class Binding {
        final InetSocketAddress inside;
        final int publicPort;
        final Set<InetAddress> addresses = new HashSet<>();
        final Set<InetSocketAddress> sockets = new HashSet<>();
        long lastUsed;

        Binding(InetSocketAddress inside, int publicPort) {
            this.inside = inside;
            this.publicPort = publicPort;
        }

        boolean expired(long now) {
            return now - lastUsed > timeoutMs;
        }
    }

    private record Key(InetSocketAddress inside, InetSocketAddress destination) {}

    private final Mapping mapping;
    private final Filtering filtering;
    private final long timeoutMs;
    private final Map<Key, Binding> byFlow = new HashMap<>();
    private final Map<Integer, Binding> byPort = new HashMap<>();
    private int nextPort;

    /**
     * @param timeoutMs idle time after which a mapping is forgotten
     * @param firstPort first public port handed out
     */
    public NatModel(Mapping mapping, Filtering filtering, long timeoutMs, int firstPort) {
        this.mapping = Objects.requireNonNull(mapping, "mapping");
        this.filtering = Objects.requireNonNull(filtering, "filtering");
        if (timeoutMs <= 0) throw new IllegalArgumentException("timeout must be > 0 ms");
        if (firstPort < 1 || firstPort > 65535) throw new IllegalArgumentException("first port " + firstPort + " is outside 1..65535");
        this.timeoutMs = timeoutMs;
        this.nextPort = firstPort;
    }

    /** Default UDP mapping timeout used by the factories: 120 s (Linux conntrack's UDP stream timeout). */
    public static final long DEFAULT_TIMEOUT_MS = 120_000;

    public static NatModel fullCone() {
        return new NatModel(Mapping.ENDPOINT_INDEPENDENT, Filtering.ENDPOINT_INDEPENDENT, DEFAULT_TIMEOUT_MS, 20_000);
    }

    public static NatModel addressRestricted() {
        return new NatModel(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_DEPENDENT, DEFAULT_TIMEOUT_MS, 20_000);
    }

    public static NatModel portRestricted() {
        return new NatModel(Mapping.ENDPOINT_INDEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, DEFAULT_TIMEOUT_MS, 20_000);
    }

    public static NatModel symmetric() {
        return new NatModel(Mapping.ADDRESS_AND_PORT_DEPENDENT, Filtering.ADDRESS_AND_PORT_DEPENDENT, DEFAULT_TIMEOUT_MS, 20_000);
    }

    /** Live mappings (for tests and leak checks). */
    public int mappings() {
        return byPort.size();
    }

    @Override
    public int outbound(InetSocketAddress inside, InetSocketAddress destination, long now) {
        Key key = new Key(inside, mapping == Mapping.ENDPOINT_INDEPENDENT ? null : destination);
        Binding b = byFlow.get(key);
        if (b != null && b.expired(now)) {
            forget(key, b);
            b = null;
        }
        if (b == null) {
            int port = allocate(now);
            if (port < 0) return -1;
            b = new Binding(inside, port);
            byFlow.put(key, b);
            byPort.put(port, b);
        }
        b.lastUsed = now;
        b.addresses.add(destination.getAddress());
        b.sockets.add(destination);
        return b.publicPort;
    }

    @Override
    public InetSocketAddress inbound(int publicPort, InetSocketAddress source, long now) {
        Binding b = byPort.get(publicPort);
        if (b == null) return null;
        if (b.expired(now)) {
            byFlow.values().remove(b);
            byPort.remove(publicPort);
            return null;
        }
        boolean allowed = switch (filtering) {
            case ENDPOINT_INDEPENDENT -> true;
            case ADDRESS_DEPENDENT -> b.addresses.contains(source.getAddress());
            case ADDRESS_AND_PORT_DEPENDENT -> b.sockets.contains(source);
        };
        if (!allowed) return null;
        b.lastUsed = now;
        return b.inside;
    }

    private void forget(Key key, Binding b) {
        byFlow.remove(key);
        byPort.remove(b.publicPort);
    }

    /** The next free public port; expired bindings holding it are reclaimed. -1 if all 64 k are in use. */
    private int allocate(long now) {
        for (int tries = 0; tries < 65_535; tries++) {
            int p = nextPort;
            nextPort = nextPort == 65_535 ? 1_024 : nextPort + 1;
            Binding holder = byPort.get(p);
            if (holder == null) return p;
            if (holder.expired(now)) {
                byFlow.values().remove(holder);
                byPort.remove(p);
                return p;
            }
        }
        return -1;
    }

    @Override
    public String toString() {
        return "NatModel[" + mapping + " mapping, " + filtering + " filtering, timeout " + timeoutMs + " ms]";
    }
}

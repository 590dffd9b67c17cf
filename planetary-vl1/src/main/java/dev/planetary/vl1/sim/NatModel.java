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
 * Linux conntrack does). Public ports are allocated sequentially from a start port, or keep the inside
 * port with {@link #withPortPreservation}; {@link #withClashingState} adds the conntrack behaviour of VL
 * spec §16.3 (a refused inbound datagram pushes a later flow to that source onto another port). The four classic
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
    private boolean portPreservation;
    private boolean clashingState;
    private final Map<Clash, Long> clashes = new HashMap<>();
    private final Map<Integer, InetSocketAddress> forwards = new HashMap<>();
    private final Set<Clash> forwardedFlows = new HashSet<>(); // (forwarded port, remote) seen inbound: replies leave from that port

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

    /**
     * Forgets every mapping and clashing state, like {@code conntrack -F} (VL spec §16.3 rebinding): the
     * next outbound flow gets a fresh mapping (a new port unless port preservation gives the old one back).
     */
    public void flush() {
        byFlow.clear();
        byPort.clear();
        clashes.clear();
    }

    /** Live mappings (for tests and leak checks). */
    public int mappings() {
        return byPort.size();
    }

    /**
     * Port preservation (Linux MASQUERADE without {@code --random-fully}): a new mapping takes the inside
     * port when that public port is free. Configure before use.
     */
    public NatModel withPortPreservation(boolean on) {
        this.portPreservation = on;
        return this;
    }

    /**
     * "Unsolicited packet creates clashing state" (VL spec §16.3's pitfall): an inbound datagram the NAT
     * refuses still leaves state (source → public port) for one timeout; a later outbound flow from that
     * public port to that source clashes with it and alone moves to another port, so a cone NAT acts
     * symmetric towards that peer. Configure before use.
     */
    public NatModel withClashingState(boolean on) {
        this.clashingState = on;
        return this;
    }

    /**
     * A static port forward, as a PCP / NAT-PMP mapping makes one (VL.md §5.9): everything to
     * {@code publicPort} goes to {@code inside} whatever the source, and what {@code inside} sends to a
     * source seen that way leaves from {@code publicPort} (the reply direction of the forwarded flow);
     * flows {@code inside} opens itself are mapped as usual. Pick a port outside the dynamic range.
     * Configure before use.
     */
    public NatModel withForward(int publicPort, InetSocketAddress inside) {
        if (publicPort < 1 || publicPort > 65535) throw new IllegalArgumentException("forwarded port " + publicPort + " is outside 1..65535");
        if (forwards.size() >= MAX_CLASHES) throw new IllegalStateException("too many forwards");
        forwards.put(publicPort, Objects.requireNonNull(inside, "inside"));
        return this;
    }

    @Override
    public int outbound(InetSocketAddress inside, InetSocketAddress destination, long now) {
        for (Map.Entry<Integer, InetSocketAddress> f : forwards.entrySet()) {
            if (f.getValue().equals(inside) && forwardedFlows.contains(new Clash(f.getKey(), destination))) return f.getKey();
        }
        Key flow = new Key(inside, destination);
        Binding b = live(flow, now); // per-destination binding: symmetric, or split off by a clash
        if (b == null && mapping == Mapping.ENDPOINT_INDEPENDENT) {
            Key shared = new Key(inside, null);
            b = live(shared, now);
            int preferred = portPreservation ? inside.getPort() : -1;
            if (b == null && preferred > 0 && free(preferred, now) && clashed(preferred, destination, now)) {
                b = bind(flow, inside, -1, destination, now); // this flow alone avoids the clashing state
            } else if (b == null) {
                b = bind(shared, inside, preferred, destination, now);
            } else if (clashed(b.publicPort, destination, now)) {
                b = bind(flow, inside, -1, destination, now);
            }
        } else if (b == null) {
            b = bind(flow, inside, portPreservation ? inside.getPort() : -1, destination, now);
        }
        if (b == null) return -1;
        b.lastUsed = now;
        b.addresses.add(destination.getAddress());
        b.sockets.add(destination);
        return b.publicPort;
    }

    @Override
    public InetSocketAddress inbound(int publicPort, InetSocketAddress source, long now) {
        InetSocketAddress forwarded = forwards.get(publicPort);
        if (forwarded != null) {
            if (forwardedFlows.size() < MAX_CLASHES) forwardedFlows.add(new Clash(publicPort, source));
            return forwarded;
        }
        Binding b = byPort.get(publicPort);
        if (b != null && b.expired(now)) {
            byFlow.values().remove(b);
            byPort.remove(publicPort);
            b = null;
        }
        boolean allowed = b != null && switch (filtering) {
            case ENDPOINT_INDEPENDENT -> true;
            case ADDRESS_DEPENDENT -> b.addresses.contains(source.getAddress());
            case ADDRESS_AND_PORT_DEPENDENT -> b.sockets.contains(source);
        };
        if (!allowed) {
            if (clashingState && clashes.size() < MAX_CLASHES) clashes.put(new Clash(publicPort, source), now);
            return null;
        }
        b.lastUsed = now;
        return b.inside;
    }

    private record Clash(int port, InetSocketAddress source) {}

    /** Bound on remembered clashing states (refused inbound datagrams). */
    static final int MAX_CLASHES = 4096;

    private Binding live(Key key, long now) {
        Binding b = byFlow.get(key);
        if (b != null && b.expired(now)) {
            byFlow.remove(key);
            byPort.remove(b.publicPort);
            return null;
        }
        return b;
    }

    private boolean free(int port, long now) {
        Binding holder = byPort.get(port);
        if (holder == null) return true;
        if (!holder.expired(now)) return false;
        byFlow.values().remove(holder);
        byPort.remove(port);
        return true;
    }

    private boolean clashed(int port, InetSocketAddress destination, long now) {
        if (!clashingState) return false;
        Long at = clashes.get(new Clash(port, destination));
        if (at == null) return false;
        if (now - at > timeoutMs) {
            clashes.remove(new Clash(port, destination));
            return false;
        }
        return true;
    }

    /** A new binding for {@code key} on {@code preferred} if usable, else the next free port; null if none. */
    private Binding bind(Key key, InetSocketAddress inside, int preferred, InetSocketAddress destination, long now) {
        int port = preferred > 0 && free(preferred, now) && !clashed(preferred, destination, now) ? preferred : allocate(destination, now);
        if (port < 0) return null;
        Binding b = new Binding(inside, port);
        byFlow.put(key, b);
        byPort.put(port, b);
        return b;
    }

    /** The next free public port without clashing state towards {@code destination}; -1 if none. */
    private int allocate(InetSocketAddress destination, long now) {
        for (int tries = 0; tries < 65_535; tries++) {
            int p = nextPort;
            nextPort = nextPort == 65_535 ? 1_024 : nextPort + 1;
            if (free(p, now) && !clashed(p, destination, now)) return p;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "NatModel[" + mapping + " mapping, " + filtering + " filtering, timeout " + timeoutMs + " ms]";
    }
}

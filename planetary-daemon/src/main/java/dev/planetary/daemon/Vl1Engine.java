package dev.planetary.daemon;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What the daemon drives: a sans-IO VL1 engine (VL.md §3–§5). The {@link UdpDriver} owns the
 * socket and the one thread that calls every method here, so an implementation needs no locking.
 * Outputs (datagrams, events) go to the {@link Output} given at creation, synchronously.
 *
 * <p>Error contract: {@link #receive} never throws on hostile input (it drops and counts); an
 * exception from any method is a bug, which the driver logs and counts as {@code engine_error}
 * without stopping.
 */
public interface Vl1Engine {

    /** One datagram from {@code from}, received on {@code local}; {@code nowMs} on the monotonic clock. */
    void receive(byte[] datagram, InetSocketAddress local, InetSocketAddress from, long nowMs);

    /** Runs due timers; returns the monotonic time (ms) at which it wants to be called again. */
    long service(long nowMs);

    /** The earliest time {@link #service} has work (it may move earlier after {@link #receive} or a send). */
    long nextDeadline();

    /** Queues a USER_MESSAGE (§3.10) for {@code address}; an error text if refused at once, else null. */
    String sendUserMessage(String address, long typeId, byte[] payload, long nowMs);

    /** Closes every session (the daemon stops); called once, last, on the driver's thread. */
    void close();

    /** Starts a WHOIS lookup (§3.9) for {@code address} unless it is cached; an error text if refused at once, else null. */
    String lookup(String address, long nowMs);

    /** The joined networks as {@code GET /network} shows them (§13.2); none at a root. */
    default List<Map<String, Object>> networks(long nowMs) {
        return List.of();
    }

    /** Joins {@code nwid} ({@code pin} and {@code token} may be null, §7.2); an error text if refused, else null. */
    default String join(String nwid, String pin, String token, long nowMs) {
        return "this daemon does not join networks";
    }

    /** Leaves {@code nwid}; false if it was not joined. */
    default boolean leave(String nwid, long nowMs) {
        return false;
    }

    /**
     * Pings {@code ip} from the userspace NIC of joined network {@code nwid} (§12.7, {@code planetary
     * ping-vl2}); the future completes with the round-trip time, or exceptionally (a TimeoutException,
     * or an IllegalArgumentException naming why it cannot be sent). Called on the loop thread.
     */
    default java.util.concurrent.CompletableFuture<java.time.Duration> pingVl2(String nwid, String ip, long timeoutMs, long nowMs) {
        return java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException("this daemon does not join networks"));
    }

    /** A consistent view for the API and the metrics. */
    Snapshot snapshot(long nowMs);

    /** Switches to these accepted root sets (§4.1 order); a root publishes them for push (§4.2). */
    default void useRootSets(List<dev.planetary.identity.RootSets.Accepted> sets) {}

    /** The gateway's port mapping of the primary port (VL.md §5.9), or null when there is none any more. */
    default void mappedEndpoint(InetSocketAddress endpoint) {}

    /** Where an engine puts its outputs. */
    interface Output {
        /** Sends {@code datagram} to {@code to}; never throws. */
        void transmit(InetSocketAddress to, byte[] datagram);

        /** A §16.2 event: its name and fields (values: strings, numbers, booleans, lists). */
        void event(String name, Map<String, Object> fields);
    }

    /**
     * The engine's state at one moment.
     *
     * @param online   at least one root session has an alive path (§4.3)
     * @param peers    every peer with a session or a pending one
     * @param counters monotonically increasing counters by name (drop reasons and outcomes, lower case)
     * @param externalEndpoints this node's endpoints as roots observe them (§5.6)
     * @param tables   entries of the engine's peer-fed tables by name (memory bounds; {@code verifications} is the §2.6 queue)
     */
    record Snapshot(boolean online, List<PeerView> peers, Map<String, Long> counters, List<String> externalEndpoints, Map<String, Integer> tables) {
        public Snapshot {
            peers = List.copyOf(peers);
            counters = Map.copyOf(counters);
            externalEndpoints = List.copyOf(externalEndpoints);
            tables = Map.copyOf(tables);
        }
    }

    /**
     * A peer as {@code GET /peer} shows it (§13.2).
     *
     * @param role          {@code PLANET} for roots, else {@code LEAF}
     * @param latencyMs     smoothed round trip, -1 if unknown
     * @param relayedVia    address of the root relaying the session, or null when direct
     * @param sessionState  e.g. {@code established}, {@code opening}
     * @param tofu          its binding came from a one-root set (§2.7)
     * @param version       the peer's software version {major, minor, revision}, or null before HELLO
     */
    record PeerView(String address, String fingerprint, String role, long latencyMs, List<PathView> paths, String relayedVia,
                    String sessionState, boolean tofu, int[] version) {
        public PeerView {
            paths = List.copyOf(paths);
        }
    }

    /**
     * A path of a peer (§5.1); times in Unix ms, 0 if never.
     *
     * @param address   {@code ip/port} of a direct path, the relay root's address for a relayed one, null if unknown
     * @param kind      {@code direct} or {@code relayed}
     * @param state     {@code candidate}, {@code alive} or {@code stale} (§5.1)
     * @param latencyMs EWMA of ECHO round trips on this path, -1 if unmeasured
     */
    record PathView(String address, String kind, String state, long latencyMs, long lastSend, long lastReceive, boolean active, boolean expired,
                    boolean preferred) {}
}

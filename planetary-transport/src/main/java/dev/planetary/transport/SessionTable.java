package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The sessions of an {@link Endpoint}: live ones, outgoing ones still connecting (the timer
 * thread checks their deadlines), ones the engine expired (closed by the timer thread), accepted
 * ones waiting for {@link Endpoint#accept}, and the per-address MTU settings. Thread-safe.
 */
final class SessionTable {
    /** Accepted sessions kept for {@link Endpoint#accept} at most (the oldest is dropped past it). */
    static final int ACCEPT_QUEUE = 1024;

    private final Set<PeerSession> live = ConcurrentHashMap.newKeySet();
    private final Set<PeerSession> connecting = ConcurrentHashMap.newKeySet();
    private final Queue<PeerSession> expired = new ConcurrentLinkedQueue<>();
    private final BlockingQueue<PeerSession> acceptQueue = new LinkedBlockingQueue<>(ACCEPT_QUEUE);
    private final Map<InetSocketAddress, Integer> peerMtu = new ConcurrentHashMap<>();

    void add(PeerSession ps) {
        live.add(ps);
    }

    void addConnecting(PeerSession ps) {
        live.add(ps);
        connecting.add(ps);
    }

    void remove(PeerSession ps) {
        live.remove(ps);
    }

    /** A snapshot of the live sessions. */
    List<PeerSession> snapshot() {
        return List.copyOf(live);
    }

    Collection<PeerSession> live() {
        return live;
    }

    int size() {
        return live.size();
    }

    List<PeerSession> with(StaticPublicKey peer) {
        return live.stream().filter(s -> s.peer().equals(peer)).toList();
    }

    Set<PeerSession> connecting() {
        return connecting;
    }

    /** Records a session the engine expired, for the timer thread. */
    void expired(PeerSession ps) {
        expired.add(ps);
    }

    /** The next expired session, or null. */
    PeerSession pollExpired() {
        return expired.poll();
    }

    /** Queues an accepted session for {@link Endpoint#accept}, dropping the oldest if full. */
    void accepted(PeerSession ps) {
        while (!acceptQueue.offer(ps)) acceptQueue.poll();
    }

    PeerSession takeAccepted(Duration timeout) throws InterruptedException {
        return acceptQueue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
    }

    void setMtu(InetSocketAddress address, int mtu) {
        peerMtu.put(address, mtu);
    }

    /** The MTU set for {@code address}, or null. */
    Integer mtu(InetSocketAddress address) {
        return address == null ? null : peerMtu.get(address);
    }
}

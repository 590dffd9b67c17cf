package dev.planetary.vl1.sim;

import java.net.InetSocketAddress;

/**
 * A sans-IO engine as the simulator drives it (VL spec §17 WP1: {@code receive(datagram, socket,
 * endpoint, now)}, {@code service(now)}). The engine sends through the {@link SimHost} it was attached
 * to ({@link SimHost#send}); its application-facing {@code send(peer, message)} is its own business.
 *
 * <p>The simulator calls both methods from one thread, in virtual-time order; {@code now} is the
 * virtual monotonic clock in milliseconds.
 */
public interface SimEngine {

    /**
     * One datagram arrived.
     *
     * @param datagram    the bytes (the engine owns this copy)
     * @param localSocket the host's bound socket it arrived on
     * @param from        the source as seen by this host (after any NAT translation on the way)
     * @param now         virtual time, ms
     */
    void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now);

    /**
     * Runs due timers.
     *
     * @return the absolute virtual time of the next deadline, or {@link Long#MAX_VALUE} for none; a value
     *         not after {@code now} is treated as {@code now + 1} (the simulator never spins at one instant)
     */
    long service(long now);
}

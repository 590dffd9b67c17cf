package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.net.InetSocketAddress;

/**
 * One path of a peer as the node's API shows it (§5.1, §16.2).
 *
 * @param endpoint    the remote endpoint of a direct path, null for the relayed path
 * @param relayRoot   the relay root of the relayed path, null for a direct path
 * @param state       {@code candidate}, {@code alive} or {@code stale} (a relayed path: {@code alive} while its root session is)
 * @param latencyMs   EWMA of ECHO round trips (α = 1/4), −1 if not measured
 * @param lastSend    the driver's clock (ms) at the last send on it, −1 if never
 * @param lastReceive the driver's clock (ms) at the last authenticated receipt on it, −1 if never
 * @param preferred   true for the path the session sends on
 */
public record PathInfo(InetSocketAddress endpoint, Address relayRoot, String state, long latencyMs, long lastSend, long lastReceive, boolean preferred) {
    public boolean relayed() {
        return endpoint == null;
    }
}

package dev.planetary.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * No handshake completed with the peer within the handshake timeout: it is unreachable, not
 * running, does not have the key we expect, silently rejected us, or dropped our Hello (π1).
 */
public class HandshakeTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long elapsedMillis;

    public HandshakeTimeoutException(InetSocketAddress address, long elapsedMillis) {
        super("no handshake with " + Endpoint.format(address) + " after " + String.format(java.util.Locale.ROOT, "%.1f", elapsedMillis / 1000.0)
                + " s: peer unreachable, not listening, holding a different key, or silently rejecting us");
        this.elapsedMillis = elapsedMillis;
    }

    /** How long the endpoint tried. */
    public long elapsedMillis() {
        return elapsedMillis;
    }
}

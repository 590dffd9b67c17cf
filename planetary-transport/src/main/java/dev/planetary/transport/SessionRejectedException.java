package dev.planetary.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/** The peer authenticated us and refused the session with a Session-Rejected packet (spec §5.7). */
public class SessionRejectedException extends IOException {
    private static final long serialVersionUID = 1L;

    public SessionRejectedException(InetSocketAddress address) {
        super(Endpoint.format(address) + " rejected the session (Session-Rejected packet): we are not on its allow-list, or it refused our ratchet state");
    }
}

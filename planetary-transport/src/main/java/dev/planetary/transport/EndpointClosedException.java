package dev.planetary.transport;

import java.io.IOException;

/** The endpoint was closed before the operation completed. */
public class EndpointClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    public EndpointClosedException(String message) {
        super(message);
    }
}

package dev.planetary.transport;

/**
 * Callbacks from an {@link Endpoint}. All methods run on virtual threads, never on the receive or
 * timer thread; calls concerning one session are serialised and in order (events and data of one
 * session never overlap or reorder), calls for different sessions may run concurrently.
 * Exceptions thrown here are logged and otherwise ignored.
 */
public interface EndpointListener {

    /** An incoming session was accepted (after {@link EndpointEvent.Kind#NEW_SESSION}). */
    default void onSession(PeerSession session) {}

    /**
     * An authenticated payload arrived. The array is the listener's to keep. Payloads are also
     * queued for {@link PeerSession#receive} unless the endpoint was built with a receive-queue
     * capacity of 0.
     */
    default void onData(PeerSession session, byte[] payload) {}

    /** Any {@link EndpointEvent}. */
    default void onEvent(EndpointEvent event) {}
}

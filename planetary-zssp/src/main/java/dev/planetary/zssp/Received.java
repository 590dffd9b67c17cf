package dev.planetary.zssp;

/**
 * The outcome of {@link Context#receive}: an {@link Event} for the application, {@link Pending}
 * (the datagram was valid but completed nothing the application sees, e.g. one fragment of many,
 * or a handshake step on the responder), or {@link Dropped} with the fault class for metrics. A
 * {@link Triage} too: what {@link Context#receiveOrDefer} gives for a datagram it consumed.
 */
public sealed interface Received<D> extends Triage<D> permits Event, Received.Pending, Received.Dropped {

    /** Nothing for the application (reference: "Unassociated"). */
    @SuppressWarnings("rawtypes")
    final class Pending implements Received {
        static final Pending INSTANCE = new Pending();

        private Pending() {}

        @Override
        public String toString() {
            return "Pending";
        }
    }

    /**
     * The datagram was dropped.
     *
     * @param natural true if this happens between honest peers on a lossy, reordering network
     * @param reason  a short constant description, for logs
     */
    record Dropped<D>(Fault fault, boolean natural, String reason) implements Received<D> {}

    @SuppressWarnings("unchecked")
    static <D> Received<D> pending() {
        return (Received<D>) Pending.INSTANCE;
    }
}

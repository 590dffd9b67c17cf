package dev.planetary.zssp;

import java.util.HexFormat;

/** Something the application should know about a session (spec §12.2). */
public sealed interface Event<D> extends Received<D> {

    Session<D> session();

    /** Responder: a new session was accepted; the application must keep it. */
    record NewSession<D>(Session<D> session) implements Event<D> {}

    /** Responder: accepted, but the initiator used the empty ratchet though states were stored (π3 false). */
    record NewDowngradedSession<D>(Session<D> session) implements Event<D> {}

    /** Initiator: the first key confirmation arrived; the session may send. */
    record Established<D>(Session<D> session) implements Event<D> {}

    /** An authenticated payload. */
    record Data<D>(Session<D> session, byte[] payload) implements Event<D> {
        @Override
        public String toString() {
            return "Data[" + payload.length + " bytes]";
        }

        /** Hex of the payload (for logs of test traffic only). */
        public String payloadHex() {
            return HexFormat.of().formatHex(payload);
        }
    }

    /** Initiator: the responder rejected the session; it is now expired. */
    record Rejected<D>(Session<D> session) implements Event<D> {}

    /** Initiator: the Response only decrypted with the empty ratchet key (π2 false): a downgrade. */
    record DowngradedRatchetKey<D>(Session<D> session) implements Event<D> {}

    /** A rekey finished on this side; new keys are in use. */
    record RekeyCompleted<D>(Session<D> session) implements Event<D> {}

    /** Any other authenticated control packet. */
    record Control<D>(Session<D> session) implements Event<D> {}
}

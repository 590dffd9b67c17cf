package dev.planetary.zssp;

/**
 * The responder's answer to {@link Application#checkAcceptSession} (spec §1.3, §5.4).
 *
 * @param sessionData              the application's data for the new session; {@code null} refuses it
 * @param responderDisallowsDowngrade π3: reject a Completion whose ratchet is not one of the stored
 *                                 states (when false, an empty ratchet is accepted with a warning)
 * @param responderSilentlyRejects π4: send nothing (instead of a Session-Rejected packet) on rejection
 */
public record AcceptDecision<D>(D sessionData, boolean responderDisallowsDowngrade, boolean responderSilentlyRejects) {

    /** Accept with the given flags. */
    public static <D> AcceptDecision<D> accept(D sessionData, boolean disallowDowngrade, boolean silentlyReject) {
        if (sessionData == null) throw new IllegalArgumentException("an accepted session needs non-null session data");
        return new AcceptDecision<>(sessionData, disallowDowngrade, silentlyReject);
    }

    /** Refuse; unless {@code silently}, the initiator is told with a Session-Rejected packet. */
    public static <D> AcceptDecision<D> reject(boolean silently) {
        return new AcceptDecision<>(null, false, silently);
    }

    public boolean accepted() {
        return sessionData != null;
    }
}

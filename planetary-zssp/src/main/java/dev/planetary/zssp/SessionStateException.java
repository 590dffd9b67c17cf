package dev.planetary.zssp;

/** A session operation was attempted in a state that does not allow it (not established, expired). */
public class SessionStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public SessionStateException(String message) {
        super(message);
    }
}

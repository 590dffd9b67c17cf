package dev.planetary.seqex;

/** Thrown to (or used to fail the futures of) every waiter once a {@link Seqex} endpoint is closed. */
public final class ClosedException extends SeqexException {
    private static final long serialVersionUID = 1L;

    public ClosedException() {
        super("SEQEX endpoint is closed");
    }
}

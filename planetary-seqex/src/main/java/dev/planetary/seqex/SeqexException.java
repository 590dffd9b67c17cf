package dev.planetary.seqex;

/** An error from the SEQEX API (not from bad input, which is counted and dropped). */
public class SeqexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SeqexException(String message) {
        super(message);
    }
}

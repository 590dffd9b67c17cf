package dev.planetary.zssp;

/** A payload needs more than 48 fragments at the current MTU (spec §7.4). */
public class DataTooLargeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final int size;
    private final int max;

    public DataTooLargeException(int size, int max) {
        super("payload of " + size + " bytes is larger than the " + max + " bytes one packet can carry at this MTU (" + Limits.MAX_FRAGMENTS + " fragments)");
        this.size = size;
        this.max = max;
    }

    public int size() {
        return size;
    }

    public int max() {
        return max;
    }
}

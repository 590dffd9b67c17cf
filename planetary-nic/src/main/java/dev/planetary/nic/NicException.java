package dev.planetary.nic;

/** A NIC could not be created or configured; the message names the cause and what to do. */
public final class NicException extends RuntimeException {
    private final int errno;

    public NicException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public NicException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The Linux errno behind the failure, or 0. */
    public int errno() {
        return errno;
    }
}

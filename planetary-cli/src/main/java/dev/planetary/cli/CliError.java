package dev.planetary.cli;

/**
 * A failure reported as one line {@code planetary: error: MESSAGE} with an exit code. Public for the
 * {@link PluginCommand}s of other jars (the bench verb).
 */
public final class CliError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Bad usage or input (malformed key files, bad addresses, bad option values). */
    public static final int USAGE = 2;
    /** The operation failed (unreachable or rejecting peer, lost probes, port in use, store problems). */
    public static final int FAILED = 1;

    final int exitCode;

    public CliError(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CliError(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }
}

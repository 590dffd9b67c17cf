package dev.planetary.store;

import java.io.IOException;
import java.sql.SQLException;

/** Turns driver exceptions into {@link IOException}s that name the database and say the cause in plain words. */
final class StoreErrors {
    private StoreErrors() {}

    // SQLite primary result codes (https://sqlite.org/rescode.html); extended codes carry them in the low byte.
    static final int SQLITE_PERM = 3;
    static final int SQLITE_BUSY = 5;
    static final int SQLITE_LOCKED = 6;
    static final int SQLITE_NOMEM = 7;
    static final int SQLITE_READONLY = 8;
    static final int SQLITE_IOERR = 10;
    static final int SQLITE_CORRUPT = 11;
    static final int SQLITE_FULL = 13;
    static final int SQLITE_CANTOPEN = 14;
    static final int SQLITE_PROTOCOL = 15;
    static final int SQLITE_NOTADB = 26;

    static IOException sqlite(String file, String operation, SQLException e, long busyTimeoutMillis) {
        int code = e.getErrorCode() & 0xff;
        String cause = switch (code) {
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL -> "the database is locked by another connection or process"
                    + " (still locked after the busy timeout of " + busyTimeoutMillis + " ms)";
            case SQLITE_READONLY -> "the database is read-only (file or directory permissions, a read-only file system,"
                    + " or the file was opened read-only because it is not writable)";
            case SQLITE_FULL -> "the disk (or the database) is full";
            case SQLITE_CORRUPT, SQLITE_NOTADB -> "the file is corrupt or is not an SQLite database";
            case SQLITE_CANTOPEN -> "the file cannot be opened (missing directory, permissions, or too many open files)";
            case SQLITE_PERM -> "permission denied";
            case SQLITE_IOERR -> "an I/O error occurred reading or writing the file (failing disk, or the file was removed)";
            case SQLITE_NOMEM -> "SQLite ran out of memory";
            default -> "SQLite error";
        };
        return new IOException("ratchet store " + file + ": cannot " + operation + ": " + cause
                + " [" + e.getMessage() + "]", e);
    }

    static IOException postgres(String url, String operation, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String cause;
        if (state.startsWith("08")) cause = "cannot reach the PostgreSQL server, or the connection was lost";
        else if (state.startsWith("28")) cause = "the server refused the credentials";
        else if (state.equals("3D000")) cause = "the database does not exist";
        else if (state.equals("53100")) cause = "the server's disk is full";
        else if (state.startsWith("53")) cause = "the server is out of resources (memory or connections)";
        else if (state.equals("25006")) cause = "the database is read-only (a standby server, or default_transaction_read_only)";
        else if (state.equals("42501")) cause = "permission denied on the ratchet tables";
        else if (state.equals("55P03")) cause = "the row or table is locked by another transaction (lock timeout expired)";
        else if (state.equals("57014")) cause = "the statement was cancelled (statement timeout)";
        else if (state.equals("40001") || state.equals("40P01")) cause = "the transaction conflicted with a concurrent one";
        else if (state.startsWith("57P")) cause = "the server is shutting down or restarting";
        else if (state.startsWith("XX")) cause = "the server reports data corruption or an internal error";
        else cause = "PostgreSQL error";
        return new IOException("ratchet store " + url + ": cannot " + operation + ": " + cause
                + " [SQLState " + state + ": " + e.getMessage() + "]", e);
    }

    /** A JDBC URL without its query string (which may hold a password). */
    static String redactUrl(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        return base.replaceAll("//[^/@]*@", "//");
    }
}

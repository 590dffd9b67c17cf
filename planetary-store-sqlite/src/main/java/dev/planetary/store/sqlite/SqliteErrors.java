package dev.planetary.store.sqlite;

import java.io.IOException;
import java.sql.SQLException;

/** Turns SQLite driver exceptions into {@link IOException}s that name the database and say the cause in plain words. */
final class SqliteErrors {
    private SqliteErrors() {}

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
}

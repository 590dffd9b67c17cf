package dev.planetary.store.postgres;

import java.io.IOException;
import java.sql.SQLException;

/** Turns PostgreSQL driver exceptions into {@link IOException}s that name the database and say the cause in plain words. */
final class PostgresErrors {
    private PostgresErrors() {}

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
    }}

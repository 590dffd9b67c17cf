package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite database ({@code controller.db}, 0600). */
class SqliteControllerStoreTest extends ControllerStoreContract {
    @TempDir
    Path home;

    @Override
    protected ControllerStore openStore() throws Exception {
        return JdbcControllerStore.openSqlite(home);
    }

    @Override
    protected ControllerStore reopenStore() throws Exception {
        return openStore();
    }

    @Override
    protected void sql(String statement, Object... args) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve(JdbcControllerStore.SQLITE_FILE));
                var ps = c.prepareStatement(statement.replace("{p}", ""))) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }

    @Test
    void databaseFileIsPrivate() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(JdbcControllerStore.SQLITE_FILE))));
    }
}

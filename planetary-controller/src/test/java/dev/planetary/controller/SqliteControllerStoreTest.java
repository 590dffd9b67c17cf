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

    @Test
    void databaseFileIsPrivate() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(JdbcControllerStore.SQLITE_FILE))));
    }
}

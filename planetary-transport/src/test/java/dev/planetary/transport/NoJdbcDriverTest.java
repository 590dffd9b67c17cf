package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The transport carries no JDBC driver (issue 12 §4): its class path is its own dependencies, and
 * neither SQLite's nor PostgreSQL's driver may be among them. Durable stores are the separate
 * planetary-store-sqlite / planetary-store-postgres artifacts.
 */
class NoJdbcDriverTest {
    @Test
    void neitherDriverIsOnTheTransportsClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.sqlite.JDBC"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.postgresql.Driver"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.planetary.store.sqlite.SqliteRatchetStore"));
    }
}

package dev.planetary.controller;

import dev.planetary.store.postgres.testing.PostgresFixture;

/** The store contract on a real PostgreSQL server ({@link PostgresFixture}, as planetary-store-postgres's tests); each test has its own tables. */
class PostgresControllerStoreTest extends ControllerStoreContract {
    PostgresFixture pg;
    String prefix;

    @Override
    protected ControllerStore openStore() throws Exception {
        pg = PostgresFixture.get();
        prefix = "c" + PostgresFixture.freshPrefix();
        return JdbcControllerStore.openPostgres(pg.url, pg.properties, prefix);
    }

    @Override
    protected ControllerStore reopenStore() throws Exception {
        return JdbcControllerStore.openPostgres(pg.url, pg.properties, prefix);
    }

    @Override
    protected void sql(String statement, Object... args) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(pg.url, pg.properties); var ps = c.prepareStatement(statement.replace("{p}", prefix))) {
            for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
            ps.executeUpdate();
        }
    }
}

/**
 * The ratchet store for several responders sharing one static key: PostgreSQL
 * ({@link dev.planetary.store.postgres.PostgresRatchetStore}); opened by
 * {@code RatchetStores.open("jdbc:postgresql://HOST:PORT/DATABASE")}.
 */
module dev.planetary.store.postgres {
    requires transitive dev.planetary.store;
    requires java.sql;
    requires org.postgresql.jdbc;

    exports dev.planetary.store.postgres;

    provides dev.planetary.store.internal.RatchetStoreProvider with dev.planetary.store.postgres.PostgresStoreProvider;
}

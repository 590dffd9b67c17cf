/**
 * The embedded default ratchet store: one SQLite file per local identity
 * ({@link dev.planetary.store.sqlite.SqliteRatchetStore}); opened by
 * {@code RatchetStores.open("jdbc:sqlite:PATH")} or {@code RatchetStores.openDefault}.
 */
module dev.planetary.store.sqlite {
    requires transitive dev.planetary.store;
    requires java.sql;
    requires org.xerial.sqlitejdbc;

    exports dev.planetary.store.sqlite;

    provides dev.planetary.store.internal.RatchetStoreProvider with dev.planetary.store.sqlite.SqliteStoreProvider;
}

/**
 * Planetary's durable ratchet stores: SQLite (embedded default), PostgreSQL (clusters) and
 * in-memory, all implementing {@link dev.planetary.store.PeerRatchetStore}.
 */
module dev.planetary.store {
    requires transitive dev.planetary.zssp;
    requires transitive java.sql;
    requires org.xerial.sqlitejdbc;
    requires org.postgresql.jdbc;
    exports dev.planetary.store;
}

/**
 * The VL2 network controller (VL.md §7.5, §8, §13.3, §14.2): a sans-IO engine that answers
 * NETWORK_CONFIG_REQUEST, issues credentials and revocation lists and computes the pushes an
 * operator change needs, and its store (SQLite embedded, PostgreSQL).
 */
module dev.planetary.controller {
    requires transitive dev.planetary.identity;
    requires transitive dev.planetary.vl2;
    requires transitive java.sql;
    requires transitive com.fasterxml.jackson.databind;
    requires org.xerial.sqlitejdbc;
    requires org.postgresql.jdbc;

    exports dev.planetary.controller;
}

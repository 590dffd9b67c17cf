/**
 * Planetary's ratchet store API (spec §8): {@link dev.planetary.store.PeerRatchetStore}, the
 * in-memory store and {@link dev.planetary.store.RatchetStores}, which opens a store from a URL.
 * No JDBC driver: the durable stores are the separate modules {@code dev.planetary.store.sqlite}
 * (artifact planetary-store-sqlite) and {@code dev.planetary.store.postgres} (planetary-store-postgres),
 * found through {@link java.util.ServiceLoader}. {@code dev.planetary.store.internal} (the provider
 * interface and the row rules both SQL stores share) is exported to those two modules only.
 */
module dev.planetary.store {
    requires transitive dev.planetary.zssp;
    requires java.sql; // the shared JDBC row layout (internal.Rows); no driver

    exports dev.planetary.store;
    exports dev.planetary.store.internal to dev.planetary.store.sqlite, dev.planetary.store.postgres;

    uses dev.planetary.store.internal.RatchetStoreProvider;
}

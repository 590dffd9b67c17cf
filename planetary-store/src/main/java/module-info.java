/** Planetary's durable ratchet stores. */
module dev.planetary.store {
    requires transitive dev.planetary.zssp;
    exports dev.planetary.store;
}

/**
 * Planetary's ZSSP engine: a sans-IO implementation of the ZeroTier Secure Sessions Protocol.
 *
 * <p>Only {@code dev.planetary.zssp} is public API. The cryptographic suite in
 * {@code dev.planetary.zssp.crypto} is exported only to Planetary's own modules (identity, and the
 * benchmarks that measure it). {@code dev.planetary.zssp.internal} (the benchmarks' entry point into
 * engine internals, the session's path for the transport and VL1, and {@code RatchetTable}, the
 * in-memory ratchet pairs and fingerprint index behind the store module's memory store and the
 * engine tests' store) is exported only to those four modules.
 */
module dev.planetary.zssp {
    exports dev.planetary.zssp;
    exports dev.planetary.zssp.crypto to dev.planetary.identity, dev.planetary.bench;
    exports dev.planetary.zssp.internal to dev.planetary.store, dev.planetary.transport, dev.planetary.vl1, dev.planetary.bench;
}

/**
 * Planetary's ZSSP engine: a sans-IO implementation of the ZeroTier Secure Sessions Protocol.
 *
 * <p>Only {@code dev.planetary.zssp} is public API. The cryptographic suite in
 * {@code dev.planetary.zssp.crypto} is exported only to Planetary's own modules.
 * {@code dev.planetary.zssp.internal} (the benchmarks' entry point into engine internals) is not
 * exported at all: only class-path code (the JMH jar) reaches it.
 */
module dev.planetary.zssp {
    exports dev.planetary.zssp;
    exports dev.planetary.zssp.crypto to dev.planetary.identity;
}

/**
 * Planetary identities (spec §2): two P-384 keys bound by a self-signature, SHA-384 fingerprints,
 * Argon2id addresses, signed objects (PSO) and root sets (spec §4.1). Only
 * {@code dev.planetary.identity} is API; the scalar arithmetic and ECDSA live in an internal package.
 */
module dev.planetary.identity {
    requires dev.planetary.zssp;
    requires org.bouncycastle.provider;

    exports dev.planetary.identity;
    exports dev.planetary.identity.internal to dev.planetary.bench; // ECDSA and address work, measured by the benchmarks
}

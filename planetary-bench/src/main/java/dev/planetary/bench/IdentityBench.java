package dev.planetary.bench;

import dev.planetary.identity.Identity;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.internal.AddressPow;
import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.zssp.crypto.P384PublicKey;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Identities (spec §2): generation on every core, one full uncached verification (self-signature +
 * Argon2id), one Argon2id evaluation, and ECDSA P-384/SHA-384 sign and verify — Planetary's RFC 6979
 * constant-time signer beside the JDK's SunEC (random nonces) in the same run.
 *
 * <p>Generation is a random process (64 evaluations expected, geometric): read its p0.50 line.
 */
@State(Scope.Thread)
@Fork(1)
public class IdentityBench {
    private final SecureRandom random = new SecureRandom();
    private final byte[] message = new byte[256];
    private Identity identity;
    private byte[] dSig;
    private byte[] kSig;
    private byte[] ourSignature;
    private KeyPair jdkKeys;
    private byte[] jdkSignature;
    private Signature jdkSigner;
    private Signature jdkVerifier;
    private PublicKey jdkPublicFromWire;

    @Setup
    public void setup() throws Exception {
        random.nextBytes(message);
        try (SecretIdentity s = SecretIdentity.generate(random, Runtime.getRuntime().availableProcessors())) {
            identity = s.identity();
        }
        dSig = new byte[48];
        do {
            random.nextBytes(dSig);
        } while (!Ecdsa384.isValidScalar(dSig, 0));
        kSig = Ecdsa384.publicKey(dSig);
        ourSignature = Ecdsa384.sign(dSig, message);
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
        kpg.initialize(new ECGenParameterSpec("secp384r1"));
        jdkKeys = kpg.generateKeyPair();
        jdkSigner = Signature.getInstance("SHA384withECDSAinP1363Format");
        jdkSigner.initSign(jdkKeys.getPrivate());
        jdkSigner.update(message);
        jdkSignature = jdkSigner.sign();
        jdkVerifier = Signature.getInstance("SHA384withECDSAinP1363Format");
        jdkPublicFromWire = KeyFactory.getInstance("EC").generatePublic(
                new X509EncodedKeySpec(P384PublicKey.decode(kSig, 0).toSubjectPublicKeyInfo()));
    }

    /** A new identity (both cores). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 5)
    @Measurement(iterations = 3, time = 10)
    public SecretIdentity generate() {
        return SecretIdentity.generate(random, Runtime.getRuntime().availableProcessors());
    }

    /** Full verification of a never-seen identity: self-signature and proof of work (fresh cache). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 3)
    @Measurement(iterations = 3, time = 5)
    public Object verifyIdentity() {
        return new IdentityVerifier(1).verify(identity);
    }

    /** One Argon2id evaluation (8 MiB, t = 1). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2, time = 3)
    @Measurement(iterations = 3, time = 5)
    public byte[] argon2id() {
        return AddressPow.evaluate(identity.fingerprint().toBytes());
    }

    /** Planetary: RFC 6979, constant-time k·G and arithmetic mod n. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    public byte[] signPlanetary() {
        return Ecdsa384.sign(dSig, message);
    }

    /** SunEC, random nonces. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    public byte[] signSunEc() throws Exception {
        jdkSigner.initSign(jdkKeys.getPrivate());
        jdkSigner.update(message);
        return jdkSigner.sign();
    }

    /** Planetary's verify: from the 49-byte wire key (decompress, convert, SunEC verify). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    public boolean verifyPlanetaryFromWire() {
        return Ecdsa384.verify(kSig, 0, message, 0, message.length, ourSignature, 0);
    }

    /** SunEC verify with a key object prepared once (the floor for any SunEC-based verifier). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 2, time = 2)
    @Measurement(iterations = 3, time = 3)
    public boolean verifySunEcPrepared() throws Exception {
        jdkVerifier.initVerify(jdkPublicFromWire);
        jdkVerifier.update(message);
        return jdkVerifier.verify(ourSignature);
    }
}

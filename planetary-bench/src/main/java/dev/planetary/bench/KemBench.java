package dev.planetary.bench;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.crypto.Kem;
import dev.planetary.zssp.crypto.KemEncapsulation;
import dev.planetary.zssp.crypto.KemKeyPair;
import dev.planetary.zssp.crypto.Kyber1024;
import dev.planetary.zssp.crypto.MlKem1024;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The KEM half of a ZSSP handshake: key generation (Alice, X1), encapsulation (Bob, X2) and
 * decapsulation (Alice, X2), for our round-3 Kyber1024 (what the wire protocol uses) and for the
 * JDK's FIPS 203 ML-KEM-1024 (not wire compatible; the platform's own lattice KEM as a yardstick).
 * Randomness comes from {@link RandomSource#secure()}, as in the engine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KemBench {
    @Param({"Kyber1024", "ML-KEM-1024"})
    String kem;

    private Kem impl;
    private final RandomSource rng = RandomSource.secure();
    private KemKeyPair keyPair;
    private byte[] publicKey;
    private byte[] ciphertext;

    @Setup
    public void setup() {
        impl = switch (kem) {
            case "Kyber1024" -> Kyber1024.instance();
            case "ML-KEM-1024" -> MlKem1024.instance();
            default -> throw new IllegalArgumentException("unknown KEM " + kem);
        };
        keyPair = impl.generateKeyPair(rng);
        publicKey = keyPair.publicKey();
        KemEncapsulation enc = impl.encapsulate(publicKey, rng);
        ciphertext = enc.ciphertext();
        if (!java.util.Arrays.equals(enc.sharedSecret(), impl.decapsulate(keyPair, ciphertext))) {
            throw new IllegalStateException(kem + " round trip failed");
        }
    }

    @Benchmark
    public KemKeyPair keygen() {
        return impl.generateKeyPair(rng);
    }

    @Benchmark
    public KemEncapsulation encaps() {
        return impl.encapsulate(publicKey, rng);
    }

    @Benchmark
    public byte[] decaps() {
        return impl.decapsulate(keyPair, ciphertext);
    }
}

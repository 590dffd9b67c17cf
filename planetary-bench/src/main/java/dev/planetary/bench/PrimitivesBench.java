package dev.planetary.bench;

import dev.planetary.zssp.crypto.AesGcm;
import dev.planetary.zssp.crypto.HeaderCipher;
import dev.planetary.zssp.crypto.Kbkdf;
import dev.planetary.zssp.crypto.Sha512;
import dev.planetary.zssp.crypto.SymmetricState;
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

/** Planetary's symmetric primitives as the engine calls them. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PrimitivesBench {
    private final byte[] ck = new byte[64];
    private final byte[] ikm = new byte[48];
    private final byte[] label = {'Z', 'S', 'S', 'P'};
    private final byte[][] out = {new byte[64], new byte[64]};
    private final byte[] hashInput = new byte[64 + 49];
    private AesGcm gcm;
    private HeaderCipher header;
    private final byte[] packet = new byte[1400 + 16];
    private final byte[] block = new byte[32];
    private long counter;

    @Setup
    public void setup() {
        gcm = new AesGcm(new byte[32]);
        header = new HeaderCipher(new byte[32]);
    }

    /** KBKDF with two output blocks (a MixKey): two HMAC-SHA-512 calls. */
    @Benchmark
    public byte[][] kbkdfTwoBlocks() {
        Kbkdf.derive(ikm, label, ck, out);
        return out;
    }

    /** SHA-512 of h ‖ e (a MixHash of a public key). */
    @Benchmark
    public byte[] sha512MixHash() {
        return Sha512.hash(hashInput);
    }

    /** One MixKey on a fresh symmetric state. */
    @Benchmark
    public Object mixKey() {
        SymmetricState s = SymmetricState.initialize(SymmetricState.Protocol.XK);
        s.mixKey(ikm);
        return s;
    }

    /** AES-256-GCM seal + open of 1400 bytes in place with ZSSP nonces (no engine around it). */
    @Benchmark
    public boolean aesGcm1400SealOpen() {
        long c = ++counter;
        int n = gcm.seal(8, c, null, packet, 0, 1400, packet, 0);
        return gcm.open(8, c, null, packet, 0, n, packet, 0);
    }

    /** Header protection: one AES-256 block encrypt and decrypt. */
    @Benchmark
    public byte[] headerBlock() {
        header.encryptBlock(block, 4);
        header.decryptBlock(block, 4);
        return block;
    }
}

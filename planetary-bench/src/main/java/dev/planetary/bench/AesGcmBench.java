package dev.planetary.bench;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
 * The physical limit every data-path figure is compared against: raw JCA AES-256-GCM encrypt and
 * decrypt of one payload with a fresh nonce, two Cipher objects reused, no engine around it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AesGcmBench {
    @Param({"1400"})
    int size;

    private Cipher enc;
    private Cipher dec;
    private SecretKeySpec key;
    private byte[] plain;
    private byte[] sealed;
    private byte[] opened;
    private final byte[] nonce = new byte[12];
    private long counter;

    @Setup
    public void setup() throws Exception {
        key = new SecretKeySpec(new byte[32], "AES");
        enc = Cipher.getInstance("AES/GCM/NoPadding");
        dec = Cipher.getInstance("AES/GCM/NoPadding");
        plain = new byte[size];
        sealed = new byte[size + 16];
        opened = new byte[size];
    }

    /** Encrypt then decrypt one payload (the reference "limit" figure). */
    @Benchmark
    public byte[] encryptDecrypt() throws Exception {
        long c = ++counter;
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (c >>> (56 - 8 * i));
        GCMParameterSpec spec = new GCMParameterSpec(128, nonce);
        enc.init(Cipher.ENCRYPT_MODE, key, spec);
        int n = enc.doFinal(plain, 0, size, sealed, 0);
        dec.init(Cipher.DECRYPT_MODE, key, spec);
        dec.doFinal(sealed, 0, n, opened, 0);
        return opened;
    }
}

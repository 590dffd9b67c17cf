package dev.planetary.bench;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
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
 * What a packet pays when its key has no initialised JCA Cipher (issue 12 §3, cause (a) of the
 * dispatch cost among 10⁶ sessions): {@code Cipher.init} with a key other than the Cipher's last one
 * (the JDK then redoes the AES key schedule and, for GCM, the hash subkey and its tables) against
 * the same operation on a Cipher already initialised with that key; and the parts of it: CTR (the key
 * schedule alone, no GHASH), ECB in each direction (ZSSP's header block: decryption needs the
 * inverse schedule too), and building a Cipher object. The fresh keys rotate among {@code KEYS}
 * distinct ones, so the JDK's "same key as last time" shortcut never applies.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class KeySetupBench {
    private static final int KEYS = 4096;

    @Param({"1400"})
    int size;

    private final SecretKeySpec[] keys = new SecretKeySpec[KEYS];
    private int next;
    private Cipher gcm;
    private Cipher ctr;
    private Cipher ecbEnc;
    private Cipher ecbDec;
    private Cipher ecbHeld;
    private byte[] plain;
    private byte[] sealed;
    private final byte[] nonce = new byte[12];
    private final byte[] iv = new byte[16];
    private final byte[] block = new byte[16];
    private long counter;

    @Setup
    public void setup() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        for (int i = 0; i < KEYS; i++) {
            byte[] k = new byte[32];
            rnd.nextBytes(k);
            keys[i] = new SecretKeySpec(k, "AES");
        }
        gcm = Cipher.getInstance("AES/GCM/NoPadding");
        ctr = Cipher.getInstance("AES/CTR/NoPadding");
        ecbEnc = Cipher.getInstance("AES/ECB/NoPadding");
        ecbDec = Cipher.getInstance("AES/ECB/NoPadding");
        ecbHeld = Cipher.getInstance("AES/ECB/NoPadding");
        ecbHeld.init(Cipher.DECRYPT_MODE, keys[0]);
        plain = new byte[size];
        sealed = new byte[size + 16];
    }

    private SecretKeySpec freshKey() {
        return keys[next++ & (KEYS - 1)];
    }

    private GCMParameterSpec nextNonce() {
        long c = ++counter;
        for (int i = 0; i < 8; i++) nonce[4 + i] = (byte) (c >>> (56 - 8 * i));
        return new GCMParameterSpec(128, nonce);
    }

    /** GCM seal of one payload on a Cipher whose last key was another one: key schedule + GHASH set-up + seal. */
    @Benchmark
    public byte[] gcmSealFreshKey() throws Exception {
        gcm.init(Cipher.ENCRYPT_MODE, freshKey(), nextNonce());
        gcm.doFinal(plain, 0, size, sealed, 0);
        return sealed;
    }

    /** The same seal on a Cipher already initialised with this key (only the nonce changes). */
    @Benchmark
    public byte[] gcmSealSameKey() throws Exception {
        gcm.init(Cipher.ENCRYPT_MODE, keys[0], nextNonce());
        gcm.doFinal(plain, 0, size, sealed, 0);
        return sealed;
    }

    /** GCM init with another key and no data: the set-up alone. */
    @Benchmark
    public Cipher gcmInitFreshKey() throws Exception {
        gcm.init(Cipher.ENCRYPT_MODE, freshKey(), nextNonce());
        return gcm;
    }

    /** GCM init with the same key and a new nonce: what every packet pays anyway. */
    @Benchmark
    public Cipher gcmInitSameKey() throws Exception {
        gcm.init(Cipher.ENCRYPT_MODE, keys[0], nextNonce());
        return gcm;
    }

    /** CTR init with another key: the AES key schedule without GCM's hash subkey and tables. */
    @Benchmark
    public Cipher ctrInitFreshKey() throws Exception {
        iv[15] = (byte) ++counter;
        ctr.init(Cipher.ENCRYPT_MODE, freshKey(), new IvParameterSpec(iv));
        return ctr;
    }

    /** One header block encrypted with another key (init + one block), as a sender without a held Cipher. */
    @Benchmark
    public byte[] ecbEncryptFreshKey() throws Exception {
        ecbEnc.init(Cipher.ENCRYPT_MODE, freshKey());
        ecbEnc.doFinal(block, 0, 16, block, 0);
        return block;
    }

    /** One header block decrypted with another key (init + one block): the receiver's header step without a held Cipher. */
    @Benchmark
    public byte[] ecbDecryptFreshKey() throws Exception {
        ecbDec.init(Cipher.DECRYPT_MODE, freshKey());
        ecbDec.doFinal(block, 0, 16, block, 0);
        return block;
    }

    /** One header block on a Cipher initialised once (what a held Cipher costs per packet). */
    @Benchmark
    public byte[] ecbDecryptHeld() throws Exception {
        ecbHeld.doFinal(block, 0, 16, block, 0);
        return block;
    }

    /** Building a GCM Cipher object and initialising it (what a key pays to earn its own Cipher). */
    @Benchmark
    public Cipher gcmNewCipher() throws Exception {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, freshKey(), nextNonce());
        return c;
    }
}

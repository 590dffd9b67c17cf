package dev.planetary.identity.internal;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/** The address proof of work (spec §2.4): Argon2id(fp, "planetary-addr-1", t = 1, m = 8 MiB, p = 1), 32 bytes. */
public final class AddressPow {
    public static final int OUTPUT_SIZE = 32;
    private static final byte[] SALT = "planetary-addr-1".getBytes(StandardCharsets.US_ASCII);
    private static final Argon2Parameters PARAMS = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withIterations(1)
            .withMemoryAsKB(8192)
            .withParallelism(1)
            .withSalt(SALT)
            .build();

    private AddressPow() {}

    /** w = Argon2id(fingerprint) (one memory-hard evaluation, ≈ 8 MiB allocated). */
    public static byte[] evaluate(byte[] fingerprint) {
        Argon2BytesGenerator g = new Argon2BytesGenerator();
        g.init(PARAMS);
        byte[] w = new byte[OUTPUT_SIZE];
        g.generateBytes(fingerprint, w);
        return w;
    }

    /** w[0] &lt; 4 (top six bits zero). */
    public static boolean accepted(byte[] w) {
        return (w[0] & 0xFF) < 4;
    }

    /** w[27..32) as a 40-bit integer. */
    public static long address(byte[] w) {
        long a = 0;
        for (int i = 27; i < 32; i++) a = (a << 8) | (w[i] & 0xFF);
        return a;
    }
}

package dev.planetary.bench;

import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.identity.internal.ScalarN;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the CPU time of one ECDSA P-384 signature goes (issue 15): thread CPU time per call of the
 * whole signature and of its parts (k·G with the affine conversion and encoding, the inversion of k
 * mod n, RFC 6979's HMAC-DRBG, SHA-384 of a config-sized message), minimum of many batches.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.SignProfile [batches=200]</pre>
 */
public final class SignProfile {
    private SignProfile() {}

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        SecureRandom random = new SecureRandom();
        byte[] d = new byte[48];
        do random.nextBytes(d); while (!Ecdsa384.isValidScalar(d, 0));
        byte[] msg = new byte[650]; // a NetworkConfig is ≈ 649 bytes
        random.nextBytes(msg);
        byte[] digest = Ecdsa384.sha384(msg);
        long[] km = new long[ScalarN.LIMBS], inv = new long[ScalarN.LIMBS];
        ScalarN.fromBytes(km, d, 0);
        ScalarN.toMont(km, km);
        byte[] key = new byte[48], v = new byte[48];
        Runnable sign = () -> Ecdsa384.sign(d, msg);
        Runnable kG = () -> Ecdsa384.publicKey(d);
        Runnable invN = () -> ScalarN.invMont(inv, km);
        Runnable drbg = () -> { // RFC 6979 §3.2 b–h for one candidate: 5 HMACs, each with a fresh key
            try {
                Mac m = Mac.getInstance("HmacSHA384");
                for (int i = 0; i < 5; i++) {
                    m.init(new SecretKeySpec(key, "HmacSHA384"));
                    m.update(v);
                    m.doFinal(v, 0);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        Runnable sha = () -> Ecdsa384.sha384(msg);
        Runnable signDigest = () -> Ecdsa384.signDigest(d, digest);
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("machine load (1 min): %.1f%n", load);
        System.out.printf("sign (SHA-384 + sign)  %s%n", describe(sign, 8, batches));
        System.out.printf("  signDigest           %s%n", describe(signDigest, 8, batches));
        System.out.printf("  k·G, affine, encode  %s%n", describe(kG, 8, batches));
        System.out.printf("  k^-1 mod n           %s%n", describe(invN, 8, batches));
        System.out.printf("  HMAC-DRBG (5 HMACs)  %s%n", describe(drbg, 8, batches));
        System.out.printf("  SHA-384 of 650 B     %s%n", describe(sha, 8, batches));
    }

    /** Warm-up, then {@code batches} batches of {@code per} calls; thread CPU time per call, min and median. */
    static String describe(Runnable op, int per, int batches) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < Math.max(2000, batches * per / 2); i++) op.run(); // warm-up (JIT)
        long[] t = new long[batches];
        for (int b = 0; b < batches; b++) {
            long s = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < per; i++) op.run();
            t[b] = (mx.getCurrentThreadCpuTime() - s) / per;
        }
        Arrays.sort(t);
        return String.format("min %7.1f µs, median %7.1f µs CPU", t[0] / 1e3, t[batches / 2] / 1e3);
    }
}

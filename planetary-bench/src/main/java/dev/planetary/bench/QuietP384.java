package dev.planetary.bench;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Minimum-of-batches timing of P-384 ECDH (decode + agree), key generation and a full XK
 * handshake, for machines shared with other work where JMH's mean and error are dominated by the
 * neighbours: each figure is the fastest of many short batches after a warm-up, i.e. the cost when
 * the core was not taken away. {@code ./build mvn -q package -DskipTests -pl planetary-bench -am}, then
 * {@code java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.QuietP384 [batches]}.
 */
public final class QuietP384 {
    private QuietP384() {}

    public static void main(String[] args) throws Exception {
        int batches = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        RandomSource rs = RandomSource.of(new SecureRandom());
        P384KeyPair mine = P384KeyPair.generate(rs);
        byte[] peer = P384KeyPair.generate(rs).publicKey().encoded();
        Runnable ecdh = () -> mine.agree(P384PublicKey.decode(peer, 0));
        Runnable keygen = () -> P384KeyPair.generate(rs).publicKey();
        Runnable handshake = () -> {
            LoopbackPair p = new LoopbackPair(1432);
            try {
                p.handshake();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            p.close();
        };
        System.out.printf("ECDH (decode + agree): %s%n", describe(ecdh, 8, batches));
        System.out.printf("key generation:        %s%n", describe(keygen, 16, batches));
        System.out.printf("XK handshake:          %s%n", describe(handshake, 1, batches));
    }

    /** Warm-up, then {@code batches} batches of {@code per} calls; min and median per call. */
    private static String describe(Runnable op, int per, int batches) {
        for (int i = 0; i < batches * per / 2; i++) op.run(); // warm-up (JIT)
        long[] t = new long[batches];
        for (int b = 0; b < batches; b++) {
            long s = System.nanoTime();
            for (int i = 0; i < per; i++) op.run();
            t[b] = (System.nanoTime() - s) / per;
        }
        Arrays.sort(t);
        return String.format("min %.3f ms (%.0f/s), median %.3f ms", t[0] / 1e6, 1e9 / t[0], t[batches / 2] / 1e6);
    }
}

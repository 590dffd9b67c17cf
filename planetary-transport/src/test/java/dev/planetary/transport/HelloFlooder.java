package dev.planetary.transport;

import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The attacker of the denial-of-service tests, run as a <b>separate JVM</b> from the test class
 * path: floods a responder with Hellos as fast as one thread can send.
 *
 * <pre>java -cp … dev.planetary.transport.HelloFlooder HOST PORT RESPONDER_PUBHEX POOL MODE MAX_SECONDS [MAX_RATE]</pre>
 *
 * It first precomputes {@code POOL} real Hellos to the responder's key (each with fresh ephemeral
 * P-384 and Kyber keys and a random key id; Hello generation costs the attacker CPU too, so they are
 * made once), prints {@code READY}, then sends until a line {@code stop} (or end of input) arrives on
 * stdin or {@code MAX_SECONDS} pass, and prints one line of figures. The first pass over the pool
 * sends each Hello fresh; every later pass is a <b>replay</b>. It never reads the challenges it gets
 * back, so none of its Hellos ever carries a solved challenge.
 *
 * <p>MODE {@code mixed}: 7 in 10 datagrams are pool Hellos (fresh, then replays), 2 are
 * Hello-shaped garbage (kid 0, type 0, one fragment, random body of the Hello's length), 1 is random
 * bytes. MODE {@code valid}: pool Hellos only.
 */
public final class HelloFlooder {
    private HelloFlooder() {}

    public static void main(String[] args) throws Exception {
        InetSocketAddress target = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        StaticPublicKey responder = StaticPublicKey.fromHex(args[2]);
        int poolSize = Integer.parseInt(args[3]);
        boolean mixed = args[4].equals("mixed");
        long maxNanos = Long.parseLong(args[5]) * 1_000_000_000L;
        double maxRate = args.length > 6 ? Double.parseDouble(args[6]) : 0; // datagrams/s, 0 = as fast as possible

        long t0 = System.nanoTime();
        List<byte[]> pool = hellos(responder, poolSize);
        long genMs = (System.nanoTime() - t0) / 1_000_000;
        SplittableRandom rnd = new SplittableRandom();
        byte[][] garbage = new byte[64][];
        for (int i = 0; i < garbage.length; i++) {
            byte[] g = new byte[pool.get(0).length];
            for (int j = 16; j < g.length; j++) g[j] = (byte) rnd.nextInt();
            g[5] = 1; // fragment 0 of 1, type 0, kid 0: reaches the Hello path
            for (int j = 8; j < 16; j++) g[j] = (byte) rnd.nextInt();
            garbage[i] = g;
        }
        byte[][] noise = new byte[64][];
        for (int i = 0; i < noise.length; i++) {
            byte[] g = new byte[32 + rnd.nextInt(1400)];
            for (int j = 0; j < g.length; j++) g[j] = (byte) rnd.nextInt();
            noise[i] = g;
        }

        Thread stopper = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("stop")) {
                    // wait
                }
            } catch (Exception ignored) {
                // stdin gone: stop
            }
            stop = true;
        }, "stopper");
        stopper.setDaemon(true);
        stopper.start();
        System.out.println("READY pool=" + pool.size() + " genMs=" + genMs + " helloBytes=" + pool.get(0).length);
        System.out.flush();

        long fresh = 0;
        long replays = 0;
        long shaped = 0;
        long random = 0;
        long failures = 0;
        long start = System.nanoTime();
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.connect(target);
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            long i = 0;
            int next = 0;
            while (!stop && System.nanoTime() - start < maxNanos) {
                if (maxRate > 0) {
                    while (!stop && i >= (System.nanoTime() - start) / 1e9 * maxRate) java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
                int kind = mixed ? (int) (i % 10) : 0;
                byte[] d;
                if (kind < 7) {
                    d = pool.get(next);
                    if (fresh < poolSize) fresh++; // the first pass is fresh (next cycles in order)
                    else replays++;
                    next = (next + 1) % pool.size();
                } else if (kind < 9) {
                    d = garbage[(int) (i % garbage.length)];
                    shaped++;
                } else {
                    d = noise[(int) (i % noise.length)];
                    random++;
                }
                buf.clear();
                buf.put(d).flip();
                try {
                    ch.write(buf);
                } catch (java.io.IOException e) { // e.g. ICMP port unreachable after the responder closed
                    failures++;
                    if (failures > 1000) break;
                }
                i++;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long total = fresh + replays + shaped + random;
        System.out.printf(java.util.Locale.ROOT, "STATS sent=%d fresh=%d replays=%d shaped=%d random=%d seconds=%.3f rate=%.0f failures=%d%n",
                total, fresh, replays, shaped, random, secs, total / secs, failures);
        System.out.flush();
    }

    private static volatile boolean stop;

    /** {@code n} real Hellos to {@code responder}, each one datagram (the whole 1765 bytes: MTU 65507). */
    static List<byte[]> hellos(StaticPublicKey responder, int n) throws Exception {
        List<byte[]> out = new ArrayList<>(n);
        Remote capture = new Remote() {
            @Override
            public void send(byte[] datagram, int off, int len) {
                byte[] b = new byte[len];
                System.arraycopy(datagram, off, b, 0, len);
                out.add(b);
            }

            @Override
            public int mtu() {
                return 65_507;
            }
        };
        try (Context<String> ctx = new Context<>(StaticKeyPair.generate(), new NullApp())) {
            while (out.size() < n) ctx.open(responder, "victim", new byte[0], capture);
        }
        return out;
    }

    /** An attacker needs no storage or policy. */
    private static final class NullApp implements Application.WithoutRatchetStorage<String> {
        @Override
        public long time() {
            return System.nanoTime() / 1_000_000;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.reject(true);
        }
    }
}

package dev.planetary.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link KeySetupBench}'s figures as thread CPU time (as {@link EngineCpu} does for the engine), for a
 * machine shared with other builds where JMH's wall time mostly measures the neighbours. Prints, per
 * benchmark method, the median and minimum over {@code rounds} rounds (after ten warm-up rounds) of
 * {@code ops} calls, the methods interleaved within each round.
 * {@code java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.KeySetupCpu [ops] [rounds]}
 */
public final class KeySetupCpu {
    private KeySetupCpu() {}

    private interface Op {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        KeySetupBench b = new KeySetupBench();
        b.size = 1400;
        b.setup();
        Map<String, Op> all = new LinkedHashMap<>();
        all.put("gcmSealFreshKey", b::gcmSealFreshKey);
        all.put("gcmSealSameKey", b::gcmSealSameKey);
        all.put("gcmInitFreshKey", b::gcmInitFreshKey);
        all.put("gcmInitSameKey", b::gcmInitSameKey);
        all.put("ctrInitFreshKey", b::ctrInitFreshKey);
        all.put("ecbEncryptFreshKey", b::ecbEncryptFreshKey);
        all.put("ecbDecryptFreshKey", b::ecbDecryptFreshKey);
        all.put("ecbDecryptHeld", b::ecbDecryptHeld);
        all.put("gcmNewCipher", b::gcmNewCipher);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, long[]> ns = new LinkedHashMap<>();
        for (String name : all.keySet()) ns.put(name, new long[rounds]);
        int sink = 0;
        for (int r = -10; r < rounds; r++) {
            for (Map.Entry<String, Op> e : all.entrySet()) {
                Op op = e.getValue();
                long t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) sink += System.identityHashCode(op.run()) & 1;
                if (r >= 0) ns.get(e.getKey())[r] = (mx.getCurrentThreadCpuTime() - t0) / ops;
            }
        }
        for (Map.Entry<String, long[]> e : ns.entrySet()) {
            long[] v = e.getValue();
            Arrays.sort(v);
            System.out.printf("%-20s CPU median %5d ns, min %5d ns%n", e.getKey(), v[rounds / 2], v[0]);
        }
        if (sink == -1) System.out.println(); // keeps the results alive
    }
}

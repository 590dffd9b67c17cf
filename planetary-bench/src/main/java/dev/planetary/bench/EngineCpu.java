package dev.planetary.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link EngineBench}'s two figures as thread CPU time, for before/after comparisons on a machine
 * shared with other work, where JMH's wall time mostly measures the neighbours: the time the thread
 * was descheduled does not count. Prints the median and minimum over {@code rounds} rounds (after a
 * warm-up) of {@code ops} DATA send + receive calls, and of 10 handshakes.
 * {@code java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.EngineCpu [ops] [rounds]}.
 */
public final class EngineCpu {
    private EngineCpu() {}

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        EngineBench bench = new EngineBench();
        EngineBench.Data data = new EngineBench.Data();
        data.size = 1400;
        data.setup();
        long[] perPacket = new long[rounds];
        long[] perHandshake = new long[rounds];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int r = -10; r < rounds; r++) { // ten warm-up rounds
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < ops; i++) bench.dataSendReceive(data);
            if (r >= 0) perPacket[r] = (mx.getCurrentThreadCpuTime() - t0) / ops;
        }
        data.tearDown();
        for (int r = -2; r < rounds; r++) {
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < 10; i++) bench.handshake();
            if (r >= 0) perHandshake[r] = (mx.getCurrentThreadCpuTime() - t0) / 10;
        }
        Arrays.sort(perPacket);
        Arrays.sort(perHandshake);
        System.out.printf("DATA send + receive (1400 B): CPU median %d ns, min %d ns%n", perPacket[rounds / 2], perPacket[0]);
        System.out.printf("XK handshake:                 CPU median %d us, min %d us%n", perHandshake[rounds / 2] / 1000, perHandshake[0] / 1000);
    }
}

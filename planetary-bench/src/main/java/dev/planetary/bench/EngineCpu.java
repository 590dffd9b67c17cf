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
 * With a third argument, only DATA through the receive path it names (the receive thread's calls:
 * {@code receive}, {@code route+receive} as before issue 12's single decrypt, {@code receiveOrDefer})
 * with payloads of the fourth argument's size (default 1400 bytes).
 */
public final class EngineCpu {
    private EngineCpu() {}

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String path = args.length > 2 ? args[2] : "receive";
        EngineBench bench = new EngineBench();
        EngineBench.Data data = new EngineBench.Data();
        data.size = args.length > 3 ? Integer.parseInt(args[3]) : 1400;
        data.setup();
        Runnable op = switch (path) {
            case "receive" -> () -> bench.dataSendReceive(data);
            case "route+receive" -> () -> bench.dataSendRouteReceive(data);
            case "receiveOrDefer" -> () -> bench.dataSendReceiveOrDefer(data);
            default -> throw new IllegalArgumentException("receive path " + path + ": receive, route+receive or receiveOrDefer");
        };
        long[] perPacket = new long[rounds];
        long[] perHandshake = new long[rounds];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int r = -10; r < rounds; r++) { // ten warm-up rounds
            long t0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < ops; i++) op.run();
            if (r >= 0) perPacket[r] = (mx.getCurrentThreadCpuTime() - t0) / ops;
        }
        data.tearDown();
        if (args.length > 2) {
            Arrays.sort(perPacket);
            System.out.printf("DATA send + %s (%d B): CPU median %d ns, min %d ns%n", path, data.size, perPacket[rounds / 2], perPacket[0]);
            return;
        }
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

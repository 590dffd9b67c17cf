package dev.planetary.bench;

import dev.planetary.zssp.Context;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link EngineBench}'s two figures as thread CPU time, for before/after comparisons on a machine
 * shared with other work, where JMH's wall time mostly measures the neighbours: the time the thread
 * was descheduled does not count. Prints the median and minimum over {@code rounds} rounds (after a
 * warm-up) of {@code ops} DATA send + receive calls, and of 10 handshakes.
 * {@code java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.EngineCpu [ops] [rounds]}.
 * With a third argument, only the receipt of DATA through the receive path it names (a receive
 * thread's engine calls: {@code receive}, {@code route+receive} as before issue 12's single decrypt,
 * {@code receiveOrDefer}; or {@code route} alone, the step the single decrypt saves), with payloads
 * of the fourth argument's size (default 1400 bytes): each round's {@code ops} packets are
 * encrypted ahead of the timed loop, or with {@code send+} before the path (e.g.
 * {@code send+receiveOrDefer}) encrypted and received in turn inside it.
 */
public final class EngineCpu {
    private EngineCpu() {}

    public static void main(String[] args) throws Exception {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        if (args.length > 2) {
            receiveOnly(ops, rounds, args[2], args.length > 3 ? Integer.parseInt(args[3]) : 1400);
            return;
        }
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

    /**
     * CPU per DATA packet received through {@code path}, packets encrypted outside the timed loop;
     * with the prefix {@code send+}, each packet encrypted and received in turn inside it (the
     * datagram hot in the cache, as {@link EngineBench}'s benchmarks run it).
     */
    private static void receiveOnly(int ops, int rounds, String path, int size) throws Exception {
        EngineBench.Data data = new EngineBench.Data();
        data.size = size;
        data.setup();
        Context<String> bob = data.pair.bob;
        boolean withSend = path.startsWith("send+");
        java.util.function.Function<byte[], Object> rx = switch (withSend ? path.substring(5) : path) {
            case "receive" -> d -> EngineBench.receive(bob, d, data.capture);
            case "route+receive" -> d -> EngineBench.routeAndReceive(bob, d, data.capture);
            case "receiveOrDefer" -> d -> EngineBench.receiveOrDefer(bob, d, data.capture);
            case "route" -> d -> bob.route(d, 0, d.length); // the step receiveOrDefer saves (consumes nothing)
            default -> throw new IllegalArgumentException("receive path " + path + ": receive, route+receive, receiveOrDefer or route");
        };
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        byte[][] batch = new byte[withSend ? 0 : ops][];
        long[] perPacket = new long[rounds];
        for (int r = -10; r < rounds; r++) { // ten warm-up rounds
            long t0;
            if (withSend) {
                t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) {
                    data.pair.aliceSession.send(data.payload);
                    rx.apply(data.capture.last());
                }
            } else {
                for (int i = 0; i < ops; i++) {
                    data.pair.aliceSession.send(data.payload);
                    batch[i] = data.capture.last().clone();
                }
                t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < ops; i++) rx.apply(batch[i]);
            }
            if (r >= 0) perPacket[r] = (mx.getCurrentThreadCpuTime() - t0) / ops;
        }
        data.tearDown();
        Arrays.sort(perPacket);
        System.out.printf("DATA %s (%d B): CPU median %d ns, min %d ns%n", path, size, perPacket[rounds / 2], perPacket[0]);
    }
}

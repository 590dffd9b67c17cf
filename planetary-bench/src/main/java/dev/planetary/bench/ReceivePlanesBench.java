package dev.planetary.bench;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.store.HookedRatchetStore;
import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The receive planes of issue 12 §2, over real UDP on loopback (BENCHMARKS.md, "Receive planes").
 *
 * <pre>
 * java -cp planetary-bench.jar dev.planetary.bench.ReceivePlanesBench throughput [SECONDS] [ROUNDS] [CLIENTS] [PAYLOAD]
 * java -cp OLD_OR_NEW_CLASSPATH dev.planetary.bench.ReceivePlanesBench latency [SECONDS] [HELLOS_PER_S] [STORE_MS] [HANDSHAKES_PER_S] [NICE]
 * java -cp planetary-bench.jar dev.planetary.bench.ReceivePlanesBench drain [ROUNDS] [CLIENTS] [PAYLOAD] [DATAGRAMS]
 * </pre>
 *
 * <b>throughput</b>: a server Endpoint with 1 and with 2 receive threads (rounds interleaved) takes
 * pre-encrypted DATA datagrams (so that the senders spend no AES-GCM, only the send syscall) from
 * CLIENTS raw ZSSP clients, each on its own UDP port, blasted by one sender thread; reports
 * payloads delivered per second and their median over the rounds, and the receive threads' CPU
 * time per delivered payload (which a machine shared with other work disturbs far less).
 *
 * <b>drain</b>: the receive planes' capacity with the sender's work done beforehand (on 2 cores a
 * concurrent sender takes one of them, so <b>throughput</b> measures the sender). Per round, a
 * server Endpoint with 1 or 2 receive threads (rounds interleaved, the order alternating) and a
 * payload handler that blocks at its first payload once armed, so every receive thread stops
 * reading; DATAGRAMS pre-encrypted DATA datagrams from CLIENTS raw clients (one source port each,
 * so {@code SO_REUSEPORT} spreads them) then wait in the kernel's socket queues, and the bench opens
 * the gate and times the drain (after one warm-up round of each, not counted): gate to last delivered payload, payloads/s, the receive threads'
 * CPU per payload, the per-socket split ({@code /proc/net/udp}) and what the full queues dropped.
 * The socket buffers asked for hold the whole backlog, but the kernel caps them at
 * {@code net.core.rmem_max}: run it through {@code scripts/receive-drain} (root), which raises that
 * limit for the run and restores it.
 *
 * <p><b>latency</b>: an established session pings the server (which echoes) every 5 ms, first quietly,
 * then while a flooder sends HELLOS_PER_S valid, precomputed Hellos and new initiators complete
 * HANDSHAKES_PER_S handshakes against a ratchet store whose writes take STORE_MS; reports the RTT
 * p50/p99 of both phases. Uses only the Endpoint API that existed before the planes, so the same
 * class runs against the old transport jar (before/after in one run: BENCHMARKS.md gives the script).
 * NICE, if given, sets every endpoint's {@code Endpoint.Builder.handshakeNice} (0 = off; run with
 * {@code --enable-native-access=ALL-UNNAMED}); without it the endpoints keep their default. The
 * run prints the nice values its handshake and receive threads ended with (Linux {@code /proc}).
 */
public final class ReceivePlanesBench {
    private ReceivePlanesBench() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "throughput";
        if (mode.equals("throughput")) {
            throughput(arg(args, 1, 3), arg(args, 2, 5), arg(args, 3, 4), arg(args, 4, 1024));
        } else if (mode.equals("latency")) {
            latency(arg(args, 1, 10), arg(args, 2, 500), arg(args, 3, 20), arg(args, 4, 5), arg(args, 5, -1));
        } else if (mode.equals("drain")) {
            drain(arg(args, 1, 7), arg(args, 2, 64), arg(args, 3, 1024), arg(args, 4, 250_000));
        } else {
            throw new IllegalArgumentException("mode must be throughput, latency or drain, got " + mode);
        }
    }

    /**
     * CPU time of the endpoint's receive threads so far (the time they were descheduled does not
     * count, so the figure survives a machine shared with other work).
     */
    private static long receiveThreadCpu() {
        return receiveThreadTime(false);
    }

    /** CPU (or, with {@code userOnly}, user-mode CPU) time of the endpoint's receive threads so far. */
    private static long receiveThreadTime(boolean userOnly) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("planetary-receive")) sum += Math.max(0, userOnly ? mx.getThreadUserTime(t.threadId()) : mx.getThreadCpuTime(t.threadId()));
        }
        return sum;
    }

    private static int arg(String[] args, int i, int dflt) {
        return args.length > i ? Integer.parseInt(args[i]) : dflt;
    }

    // ---------------------------------------------------------------- throughput

    private static void throughput(int seconds, int rounds, int clients, int payload) throws Exception {
        StaticKeyPair serverKey = StaticKeyPair.generate();
        int[] configs = {1, 2};
        double[][] pps = new double[configs.length][rounds];
        double[][] cpu = new double[configs.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < configs.length; c++) {
                double[] round = throughputRound(serverKey, configs[c], seconds, clients, payload);
                pps[c][r] = round[0];
                cpu[c][r] = round[1];
                System.out.printf(Locale.ROOT, "round %d, %d receive thread(s): %,.0f payloads/s (%.1f MB/s)%n", r, configs[c], pps[c][r], pps[c][r] * payload / 1e6);
            }
        }
        double one = median(pps[0]);
        double two = median(pps[1]);
        System.out.printf(Locale.ROOT, "median: 1 thread %,.0f payloads/s (%.1f MB/s), 2 threads %,.0f payloads/s (%.1f MB/s): %.2fx%n",
                one, one * payload / 1e6, two, two * payload / 1e6, two / one);
        System.out.printf(Locale.ROOT, "median receive-thread CPU per delivered payload: 1 thread %,.0f ns, 2 threads %,.0f ns%n", median(cpu[0]), median(cpu[1]));
        System.out.printf(Locale.ROOT, "{\"payload\":%d,\"clients\":%d,\"seconds\":%d,\"rounds\":%d,\"ppsOneThread\":%.0f,\"ppsTwoThreads\":%.0f,\"ratio\":%.3f}%n",
                payload, clients, seconds, rounds, one, two, two / one);
    }

    /** Payloads delivered per second during the sending, and the receive threads' CPU ns per delivered payload. */
    private static double[] throughputRound(StaticKeyPair serverKey, int threads, int seconds, int clients, int payload) throws Exception {
        LongAdder delivered = new LongAdder();
        try (Endpoint server = serverBuilder(serverKey, threads).payloadHandler((s, p) -> delivered.increment()).build()) {
            // Enough datagrams to keep a fast receiver busy for the whole round (~400k/s in all).
            int perClient = (int) Math.min(3_000_000L / clients, 400_000L * seconds / clients);
            List<RawClient> cs = new ArrayList<>();
            for (int i = 0; i < clients; i++) cs.add(new RawClient(server.publicKey(), server.localAddress(), payload, perClient, i));
            try {
                long before = delivered.sum();
                long cpu0 = receiveThreadCpu();
                long t0 = System.nanoTime();
                long deadline = t0 + TimeUnit.SECONDS.toNanos(seconds);
                // one sender thread, round-robin over the clients, until the deadline or the packets run out
                int[] next = new int[clients];
                long sent = 0;
                boolean any = true;
                while (any && System.nanoTime() < deadline) {
                    any = false;
                    for (int i = 0; i < clients; i++) {
                        RawClient c = cs.get(i);
                        if (next[i] < c.packets.size()) {
                            c.channel.send(ByteBuffer.wrap(c.packets.get(next[i]++)), server.localAddress());
                            sent++;
                            any = true;
                        }
                    }
                }
                long t1 = System.nanoTime();
                long n = delivered.sum() - before;
                double cpuPerPayload = (double) (receiveThreadCpu() - cpu0) / Math.max(1, n);
                System.out.printf(Locale.ROOT, "  sent %,d datagrams in %.2f s (%,.0f/s), %,d delivered during the sending (%.1f%%); receive threads: %d, their CPU %,.0f ns per payload%n",
                        sent, (t1 - t0) / 1e9, sent / ((t1 - t0) / 1e9), n, 100.0 * n / Math.max(1, sent), server.receiveThreads(), cpuPerPayload);
                return new double[] {n / ((t1 - t0) / 1e9), cpuPerPayload};
            } finally {
                for (RawClient c : cs) c.close();
            }
        }
    }

    /** The server of a throughput or drain round: loopback, a memory store, {@code threads} receive threads. */
    private static Endpoint.Builder serverBuilder(StaticKeyPair serverKey, int threads) {
        return Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(serverKey).store(new MemoryRatchetStore()).receiveThreads(threads);
    }

    /** A ZSSP initiator on its own UDP socket, run by hand: handshake, then DATA encrypted ahead of time. */
    private static final class RawClient implements AutoCloseable {
        final DatagramChannel channel;
        final Context<String> ctx;
        final List<byte[]> packets;
        private final Thread reader;
        private volatile boolean open = true;

        /** DATA to {@code server}: {@code count} payloads of {@code payload} bytes, the first four holding {@code id}. */
        RawClient(StaticPublicKey server, InetSocketAddress to, int payload, int count, int id) throws Exception {
            channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);
            ctx = new Context<>(StaticKeyPair.generate(), new ClientApp());
            Remote udp = new Remote() {
                @Override
                public void send(byte[] d, int off, int len) {
                    try {
                        channel.send(ByteBuffer.wrap(d, off, len), to);
                    } catch (IOException ignored) {
                        // UDP
                    }
                }
            };
            reader = Thread.ofPlatform().daemon().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(65_536);
                while (open) {
                    try {
                        buf.clear();
                        channel.receive(buf);
                        ctx.receive(buf.array(), 0, buf.position(), udp);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Session<String> s = ctx.open(server, "server", new byte[0], udp);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!s.isEstablished()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("raw client handshake timed out");
                ctx.service();
                Thread.sleep(5);
            }
            Thread.sleep(50); // the key confirmation settles
            Collect capture = new Collect(count, 1432);
            EngineAccess.setRemote(s, capture);
            byte[] p = new byte[payload];
            if (payload >= 4) ByteBuffer.wrap(p).putInt(0, id);
            for (int i = 0; i < count; i++) s.send(p);
            EngineAccess.setRemote(s, udp);
            packets = capture.datagrams;
        }

        @Override
        public void close() throws IOException {
            open = false;
            channel.close();
            ctx.close();
        }
    }

    /** A remote that keeps a copy of every datagram sent to it. */
    private static final class Collect implements Remote {
        final List<byte[]> datagrams;
        private final int mtu;

        Collect(int expected, int mtu) {
            this.datagrams = new ArrayList<>(expected);
            this.mtu = mtu;
        }

        @Override
        public void send(byte[] d, int off, int len) {
            datagrams.add(Arrays.copyOfRange(d, off, off + len));
        }

        @Override
        public int mtu() {
            return mtu;
        }
    }

    private static final class ClientApp implements Application.WithoutRatchetStorage<String> {
        private final long base = System.nanoTime();

        @Override
        public long time() {
            return (System.nanoTime() - base) / 1_000_000 + 1;
        }

        @Override
        public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
            return AcceptDecision.reject(true);
        }
    }

    // ---------------------------------------------------------------- drain

    /** Kernel bytes asked for per queued datagram (a loopback datagram of ~1.1-1.5 KiB takes 2-3 KiB of SO_RCVBUF). */
    private static final int DRAIN_BYTES_PER_DATAGRAM = 4096;

    private static void drain(int rounds, int clients, int payload, int datagrams) throws Exception {
        if (clients < 1 || datagrams < clients) throw new IllegalArgumentException("need at least one datagram per client");
        StaticKeyPair serverKey = StaticKeyPair.generate();
        int buffer = (int) Math.min(Integer.MAX_VALUE / 2, (long) datagrams * DRAIN_BYTES_PER_DATAGRAM);
        System.out.printf(Locale.ROOT, "net.core.rmem_max %s, SO_RCVBUF asked for %,d bytes per socket%n", sysctl("net/core/rmem_max"), buffer);
        int[] configs = {1, 2};
        for (int threads : configs) {
            System.out.printf(Locale.ROOT, "warm-up (not counted), %d receive thread(s):%n", threads);
            drainRound(serverKey, threads, clients, payload, datagrams / clients, buffer);
        }
        double[][] pps = new double[configs.length][rounds];
        double[][] cpu = new double[configs.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < configs.length; k++) {
                int c = r % 2 == 0 ? k : configs.length - 1 - k; // ABBA: neither configuration always runs first
                double[] round = drainRound(serverKey, configs[c], clients, payload, datagrams / clients, buffer);
                pps[c][r] = round[0];
                cpu[c][r] = round[1];
                System.out.printf(Locale.ROOT, "round %d, %d receive thread(s): %,.0f payloads/s (%.1f MB/s), %,.0f ns receive CPU per payload, other processes' CPU %,.0f ms%n",
                        r, configs[c], pps[c][r], pps[c][r] * payload / 1e6, cpu[c][r], round[2]);
            }
        }
        double one = median(pps[0]);
        double two = median(pps[1]);
        System.out.printf(Locale.ROOT, "drain median: 1 thread %,.0f payloads/s (%.1f MB/s), 2 threads %,.0f payloads/s (%.1f MB/s): %.2fx%n",
                one, one * payload / 1e6, two, two * payload / 1e6, two / one);
        System.out.printf(Locale.ROOT, "median receive-thread CPU per delivered payload: 1 thread %,.0f ns, 2 threads %,.0f ns%n", median(cpu[0]), median(cpu[1]));
        System.out.printf(Locale.ROOT, "{\"mode\":\"drain\",\"payload\":%d,\"clients\":%d,\"datagrams\":%d,\"rounds\":%d,\"ppsOneThread\":%.0f,\"ppsTwoThreads\":%.0f,\"ratio\":%.3f,\"cpuNsOneThread\":%.0f,\"cpuNsTwoThreads\":%.0f}%n",
                payload, clients, datagrams, rounds, one, two, two / one, median(cpu[0]), median(cpu[1]));
    }

    /**
     * Per receive thread: payloads delivered after the gate, the first and the last one's time.
     * Each thread writes only its own slot; the bench reads them after the endpoint has joined its threads.
     */
    private static final class DrainGate {
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        final LongAdder delivered = new LongAdder();
        final Map<String, long[]> slots = new java.util.concurrent.ConcurrentHashMap<>();
        private final ThreadLocal<long[]> slot = ThreadLocal.withInitial(() -> slots.computeIfAbsent(Thread.currentThread().getName(), n -> new long[3]));
        /** Before arming: client index (the payload's first four bytes) to the receive thread that got its probe. */
        final Map<Integer, String> probes = new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean armed;

        void onPayload(byte[] p) {
            if (!armed) {
                probes.put(ByteBuffer.wrap(p).getInt(0), Thread.currentThread().getName());
                return;
            }
            if (armed && gate.getCount() > 0) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            long now = System.nanoTime();
            long[] s = slot.get();
            if (s[0]++ == 0) s[1] = now;
            s[2] = now;
            delivered.increment();
        }
    }

    /** Payloads/s from the gate's opening to the last payload, and the receive threads' CPU ns per payload. */
    private static double[] drainRound(StaticKeyPair serverKey, int threads, int clients, int payload, int perClient, int buffer) throws Exception {
        DrainGate g = new DrainGate();
        long t0;
        long cpu;
        long sent = 0;
        long others;
        int used;
        List<long[]> before;
        int port;
        try (Endpoint server = serverBuilder(serverKey, threads).receiveBufferBytes(buffer).payloadHandler((s, p) -> g.onPayload(p)).build()) {
            port = server.localAddress().getPort();
            List<RawClient> cs = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) cs.add(new RawClient(server.publicKey(), server.localAddress(), payload, perClient, i));
                List<RawClient> chosen = balanced(g, cs, server.localAddress(), threads);
                used = chosen.size();
                g.armed = true; // the handshakes are done: from here the first payload on each thread blocks it
                for (int j = 1; j < perClient; j++) { // packet 0 was the probe
                    for (RawClient c : chosen) {
                        c.channel.send(ByteBuffer.wrap(c.packets.get(j)), server.localAddress());
                        sent++;
                    }
                }
                before = udpSockets(port);
                for (int i = 0; i < 100; i++) { // the queues hold still: loopback has delivered everything
                    Thread.sleep(20);
                    List<long[]> now = udpSockets(port);
                    if (queued(now) == queued(before)) break;
                    before = now;
                }
                long cpu0 = receiveThreadCpu();
                long user0 = receiveThreadTime(true);
                long proc0 = processCpu();
                long gc0 = gcMillis();
                long[] stat0 = cpuTicks();
                t0 = System.nanoTime();
                g.gate.countDown();
                long seen = -1;
                long[] stat1 = stat0;
                long proc1 = proc0;
                while (g.delivered.sum() != seen) { // until nothing more arrives for 200 ms
                    seen = g.delivered.sum();
                    stat1 = cpuTicks(); // the machine's CPU until the last poll that still saw payloads arrive
                    proc1 = processCpu();
                    Thread.sleep(200);
                }
                long busy = (stat1[0] - stat0[0]) + (stat1[1] - stat0[1]) + (stat1[2] - stat0[2]);
                others = Math.max(0, busy * 10 - (proc1 - proc0) / 1_000_000);
                System.out.printf(Locale.ROOT, "  machine CPU during the drain (/proc/stat, 10 ms ticks, both cores): user %d, system %d, softirq %d, idle %d, steal %d;"
                                + " this process %,d ms, other processes about %,d ms%n",
                        stat1[0] - stat0[0], stat1[1] - stat0[1], stat1[2] - stat0[2], stat1[3] - stat0[3], stat1[4] - stat0[4], (proc1 - proc0) / 1_000_000, others);
                cpu = receiveThreadCpu() - cpu0;
                long user = receiveThreadTime(true) - user0;
                System.out.printf(Locale.ROOT, "  during the drain and 200 ms after: process CPU %,.0f ms, receive threads %,.0f ms (user %,.0f, kernel %,.0f), GC %,d ms%n",
                        (processCpu() - proc0) / 1e6, cpu / 1e6, user / 1e6, (cpu - user) / 1e6, gcMillis() - gc0);
                System.out.printf(Locale.ROOT, "  %d receive thread(s) (SO_RCVBUF granted %,d), %d clients: sent %,d datagrams of %d-byte payloads%n",
                        server.receiveThreads(), server.receiveBufferBytes(), used, sent, payload);
            } finally {
                for (RawClient c : cs) c.close();
            }
        } // joins the receive threads: their slots are visible from here
        long first = Long.MAX_VALUE;
        long last = 0;
        long n = 0;
        StringBuilder perThread = new StringBuilder();
        for (Map.Entry<String, long[]> e : new TreeMap<>(g.slots).entrySet()) {
            long[] s = e.getValue();
            if (s[0] == 0) continue;
            n += s[0];
            first = Math.min(first, s[1]);
            last = Math.max(last, s[2]);
            perThread.append(String.format(Locale.ROOT, " %s %,d in %.1f ms;", e.getKey(), s[0], (s[2] - t0) / 1e6));
        }
        StringBuilder perSocket = new StringBuilder();
        long drops = 0;
        for (long[] s : before) {
            perSocket.append(String.format(Locale.ROOT, " inode %d: %,d bytes queued, %,d dropped;", s[0], s[1], s[2]));
            drops += s[2];
        }
        double seconds = (last - t0) / 1e9;
        System.out.printf(Locale.ROOT, "  queued before the gate (/proc/net/udp):%s%n  delivered after the gate:%s%n", perSocket, perThread);
        System.out.printf(Locale.ROOT, "  delivered %,d of %,d (%.1f%%; kernel drops %,d, %d held at the gate) in %.1f ms from the gate"
                        + " (first-to-last %.1f ms): %,.0f payloads/s, receive CPU %,.0f ns per payload%n",
                n, sent, 100.0 * n / Math.max(1, sent), drops, threads, seconds * 1e3, (last - first) / 1e6, n / seconds, (double) cpu / Math.max(1, n));
        return new double[] {n / seconds, (double) cpu / Math.max(1, n), others};
    }

    /** The machine's CPU ticks so far (/proc/stat "cpu"): user+nice, system, softirq+irq, idle+iowait, steal. */
    private static long[] cpuTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
        long[] v = new long[9];
        for (int i = 0; i < v.length && i + 1 < f.length; i++) v[i] = Long.parseLong(f[i + 1]);
        return new long[] {v[0] + v[1], v[2], v[5] + v[6], v[3] + v[4], v[7]};
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) sum += Math.max(0, gc.getCollectionTime());
        return sum;
    }

    /**
     * The clients to use, as many on each receive thread: each sends its first datagram as a probe
     * (the kernel's SO_REUSEPORT hash keeps a source port on one socket), and of the threads'
     * groups each keeps as many clients as the smallest has, so no thread drains longer than another.
     */
    private static List<RawClient> balanced(DrainGate g, List<RawClient> cs, InetSocketAddress to, int threads) throws Exception {
        for (RawClient c : cs) c.channel.send(ByteBuffer.wrap(c.packets.getFirst()), to);
        for (int i = 0; i < 200 && g.probes.size() < cs.size(); i++) Thread.sleep(10);
        Map<String, List<RawClient>> byThread = new TreeMap<>();
        for (int i = 0; i < cs.size(); i++) {
            String t = g.probes.get(i);
            if (t != null) byThread.computeIfAbsent(t, k -> new ArrayList<>()).add(cs.get(i));
        }
        int each = byThread.size() < threads ? 0 : byThread.values().stream().mapToInt(List::size).min().orElse(0);
        if (each == 0) throw new IllegalStateException("probes reached only " + byThread.keySet() + " of " + threads + " receive threads");
        List<RawClient> used = new ArrayList<>();
        StringBuilder split = new StringBuilder();
        for (Map.Entry<String, List<RawClient>> e : byThread.entrySet()) {
            used.addAll(e.getValue().subList(0, each));
            split.append(' ').append(e.getKey()).append(' ').append(e.getValue().size());
        }
        System.out.printf(Locale.ROOT, "  clients by receive thread (probes):%s; using %d on each%n", split, each);
        return used;
    }

    /** The server's sockets on {@code port} in /proc/net/udp (IPv4): {inode, rx_queue bytes, drops} each, by inode. */
    private static List<long[]> udpSockets(int port) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        List<long[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 13 || !f[1].endsWith(local)) continue;
            long rx = Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
            out.add(new long[] {Long.parseLong(f[9]), rx, Long.parseLong(f[12])});
        }
        out.sort((a, b) -> Long.compare(a[0], b[0]));
        return out;
    }

    private static long queued(List<long[]> sockets) {
        long sum = 0;
        for (long[] s : sockets) sum += s[1];
        return sum;
    }

    private static String sysctl(String name) {
        try {
            return Files.readAllLines(Path.of("/proc/sys", name)).getFirst().trim(); // readString stops short on /proc
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    // ---------------------------------------------------------------- latency

    private static void latency(int seconds, int hellosPerSecond, int storeMs, int handshakesPerSecond, int nice) throws Exception {
        LongAdder storeWrites = new LongAdder();
        RatchetStore store = new HookedRatchetStore(new MemoryRatchetStore(), () -> { // each durable write takes storeMs
            storeWrites.increment();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(storeMs));
        });
        latencyNice = nice;
        try (Endpoint server = nice(Endpoint.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate()).store(store)
                .payloadHandler((s, p) -> s.send(p)).build();
             Endpoint client = nice(Endpoint.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).build()) {
            PeerSession ping = client.connect(server.publicKey(), server.localAddress()).get(30, TimeUnit.SECONDS);
            List<byte[]> hellos = hellos(server.publicKey(), 200);
            double[] quiet = pings(ping, seconds);
            long quietLost = lost;
            lost = 0;
            long writes0 = storeWrites.sum();
            long answered0 = server.hellosAnswered();
            Flood flood = new Flood(server, hellos, hellosPerSecond, handshakesPerSecond);
            double[] loaded;
            try {
                loaded = pings(ping, seconds);
            } finally {
                flood.stop();
            }
            long writes = storeWrites.sum() - writes0;
            long answered = server.hellosAnswered() - answered0;
            System.out.printf(Locale.ROOT, "quiet:  RTT p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d pings, %d lost)%n",
                    pct(quiet, 50), pct(quiet, 99), pct(quiet, 100), quiet.length, quietLost);
            System.out.printf(Locale.ROOT, "loaded: RTT p50 %.3f ms, p99 %.3f ms, max %.3f ms (%d pings, " + lost + " lost) during %d Hellos sent (%d answered), %d handshakes, %d store writes of %d ms%n",
                    pct(loaded, 50), pct(loaded, 99), pct(loaded, 100), loaded.length, flood.sent, answered, flood.handshakes, writes, storeMs);
            System.out.println("thread nice values: " + threadNices());
            System.out.printf(Locale.ROOT, "{\"nice\":%d,\"quietP50\":%.3f,\"quietP99\":%.3f,\"loadedP50\":%.3f,\"loadedP99\":%.3f,\"p99RiseMs\":%.3f,\"hellosSent\":%d,\"hellosAnswered\":%d,\"hellosAnsweredPerS\":%.0f,\"handshakes\":%d,\"storeWrites\":%d,\"handshakeQueueOverflows\":%s}%n",
                    nice, pct(quiet, 50), pct(quiet, 99), pct(loaded, 50), pct(loaded, 99), pct(loaded, 99) - pct(quiet, 99), flood.sent, answered,
                    answered / (double) seconds, flood.handshakes, writes, overflows(server));
        }
    }

    /** The latency run's NICE argument: below 0, the endpoints keep their default. */
    private static int latencyNice = -1;

    /** Applies the NICE argument (only then: the old transport has no {@code handshakeNice}). */
    private static Endpoint.Builder nice(Endpoint.Builder b) {
        return latencyNice < 0 ? b : b.handshakeNice(latencyNice);
    }

    /** "name=nice" counts of this process's threads, by thread name prefix (Linux /proc; empty elsewhere). */
    private static String threadNices() {
        Map<String, Integer> counts = new TreeMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[-#]?\\d+$", "");
                    String nice = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19 - 3];
                    counts.merge(name + "=" + nice, 1, Integer::sum);
                } catch (IOException e) {
                    // a thread that just ended
                }
            }
        } catch (IOException e) {
            return "(no /proc)";
        }
        return counts.toString();
    }

    /** The handshake-queue drop counter, or "null" on a transport that has none (the old jar). */
    private static String overflows(Endpoint server) {
        try {
            return Long.toString(server.counters().get(Counters.Counter.valueOf("HANDSHAKE_QUEUE_OVERFLOWS")));
        } catch (IllegalArgumentException e) {
            return "null";
        }
    }

    /** Pings without an echo within 1 s, in the current phase. */
    private static long lost;

    /** Pings every 5 ms for {@code seconds}; RTTs in ms. */
    private static double[] pings(PeerSession s, int seconds) throws InterruptedException {
        List<Double> rtts = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ByteBuffer b = ByteBuffer.allocate(64);
        long seq = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            b.putLong(0, ++seq);
            s.send(b.array());
            byte[] back;
            do {
                back = s.receive(Duration.ofSeconds(1));
            } while (back != null && ByteBuffer.wrap(back).getLong(0) != seq); // a late echo of a lost ping
            if (back == null) {
                lost++;
                continue;
            }
            rtts.add((System.nanoTime() - t0) / 1e6);
            LockSupport.parkNanos(5_000_000);
        }
        double[] out = new double[rtts.size()];
        for (int i = 0; i < out.length; i++) out[i] = rtts.get(i);
        Arrays.sort(out);
        return out;
    }

    /** Valid Hellos flooded at a fixed rate (replays of a precomputed pool) plus full handshakes by fresh initiators. */
    private static final class Flood {
        volatile boolean stop;
        volatile long sent;
        volatile long handshakes;
        final Thread hellos;
        final Thread initiators;

        Flood(Endpoint server, List<byte[]> pool, int rate, int handshakesPerSecond) {
            InetSocketAddress to = server.localAddress();
            hellos = Thread.ofPlatform().daemon().start(() -> {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    long t0 = System.nanoTime();
                    long n = 0;
                    while (!stop) {
                        while (!stop && n >= (System.nanoTime() - t0) / 1e9 * rate) LockSupport.parkNanos(200_000);
                        ch.send(ByteBuffer.wrap(pool.get((int) (n % pool.size()))), to);
                        sent = ++n;
                    }
                } catch (IOException ignored) {
                    // done
                }
            });
            initiators = Thread.ofPlatform().daemon().start(() -> {
                if (handshakesPerSecond <= 0) return;
                try (Endpoint ep = nice(Endpoint.builder()).bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(new MemoryRatchetStore()).build()) {
                    long t0 = System.nanoTime();
                    long n = 0;
                    while (!stop) {
                        while (!stop && n >= (System.nanoTime() - t0) / 1e9 * handshakesPerSecond) LockSupport.parkNanos(1_000_000);
                        if (stop) break;
                        n++;
                        try {
                            ep.connect(server.publicKey(), to).get(5, TimeUnit.SECONDS).close();
                            handshakes++;
                        } catch (Exception e) {
                            // a dropped Hello under the flood: the next one tries again
                        }
                    }
                } catch (IOException ignored) {
                    // done
                }
            });
        }

        void stop() throws InterruptedException {
            stop = true;
            hellos.join();
            initiators.join();
        }
    }

    /** {@code n} valid Hellos to {@code responder} (one datagram each), made once: the flooder only sends. */
    private static List<byte[]> hellos(StaticPublicKey responder, int n) throws IOException {
        Collect capture = new Collect(n, 65_507);
        try (Context<String> ctx = new Context<>(StaticKeyPair.generate(), new ClientApp())) {
            while (capture.datagrams.size() < n) ctx.open(responder, "victim", new byte[0], capture);
        }
        return capture.datagrams;
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.clamp(i, 0, sorted.length - 1)];
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

}

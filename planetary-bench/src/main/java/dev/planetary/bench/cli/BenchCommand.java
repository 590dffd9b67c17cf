package dev.planetary.bench.cli;

import dev.planetary.cli.CliError;
import dev.planetary.cli.Durations;
import dev.planetary.cli.Net;
import dev.planetary.cli.Output;
import dev.planetary.cli.PluginCommand;
import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PayloadHandler;
import dev.planetary.transport.PeerSession;
import dev.planetary.transport.SecurityPolicy;
import dev.planetary.transport.StoreApplication;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Limits;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.SessionStateException;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code planetary bench}: payload throughput over real UDP on loopback, in one process, for plain
 * UDP, ZSSP through the {@link Endpoint}, ZSSP through a bare socket loop around the engine, and
 * DTLS 1.2 (JDK {@link SSLEngine}); all with one sender thread and one receiver thread, the same
 * payload size, the same non-blocking {@link DatagramChannel} code and the same flow control.
 *
 * <p>Flow control: every payload starts with its 8-byte sequence number; the sender keeps at most
 * {@code --window} payloads in flight (sent, not yet seen by the receiver), so it cannot overrun
 * the receiver's socket buffer indefinitely. Throughput counts payloads the receiver got, over the
 * measured interval; everything sent and never received is reported as loss.
 */
@Command(name = PluginCommand.BENCH, mixinStandardHelpOptions = true,
        description = {"Measures payload throughput over UDP on 127.0.0.1 in this process: plain UDP, ZSSP (through the",
                "Endpoint and through a bare socket loop around the engine) and DTLS 1.2 (JDK SSLEngine, ECDHE-ECDSA",
                "P-384, AES-256-GCM), each with one sender and one receiver thread and the same socket code; prints a",
                "table (or one JSON object with --json) with MB/s, payloads/s, loss and the ratios ZSSP/UDP, ZSSP/DTLS."})
public final class BenchCommand implements Callable<Integer>, PluginCommand {
    static final List<String> PATHS = List.of("udp", "zssp", "zssp-queue", "zssp-raw", "dtls");
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final Duration SETUP = Duration.ofSeconds(15);

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "1400",
            description = "Payload size (default: ${DEFAULT-VALUE}: one ZSSP fragment at MTU 1432). At least 8.")
    int size;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "5s",
            description = "Measured time per path (default: ${DEFAULT-VALUE}), e.g. 1s, 10s.")
    String duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "1s",
            description = "Unmeasured traffic before each measurement, for the JIT (default: ${DEFAULT-VALUE}; 0ms for none).")
    String warmup;

    @Option(names = "--mtu", paramLabel = "N", defaultValue = "" + Limits.DEFAULT_MTU,
            description = "ZSSP's largest datagram, 128..65507 (default: ${DEFAULT-VALUE}); UDP and DTLS send each payload as one datagram.")
    int mtu;

    @Option(names = "--window", paramLabel = "N",
            description = "Payloads in flight at most (default: about 512 KiB worth, at most 256).")
    Integer window;

    @Option(names = "--only", paramLabel = "PATH", split = ",",
            description = "Run only these paths: udp, zssp, zssp-queue, zssp-raw, dtls (comma-separated; default all).")
    List<String> only;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Run every path N times, interleaved, and report each path's median round (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--json", description = "Print one JSON object with every figure (see docs/cli.md).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (size < 8) throw new CliError(CliError.USAGE, "--size must be at least 8 (the sequence number), got " + size);
        if (mtu < Endpoint.MIN_MTU || mtu > Endpoint.MAX_MTU) {
            throw new CliError(CliError.USAGE, "--mtu must be between " + Endpoint.MIN_MTU + " and " + Endpoint.MAX_MTU + ", got " + mtu);
        }
        if (size > Limits.maxPayload(mtu)) {
            throw new CliError(CliError.USAGE, "--size " + size + " needs more than " + Limits.MAX_FRAGMENTS + " ZSSP fragments at MTU " + mtu + "; the largest is "
                    + Limits.maxPayload(mtu) + " (raise --mtu)");
        }
        long durationMs = Durations.parseMillis("--duration", duration, 100);
        long warmupMs = warmup.strip().matches("0+") ? 0 : Durations.parseMillis("--warmup", warmup, 0);
        int win = window != null ? window : (int) Math.max(8, Math.min(256, (512 * 1024) / (size + 64)));
        if (rounds < 1) throw new CliError(CliError.USAGE, "--rounds must be at least 1, got " + rounds);
        if (win < 1) throw new CliError(CliError.USAGE, "--window must be at least 1, got " + win);
        Set<String> paths = new LinkedHashSet<>();
        if (only == null || only.isEmpty()) {
            paths.addAll(PATHS);
        } else {
            for (String p : only) {
                String n = p.strip().toLowerCase(Locale.ROOT);
                if (!PATHS.contains(n)) throw new CliError(CliError.USAGE, "--only: unknown path '" + p + "' (expected " + String.join(", ", PATHS) + ")");
                paths.add(n);
            }
        }
        Settings cfg = new Settings(size, mtu, win, warmupMs, durationMs);
        if (!json) {
            System.out.printf(Locale.ROOT, "planetary bench: %d-byte payloads over UDP on 127.0.0.1, %s measured per path after %s warm-up, window %d%n",
                    size, seconds(durationMs), seconds(warmupMs), win);
            System.out.printf(Locale.ROOT, "  JDK %s, %s, %d cores%n%n", jdk(), cpuModel(), Runtime.getRuntime().availableProcessors());
            System.out.println(Result.HEADER);
            System.out.flush();
        }

        Map<String, List<Result>> all = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            if (!json && rounds > 1) System.out.printf(Locale.ROOT, "  round %d of %d%n", round, rounds);
            for (String p : PATHS) {
                if (!paths.contains(p)) continue;
                Result r;
                try {
                    r = switch (p) {
                        case "udp" -> runUdp(cfg);
                        case "zssp" -> runEndpoint(cfg, true);
                        case "zssp-queue" -> runEndpoint(cfg, false);
                        case "zssp-raw" -> runZsspRaw(cfg);
                        default -> runDtls(cfg);
                    };
                } catch (SkipException e) {
                    notes.add(p + " skipped: " + e.getMessage());
                    if (!json) System.err.println("planetary: warning: " + p + " skipped: " + e.getMessage());
                    paths.remove(p);
                    continue;
                }
                all.computeIfAbsent(p, k -> new ArrayList<>()).add(r);
                if (!json) {
                    System.out.println(r.row());
                    System.out.flush();
                }
            }
        }
        Map<String, Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, List<Result>> e : all.entrySet()) {
            List<Result> sorted = new ArrayList<>(e.getValue());
            sorted.sort(java.util.Comparator.comparingDouble(Result::mbPerSec));
            Result median = sorted.get((sorted.size() - 1) / 2);
            if (rounds > 1) {
                Map<String, Object> x = new LinkedHashMap<>(median.extra());
                x.put("roundsMbPerSec", e.getValue().stream().map(r -> (Object) r.mbPerSec()).toList());
                median = median.withExtra(x);
            }
            results.put(e.getKey(), median);
        }
        if (!json && rounds > 1) {
            System.out.println();
            System.out.println("  median of " + rounds + " rounds");
            for (Result r : results.values()) System.out.println(r.row());
        }
        Double zsspUdp = ratio(results.get("zssp"), results.get("udp"));
        Double zsspDtls = ratio(results.get("zssp"), results.get("dtls"));
        Double rawUdp = ratio(results.get("zssp-raw"), results.get("udp"));
        Double rawDtls = ratio(results.get("zssp-raw"), results.get("dtls"));
        if (json) {
            Map<String, Object> ratios = new LinkedHashMap<>();
            ratios.put("zsspToUdp", zsspUdp);
            ratios.put("zsspToDtls", zsspDtls);
            ratios.put("zsspRawToUdp", rawUdp);
            ratios.put("zsspRawToDtls", rawDtls);
            Map<String, Object> figures = new LinkedHashMap<>();
            for (String p : PATHS) figures.put(p, results.containsKey(p) ? results.get(p).json() : null);
            System.out.println(Output.jsonLine("bench",
                    "payloadBytes", size, "mtu", mtu, "durationMs", durationMs, "warmupMs", warmupMs, "window", win, "rounds", rounds,
                    "jdk", jdk(), "cpu", cpuModel(), "cores", Runtime.getRuntime().availableProcessors(),
                    "udp", figures.get("udp"), "zssp", figures.get("zssp"), "zsspQueue", figures.get("zssp-queue"), "zsspRaw", figures.get("zssp-raw"), "dtls", figures.get("dtls"),
                    "ratios", ratios, "notes", notes));
        } else {
            System.out.println();
            if (zsspUdp != null) System.out.printf(Locale.ROOT, "ZSSP / plain UDP:  %.2f   (target >= 0.7)%n", zsspUdp);
            if (zsspDtls != null) System.out.printf(Locale.ROOT, "ZSSP / DTLS 1.2:   %.2fx  (target >= 2)%n", zsspDtls);
            if (rawUdp != null) System.out.printf(Locale.ROOT, "ZSSP raw / UDP:    %.2f   (engine + socket loop, no Endpoint)%n", rawUdp);
            if (rawDtls != null) System.out.printf(Locale.ROOT, "ZSSP raw / DTLS:   %.2fx%n", rawDtls);
        }
        System.out.flush();
        return 0;
    }

    private static Double ratio(Result a, Result b) {
        return a == null || b == null || b.mbPerSec() <= 0 ? null : a.mbPerSec() / b.mbPerSec();
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1e3);
    }

    static String jdk() {
        return Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")";
    }

    static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch", "unknown");
    }

    /** A path could not run here (e.g. no keytool for DTLS): reported, not fatal. */
    static final class SkipException extends Exception {
        private static final long serialVersionUID = 1L;

        SkipException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    record Settings(int size, int mtu, int window, long warmupMs, long durationMs) {}

    // ---------------------------------------------------------------- flow control and counting

    /**
     * Shared between the sender and the receiver: sequence numbers, in-flight window, delivered
     * payloads. Each field has one writer.
     */
    static final class Flow {
        final int window;
        // receiver
        volatile long next;            // highest sequence number seen + 1
        volatile long delivered;
        volatile long deliveredBytes;
        volatile long outOfOrder;
        // sender
        volatile long sent;
        volatile long sentBytes;
        volatile long wireDatagrams;   // datagrams handed to the socket
        volatile long wireBytes;
        volatile long sendFailures;    // datagrams the socket would not take
        volatile long stalls;          // windows written off as lost
        volatile Thread parked;
        volatile boolean stop;
        private long writtenOff;       // sender only

        Flow(int window) {
            this.window = window;
        }

        /** Receiver: one payload arrived. */
        void deliver(byte[] a, int off, int len) {
            long seq = (long) LONG.get(a, off);
            delivered = delivered + 1;
            deliveredBytes = deliveredBytes + len;
            if (seq >= next) next = seq + 1;
            else outOfOrder = outOfOrder + 1;
            Thread t = parked;
            if (t != null && sent - next <= window / 2) LockSupport.unpark(t);
        }

        /** Sender: one datagram went to the socket (or not). */
        void wire(int len, boolean ok) {
            if (ok) {
                wireDatagrams = wireDatagrams + 1;
                wireBytes = wireBytes + len;
            } else {
                sendFailures = sendFailures + 1;
            }
        }

        private long inFlight(long seq) {
            return seq - Math.max(next, writtenOff);
        }

        /** Sender: waits while the window is full; after 50 ms without progress the window is written off (lost). */
        void awaitCredit(long seq) {
            if (inFlight(seq) < window) return;
            long start = System.nanoTime();
            long seen = next;
            while (!stop && inFlight(seq) >= window) {
                parked = Thread.currentThread();
                if (inFlight(seq) >= window) LockSupport.parkNanos(1_000_000);
                parked = null;
                long now = System.nanoTime();
                if (next != seen) {
                    seen = next;
                    start = now;
                } else if (now - start > 50_000_000L) {
                    writtenOff = seq;
                    stalls = stalls + 1;
                }
            }
        }
    }

    /** One measured run of a path. */
    record Result(String path, String label, double seconds, long payloads, long bytes, long sent, long delivered, long sendFailures,
            long outOfOrder, long stalls, double wireBytesPerPayload, double datagramsPerPayload, Map<String, Object> extra) {
        Result withExtra(Map<String, Object> x) {
            return new Result(path, label, seconds, payloads, bytes, sent, delivered, sendFailures, outOfOrder, stalls, wireBytesPerPayload,
                    datagramsPerPayload, x);
        }

        double mbPerSec() {
            return bytes / seconds / 1e6;
        }

        double pps() {
            return payloads / seconds;
        }

        long lost() {
            return Math.max(0, sent - delivered);
        }

        double lossPercent() {
            return sent == 0 ? 0 : 100.0 * lost() / sent;
        }

        String row() {
            return String.format(Locale.ROOT, "  %-26s %8.1f %11.0f %6.2f%% %10s %10s", label, mbPerSec(), pps(), lossPercent(),
                    us(extra.get("senderCpuUsPerPayload")), us(extra.get("receiverCpuUsPerPayload")));
        }

        static final String HEADER = String.format(Locale.ROOT, "  %-26s %8s %11s %7s %10s %10s%n  %-26s %8s %11s %7s %10s %10s",
                "path", "MB/s", "payloads/s", "loss", "send CPU", "recv CPU", "", "", "", "", "us/payload", "us/payload");

        private static String us(Object v) {
            return v instanceof Double d ? String.format(Locale.ROOT, "%.2f", d) : "?";
        }

        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mbPerSec", mbPerSec());
            m.put("pps", pps());
            m.put("seconds", seconds);
            m.put("payloads", payloads);
            m.put("payloadBytes", bytes);
            m.put("sent", sent);
            m.put("delivered", delivered);
            m.put("lost", lost());
            m.put("lossPercent", lossPercent());
            m.put("sendFailures", sendFailures);
            m.put("outOfOrder", outOfOrder);
            m.put("stalls", stalls);
            m.put("wireBytesPerPayload", wireBytesPerPayload);
            m.put("datagramsPerPayload", datagramsPerPayload);
            m.putAll(extra);
            return m;
        }
    }

    /** Sends one payload (sender thread). */
    @FunctionalInterface
    interface PayloadSender {
        void send(byte[] payload) throws IOException;
    }

    /**
     * The measurement common to every path: a sender thread, a receiver already running, warm-up,
     * the measured interval, then draining. {@code stopReceiver} ends the receiver.
     */
    private static Result measure(String path, String label, Settings cfg, Flow flow, PayloadSender sender, Map<String, Object> extra)
            throws InterruptedException {
        byte[] payload = new byte[cfg.size()];
        new java.util.Random(1).nextBytes(payload);
        Throwable[] failure = new Throwable[1];
        Thread st = Thread.ofPlatform().name("bench-send-" + path).start(() -> {
            long seq = 0;
            try {
                while (!flow.stop) {
                    flow.awaitCredit(seq);
                    if (flow.stop) break;
                    LONG.set(payload, 0, seq);
                    sender.send(payload);
                    seq++;
                    flow.sent = seq;
                    flow.sentBytes = flow.sentBytes + payload.length;
                }
            } catch (IOException | RuntimeException e) {
                failure[0] = e;
                flow.stop = true;
            }
        });
        try {
            sleepUnlessStopped(flow, cfg.warmupMs());
            Map<Long, Long> cpu0 = threadCpu();
            long sendAlloc0 = allocatedBytes(st);
            long d0 = flow.delivered;
            long b0 = flow.deliveredBytes;
            long s0 = flow.sent;
            long t0 = System.nanoTime();
            sleepUnlessStopped(flow, cfg.durationMs());
            long d1 = flow.delivered;
            long b1 = flow.deliveredBytes;
            long s1 = flow.sent;
            long t1 = System.nanoTime();
            Map<Long, Long> cpu1 = threadCpu();
            long sendAlloc1 = allocatedBytes(st);
            flow.stop = true;
            LockSupport.unpark(st);
            st.join(10_000);
            if (failure[0] != null) throw new CliError(CliError.FAILED, label + ": sending failed: " + failure[0], failure[0]);
            // Drain: wait until everything sent arrived, or nothing arrived for 200 ms (bounded).
            long last = flow.delivered;
            long quietSince = System.nanoTime();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (flow.delivered < flow.sent && System.nanoTime() < end) {
                Thread.sleep(5);
                if (flow.delivered != last) {
                    last = flow.delivered;
                    quietSince = System.nanoTime();
                } else if (System.nanoTime() - quietSince > 200_000_000L) {
                    break;
                }
            }
            long sent = flow.sent;
            double wbpp = flow.sent == 0 ? 0 : (double) flow.wireBytes / flow.sent;
            double dpp = flow.sent == 0 ? 0 : (double) flow.wireDatagrams / flow.sent;
            Map<String, Object> x = new LinkedHashMap<>(extra);
            x.put("sentInInterval", s1 - s0);
            // CPU time per delivered payload: the sender thread, and every other thread of this
            // process but this one (the receive side: receiver, Endpoint threads, callbacks).
            long sendCpu = 0;
            long otherCpu = 0;
            long self = Thread.currentThread().threadId();
            long n = Math.max(1, d1 - d0);
            Map<String, Object> byThread = new LinkedHashMap<>();
            for (Map.Entry<Long, Long> e : cpu1.entrySet()) {
                if (e.getKey() == self) continue;
                long d = e.getValue() - cpu0.getOrDefault(e.getKey(), 0L);
                if (e.getKey() == st.threadId()) sendCpu += d;
                else otherCpu += d;
                String name = e.getKey() == st.threadId() ? st.getName() : threadName(e.getKey());
                if (d > 0.01 * (t1 - t0)) byThread.merge(name, d / 1e3 / n, (a, b) -> (Double) a + (Double) b);
            }
            x.put("senderCpuUsPerPayload", sendCpu / 1e3 / n);
            x.put("receiverCpuUsPerPayload", otherCpu / 1e3 / n);
            x.put("cpuUsPerPayloadByThread", byThread);
            if (sendAlloc1 >= 0 && sendAlloc0 >= 0) x.put("senderAllocBytesPerPayload", (double) (sendAlloc1 - sendAlloc0) / n);
            return new Result(path, label, (t1 - t0) / 1e9, d1 - d0, b1 - b0, sent, flow.delivered, flow.sendFailures, flow.outOfOrder,
                    flow.stalls, wbpp, dpp, x);
        } finally {
            flow.stop = true;
            LockSupport.unpark(st);
            st.join(10_000);
        }
    }

    /** CPU time of every live thread (ns), by thread id; empty if the JVM cannot measure it. */
    private static Map<Long, Long> threadCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> m = new java.util.HashMap<>();
        if (!mx.isThreadCpuTimeSupported()) return m;
        try {
            if (!mx.isThreadCpuTimeEnabled()) mx.setThreadCpuTimeEnabled(true);
        } catch (UnsupportedOperationException ignored) {
            return m;
        }
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t >= 0) m.put(id, t);
        }
        return m;
    }

    /** Bytes allocated so far by {@code t} (HotSpot), or -1. */
    private static long allocatedBytes(Thread t) {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean mx && mx.isThreadAllocatedMemorySupported()) {
            return mx.getThreadAllocatedBytes(t.threadId());
        }
        return -1;
    }

    private static String threadName(long id) {
        java.lang.management.ThreadInfo ti = ManagementFactory.getThreadMXBean().getThreadInfo(id);
        return ti == null ? "thread-" + id : ti.getThreadName();
    }

    private static void sleepUnlessStopped(Flow flow, long ms) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long left;
        while (!flow.stop && (left = end - System.nanoTime()) > 0) Thread.sleep(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
    }

    // ---------------------------------------------------------------- the socket code shared by udp, zssp-raw and dtls

    /** Handles one received datagram (receiver thread); the bytes are valid during the call only. */
    @FunctionalInterface
    interface DatagramHandler {
        void datagram(byte[] data, int len, InetSocketAddress source) throws IOException;
    }

    /**
     * A socket as the Endpoint opens and reads it: non-blocking {@link DatagramChannel}, 4 MiB
     * buffers, bound to 127.0.0.1, read by one platform thread behind a {@link Selector}, draining
     * up to 512 datagrams per wake-up into one heap buffer.
     */
    static final class Socket implements AutoCloseable {
        final DatagramChannel channel;
        final Selector selector;
        final InetSocketAddress address;
        private volatile boolean running;
        private Thread thread;

        Socket() throws IOException {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                channel.configureBlocking(false);
                try {
                    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                } catch (IOException | UnsupportedOperationException ignored) {
                    // best effort, as in the Endpoint
                }
                channel.bind(new InetSocketAddress("127.0.0.1", 0));
                address = (InetSocketAddress) channel.getLocalAddress();
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        /** Sends one datagram as the Endpoint does (non-blocking; a full buffer drops it). */
        boolean send(byte[] buf, int off, int len, InetSocketAddress to) throws IOException {
            return channel.send(ByteBuffer.wrap(buf, off, len), to) != 0;
        }

        boolean send(ByteBuffer b, InetSocketAddress to) throws IOException {
            return channel.send(b, to) != 0;
        }

        /** Starts the receive thread. */
        void start(String name, DatagramHandler handler) {
            running = true;
            thread = Thread.ofPlatform().daemon().name(name).start(() -> receiveLoop(handler));
        }

        private void receiveLoop(DatagramHandler handler) {
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            byte[] array = buf.array();
            while (running) {
                try {
                    selector.select(100);
                    selector.selectedKeys().clear();
                    for (int n = 0; n < 512 && running; n++) {
                        buf.clear();
                        SocketAddress src = channel.receive(buf);
                        if (src == null) break;
                        handler.datagram(array, buf.position(), (InetSocketAddress) src);
                    }
                } catch (ClosedChannelException | ClosedSelectorException e) {
                    return;
                } catch (IOException e) {
                    // as in the Endpoint: not fatal for a datagram socket
                }
            }
        }

        @Override
        public void close() {
            running = false;
            try {
                selector.wakeup();
            } catch (ClosedSelectorException ignored) {
                // closed already
            }
            if (thread != null) {
                try {
                    thread.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    // ---------------------------------------------------------------- plain UDP

    private static Result runUdp(Settings cfg) throws IOException, InterruptedException, SkipException {
        if (cfg.size() > Endpoint.MAX_MTU) throw new SkipException("a " + cfg.size() + "-byte payload does not fit one UDP datagram", null);
        try (Socket rx = new Socket(); Socket tx = new Socket()) {
            Flow flow = new Flow(cfg.window());
            rx.start("bench-receive-udp", (data, len, src) -> flow.deliver(data, 0, len));
            InetSocketAddress to = rx.address;
            return measure("udp", "plain UDP", cfg, flow, p -> flow.wire(p.length, tx.send(p, 0, p.length, to)), Map.of());
        }
    }

    // ---------------------------------------------------------------- ZSSP through the Endpoint

    /**
     * @param handler true: payloads reach the flow on Bob's receive thread ({@link PayloadHandler}, the
     *                fast path); false: through the session's queue to a reader thread blocked in
     *                {@link PeerSession#receive(Duration)} (the simple API)
     */
    private static Result runEndpoint(Settings cfg, boolean handler) throws IOException, InterruptedException {
        StaticKeyPair aliceKey = StaticKeyPair.generate();
        StaticKeyPair bobKey = StaticKeyPair.generate();
        Flow flow = new Flow(cfg.window());
        Endpoint.Builder bobBuilder = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(bobKey)
                .store(new MemoryRatchetStore()).mtu(cfg.mtu());
        if (handler) bobBuilder.payloadHandler((session, p) -> flow.deliver(p, 0, p.length));
        try (Endpoint bob = Net.build(bobBuilder);
             Endpoint alice = Net.build(Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(aliceKey)
                .store(new MemoryRatchetStore()).mtu(cfg.mtu()))) {
            long h0 = System.nanoTime();
            PeerSession s = Net.connect(alice, bob.publicKey(), bob.localAddress(), new byte[0], SETUP);
            double handshakeMs = (System.nanoTime() - h0) / 1e6;
            PeerSession atBob = bob.accept(SETUP);
            if (atBob == null) throw new CliError(CliError.FAILED, "bench: the receiving endpoint never reported the session");
            Duration poll = Duration.ofMillis(50);
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread rt = handler ? null : Thread.ofPlatform().daemon().name("bench-receive-zssp").start(() -> {
                try {
                    while (!done.get()) {
                        byte[] p = atBob.receive(poll);
                        if (p != null) flow.deliver(p, 0, p.length);
                        else if (atBob.isClosed()) return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("handshakeMs", handshakeMs);
                String path = handler ? "zssp" : "zssp-queue";
                String label = handler ? "ZSSP (Endpoint, handler)" : "ZSSP (Endpoint, queue)";
                Result r = measure(path, label, cfg, flow, p -> {
                    try {
                        s.send(p);
                    } catch (SessionStateException e) {
                        throw new IOException("session closed: " + e.getMessage(), e);
                    }
                }, extra);
                // The Endpoint counts its own datagrams; the flow's wire counters are not used on this path.
                Counters c = s.counters();
                long payloadsOut = Math.max(1, c.get(Counters.Counter.PAYLOADS_OUT));
                Map<String, Object> x = new LinkedHashMap<>(r.extra());
                x.put("receiveQueueOverflows", atBob.counters().get(Counters.Counter.RECEIVE_QUEUE_OVERFLOWS));
                x.put("drops", bob.counters().totalDrops());
                return new Result(r.path(), r.label(), r.seconds(), r.payloads(), r.bytes(), r.sent(), r.delivered(),
                        c.get(Counters.Counter.SEND_FAILURES), r.outOfOrder(), r.stalls(),
                        (double) c.get(Counters.Counter.BYTES_OUT) / payloadsOut, (double) c.get(Counters.Counter.PACKETS_OUT) / payloadsOut, x);
            } finally {
                flow.stop = true;
                done.set(true);
                if (rt != null) rt.join(5000);
            }
        }
    }

    // ---------------------------------------------------------------- ZSSP: the engine in the bare socket loop

    /** A remote reached through a bench socket (as the Endpoint's UdpRemote, without counters). */
    private record SocketRemote(Socket socket, InetSocketAddress to, int mtu, Flow flow) implements Remote {
        @Override
        public void send(byte[] datagram, int off, int len) {
            try {
                boolean ok = socket.send(datagram, off, len, to);
                if (flow != null) flow.wire(len, ok);
            } catch (IOException e) {
                if (flow != null) flow.wire(len, false);
            }
        }

        @Override
        public int mtu() {
            return mtu;
        }
    }

    private static Result runZsspRaw(Settings cfg) throws IOException, InterruptedException {
        StaticKeyPair aliceKey = StaticKeyPair.generate();
        StaticKeyPair bobKey = StaticKeyPair.generate();
        Context<String> alice = new Context<>(aliceKey, new StoreApplication<>(new MemoryRatchetStore(), SecurityPolicy.opportunistic(),
                StoreApplication.monotonicClock(), (peer, id, src) -> "bob's view of alice"));
        Context<String> bob = new Context<>(bobKey, new StoreApplication<>(new MemoryRatchetStore(), SecurityPolicy.opportunistic(),
                StoreApplication.monotonicClock(), (peer, id, src) -> "alice"));
        try (Socket rx = new Socket(); Socket tx = new Socket()) {
            Flow flow = new Flow(cfg.window());
            SocketRemote toBob = new SocketRemote(tx, rx.address, cfg.mtu(), flow);
            SocketRemote toAlice = new SocketRemote(rx, tx.address, cfg.mtu(), null);
            rx.start("bench-receive-zssp-raw", (data, len, src) -> {
                Received<String> r = bob.receive(data, 0, len, toAlice);
                if (r instanceof Event.Data<String> d) flow.deliver(d.payload(), 0, d.payload().length);
            });
            tx.start("bench-handshake-zssp-raw", (data, len, src) -> alice.receive(data, 0, len, toBob));
            long h0 = System.nanoTime();
            Session<String> s = alice.open(bobKey.publicKey(), "bob", new byte[0], toBob);
            long deadline = h0 + SETUP.toNanos();
            while (!s.isEstablished()) {
                if (System.nanoTime() - deadline > 0) throw new CliError(CliError.FAILED, "bench: the raw ZSSP handshake did not finish");
                alice.service();
                bob.service();
                Thread.sleep(1);
            }
            double handshakeMs = (System.nanoTime() - h0) / 1e6;
            flow.wireDatagrams = 0;
            flow.wireBytes = 0;
            flow.sendFailures = 0;
            return measure("zssp-raw", "ZSSP (raw engine loop)", cfg, flow, p -> s.send(p), Map.of("handshakeMs", handshakeMs));
        } finally {
            alice.close();
            bob.close();
        }
    }

    // ---------------------------------------------------------------- DTLS 1.2

    private static Result runDtls(Settings cfg) throws IOException, InterruptedException, SkipException {
        if (cfg.size() > BenchDtls.MAX_PLAINTEXT) {
            throw new SkipException("a " + cfg.size() + "-byte payload does not fit one DTLS record (" + BenchDtls.MAX_PLAINTEXT + " bytes at most)", null);
        }
        Path tmp = Files.createTempDirectory("planetary-bench-");
        try (Socket rx = new Socket(); Socket tx = new Socket()) {
            SSLContext ctx;
            try {
                ctx = BenchDtls.context(tmp);
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new SkipException("cannot make a self-signed certificate: " + e.getMessage(), e);
            }
            int maxPacket = Math.max(cfg.mtu(), cfg.size() + BenchDtls.RECORD_OVERHEAD);
            SSLEngine client = BenchDtls.engine(ctx, true, rx.address, maxPacket);
            SSLEngine server = BenchDtls.engine(ctx, false, tx.address, maxPacket);
            long h0 = System.nanoTime();
            BenchDtls.handshakeBoth(client, tx.channel, tx.selector, rx.address, server, rx.channel, rx.selector, tx.address, h0 + SETUP.toNanos());
            double handshakeMs = (System.nanoTime() - h0) / 1e6;
            String suite = client.getSession().getCipherSuite();
            String protocol = client.getSession().getProtocol();
            Flow flow = new Flow(cfg.window());
            ByteBuffer app = ByteBuffer.allocate(Math.max(65_536, server.getSession().getApplicationBufferSize()));
            long[] receiveErrors = new long[1];
            rx.start("bench-receive-dtls", (data, len, src) -> {
                app.clear();
                SSLEngineResult r = server.unwrap(ByteBuffer.wrap(data, 0, len), app);
                if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesProduced() > 0) {
                    flow.deliver(app.array(), 0, r.bytesProduced());
                } else if (r.getStatus() != SSLEngineResult.Status.OK) {
                    receiveErrors[0]++;
                }
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) BenchDtls.runTasks(server);
            });
            ByteBuffer net = ByteBuffer.allocate(Math.max(65_536, client.getSession().getPacketBufferSize()));
            InetSocketAddress to = rx.address;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("handshakeMs", handshakeMs);
            extra.put("protocol", protocol);
            extra.put("cipherSuite", suite);
            Result r = measure("dtls", "DTLS 1.2 (JDK SSLEngine)", cfg, flow, p -> {
                net.clear();
                SSLEngineResult res = client.wrap(ByteBuffer.wrap(p), net);
                if (res.getStatus() != SSLEngineResult.Status.OK) throw new SSLException("DTLS wrap: " + res.getStatus());
                net.flip();
                int n = net.remaining();
                flow.wire(n, tx.send(net, to));
            }, extra);
            Map<String, Object> x = new LinkedHashMap<>(r.extra());
            x.put("receiveErrors", receiveErrors[0]);
            return new Result(r.path(), r.label(), r.seconds(), r.payloads(), r.bytes(), r.sent(), r.delivered(), r.sendFailures(),
                    r.outOfOrder(), r.stalls(), r.wireBytesPerPayload(), r.datagramsPerPayload(), x);
        } catch (SSLException e) {
            throw new CliError(CliError.FAILED, "bench: DTLS failed: " + e.getMessage(), e);
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path f : files.toList()) Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // best effort
            }
            Files.deleteIfExists(tmp);
        }
    }
}

package dev.planetary.bench;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.udp.UdpNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 13, target 1: a root {@link UdpNode} relaying over UDP on loopback between members that
 * only reach each other through it (no endpoint remembered: the engine has no path discovery
 * yet, so every session is relayed). Members send USER_MESSAGEs as fast as their loop threads
 * can; the payload makes each relayed ZSSP datagram 1,188 bytes (the relayed-path MTU). Reports
 * RELAYs handled by the root (forwarded + refused by the §4.5 limits) and forwarded, per wall
 * second and per second of the root loop thread's CPU time (ThreadMXBean).
 *
 * <p>Each member binds its own 127.k.0.1 so that the per-prefix limit (4,000/s per /24) does not
 * bind; the per-pair (1,000/s) and per-origin (2,000/s) limits do, so the forwarded rate is
 * bounded by 1,000/s per pair and direction whatever the root's speed.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.RootRelayBench [pairs=2] [seconds=10] [payload=1147] [rate per member, 0 = unpaced]</pre>
 *
 * <p>Paced below 1,000/s per member, nothing is limited and the CPU per RELAY is the forwarding cost alone.
 */
public final class RootRelayBench {
    private RootRelayBench() {}

    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int payloadSize = args.length > 2 ? Integer.parseInt(args[2]) : 1147; // 1 + 8 + 1147 + 32 = 1188
        double rate = args.length > 3 ? Double.parseDouble(args[3]) : 0; // per member and second; 0: as fast as possible
        List<SecretIdentity> ids = IdentityFile.load(1 + 2 * pairs);
        List<UdpNode> all = new ArrayList<>();
        try {
            UdpNode root = new UdpNode("root", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ids.get(0), NodeConfig::root, e -> { });
            all.add(root);
            List<RootInfo> roots = List.of(new RootInfo(ids.get(0).identity(), ids.get(0).address(), List.of(root.localAddress())));
            List<UdpNode> members = new ArrayList<>();
            AtomicLong received = new AtomicLong();
            for (int i = 0; i < 2 * pairs; i++) {
                InetSocketAddress bind = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, (byte) (i + 1), 0, 1}), 0);
                UdpNode m = new UdpNode("m" + i, bind, ids.get(1 + i), l -> NodeConfig.member(l, roots), e -> {
                    if (e instanceof NodeEvent.UserMessageReceived) received.incrementAndGet();
                });
                members.add(m);
                all.add(m);
            }
            if (!await(() -> members.stream().allMatch(m -> m.call(n -> n.isOnline()).join()), 60_000)) throw new IllegalStateException("members not online within 60 s");
            byte[] payload = new byte[payloadSize];
            for (int i = 0; i < members.size(); i++) { // open every session (WHOIS, relayed handshake) before timing
                var peer = ids.get(1 + (i ^ 1)).address();
                members.get(i).call(n -> n.sendUserMessage(peer, 70_000, payload)).join();
            }
            if (!await(() -> received.get() >= members.size(), 60_000)) throw new IllegalStateException("relayed sessions not up within 60 s: " + received.get());
            for (UdpNode m : members) {
                var peer = ids.get(1 + (members.indexOf(m) ^ 1)).fingerprint();
                if (!m.call(n -> n.relayed(peer)).join()) throw new IllegalStateException("a session is direct, not relayed");
            }

            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long rootTid = threadId("vl1-root");
            AtomicBoolean run = new AtomicBoolean(true);
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < members.size(); i++) {
                UdpNode m = members.get(i);
                var peer = ids.get(1 + (i ^ 1)).address();
                senders.add(Thread.ofPlatform().daemon().start(() -> {
                    long start = System.nanoTime(), sent = 0;
                    while (run.get()) { // 32 per call, then wait: the member's loop thread paces itself
                        if (rate > 0) {
                            long due = start + (long) (sent / rate * 1e9) - System.nanoTime();
                            if (due > 0) java.util.concurrent.locks.LockSupport.parkNanos(due);
                        }
                        sent += 32;
                        m.call(n -> {
                            for (int k = 0; k < 32; k++) n.sendUserMessage(peer, 70_000, payload);
                            return null;
                        }).join();
                    }
                }));
            }
            Thread.sleep(2_000); // warm-up
            long[] c0 = relayCounters(root);
            long cpu0 = mx.getThreadCpuTime(rootTid), rx0 = received.get(), t0 = System.nanoTime();
            double[] load0 = loadAverage();
            Thread.sleep(seconds * 1000L);
            long[] c1 = relayCounters(root);
            long cpu1 = mx.getThreadCpuTime(rootTid), rx1 = received.get(), t1 = System.nanoTime();
            run.set(false);
            for (Thread t : senders) t.join(5_000);
            double wall = (t1 - t0) / 1e9, cpu = (cpu1 - cpu0) / 1e9;
            long forwarded = c1[0] - c0[0], handled = forwarded;
            for (int k = 1; k < c1.length; k++) handled += c1[k] - c0[k];
            System.out.printf(Locale.ROOT, "pairs %d, payload %d B, send rate per member %s, %.1f s, load average %.2f at start%n", pairs, payloadSize, rate > 0 ? rate + "/s" : "unpaced", wall, load0[0]);
            System.out.printf(Locale.ROOT, "RELAYs at the root: %,d handled (%,.0f/s), %,d forwarded (%,.0f/s), %,d limited, messages delivered %,d%n",
                    handled, handled / wall, forwarded, forwarded / wall, c1[1] - c0[1], rx1 - rx0);
            System.out.printf(Locale.ROOT, "root loop thread CPU %.2f s (%.0f %% of one core): %,.0f RELAYs handled per CPU second, %,.0f forwarded per CPU second (%.1f µs per RELAY)%n",
                    cpu, 100 * cpu / wall, handled / cpu, forwarded / cpu, 1e6 * cpu / Math.max(1, handled));
        } finally {
            for (UdpNode n : all) n.close();
        }
    }

    /** RELAY_FORWARDED first, then every RELAY drop the root counts. */
    static long[] relayCounters(UdpNode root) {
        NodeCounter[] cs = {NodeCounter.RELAY_FORWARDED, NodeCounter.RELAY_LIMITED, NodeCounter.RELAY_REFUSED, NodeCounter.RELAY_NO_DESTINATION,
                NodeCounter.RELAY_BLOCKED, NodeCounter.RELAY_ABUSE_BANNED};
        return root.call(n -> {
            long[] r = new long[cs.length];
            for (int i = 0; i < cs.length; i++) r[i] = n.count(cs[i]);
            return r;
        }).join();
    }

    static long threadId(String name) {
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals(name)) return t.threadId();
        throw new IllegalStateException("no thread " + name);
    }

    static double[] loadAverage() {
        return new double[] {ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()};
    }

    static boolean await(java.util.function.BooleanSupplier c, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            Thread.sleep(50);
        }
        return c.getAsBoolean();
    }
}

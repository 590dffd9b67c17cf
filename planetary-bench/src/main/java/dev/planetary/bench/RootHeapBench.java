package dev.planetary.bench;

import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.NodeOutput;
import dev.planetary.vl1.RootInfo;
import dev.planetary.zssp.RandomSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 13, target 2: heap a root {@link Node} holds per idle member (a live ZSSP session, the
 * registry entry, the identity-cache entry, the peer record and its timers). Sans-IO in one JVM:
 * member engines and the root exchange datagrams through an in-memory queue on a virtual clock
 * until every member is online and registered; then the members are dropped (the root is not told:
 * its sessions stay as they are for an idle peer), the root's timers run for {@link #IDLE_MS} more,
 * and the used heap after {@code System.gc()} is compared with the root alone. Distinct peers need distinct identities (one session per
 * fingerprint), ≈ 1–3 s of Argon2id each, so N is as large as the identity cache allows and 10^5
 * is extrapolated from a linear fit.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.RootHeapBench [N,N,...]   (default 100,200,400)
 *     -Dplanetary.bench.histogram=true also prints the heap's class histogram with the last root alive</pre>
 */
public final class RootHeapBench {
    private RootHeapBench() {}

    /** How long the root runs on after the members went quiet ({@code -Dplanetary.bench.idleMs}, default 12 s). */
    static final long IDLE_MS = Long.getLong("planetary.bench.idleMs", 12_000);

    private record Datagram(InetSocketAddress from, InetSocketAddress to, byte[] data) {}

    public static void main(String[] args) throws Exception {
        String[] ns = (args.length > 0 ? args[0] : "100,200,400").split(",");
        int max = 0;
        for (String s : ns) max = Math.max(max, Integer.parseInt(s));
        List<SecretIdentity> ids = IdentityFile.load(1 + max);
        double[] xs = new double[ns.length], ys = new double[ns.length];
        long base = usedHeap(); // identities loaded, no root yet
        for (int k = 0; k < ns.length; k++) {
            int n = Integer.parseInt(ns[k]);
            Node[] keep = new Node[1];
            long withRoot = build(ids, n, keep);
            xs[k] = n;
            ys[k] = withRoot - base;
            System.out.printf(Locale.ROOT, "N = %,d: root + sessions %,d bytes of heap (%,.0f per member) %s%n", n, withRoot - base, (double) (withRoot - base) / n,
                    keep[0].tableSizes());
            if (k == ns.length - 1 && Boolean.getBoolean("planetary.bench.histogram")) histogram(); // the root is still alive here
            keep[0] = null;
        }
        // least squares: heap = a + b·N
        double mx = 0, my = 0;
        for (int i = 0; i < xs.length; i++) { mx += xs[i]; my += ys[i]; }
        mx /= xs.length;
        my /= xs.length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < xs.length; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) * (xs[i] - mx); }
        double b = sxx == 0 ? my / mx : sxy / sxx, a = my - b * mx;
        System.out.printf(Locale.ROOT, "linear fit: %,.0f bytes + %,.0f bytes per member (%.2f KiB); at 100,000 members ≈ %,.0f MiB%n", a, b, b / 1024, (a + b * 100_000) / (1 << 20));
        System.out.printf(Locale.ROOT, "load average %.2f%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** Builds a root with {@code n} registered members, drops the members, returns the used heap with the root alive. */
    static long build(List<SecretIdentity> ids, int n, Node[] keep) throws UnknownHostException {
        ArrayDeque<Datagram> wire = new ArrayDeque<>();
        InetSocketAddress rootSock = new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 198, 51, 100, 1}), 9993);
        long[] now = {0};
        Node root = new Node(NodeConfig.root(rootSock), ids.get(0), output(rootSock, wire), RandomSource.secure(), now[0]);
        List<RootInfo> roots = List.of(new RootInfo(ids.get(0).identity(), ids.get(0).address(), List.of(rootSock)));
        Map<InetSocketAddress, Node> members = new HashMap<>();
        IdentityVerifier shared = new IdentityVerifier(4096);
        for (int i = 0; i < n; i++) {
            SecretIdentity id = ids.get(1 + i);
            InetSocketAddress sock = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i}), 9993);
            root.importRegistration(id.address(), id.identity()); // as from root.db: no Argon2id per member here
            members.put(sock, new Node(NodeConfig.member(sock, roots), id, output(sock, wire), RandomSource.secure(), now[0], shared));
        }
        int online = 0;
        for (; now[0] < 120_000; now[0] += 10) {
            root.service(now[0]);
            for (Node m : members.values()) m.service(now[0]);
            for (int guard = 0; !wire.isEmpty() && guard < 10_000_000; guard++) {
                Datagram d = wire.poll();
                Node to = d.to().equals(rootSock) ? root : members.get(d.to());
                if (to != null) to.receive(d.data(), d.to(), d.from(), now[0]);
            }
            online = 0;
            for (Node m : members.values()) if (m.isOnline()) online++;
            if (online == n && now[0] % 1000 == 0) break;
        }
        if (online != n) throw new IllegalStateException(online + " of " + n + " members online after 120 s of virtual time");
        if (root.count(NodeCounter.INTERNAL_ERROR) != 0) throw new IllegalStateException("root internal errors: " + root.counters());
        members.clear(); // the members vanish without a word: idle peers, as far as the root knows
        wire.clear();
        // The root alone runs its timers for IDLE_MS more (as between two heartbeats of an idle
        // member): what it holds then is what an idle member costs, not the handshake's leftovers.
        for (long end = now[0] + IDLE_MS; now[0] < end; ) {
            now[0] += 1000;
            root.service(now[0]);
            wire.clear();
        }
        keep[0] = root;
        return usedHeap();
    }

    /** The largest classes on the heap ({@code jcmd GC.class_histogram} of this process; 30, or {@code -Dplanetary.bench.histogramLines} lines). */
    static void histogram() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                .redirectErrorStream(true).start();
        try (var r = p.inputReader()) {
            r.lines().toList().stream().limit(Integer.getInteger("planetary.bench.histogramLines", 34)).forEach(System.out::println); // read it all: jcmd must not block on a full pipe
        }
        p.waitFor();
    }

    static NodeOutput output(InetSocketAddress self, ArrayDeque<Datagram> wire) {
        return new NodeOutput() {
            @Override
            public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
                wire.add(new Datagram(self, to, datagram));
            }

            @Override
            public void event(NodeEvent e) {}
        };
    }

    static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

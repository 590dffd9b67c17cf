package dev.planetary.bench;

import dev.planetary.controller.ConfigAnswer;
import dev.planetary.controller.ConfigRequest;
import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.Revocation;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationState;
import dev.planetary.vl2.Signed;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;

/**
 * Issue 15 targets (VL.md §7.5, §8.4): config issuances per second on one thread (≥ 1,000 per core)
 * and a 1,500-entry revocation list verified and merged (≤ 50 ms). The controller runs on its real
 * SQLite store ({@code synchronous=FULL}) with real P-384 signatures; requests come on a virtual
 * clock one second apart (so the 1/s request limit never refuses), CPU time from ThreadMXBean.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.ControllerBench [seconds per phase=5]</pre>
 */
public final class ControllerBench {
    private ControllerBench() {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        SecureRandom random = new SecureRandom();
        SecretIdentity ctl = SecretIdentity.generate(random, Runtime.getRuntime().availableProcessors());
        SecretIdentity member = SecretIdentity.generate(random, Runtime.getRuntime().availableProcessors());
        Path home = Files.createTempDirectory("controller-bench");
        try (JdbcControllerStore store = JdbcControllerStore.openSqlite(home)) {
            Controller c = new Controller(ctl.address(), store, new Vl2Issuer(ctl), (id, a) -> true, ControllerEvents.NONE, new SplittableRandom(1));
            long now = System.currentTimeMillis();
            long nwid = c.createNetwork(OptionalLong.of(1), ControllerJson.parseObject("""
                    {"v4AssignMode": {"zt": true}, "v6AssignMode": {"rfc4193": true},
                     "ipAssignmentPools": [{"ipRangeStart": "10.0.0.1", "ipRangeEnd": "10.0.255.254"}],
                     "routes": [{"target": "10.0.0.0/16"}], "tags": [{"id": 1, "default": 0}]}""".getBytes(StandardCharsets.UTF_8)), now).id();
            c.upsertMember(nwid, member.address(), ControllerJson.parseObject("{\"authorized\": true, \"tags\": [[1, 5]]}"
                    .getBytes(StandardCharsets.UTF_8)), now);
            long[] clock = {now};
            ConfigAnswer.Config first = (ConfigAnswer.Config) c.onConfigRequest(member.fingerprint(), member.address(), member.identity(),
                    new ConfigRequest(nwid, 0, 0, null, "p"), clock[0] += 1000);
            long held = first.content().revision();
            System.out.printf(Locale.ROOT, "config PSO %d bytes, MC %d bytes%n", first.config().pso().length, first.credential().pso().length);
            for (boolean full : new boolean[] {true, false}) {
                ConfigRequest req = new ConfigRequest(nwid, full ? 0 : held, 1, null, "p");
                Runnable one = () -> {
                    ConfigAnswer a = c.onConfigRequest(member.fingerprint(), member.address(), member.identity(), req, clock[0] += 1000);
                    if (a instanceof ConfigAnswer.Refused r) throw new IllegalStateException("refused: " + r);
                };
                run(full ? "full config (NetworkConfig + MC, 2 signatures)" : "fresh MC only (held config current, 1 signature)", "issuances", one, seconds);
            }
            // the settings row of a network with 64 rule entries (16 × three port matches + DROP): what every config answer reads
            StringBuilder rules = new StringBuilder("{\"rules\": [");
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 3; j++) rules.append("{\"type\": \"MATCH_IP_DEST_PORT_RANGE\", \"start\": ").append(1000 + 3 * i + j)
                        .append(", \"end\": ").append(1000 + 3 * i + j).append("}, ");
                rules.append("{\"type\": \"ACTION_DROP\"}").append(i < 15 ? ", " : "]}");
            }
            c.updateNetwork(nwid, ControllerJson.parseObject(rules.toString().getBytes(StandardCharsets.UTF_8)), clock[0]);
            run("network settings read (64 rule entries)", "reads", () -> store.network(nwid).orElseThrow(), seconds);
        } finally {
            deleteTree(home);
        }
        revocationList(ctl, random);
    }

    /** Deletes {@code dir} and everything under it (the bench's temporary store). */
    static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Runs {@code op} on this thread for 2 s of warm-up, then {@code seconds} measured; prints wall and CPU rates. */
    static void run(String what, String unit, Runnable op, int seconds) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long warm = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warm) op.run();
        long cpu0 = mx.getCurrentThreadCpuTime(), t0 = System.nanoTime(), n = 0;
        long end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            op.run();
            n++;
        }
        double wall = (System.nanoTime() - t0) / 1e9, cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d %s in %.1f s: %.0f/s wall, %.0f per CPU-second (%.4f ms CPU each)%n",
                what, n, unit, wall, n / wall, n / cpu, cpu * 1000 / n);
    }

    /** A full list (1,500 entries, 36,000 bytes of entries) signed once, then verified (fresh cache) and merged, 30 times. */
    private static void revocationList(SecretIdentity ctl, SecureRandom random) {
        NetworkId nwid = NetworkId.of(ctl.address().value(), 1);
        List<Revocation> entries = new ArrayList<>();
        List<byte[]> prefixes = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            byte[] p = new byte[16];
            random.nextBytes(p);
            prefixes.add(p);
        }
        prefixes.sort(Arrays::compareUnsigned);
        long ts = System.currentTimeMillis();
        for (byte[] p : prefixes) entries.add(new Revocation(Bytes.of(p), ts));
        byte[] pso = new RevocationList(nwid, 2, 0, entries).sign(ctl, ts).encoded();
        RevocationState base = RevocationState.empty(nwid).merge(RevocationList.initial(nwid));
        long[] ns = new long[30];
        for (int i = -10; i < ns.length; i++) {
            long t0 = System.nanoTime();
            Signed<RevocationList> list = RevocationList.verify(new PsoVerifier(), pso, ctl.identity()).orThrow();
            RevocationState merged = base.merge(list.value());
            if (merged.size() != 1500) throw new IllegalStateException("merge lost entries: " + merged.size());
            if (i >= 0) ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        System.out.printf(Locale.ROOT, "revocation list: %d bytes, 1,500 entries, verify + merge median %.2f ms (min %.2f, max %.2f)%n",
                pso.length, ns[ns.length / 2] / 1e6, ns[0] / 1e6, ns[ns.length - 1] / 1e6);
    }
}

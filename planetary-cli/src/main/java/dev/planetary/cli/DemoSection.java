package dev.planetary.cli;

import dev.planetary.identity.Endpoint;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.RootSet;
import dev.planetary.identity.RootSets;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.identity.UpdateKey;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.udp.UdpNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the demo's network sections share: a timeline of steps (text and {@code demo.<section>.*}
 * events), bounded waits that fail the demo with what did not happen, identities generated side by
 * side, roots on loopback with a root set signed by a fresh update key, and closing what was opened.
 */
abstract class DemoSection {
    static final long STEP_MS = 15_000;

    final Output out;
    final List<String> timeline = new ArrayList<>();
    final List<AutoCloseable> open = new ArrayList<>();
    private final String section;
    private final long t0 = System.nanoTime();

    DemoSection(Output out, String section) {
        this.out = out;
        this.section = section;
    }

    /** Runs the section's steps, then closes everything opened, last first. */
    final int run() throws Exception {
        try {
            return runSteps();
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception ignored) {
                    // closing: best effort
                }
            }
        }
    }

    abstract int runSteps() throws Exception;

    final double ms() {
        return (System.nanoTime() - t0) / 1e6;
    }

    final void step(String event, String text, Object... kv) {
        double ms = ms();
        timeline.add(String.format(Locale.ROOT, "%8.1f ms  %s", ms, text));
        Object[] all = Arrays.copyOf(kv, kv.length + 4);
        all[kv.length] = "step";
        all[kv.length + 1] = text;
        all[kv.length + 2] = "atMs";
        all[kv.length + 3] = ms;
        out.event("demo." + section + "." + event, out.verbose() ? text : null, all);
    }

    final CliError failed(String what) {
        return new CliError(CliError.FAILED, "demo: " + section + ": " + what);
    }

    final void await(BooleanSupplier done, String what) {
        if (!awaitQuietly(done, STEP_MS)) throw failed(what + " not within " + STEP_MS / 1000 + " s");
    }

    /** Waits at most {@code ms} for {@code done}; false if it did not come true. */
    static boolean awaitQuietly(BooleanSupplier done, long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > end) return false;
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }

    final <T> T get(Future<T> f, String what) throws InterruptedException {
        try {
            return f.get(STEP_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw failed(what + " failed: " + (e.getCause() != null ? e.getCause() : e));
        }
    }

    /** {@code n} identities; the proof of work costs about a second each, so the searches run side by side. */
    final List<SecretIdentity> identities(int n) throws InterruptedException {
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        List<SecretIdentity> ids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, cores));
        try {
            List<Future<SecretIdentity>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) fs.add(pool.submit(() -> SecretIdentity.generate(new SecureRandom(), 1)));
            for (Future<SecretIdentity> f : fs) ids.add(get(f, "identity generation"));
        } finally {
            pool.shutdownNow();
        }
        return ids;
    }

    /** Roots on 127.0.0.1 for {@code ids}, and the effective roots of a set naming them, signed by a fresh update key. */
    final List<RootInfo> roots(List<SecretIdentity> ids, List<UdpNode> started) {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<RootSet.Root> listed = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            UdpNode r = new UdpNode("root" + (i + 1), any, ids.get(i), NodeConfig::root, e -> { });
            open.add(r);
            started.add(r);
            listed.add(new RootSet.Root(ids.get(i).identity(), List.of(Endpoint.udp(r.localAddress()))));
        }
        RootSet.Valid valid;
        try (UpdateKey key = UpdateKey.generate()) {
            RootSet set = RootSet.create(key, "demo." + section, 1, System.currentTimeMillis() / 1000, List.of(key.publicKey()), listed);
            valid = set.validate(new IdentityVerifier()).orThrow();
        }
        return RootInfo.of(RootSets.effectiveRoots(List.of(new RootSets.Accepted(valid, true)), null));
    }
}

package dev.planetary.store.testing;


import dev.planetary.store.PeerRatchetStore;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Optimistic increments: load the peer's pair, try to advance it by one (a K1 swap), retry on a
 * lost race, until {@code successes} swaps won. If the swap is atomic, the final chain length equals
 * the sum of all wins of all workers in all processes. Also runnable as a separate JVM:
 * {@code CasWorker <Opener class> <peerHex> <threads> <successesPerThread> <opener arguments…>}; prints
 * {@code wins=N} and exits 0.
 */
public final class CasWorker {
    private CasWorker() {}

    /** How the child JVM opens the store under test (a public class with a public no-argument constructor). */
    public interface Opener {
        PeerRatchetStore open(List<String> args) throws IOException;
    }

    /** Runs the threads and returns the total number of attempts (wins are {@code threads * successes}). */
    public static long run(PeerRatchetStore store, StaticPublicKey peer, int threads, int successes) throws Exception {
        AtomicLong attempts = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int won = 0; won < successes; ) {
                        RatchetPair p = store.load(peer);
                        if (p == null) p = RatchetPair.INITIAL;
                        RatchetState n = RatchetStoreContract.st(p.state1().chainLength() + 1);
                        attempts.incrementAndGet();
                        if (store.compareAndSwap(peer, new RatchetUpdate(n, p.state1(), p.state1(), p.state2(), true, false, true))) won++;
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        if (!errors.isEmpty()) throw new IOException("worker failed: " + errors.get(0), errors.get(0));
        return attempts.get();
    }

    public static void main(String[] args) throws Exception {
        Opener opener = (Opener) Class.forName(args[0]).getConstructor().newInstance();
        try (PeerRatchetStore store = opener.open(Arrays.asList(args).subList(4, args.length))) {
            StaticPublicKey peer = StaticPublicKey.fromHex(args[1]);
            int threads = Integer.parseInt(args[2]);
            int successes = Integer.parseInt(args[3]);
            run(store, peer, threads, successes);
            System.out.println("wins=" + (threads * successes));
        }
    }

    /** Starts this class in a new JVM with the test class path. */
    public static Process spawn(Class<? extends Opener> opener, StaticPublicKey peer, int threads, int successes, List<String> openerArgs)
            throws IOException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), CasWorker.class.getName(),
                opener.getName(), peer.toHex(), String.valueOf(threads), String.valueOf(successes)));
        cmd.addAll(openerArgs);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }
}

package dev.planetary.cli;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.sqlite.SqliteRatchetStore;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handshakes per second over real loopback UDP between in-process {@link Endpoint}s, with the
 * durable SQLite store against the in-memory store on both sides. Every handshake is a full XK
 * handshake with a ratchet: three compare-and-swaps (initiator X2 and C1, responder X3), each
 * fsynced before it returns with SQLite. Reports, asserts nothing. Off by default:
 * {@code ./build mvn -pl planetary-cli -am test -Dtest=StoreHandshakeThroughputTest -Dplanetary.bench=true -Dsurefire.failIfNoSpecifiedTests=false}
 * (writes {@code planetary-cli/target/handshake-throughput.txt}; {@code -Dplanetary.benchSeconds=N}, default 8, per row).
 */
class StoreHandshakeThroughputTest {
    private static final int SECONDS = Integer.getInteger("planetary.benchSeconds", 8);

    @TempDir
    Path dir;

    @Test
    void handshakesPerSecondSqliteVersusMemory() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("planetary.bench"), "benchmark: run with -Dplanetary.bench=true");
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                "handshakes/s over loopback UDP, two in-process endpoints per pair, %d s per row after 3 s warm-up, %d cores%n",
                SECONDS, Runtime.getRuntime().availableProcessors()));
        for (int clients : new int[] {1, 8}) {
            for (String kind : List.of("memory", "sqlite")) {
                double rate = measure(kind, clients);
                String line = String.format(Locale.ROOT, "%-7s %d initiator(s) -> 1 responder: %8.1f handshakes/s%n", kind, clients, rate);
                System.out.print(line);
                report.append(line);
            }
        }
        Files.writeString(Path.of("target", "handshake-throughput.txt"), report, StandardCharsets.UTF_8);
    }

    private double measure(String kind, int clients) throws Exception {
        List<AutoCloseable> closeMe = new ArrayList<>();
        try {
            StaticKeyPair serverKey = StaticKeyPair.generate();
            Endpoint server = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(serverKey)
                    .store(store(kind, "server", closeMe)).receiveQueueCapacity(0).build();
            closeMe.add(server);
            List<Endpoint> initiators = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Endpoint c = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(store(kind, "client" + i, closeMe)).build();
                closeMe.add(c);
                initiators.add(c);
            }
            InetSocketAddress to = server.localAddress();
            AtomicLong done = new AtomicLong();
            long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            long end = warmEnd + TimeUnit.SECONDS.toNanos(SECONDS);
            long[] counted = new long[clients];
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < clients; i++) {
                Endpoint c = initiators.get(i);
                int idx = i;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        while (System.nanoTime() < end) {
                            PeerSession s = c.connect(serverKey.publicKey(), to).get(30, TimeUnit.SECONDS);
                            if (s.wasDowngraded()) throw new IllegalStateException("downgraded");
                            if (System.nanoTime() > warmEnd) counted[idx]++;
                            done.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(SECONDS + 60));
            if (!errors.isEmpty()) throw new AssertionError("handshake failed: " + errors.get(0), errors.get(0));
            long total = 0;
            for (long n : counted) total += n;
            return total / (double) SECONDS;
        } finally {
            for (int i = closeMe.size() - 1; i >= 0; i--) closeMe.get(i).close();
        }
    }

    private PeerRatchetStore store(String kind, String name, List<AutoCloseable> closeMe) throws IOException {
        PeerRatchetStore s = switch (kind) {
            case "memory" -> new MemoryRatchetStore();
            case "sqlite" -> SqliteRatchetStore.open(dir.resolve(name + ".db"));
            default -> throw new IllegalArgumentException(kind);
        };
        closeMe.add(s);
        return s;
    }
}

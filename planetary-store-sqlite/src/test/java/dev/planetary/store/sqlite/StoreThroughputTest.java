package dev.planetary.store.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.testing.RatchetStoreContract;
import dev.planetary.store.internal.Rows;
import dev.planetary.store.postgres.testing.PostgresFixture;
import dev.planetary.store.postgres.PostgresRatchetStore;
import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Throughput of durable compare-and-swaps (each one a committed, fsynced transaction), 1 and 8
 * threads, for SQLite and PostgreSQL. Off by default; run with
 * {@code ./build mvn -pl planetary-store-sqlite -am test -Dtest=StoreThroughputTest -Dplanetary.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. Prints a table (also written to
 * {@code target/store-throughput.txt}); asserts only that every counted swap really happened.
 *
 * <p>With 8 threads every thread advances its own peer (concurrent sessions saving), so all
 * swaps succeed; the figures are swaps per second. The "raw" SQLite rows measure the alternative
 * designs the store did not choose: a connection per thread (contending through SQLite's busy
 * handler) and, for reference, {@code synchronous=NORMAL} (not durable per commit).
 */
@EnabledIfSystemProperty(named = "planetary.bench", matches = "true")
class StoreThroughputTest {
    static final long WARMUP_MS = 1000;
    static final long MEASURE_MS = Long.getLong("planetary.bench.millis", 5000);

    @TempDir
    Path dir;

    final StringBuilder report = new StringBuilder();

    interface Op {
        /** One operation by thread {@code t}; returns true if it counts. */
        boolean run(int t) throws Exception;
    }

    /** Runs {@code op} on {@code threads} threads for warm-up plus the measuring time; returns ops/s. */
    static double measure(int threads, Op op, AtomicLong counted) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        boolean ok = op.run(id);
                        if (ok && counted != null) counted.incrementAndGet();
                        if (ok && measuring.get()) ops.incrementAndGet();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        Thread.sleep(WARMUP_MS);
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(MEASURE_MS);
        measuring.set(false);
        long elapsed = System.nanoTime() - t0;
        stop.set(true);
        for (Thread th : ts) th.join();
        if (!errors.isEmpty()) throw new AssertionError(errors.get(0));
        return ops.get() / (elapsed / 1e9);
    }

    /** K1-style swaps of each thread's own peer; checks at the end that each chain counts every swap. */
    double casThroughput(PeerRatchetStore store, int threads) throws Exception {
        StaticPublicKey[] peers = new StaticPublicKey[threads];
        RatchetPair[] current = new RatchetPair[threads];
        long[] wins = new long[threads];
        for (int t = 0; t < threads; t++) {
            peers[t] = StaticKeyPair.generate().publicKey();
            current[t] = RatchetPair.INITIAL;
        }
        double rate = measure(threads, t -> {
            RatchetPair c = current[t];
            RatchetState n = RatchetStoreContract.st(c.state1().chainLength() + 1);
            boolean ok = store.compareAndSwap(peers[t], new RatchetUpdate(n, c.state1(), c.state1(), c.state2(), true, false, true));
            if (!ok) throw new AssertionError("uncontended swap failed");
            current[t] = new RatchetPair(n, c.state1());
            wins[t]++;
            return true;
        }, null);
        for (int t = 0; t < threads; t++) assertEquals(wins[t], store.load(peers[t]).state1().chainLength());
        return rate;
    }

    double findThroughput(PeerRatchetStore store, int threads) throws Exception {
        List<RatchetState> states = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            RatchetState s = RatchetStoreContract.st(1);
            store.provision(StaticKeyPair.generate().publicKey(), s, false);
            states.add(s);
        }
        long[] i = new long[threads];
        return measure(threads, t -> {
            RatchetState s = states.get((int) (i[t]++ % states.size()));
            if (!s.equals(store.findByFingerprint(s.fingerprint()))) throw new AssertionError("not found");
            return true;
        }, null);
    }

    /** The design not chosen: a connection per thread, each swap a BEGIN IMMEDIATE transaction. */
    final AtomicLong busy = new AtomicLong();

    double rawSqlite(Path file, int threads, String synchronous) throws Exception {
        busy.set(0);
        try (SqliteRatchetStore init = SqliteRatchetStore.open(file)) {
            assertTrue(init.peers().isEmpty());
        }
        List<Connection> conns = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.execute("PRAGMA synchronous = " + synchronous);
            }
            conns.add(c);
        }
        byte[][] peers = new byte[threads][];
        long[] chain = new long[threads];
        for (int t = 0; t < threads; t++) peers[t] = StaticKeyPair.generate().publicKey().toBytes();
        try {
            return measure(threads, t -> {
                Connection c = conns.get(t);
                try (Statement st = c.createStatement()) {
                    st.execute("BEGIN IMMEDIATE");
                    try (PreparedStatement ps = c.prepareStatement(SqliteRatchetStore.SQL_LOAD)) {
                        ps.setBytes(1, peers[t]);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO ratchet_peers VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT(peer) DO UPDATE SET key1 = excluded.key1, fp1 = excluded.fp1, chain1 = excluded.chain1,"
                            + " key2 = excluded.key2, fp2 = excluded.fp2, chain2 = excluded.chain2, updated_at = excluded.updated_at")) {
                        ps.setBytes(1, peers[t]);
                        Rows.bindPair(ps, 2, RatchetStoreContract.st(++chain[t]), RatchetStoreContract.st(chain[t] - 1));
                        ps.setLong(8, System.currentTimeMillis());
                        ps.executeUpdate();
                    }
                    st.execute("COMMIT");
                    return true;
                } catch (java.sql.SQLException e) {
                    if ((e.getErrorCode() & 0xff) != SqliteErrors.SQLITE_BUSY) throw e;
                    // gave up after the 5 s busy timeout: a lost save in a real server
                    busy.incrementAndGet();
                    try (Statement st = c.createStatement()) {
                        st.execute("ROLLBACK");
                    } catch (java.sql.SQLException ignored) {
                        // no transaction open
                    }
                    return false;
                }
            }, null);
        } finally {
            for (Connection c : conns) c.close();
        }
    }

    void row(String store, String what, int threads, double rate) {
        String line = String.format("%-10s %-58s %2d thr %10.0f ops/s", store, what, threads, rate);
        report.append(line).append('\n');
        System.out.println(line);
    }

    @Test
    void throughput() throws Exception {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
        } catch (Exception ignored) {
            // not Linux
        }
        report.append("CPU: ").append(cpu).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores; ")
                .append(MEASURE_MS).append(" ms per row after ").append(WARMUP_MS).append(" ms warm-up\n");
        for (int threads : new int[] {1, 8}) {
            try (SqliteRatchetStore s = SqliteRatchetStore.open(dir.resolve("cas" + threads + ".db"))) {
                row("SQLite", "store CAS (WAL, synchronous=FULL)", threads, casThroughput(s, threads));
            }
        }
        for (int threads : new int[] {1, 8}) {
            try (SqliteRatchetStore s = SqliteRatchetStore.open(dir.resolve("find" + threads + ".db"))) {
                row("SQLite", "store findByFingerprint", threads, findThroughput(s, threads));
            }
        }
        double perThread = rawSqlite(dir.resolve("raw8.db"), 8, "FULL");
        row("SQLite", "raw: connection per thread, BEGIN IMMEDIATE, FULL", 8, perThread);
        report.append("           (plus ").append(busy.get()).append(" swaps that failed with SQLITE_BUSY after the 5 s busy timeout)\n");
        row("SQLite", "raw: one connection, synchronous=NORMAL (not durable)", 1, rawSqlite(dir.resolve("rawn.db"), 1, "NORMAL"));
        if (!Boolean.getBoolean(PostgresFixture.SKIP_PROPERTY)) {
            PostgresFixture pg = PostgresFixture.get();
            for (int threads : new int[] {1, 8}) {
                try (PostgresRatchetStore s = PostgresRatchetStore.open(pg.url, pg.properties, PostgresFixture.freshPrefix())) {
                    row("PostgreSQL", "store CAS (synchronous_commit=on, fsync=on)", threads, casThroughput(s, threads));
                }
            }
            for (int threads : new int[] {1, 8}) {
                try (PostgresRatchetStore s = PostgresRatchetStore.open(pg.url, pg.properties, PostgresFixture.freshPrefix())) {
                    row("PostgreSQL", "store findByFingerprint", threads, findThroughput(s, threads));
                }
            }
        }
        Path out = Path.of("target", "store-throughput.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println(report);
    }
}

package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Endpoint.Builder#handshakeNice}: the handshake plane's threads run at the configured nice
 * steps above the process, the receive and timer threads keep the process's nice value, and the
 * default (0) leaves the handshake threads alone; listener callbacks queued by a niced thread do not run on a thread it
 * started (which would have inherited its nice value). Reads each thread's nice value from {@code /proc/self/task/<tid>/stat}
 * (field 19); the test JVM has {@code --enable-native-access=ALL-UNNAMED} (this module's pom).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeNiceTest {
    private static final int STEPS = 7;

    @Test
    void handshakeThreadsRunNicerReceiveThreadsDoNot() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"), "nice values are read from Linux /proc");
        int base = nice(Path.of("/proc/thread-self/stat"));
        int expected = Math.min(ThreadNice.MAX, base + STEPS);
        assertTrue(expected != base, "the test JVM already runs at nice " + base + ": nothing to observe");

        Map<String, Integer> before = threads();
        CompletableFuture<Integer> callbackNice = new CompletableFuture<>();
        EndpointListener listener = new EndpointListener() {
            @Override
            public void onSession(PeerSession s) { // queued by a niced handshake thread: runs on a carrier it must not have started
                callbackNice.complete(nice(Path.of("/proc/thread-self/stat")));
            }
        };
        try (Endpoint server = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).receiveThreads(2).handshakeThreads(2, 2 * Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD).handshakeNice(STEPS).listener(listener).build()) {
            Map<String, Integer> serverThreads = newThreads(before, 2 + 2 + 1 + 1);
            try (Endpoint client = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                    .store(new MemoryRatchetStore()).receiveThreads(1).handshakeThreads(1, Endpoint.MIN_HANDSHAKE_QUEUE_PER_THREAD).build()) { // the default: off
                Map<String, Integer> seen = new HashMap<>(before);
                seen.putAll(serverThreads);
                Map<String, Integer> clientThreads = newThreads(seen, 1 + 1 + 1);
                // a real handshake: the server's Hello ran on a niced lane, the client's steps on an un-niced one
                client.connect(server.publicKey(), server.localAddress()).get(30, TimeUnit.SECONDS);
                Map<String, Integer> all = threads();
                int handshake = 0;
                int clientHandshake = 0;
                int receive = 0;
                for (Map.Entry<String, Integer> t : all.entrySet()) {
                    String tid = t.getKey();
                    String name = comm(tid);
                    boolean server0 = serverThreads.containsKey(tid);
                    if (name.startsWith("planetary-hands") && server0) {
                        handshake++;
                        // a lane sets its nice value as it starts, before its first datagram
                        assertEquals(expected, awaitNice(tid, expected), "server handshake thread " + tid);
                    } else if (name.startsWith("planetary-hands") && clientThreads.containsKey(tid)) {
                        clientHandshake++;
                        assertEquals(base, t.getValue(), "by default the client's handshake thread " + tid + " keeps the process's nice value");
                    } else if (server0 && (name.startsWith("planetary-recei") || name.startsWith("planetary-timer"))) {
                        if (name.startsWith("planetary-recei")) receive++;
                        assertEquals(base, t.getValue(), "server thread " + name + " (" + tid + ") must keep the process's nice value");
                    }
                }
                assertEquals(2, handshake, "the server's handshake threads");
                assertEquals(2, receive, "the server's receive threads");
                assertEquals(1, clientHandshake, "the client's handshake thread");
                assertEquals(base, callbackNice.get(30, TimeUnit.SECONDS), "a listener callback queued by a handshake thread runs at the process's nice value");
            }
        }
    }

    @Test
    void handshakeNiceIsChecked() {
        Endpoint.Builder b = Endpoint.builder();
        assertThrows(IllegalArgumentException.class, () -> b.handshakeNice(-1));
        assertThrows(IllegalArgumentException.class, () -> b.handshakeNice(ThreadNice.MAX + 1));
        b.handshakeNice(0);
        b.handshakeNice(ThreadNice.MAX);
        assertFalse(ThreadNice.raise(0), "0 steps changes nothing");
    }

    /** Waits (bounded) for a thread that may still be starting to reach {@code want}; returns what it has. */
    private static int awaitNice(String tid, int want) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n = nice(Path.of("/proc/self/task", tid, "stat"));
        while (n != want && System.nanoTime() < end) {
            Thread.sleep(10);
            n = nice(Path.of("/proc/self/task", tid, "stat"));
        }
        return n;
    }

    /** Threads that appeared since {@code before}, waiting (bounded) until at least {@code n} did. */
    private static Map<String, Integer> newThreads(Map<String, Integer> before, int n) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Integer> now;
        do {
            now = threads();
            now.keySet().removeAll(before.keySet());
            if (now.size() >= n) break;
            Thread.sleep(10);
        } while (System.nanoTime() < end);
        return now;
    }

    /** This process's threads: tid to nice value. */
    private static Map<String, Integer> threads() throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    out.put(t.getFileName().toString(), nice(t.resolve("stat")));
                } catch (UncheckedIOException e) {
                    if (!(e.getCause() instanceof NoSuchFileException)) throw e; // a thread that just ended
                }
            }
        }
        return out;
    }

    private static String comm(String tid) throws IOException {
        return Files.readString(Path.of("/proc/self/task", tid, "comm")).strip();
    }

    /** Field 19 of a {@code stat} file (proc(5)); the fields after the parenthesised name start at 3. */
    private static int nice(Path stat) {
        try {
            String s = Files.readString(stat);
            String[] after = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(after[19 - 3]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

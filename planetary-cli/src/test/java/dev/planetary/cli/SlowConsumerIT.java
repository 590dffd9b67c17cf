package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code listen --json} whose stdout is a pipe nobody reads (a stuck consumer), flooded by a peer:
 * the listener (96 MiB heap) stays up and answers new handshakes, and SIGTERM ends it within a few
 * seconds although its last event can never be written.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SlowConsumerIT {
    @TempDir
    Path dir;

    private Process listener;

    @BeforeAll
    static void onlyInTheIntegrationTestPhase() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void kill() throws InterruptedException {
        if (listener != null && listener.isAlive()) {
            listener.destroyForcibly();
            listener.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void floodedListenerWithABlockedStdoutStaysUpAndStopsOnSigterm() throws Exception {
        PlanetaryProcess.keygen(dir, "server");
        StaticPublicKey server = KeyFiles.readPublic(dir.resolve("server.pub"));
        int port = PlanetaryProcess.freeUdpPort();
        ProcessBuilder pb = new ProcessBuilder(PlanetaryProcess.command(List.of("listen", "--json", "--bind", "127.0.0.1:" + port,
                "--key", "server.key", "--no-state", "--allow-any"))).directory(dir.toFile());
        pb.redirectError(dir.resolve("listener.err").toFile());
        listener = pb.start(); // stdout: a pipe this test never reads
        listener.getOutputStream().close();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);

        // The flood: 'connect' sends 48 MB of stdin as payloads; every one is a 'data' event on the listener's stdout.
        PlanetaryProcess.keygen(dir, "client");
        byte[] chunk = new byte[1 << 20];
        new java.util.Random(1).nextBytes(chunk);
        try (var o = Files.newOutputStream(dir.resolve("flood.bin"))) {
            for (int i = 0; i < 48; i++) o.write(chunk);
        }
        try (Endpoint probe = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).handshakeTimeout(Duration.ofSeconds(2)).build()) {
            connect(probe, server, address, 60); // the listener is up
        }
        ProcessBuilder flood = new ProcessBuilder(PlanetaryProcess.command(List.of("connect", "127.0.0.1:" + port, "--key", "client.key",
                "--peer", "server.pub", "--no-state", "--linger", "500ms"))).directory(dir.toFile());
        flood.redirectInput(dir.resolve("flood.bin").toFile());
        flood.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        flood.redirectError(dir.resolve("flood.err").toFile());
        Process f = flood.start();
        assertTrue(f.waitFor(120, TimeUnit.SECONDS), "the flooding client did not finish");
        assertTrue(listener.isAlive(), "the listener died under the flood:\n" + Files.readString(dir.resolve("listener.err")));
        // Still answering: another handshake completes.
        try (Endpoint other = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).handshakeTimeout(Duration.ofSeconds(5)).build()) {
            connect(other, server, address, 30);
        }
        long t0 = System.nanoTime();
        // SIGTERM through the process handle: Process.destroy() would also close our end of the
        // stdout pipe, which unblocks the listener's writes (EPIPE) and hides the hang.
        assertTrue(listener.toHandle().destroy());
        boolean exited = listener.waitFor(10, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        String err = Files.readString(dir.resolve("listener.err"), StandardCharsets.UTF_8);
        assertTrue(exited, "listen did not exit within 10 s of SIGTERM with its stdout blocked\n" + err);
        assertFalse(err.contains("OutOfMemoryError"), err);
        System.out.println("SlowConsumerIT: exit " + ms + " ms after SIGTERM, code " + listener.exitValue() + "\n" + err);
    }

    /** Connects, retrying while the listener starts (bounded). */
    private static PeerSession connect(Endpoint client, StaticPublicKey server, InetSocketAddress address, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try {
                return client.connect(server, address).get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) throw new AssertionError("no handshake with the listener", e);
            }
        }
    }
}

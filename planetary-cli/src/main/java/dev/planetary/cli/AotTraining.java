package dev.planetary.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The training run of the launcher's AOT cache (JDK 25, JEP 483/514/515; docs/cli.md "Start-up"):
 * {@code java -XX:AOTCacheOutput=FILE -cp planetary.jar dev.planetary.cli.AotTraining} runs, in this one
 * JVM, what a tunnel pair runs: {@code keygen}, {@code listen --allow-tunnel} and {@code tunnel} on
 * loopback, {@value #BULK_STREAMS} streams of {@value #BULK_MIB} MiB and {@value #SHORT_STREAMS} short
 * ones through them; then exits 0 and the JVM writes the cache (the classes it loaded and linked,
 * and method profiles). Not a command: the launcher {@code ./planetary} starts it in the background.
 * Exits 1 if anything fails or takes longer than {@value #DEADLINE_S} s; prints nothing on success.
 */
final class AotTraining {
    static final int BULK_STREAMS = 3;
    static final int BULK_MIB = 64;
    /** MiB per bulk stream: {@value #BULK_MIB}, or the system property {@code planetary.aotTraining.mib} (a quick run for a test). */
    private static final int MIB = Integer.getInteger("planetary.aotTraining.mib", BULK_MIB);
    static final int SHORT_STREAMS = 10;
    static final int DEADLINE_S = 300; // niced, on a busy machine
    private static final Pattern LISTENING = Pattern.compile("\"event\":\"listening\".*\"address\":\"([^\"]+)\"");
    private static final Pattern TUNNEL = Pattern.compile("\"event\":\"tunnel\".*\"local\":\"([^\"]+)\"");

    private AotTraining() {}

    public static void main(String[] args) throws Exception {
        PrintStream err = System.err;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(DEADLINE_S));
                err.println("planetary: AOT training: not done within " + DEADLINE_S + " s");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                // done
            }
        }, "aot-training-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Path dir = Files.createTempDirectory("planetary-aot-training");
        int code = 1;
        try {
            run(dir);
            code = 0;
        } catch (Exception e) {
            err.println("planetary: AOT training failed: " + e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(code); // the listener and the tunnel stop in their shutdown hooks; then the JVM writes the cache
    }

    private static void run(Path dir) throws Exception {
        String server = dir.resolve("server").toString();
        String client = dir.resolve("client").toString();
        Lines lines = new Lines();
        System.setOut(new PrintStream(lines, true, StandardCharsets.UTF_8));
        if (Main.run("keygen", server) != 0 || Main.run("keygen", client) != 0) throw new IOException("keygen failed");
        try (ServerSocket source = new ServerSocket(0, 64, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serve(source));
            String target = "127.0.0.1:" + source.getLocalPort();
            CompletableFuture<String> listening = lines.expect(LISTENING);
            daemon("listen", "--json", "--bind", "127.0.0.1:0", "--key", server + ".key", "--no-state", "--allow", client + ".pub",
                    "--allow-tunnel", target);
            String udp = listening.get(30, TimeUnit.SECONDS);
            CompletableFuture<String> tunnel = lines.expect(TUNNEL);
            daemon("tunnel", udp, "--json", "--local", "127.0.0.1:0", "--key", client + ".key", "--peer", server + ".pub",
                    "--remote", target, "--no-state");
            String local = tunnel.get(30, TimeUnit.SECONDS);
            int colon = local.lastIndexOf(':');
            InetSocketAddress forward = new InetSocketAddress(local.substring(0, colon), Integer.parseInt(local.substring(colon + 1)));
            for (int i = 0; i < BULK_STREAMS; i++) {
                long n = drain(forward, Long.MAX_VALUE);
                if (n != (long) MIB << 20) throw new IOException("stream " + i + " carried " + n + " bytes");
            }
            for (int i = 0; i < SHORT_STREAMS; i++) drain(forward, 1); // to the first byte, then a reset
        }
    }

    /** Runs a daemon command (listen, tunnel) on a thread of its own until the process exits. */
    private static void daemon(String... args) {
        Thread t = new Thread(() -> Main.run(args), "aot-training-" + args[0]);
        t.setDaemon(true);
        t.start();
    }

    /** The target: {@link #MIB} MiB to every connection. */
    private static void serve(ServerSocket source) {
        byte[] block = new byte[1 << 20];
        new java.util.Random(19).nextBytes(block);
        while (true) {
            Socket c;
            try {
                c = source.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> {
                try (c; OutputStream o = c.getOutputStream()) {
                    for (int i = 0; i < MIB; i++) o.write(block);
                } catch (IOException e) {
                    // a short stream's reset
                }
            });
        }
    }

    /** Reads a connection through the forward until its end or at least {@code atLeast} bytes; returns how many. */
    private static long drain(InetSocketAddress forward, long atLeast) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(forward, 10_000);
            s.setSoTimeout(30_000);
            if (atLeast != Long.MAX_VALUE) s.setSoLinger(true, 0);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            long n = 0;
            int r;
            while (n < atLeast && (r = in.read(buf)) >= 0) n += r;
            return n;
        }
    }

    /** Standard output of the commands: completes a waiter when a line matches. */
    private static final class Lines extends OutputStream {
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private volatile Pattern wanted;
        private volatile CompletableFuture<String> found;

        @Override
        public synchronized void write(int b) {
            if (b != '\n') {
                if (line.size() < 1 << 16) line.write(b);
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            Pattern p = wanted;
            if (p == null) return;
            Matcher m = p.matcher(text);
            if (m.find()) found.complete(m.group(1));
        }

        /** The first group of the next line that matches {@code p} (one expectation at a time). */
        synchronized CompletableFuture<String> expect(Pattern p) {
            found = new CompletableFuture<>();
            wanted = p;
            return found;
        }
    }
}

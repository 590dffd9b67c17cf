package dev.planetary.transport;

import dev.planetary.zssp.StaticPublicKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@link HelloFlooder} in a separate JVM from the test class path; always cleaned up by {@link #close}. */
final class FloodProcess implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Writer stdin;
    final String ready;

    FloodProcess(InetSocketAddress target, StaticPublicKey responder, int pool, String mode, int maxSeconds) throws IOException, InterruptedException {
        this(target, responder, pool, mode, maxSeconds, 0);
    }

    /** @param maxRate datagrams per second, 0 = as fast as one thread can send */
    FloodProcess(InetSocketAddress target, StaticPublicKey responder, int pool, String mode, int maxSeconds, double maxRate) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                HelloFlooder.class.getName(), target.getAddress().getHostAddress(), Integer.toString(target.getPort()), responder.toHex(),
                Integer.toString(pool), mode, Integer.toString(maxSeconds), Double.toString(maxRate));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        process = pb.start();
        stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) lines.add(l);
            } catch (IOException ignored) {
                // process ended
            }
        });
        String l = lines.poll(90, TimeUnit.SECONDS); // pool generation; slow under CPU load
        if (l == null || !l.startsWith("READY")) {
            close();
            throw new AssertionError("attacker process did not start: " + l);
        }
        ready = l;
    }

    /** Tells the attacker to stop and returns its figures (sent, fresh, replays, shaped, random, seconds, rate). */
    Map<String, Double> stop() throws IOException, InterruptedException {
        try {
            stdin.write("stop\n");
            stdin.flush();
        } catch (IOException ignored) {
            // already gone
        }
        String l;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        do {
            l = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } while (l != null && !l.startsWith("STATS"));
        if (l == null) throw new AssertionError("attacker process gave no figures");
        Map<String, Double> m = new HashMap<>();
        for (String kv : l.substring(6).split(" ")) {
            String[] p = kv.split("=");
            m.put(p[0], Double.parseDouble(p[1]));
        }
        process.waitFor(10, TimeUnit.SECONDS);
        return m;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

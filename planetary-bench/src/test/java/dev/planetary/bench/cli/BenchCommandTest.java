package dev.planetary.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box test of {@code planetary bench}: the command line's {@code Main} in a child process with
 * this module's class path (so the verb is found as a {@code PluginCommand}, as in the bench jar
 * that {@code ./planetary bench} runs), real UDP on 127.0.0.1: the JSON object has every documented
 * field and each path moved data. No timing assertions: only that the figures exist and are positive.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BenchCommandTest {
    private static final long PROCESS_TIMEOUT_S = 150;

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private Result run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.planetary.cli.Main");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("XDG_STATE_HOME", dir.resolve("xdg-state").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        Collector out = new Collector(p.getInputStream());
        Collector err = new Collector(p.getErrorStream());
        if (!p.waitFor(PROCESS_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("planetary " + String.join(" ", args) + " did not finish within " + PROCESS_TIMEOUT_S + " s\n" + out.text() + err.text());
        }
        return new Result(p.exitValue(), out.text(), err.text());
    }

    /** Reads a stream to its end on a daemon thread. */
    static final class Collector {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Collector(InputStream in) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                try (in) {
                    in.transferTo(buf);
                } catch (IOException ignored) {
                    // process ended
                }
            });
        }

        String text() throws InterruptedException {
            thread.join(5000);
            synchronized (buf) {
                return buf.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** The number after {@code "key":} inside {@code json} (the first occurrence after {@code from}). */
    private static double number(String json, int from, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(-?[0-9.]+)").matcher(json);
        assertTrue(m.find(from), "no numeric field " + key + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    /** Start of the object value of {@code "key":{…}}. */
    private static int object(String json, String key) {
        int i = json.indexOf("\"" + key + "\":{");
        assertTrue(i >= 0, "no object " + key + " in " + json);
        return i;
    }

    @Test
    void jsonHasEveryFigureAndEveryPathMovedData() throws Exception {
        Result r = run("bench", "--duration", "400ms", "--warmup", "100ms", "--json"); // five paths: 2.5 s; every figure is there at any length
        assertEquals(0, r.exit(), r.toString());
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "--json prints exactly one object: " + r);
        String json = lines.get(0);
        assertTrue(json.startsWith("{\"event\":\"bench\"") && json.endsWith("}"), json);
        for (String k : List.of("\"payloadBytes\":1400", "\"mtu\":1432", "\"durationMs\":400", "\"warmupMs\":100", "\"jdk\":\"", "\"cpu\":\"",
                "\"cores\":", "\"window\":", "\"ratios\":{", "\"zsspToUdp\":", "\"zsspToDtls\":", "\"zsspRawToUdp\":", "\"zsspRawToDtls\":")) {
            assertTrue(json.contains(k), "missing " + k + " in " + json);
        }
        for (String path : List.of("udp", "zssp", "zsspQueue", "zsspRaw", "dtls")) {
            int at = object(json, path);
            assertTrue(number(json, at, "mbPerSec") > 0, path + ": no throughput in " + json);
            assertTrue(number(json, at, "pps") > 0, path + ": no payloads/s in " + json);
            assertTrue(number(json, at, "delivered") > 0, path + ": nothing delivered in " + json);
            number(json, at, "sent");
            number(json, at, "lost");
            number(json, at, "lossPercent");
            number(json, at, "seconds");
        }
        assertTrue(json.contains("\"cipherSuite\":\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\""), json);
        assertTrue(json.contains("\"protocol\":\"DTLSv1.2\""), json);
        assertTrue(number(json, object(json, "ratios"), "zsspToUdp") > 0, json);
        assertTrue(number(json, object(json, "ratios"), "zsspToDtls") > 0, json);
    }

    @Test
    void humanTableAndBadOptions() throws Exception {
        Result r = run("bench", "--duration", "300ms", "--warmup", "0ms", "--only", "udp,zssp", "--size", "200");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("plain UDP") && r.out().contains("ZSSP (Endpoint, handler)") && r.out().contains("ZSSP / plain UDP:"), r.toString());

        Result bad = run("bench", "--size", "4");
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue(bad.err().contains("planetary: error: --size must be at least 8"), bad.toString());
        Result badPath = run("bench", "--only", "tcp");
        assertEquals(2, badPath.exit(), badPath.toString());
        assertTrue(badPath.err().contains("unknown path 'tcp'"), badPath.toString());
    }
}

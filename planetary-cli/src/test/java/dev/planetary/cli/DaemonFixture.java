package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.planetary.daemon.ApiClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Roots and nodes as real processes on loopback (VL.md §16.1 L1), and their local API. */
final class DaemonFixture {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Directories whose daemons make their own identity at first start (DaemonIT checks that): see {@link #ownIdentities}. */
    private static final java.util.Set<Path> OWN_IDENTITIES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private DaemonFixture() {}

    /** Daemons with homes in {@code dir} generate their identity themselves (no {@link TestIdentities} lent). */
    static void ownIdentities(Path dir) {
        OWN_IDENTITIES.add(dir);
    }

    /** A started daemon: its process, ready line and home. */
    record Daemon(PlanetaryProcess process, String ready, Path home) {
        String address() {
            return PlanetaryProcess.field(ready, "address");
        }

        String fingerprint() {
            return PlanetaryProcess.field(ready, "fingerprint");
        }

        int port() {
            return Integer.parseInt(PlanetaryProcess.field(ready, "port"));
        }

        Path socket() {
            return home.resolve("planetary.sock");
        }

        JsonNode get(String path) throws IOException {
            ApiClient.Reply r = ApiClient.request(socket(), "GET", path, null);
            assertEquals(200, r.status(), path + ": " + r.body());
            return JSON.readTree(r.body());
        }

        String metrics() throws IOException {
            ApiClient.Reply r = ApiClient.request(socket(), "GET", "/metrics", null);
            assertEquals(200, r.status(), r.body());
            return r.body();
        }

        /** An engine counter as {@code /metrics} shows it (a {@code planetary_drops_total} reason label), 0 if absent. */
        long dropCounter(String reason) throws IOException {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("reason=\"" + java.util.regex.Pattern.quote(reason) + "\"[^}]*} ([0-9.eE+]+)")
                    .matcher(metrics());
            return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
        }

        ApiClient.Reply post(String path, String json) throws IOException {
            return ApiClient.request(socket(), "POST", path, json.getBytes(StandardCharsets.UTF_8));
        }

        boolean online() throws IOException {
            return get("/status").path("online").asBoolean();
        }
    }

    /** Starts {@code planetary root|node --home dir/NAME --port 0 --json EXTRA…} and waits for its ready line. */
    static Daemon start(Path dir, String role, String name, String... extra) throws Exception {
        return ready(launch(List.of(), dir, role, name, 0, extra), dir.resolve(name));
    }

    /**
     * Starts {@code WRAPPER… planetary ROLE --home dir/NAME --port PORT --json EXTRA…} without
     * waiting: start several, then {@link #ready} each (they start in parallel).
     */
    static PlanetaryProcess launch(List<String> wrapper, Path dir, String role, String name, int port, String... extra) throws IOException {
        if (!OWN_IDENTITIES.contains(dir)) TestIdentities.lend(dir.resolve(name)); // no proof of work at start (a home with one keeps it)
        List<String> args = new ArrayList<>(List.of(role, "--home", dir.resolve(name).toString(), "--port", Integer.toString(port), "--json"));
        if (role.equals("node") && !List.of(extra).contains("--nic")) args.addAll(List.of("--nic", "userspace")); // no TAP privileges needed
        args.addAll(List.of(extra));
        return PlanetaryProcess.start(name, dir, wrapper, args);
    }

    /** Waits (bounded) for a launched daemon's ready line. */
    static Daemon ready(PlanetaryProcess p, Path home) throws InterruptedException {
        String ready = p.out.await(l -> l.contains("\"event\":\"ready\""), 90, p.name + " ready");
        return new Daemon(p, ready, home);
    }

    /** A root set {@code it} (file dir/it.rootset) naming {@code roots} at 127.0.0.1, signed by a fresh update key. */
    static Path rootSet(Path dir, Daemon... roots) throws Exception {
        return rootSet(dir, "it", 1, "it.rootset", roots);
    }

    /** A root set {@code name} at {@code revision} (file dir/OUT), signed by the update key {@code it} (created once per dir). */
    static Path rootSet(Path dir, String name, long revision, String out, Daemon... roots) throws Exception {
        List<String> entries = new ArrayList<>();
        for (Daemon r : roots) entries.add(r.home().resolve("identity.public") + "@127.0.0.1/" + r.port());
        return rootSet(dir, name, revision, out, entries);
    }

    /** A root set {@code it} (file dir/it.rootset) of {@code roots}, each {@code IDENTITY-FILE@HOST/PORT}. */
    static Path rootSet(Path dir, List<String> roots) throws Exception {
        return rootSet(dir, "it", 1, "it.rootset", roots);
    }

    /** A root set {@code name} at {@code revision} (file dir/OUT) of {@code roots}, each {@code IDENTITY-FILE@HOST/PORT}. */
    static Path rootSet(Path dir, String name, long revision, String out, List<String> roots) throws Exception {
        if (!java.nio.file.Files.exists(dir.resolve("it.updatekey"))) {
            PlanetaryProcess k = PlanetaryProcess.run(dir, 60, "rootset", "keygen", "it");
            assertEquals(0, k.exitCode(), k.err.text());
        }
        List<String> args = new ArrayList<>(List.of("rootset", "create", "--name", name, "--revision", String.valueOf(revision),
                "--update-key", "it.updatepub", "--key", "it.updatekey", "-o", out, "--force"));
        for (String r : roots) {
            args.add("--root");
            args.add(r);
        }
        PlanetaryProcess c = PlanetaryProcess.run(dir, 60, args.toArray(String[]::new));
        assertEquals(0, c.exitCode(), c.err.text());
        return dir.resolve(out);
    }

    /**
     * SIGTERM through the process handle, which (unlike {@link Process#destroy()}) leaves the pipes
     * open, so the last lines are still read; waits (bounded) and returns the exit code.
     */
    static int terminate(Daemon d) throws InterruptedException {
        Process p = d.process().process;
        p.toHandle().destroy();
        if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            d.process().kill();
            throw new AssertionError(d.process().name + " did not stop on SIGTERM within 20 s");
        }
        d.process().out.join();
        d.process().err.join();
        return p.exitValue();
    }

    /** Waits (bounded) for an event line of {@code d} that contains every one of {@code parts}. */
    static String awaitEvent(Daemon d, long seconds, String event, String... parts) throws InterruptedException {
        return d.process().out.await(l -> {
            if (!l.contains("\"event\":\"" + event + "\"")) return false;
            for (String p : parts) if (!l.contains(p)) return false;
            return true;
        }, seconds, d.process().name + " " + event + " " + String.join(" ", parts));
    }
}

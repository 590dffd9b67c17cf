package dev.planetary.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's local settings (VL.md §2.10 {@code planetary.json} in the home directory), before
 * command-line flags override them. Unknown keys are ignored with a warning; a bad value is a
 * {@link ConfigException} naming the key. Absent fields keep their defaults.
 *
 * <pre>{"port": 9993, "bind": "0.0.0.0",
 *  "api": {"socket": "/run/planetary/planetary.sock", "tcp": false, "port": 9993},
 *  "log": {"level": "info", "file": "/var/log/planetary.log"},
 *  "rendezvous": {"allow": ["<fingerprint>", …]},
 *  "forward": {"expose": [22, 8080]}}</pre>
 *
 * @param port      UDP port (0: any free port)
 * @param bind      UDP bind address (IPv4 or IPv6 literal)
 * @param apiSocket the API's Unix-domain socket; null: {@code <home>/planetary.sock}
 * @param apiTcp    serve the TCP API on loopback (§13.1)
 * @param apiPort   its port (0: any free port)
 * @param logLevel  off, error, warn, info, debug or trace
 * @param logFile   null: standard error
 * @param rendezvousAllow peers (fingerprints, base32) this node consents to rendezvous and endpoint pushes with
 *                  (VL.md §5.5 {@code rendezvous.allow}); {@code "*"} allows every peer (labs and tests)
 * @param portMapping ask the default gateway for a mapping of the primary port (VL.md §5.9 {@code portMapping}, default off)
 * @param forwardExpose the local TCP ports members' port forwards may reach on {@code 127.0.0.1} (VL.md §12.8 {@code forward.expose}, default none)
 * @param warnings  what was ignored, for the operator
 */
public record DaemonConfig(int port, String bind, Path apiSocket, boolean apiTcp, int apiPort, String logLevel, Path logFile,
                           List<String> rendezvousAllow, boolean portMapping, Set<Integer> forwardExpose, List<String> warnings) {
    public static final String FILE = "planetary.json";
    public static final int DEFAULT_PORT = 9993;
    public static final Set<String> LOG_LEVELS = Set.of("off", "error", "warn", "info", "debug", "trace");
    private static final int MAX_FILE = 64 * 1024;

    public DaemonConfig {
        rendezvousAllow = List.copyOf(rendezvousAllow);
        forwardExpose = Set.copyOf(forwardExpose);
        warnings = List.copyOf(warnings);
    }

    /** A bad setting, with the key and the reason. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        public ConfigException(String message) {
            super(message);
        }
    }

    public static DaemonConfig defaults() {
        return new DaemonConfig(DEFAULT_PORT, "0.0.0.0", null, false, DEFAULT_PORT, "info", null, List.of(), false, Set.of(), List.of());
    }

    /** The socket path this configuration serves for {@code home}. */
    public Path apiSocket(Path home) {
        return apiSocket != null ? apiSocket : home.resolve("planetary.sock");
    }

    /** Reads {@code home/planetary.json} if present (defaults otherwise). */
    public static DaemonConfig load(Path home) throws ConfigException, IOException {
        Path f = home.resolve(FILE);
        byte[] b;
        try (InputStream in = Files.newInputStream(f)) {
            b = in.readNBytes(MAX_FILE + 1);
        } catch (NoSuchFileException e) {
            return defaults();
        }
        if (b.length > MAX_FILE) throw new ConfigException(f + " is larger than " + MAX_FILE + " bytes");
        return parse(b, f.toString());
    }

    static DaemonConfig parse(byte[] json, String where) throws ConfigException {
        JsonNode root;
        try {
            root = HttpMessages.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(where + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new ConfigException(where + " must hold one JSON object");
        DaemonConfig d = defaults();
        List<String> warnings = new ArrayList<>();
        int port = d.port, apiPort = d.apiPort;
        String bind = d.bind, level = d.logLevel;
        Path socket = null, logFile = null;
        boolean tcp = false, portMapping = false;
        List<String> allow = new ArrayList<>();
        Set<Integer> expose = new java.util.TreeSet<>();
        for (Map.Entry<String, JsonNode> e : fields(root)) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "port" -> port = port(v, "port", where);
                case "bind" -> bind = address(v, "bind", where);
                case "portMapping" -> portMapping = bool(v, "portMapping", where);
                case "api" -> {
                    if (!v.isObject()) throw new ConfigException(where + ": 'api' must be an object");
                    for (Map.Entry<String, JsonNode> a : fields(v)) {
                        switch (a.getKey()) {
                            case "socket" -> socket = Path.of(text(a.getValue(), "api.socket", where));
                            case "tcp" -> tcp = bool(a.getValue(), "api.tcp", where);
                            case "port" -> apiPort = port(a.getValue(), "api.port", where);
                            default -> warnings.add(where + ": unknown key 'api." + a.getKey() + "' ignored");
                        }
                    }
                }
                case "log" -> {
                    if (!v.isObject()) throw new ConfigException(where + ": 'log' must be an object");
                    for (Map.Entry<String, JsonNode> a : fields(v)) {
                        switch (a.getKey()) {
                            case "level" -> level = logLevel(text(a.getValue(), "log.level", where), "log.level in " + where);
                            case "file" -> logFile = Path.of(text(a.getValue(), "log.file", where));
                            default -> warnings.add(where + ": unknown key 'log." + a.getKey() + "' ignored");
                        }
                    }
                }
                case "rendezvous" -> {
                    if (!v.isObject()) throw new ConfigException(where + ": 'rendezvous' must be an object");
                    for (Map.Entry<String, JsonNode> a : fields(v)) {
                        if (!a.getKey().equals("allow")) {
                            warnings.add(where + ": unknown key 'rendezvous." + a.getKey() + "' ignored");
                            continue;
                        }
                        if (!a.getValue().isArray()) throw new ConfigException(where + ": 'rendezvous.allow' must be an array of fingerprints");
                        for (JsonNode f : a.getValue()) {
                            String t = text(f, "rendezvous.allow[]", where);
                            if (!t.equals("*") && dev.planetary.identity.Fingerprint.parse(t).isEmpty()) {
                                throw new ConfigException(where + ": 'rendezvous.allow' entry is not a fingerprint: " + EventSink.printable(t.length() > 100 ? t.substring(0, 100) + "…" : t));
                            }
                            allow.add(t);
                        }
                    }
                }
                case "forward" -> {
                    if (!v.isObject()) throw new ConfigException(where + ": 'forward' must be an object");
                    for (Map.Entry<String, JsonNode> a : fields(v)) {
                        if (!a.getKey().equals("expose")) {
                            warnings.add(where + ": unknown key 'forward." + a.getKey() + "' ignored");
                            continue;
                        }
                        if (!a.getValue().isArray()) throw new ConfigException(where + ": 'forward.expose' must be an array of TCP ports");
                        for (JsonNode p : a.getValue()) {
                            int x = port(p, "forward.expose[]", where);
                            if (x == 0) throw new ConfigException(where + ": 'forward.expose' ports must be 1..65535, not 0");
                            expose.add(x);
                        }
                    }
                }
                default -> warnings.add(where + ": unknown key '" + e.getKey() + "' ignored");
            }
        }
        return new DaemonConfig(port, bind, socket, tcp, apiPort, level, logFile, allow, portMapping, expose, warnings);
    }

    /** Checks a log level name; the error names {@code where}. */
    public static String logLevel(String level, String where) throws ConfigException {
        if (!LOG_LEVELS.contains(level)) throw new ConfigException(where + ": log level '" + level + "' is not one of off, error, warn, info, debug, trace");
        return level;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode o) {
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    private static int port(JsonNode v, String key, String where) throws ConfigException {
        if (!v.isInt() || v.intValue() < 0 || v.intValue() > 65535) throw new ConfigException(where + ": '" + key + "' must be a port number 0..65535, not " + v);
        return v.intValue();
    }

    private static boolean bool(JsonNode v, String key, String where) throws ConfigException {
        if (!v.isBoolean()) throw new ConfigException(where + ": '" + key + "' must be true or false, not " + v);
        return v.booleanValue();
    }

    private static String text(JsonNode v, String key, String where) throws ConfigException {
        if (!v.isTextual() || v.textValue().isEmpty()) throw new ConfigException(where + ": '" + key + "' must be a non-empty string, not " + v);
        return v.textValue();
    }

    private static String address(JsonNode v, String key, String where) throws ConfigException {
        String s = text(v, key, where);
        if (!s.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) throw new ConfigException(where + ": '" + key + "' must be an IP address literal, not " + v);
        try {
            InetAddress.getByName(s); // a literal: no name lookup
        } catch (IOException e) {
            throw new ConfigException(where + ": '" + key + "' must be an IP address literal, not " + v);
        }
        return s;
    }
}

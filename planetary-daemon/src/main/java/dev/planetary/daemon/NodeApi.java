package dev.planetary.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.daemon.HttpMessages.Request;
import dev.planetary.daemon.HttpMessages.Response;
import dev.planetary.identity.Address;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node service API (VL.md §13.2): {@code GET /status}, {@code GET /peer}, {@code GET /network},
 * {@code GET}/{@code POST}/{@code DELETE /network/{nwid}} (join and leave, §7.2), {@code POST /planetary/ping/{nwid}}
 * (an ICMP echo from the network's userspace NIC, §12.7),
 * {@code GET /peer/{address}}, {@code GET /metrics}, and {@code POST /planetary/message/{address}}
 * (a USER_MESSAGE, §3.10), {@code POST /planetary/whois/{address}} (a lookup, §3.9) and the root set
 * administration {@code GET|POST /planetary/roots}, {@code DELETE /planetary/roots/{name}} ({@link RootSetAdmin}),
 * and the port forwards {@code GET|POST /planetary/forward}, {@code GET|DELETE /planetary/forward/{localPort}} (§12.8, {@link LocalForwards}). Objects carry ZeroTier One's field names plus Planetary's additions.
 * Every engine read goes through the driver's loop thread ({@link UdpDriver#call}).
 */
final class NodeApi implements HttpMessages.Router {
    /** How long an API call waits for the engine. */
    private static final long ENGINE_TIMEOUT_MS = 2000;

    private final Daemon daemon;
    private final RootSetAdmin roots;

    NodeApi(Daemon daemon) {
        this.daemon = daemon;
        this.roots = new RootSetAdmin(daemon);
    }

    @Override
    public Response handle(Request r) {
        String p = r.path();
        try {
            if (p.equals("/status")) return get(r) ? Response.json(200, status(snapshot())) : notAllowed();
            if (p.equals("/peer")) return get(r) ? Response.json(200, peers(snapshot())) : notAllowed();
            if (p.startsWith("/peer/")) return get(r) ? peer(p.substring(6)) : notAllowed();
            if (p.equals("/network")) return get(r) ? Response.json(200, networks()) : notAllowed();
            if (p.startsWith("/network/")) return network(r, p.substring(9));
            if (p.equals("/metrics")) {
                if (!get(r)) return notAllowed();
                return Response.text(200, DaemonMetrics.contentType(), daemon.metrics().scrape(snapshot()));
            }
            if (p.startsWith("/planetary/whois/")) return r.method().equals("POST") ? whois(p.substring(17)) : notAllowed();
            if (p.startsWith("/planetary/message/")) return r.method().equals("POST") ? message(p.substring(19), r.body()) : notAllowed();
            if (p.startsWith("/planetary/ping/")) return r.method().equals("POST") ? ping(p.substring(16), r.body()) : notAllowed();
            if (p.equals("/planetary/roots")) {
                if (get(r)) return Response.json(200, roots.list());
                return r.method().equals("POST") ? roots.add(r.body()) : notAllowed();
            }
            if (p.equals("/planetary/forward") || p.startsWith("/planetary/forward/")) return forward(r, p.substring(18));
            if (p.startsWith("/planetary/roots/")) return r.method().equals("DELETE") ? roots.remove(p.substring(17)) : notAllowed();
        } catch (IllegalStateException e) {
            return Response.error(503, e.getMessage());
        }
        return Response.error(404, "no such endpoint: " + EventSink.printable(p.length() > 64 ? p.substring(0, 64) + "…" : p));
    }

    private static boolean get(Request r) {
        return r.method().equals("GET");
    }

    private static Response notAllowed() {
        return Response.error(405, "method not allowed");
    }

    private Vl1Engine.Snapshot snapshot() {
        UdpDriver d = daemon.driver();
        return d.call(e -> e.snapshot(d.now()), ENGINE_TIMEOUT_MS);
    }

    Map<String, Object> status(Vl1Engine.Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", daemon.address().toString());
        m.put("publicIdentity", daemon.publicIdentity());
        m.put("online", s.online());
        int[] v = daemon.versionNumbers();
        m.put("version", daemon.version());
        m.put("versionMajor", v[0]);
        m.put("versionMinor", v[1]);
        m.put("versionRev", v[2]);
        m.put("clock", System.currentTimeMillis());
        m.put("tcpFallbackActive", false);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("primaryPort", daemon.port());
        settings.put("portMappingEnabled", daemon.portMapping());
        settings.put("allowTcpFallbackRelay", false);
        m.put("config", Map.of("settings", settings));
        m.put("fingerprint", daemon.fingerprint());
        List<Map<String, Object>> sets = new ArrayList<>();
        daemon.rootSets().forEach(a -> sets.add(Map.of("name", a.name(), "revision", a.valid().set().revision(), "frozen", a.frozen())));
        m.put("rootSets", sets);
        m.put("externalEndpoints", s.externalEndpoints());
        m.put("role", daemon.role().label());
        return m;
    }

    static List<Map<String, Object>> peers(Vl1Engine.Snapshot s) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Vl1Engine.PeerView p : s.peers()) out.add(peer(p));
        return out;
    }

    private Response peer(String address) {
        if (Address.parse(address).isEmpty()) return Response.error(400, "not a VL address (10 hex digits)");
        for (Vl1Engine.PeerView p : snapshot().peers()) {
            if (p.address() != null && p.address().equalsIgnoreCase(address)) return Response.json(200, peer(p));
        }
        return Response.error(404, "no such peer");
    }

    static Map<String, Object> peer(Vl1Engine.PeerView p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", p.address());
        int[] v = p.version();
        m.put("version", v == null ? "-1.-1.-1" : v[0] + "." + v[1] + "." + v[2]);
        m.put("versionMajor", v == null ? -1 : v[0]);
        m.put("versionMinor", v == null ? -1 : v[1]);
        m.put("versionRev", v == null ? -1 : v[2]);
        m.put("latency", p.latencyMs());
        m.put("role", p.role());
        List<Map<String, Object>> paths = new ArrayList<>();
        for (Vl1Engine.PathView x : p.paths()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("address", x.address());
            pm.put("lastSend", x.lastSend());
            pm.put("lastReceive", x.lastReceive());
            pm.put("active", x.active());
            pm.put("expired", x.expired());
            pm.put("preferred", x.preferred());
            pm.put("trustedPathId", 0);
            pm.put("kind", x.kind());
            pm.put("state", x.state());
            pm.put("latency", x.latencyMs());
            paths.add(pm);
        }
        m.put("paths", paths);
        m.put("isBonded", false);
        m.put("tunneled", false);
        m.put("fingerprint", p.fingerprint());
        m.put("relayedVia", p.relayedVia());
        m.put("sessionState", p.sessionState());
        m.put("tofu", p.tofu());
        return m;
    }

    private List<Map<String, Object>> networks() {
        UdpDriver d = daemon.driver();
        return d.call(e -> e.networks(d.now()), ENGINE_TIMEOUT_MS);
    }

    /** {@code GET} one network, {@code POST} joins (body: {@code joinToken}, {@code controllerFingerprint}, §13.2), {@code DELETE} leaves. */
    private Response network(Request r, String nwid) {
        if (!nwid.matches("[0-9a-fA-F]{16}")) return Response.error(400, "not a network id (16 hex digits)");
        String id = nwid.toLowerCase(java.util.Locale.ROOT);
        UdpDriver d = daemon.driver();
        switch (r.method()) {
            case "GET" -> {
                return find(id).<Response>map(n -> Response.json(200, n)).orElseGet(() -> Response.error(404, "not a member of " + id));
            }
            case "POST" -> {
                String token = null, pin = null;
                if (r.body() != null && r.body().length > 0) {
                    JsonNode n;
                    try {
                        n = HttpMessages.JSON.readTree(r.body());
                    } catch (IOException e) {
                        return Response.error(400, "body is not JSON");
                    }
                    if (n == null || !n.isObject()) return Response.error(400, "body must be a JSON object");
                    if (n.hasNonNull("joinToken")) {
                        if (!n.get("joinToken").isTextual()) return Response.error(400, "joinToken must be a string");
                        token = n.get("joinToken").textValue();
                    }
                    if (n.hasNonNull("controllerFingerprint")) {
                        if (!n.get("controllerFingerprint").isTextual()) return Response.error(400, "controllerFingerprint must be a string");
                        pin = n.get("controllerFingerprint").textValue();
                    }
                }
                String t = token, f = pin;
                String refused = d.call(e -> e.join(id, f, t, d.now()), ENGINE_TIMEOUT_MS);
                if (refused != null) return Response.error(409, EventSink.printable(refused));
                return find(id).<Response>map(n -> Response.json(200, n)).orElseGet(() -> Response.error(500, "joined but not listed"));
            }
            case "DELETE" -> {
                boolean left = d.call(e -> e.leave(id, d.now()), ENGINE_TIMEOUT_MS);
                return left ? Response.json(200, Map.of("nwid", id, "left", true)) : Response.error(404, "not a member of " + id);
            }
            default -> {
                return notAllowed();
            }
        }
    }

    private java.util.Optional<Map<String, Object>> find(String id) {
        for (Map<String, Object> n : networks()) if (id.equals(n.get("nwid"))) return java.util.Optional.of(n);
        return java.util.Optional.empty();
    }

    /** Starts a WHOIS lookup; the outcome is an event ({@code whois.resolved} or {@code whois.failed}). */
    private Response whois(String address) {
        if (Address.parse(address).isEmpty()) return Response.error(400, "not a VL address (10 hex digits)");
        UdpDriver d = daemon.driver();
        String refused = d.call(e -> e.lookup(address.toLowerCase(java.util.Locale.ROOT), d.now()), ENGINE_TIMEOUT_MS);
        if (refused != null) return Response.error(409, refused);
        return Response.json(200, Map.of("lookup", "started"));
    }

    /** The longest ping wait the API accepts. */
    static final long MAX_PING_TIMEOUT_MS = 60_000;

    /**
     * {@code planetary ping-vl2}: one ICMP echo from the userspace NIC of network {@code nwid} (§12.7).
     * Body {@code {"ip": "10.147.17.2", "timeoutMs": 5000}}; answers {@code {"ip", "rttMs"}}, 504 when no
     * reply came in time, 409 when the network cannot ping (not joined, no NIC up, a TAP).
     */
    private Response ping(String nwid, byte[] body) {
        if (!nwid.matches("[0-9a-fA-F]{16}")) return Response.error(400, "not a network id (16 hex digits)");
        JsonNode n;
        try {
            n = HttpMessages.JSON.readTree(body);
        } catch (IOException e) {
            return Response.error(400, "body is not JSON");
        }
        if (n == null || !n.isObject() || !n.path("ip").isTextual()) return Response.error(400, "body needs 'ip' (an IP address literal)");
        String ip = n.get("ip").textValue();
        long timeout = n.path("timeoutMs").asLong(5000);
        if (timeout < 1 || timeout > MAX_PING_TIMEOUT_MS) return Response.error(400, "timeoutMs must be 1.." + MAX_PING_TIMEOUT_MS);
        UdpDriver d = daemon.driver();
        java.util.concurrent.CompletableFuture<java.time.Duration> f = d.call(e -> e.pingVl2(nwid.toLowerCase(java.util.Locale.ROOT), ip, timeout, d.now()), ENGINE_TIMEOUT_MS);
        try {
            java.time.Duration rtt = f.get(timeout + 1000, java.util.concurrent.TimeUnit.MILLISECONDS);
            return Response.json(200, Map.of("ip", ip, "rttMs", rtt.toNanos() / 1e6));
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.util.concurrent.TimeoutException) return Response.error(504, "no reply from " + ip + " within " + timeout + " ms");
            return Response.error(409, e.getCause() instanceof IllegalArgumentException ? e.getCause().getMessage() : "ping failed: " + e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            return Response.error(504, "no reply from " + ip + " within " + timeout + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.error(503, "interrupted");
        }
    }

    /**
     * Port forwards (§12.8): {@code GET /planetary/forward} lists, {@code POST} creates from
     * {@code {"localPort", "nwid", "target", "port"}}, {@code GET} and {@code DELETE
     * /planetary/forward/{localPort}} show and remove one. 409 names why a forward cannot be made.
     */
    private Response forward(Request r, String rest) {
        LocalForwards f = daemon.forwards();
        if (f == null) return Response.error(409, "only a node forwards ports");
        UdpDriver d = daemon.driver();
        if (rest.isEmpty()) {
            if (get(r)) return Response.json(200, d.call(e -> f.list(), ENGINE_TIMEOUT_MS));
            if (!r.method().equals("POST")) return notAllowed();
            JsonNode n;
            try {
                n = r.body() == null ? null : HttpMessages.JSON.readTree(r.body());
            } catch (IOException e) {
                return Response.error(400, "body is not JSON");
            }
            if (n == null || !n.isObject() || !n.path("localPort").canConvertToInt() || !n.path("port").canConvertToInt()
                    || !n.path("nwid").isTextual() || !n.path("target").isTextual()) {
                return Response.error(400, "body needs 'localPort' and 'port' (numbers), 'nwid' and 'target' (an IP address literal)");
            }
            dev.planetary.nic.NetworkId nwid;
            java.net.InetAddress target;
            try {
                nwid = dev.planetary.nic.NetworkId.parse(n.get("nwid").textValue());
                target = NodeEngine.ipLiteral(n.get("target").textValue());
            } catch (IllegalArgumentException e) {
                return Response.error(400, EventSink.printable(e.getMessage()));
            }
            int local = n.get("localPort").intValue(), port = n.get("port").intValue();
            Map<String, Object> made = d.call(e -> {
                try {
                    return f.create(local, nwid, target, port);
                } catch (IllegalArgumentException x) {
                    return Map.of("error", x.getMessage());
                }
            }, ENGINE_TIMEOUT_MS);
            return made.containsKey("error") ? Response.error(409, EventSink.printable((String) made.get("error"))) : Response.json(200, made);
        }
        if (!rest.matches("/[0-9]{1,5}")) return Response.error(400, "a forward's id is its local port (1..65535)");
        int local = Integer.parseInt(rest.substring(1));
        switch (r.method()) {
            case "GET" -> {
                Map<String, Object> one = d.call(e -> f.get(local), ENGINE_TIMEOUT_MS);
                return one == null ? Response.error(404, "no forward on local port " + local) : Response.json(200, one);
            }
            case "DELETE" -> {
                boolean removed = d.call(e -> f.remove(local), ENGINE_TIMEOUT_MS);
                return removed ? Response.json(200, Map.of("localPort", local, "removed", true)) : Response.error(404, "no forward on local port " + local);
            }
            default -> {
                return notAllowed();
            }
        }
    }

    /** {@code {"type": N, "text": "…"}} or {@code {"type": N, "base64": "…"}}; type defaults to 0. */
    private Response message(String address, byte[] body) {
        if (Address.parse(address).isEmpty()) return Response.error(400, "not a VL address (10 hex digits)");
        JsonNode n;
        try {
            n = HttpMessages.JSON.readTree(body);
        } catch (IOException e) {
            return Response.error(400, "body is not JSON");
        }
        if (n == null || !n.isObject()) return Response.error(400, "body must be a JSON object");
        long type = 0;
        if (n.has("type")) {
            if (!n.get("type").canConvertToLong() || n.get("type").longValue() < 0) return Response.error(400, "type must be a non-negative integer");
            type = n.get("type").longValue();
        }
        byte[] payload;
        if (n.hasNonNull("text") && n.get("text").isTextual()) {
            payload = n.get("text").textValue().getBytes(StandardCharsets.UTF_8);
        } else if (n.hasNonNull("base64") && n.get("base64").isTextual()) {
            try {
                payload = Base64.getDecoder().decode(n.get("base64").textValue());
            } catch (IllegalArgumentException e) {
                return Response.error(400, "base64 is malformed");
            }
        } else {
            return Response.error(400, "body needs 'text' or 'base64'");
        }
        long t = type;
        UdpDriver d = daemon.driver();
        String refused = d.call(e -> e.sendUserMessage(address.toLowerCase(java.util.Locale.ROOT), t, payload, d.now()), ENGINE_TIMEOUT_MS);
        if (refused != null) return Response.error(409, refused);
        return Response.json(200, Map.of("queued", true, "bytes", payload.length));
    }
}

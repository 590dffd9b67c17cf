package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller API (VL.md §13.3) over loopback TCP and the Unix socket: auth, errors, ZeroTier's field names, and E20. */
class ControllerApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path home;
    static ControllerService service;
    static ApiServer server;
    static dev.planetary.identity.SecretIdentity identity;
    static Path socket;
    static String token;
    static String base;
    static String address;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        identity = DaemonHome.identity(home).identity();
        service = ControllerService.open(home, null, identity, new EventSink(new java.io.PrintStream(OutputStreamSink.INSTANCE), true));
        server = new ApiServer(service.api());
        socket = home.resolve("c.sock");
        server.listenUnix(socket);
        token = DaemonHome.authToken(home);
        int port = server.listenTcp(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), token);
        base = "http://127.0.0.1:" + port;
        address = service.controller().address().toString();
    }

    @AfterAll
    static void stop() {
        server.close();
        service.close();
        identity.close();
    }

    /** Discards the events. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}
    }

    record Reply(int status, JsonNode body) {}

    static Reply call(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) b.header("X-ZT1-Auth", auth);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    static Reply call(String method, String path, String body) throws Exception {
        return call(method, path, body, token);
    }

    static String newNetwork(String body) throws Exception {
        Reply r = call("POST", "/controller/network/" + address + "______", body);
        assertEquals(200, r.status(), r.body().toString());
        return r.body().get("nwid").asText();
    }

    @Test
    void tokenFileIsPrivateAndRequestsWithoutTheTokenGet401() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(DaemonHome.AUTHTOKEN))));
        for (String auth : new String[] {null, "wrong", token + "x"}) {
            Reply r = call("GET", "/controller", null, auth);
            assertEquals(401, r.status());
            assertTrue(r.body().has("error"));
        }
        HttpResponse<String> bearer = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/controller"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, bearer.statusCode());
    }

    @Test
    void controllerObject() throws Exception {
        Reply r = call("GET", "/controller", null);
        assertTrue(r.body().get("controller").asBoolean());
        assertEquals(4, r.body().get("apiVersion").asInt());
        assertTrue(r.body().get("clock").asLong() > 0);
    }

    @Test
    void networkObjectHasZeroTiersFieldNames() throws Exception {
        String nwid = newNetwork("{\"name\": \"n1\"}");
        JsonNode n = call("GET", "/controller/network/" + nwid, null).body();
        for (String f : new String[] {"id", "nwid", "objtype", "name", "private", "enableBroadcast", "mtu", "multicastLimit", "v4AssignMode",
                "v6AssignMode", "ipAssignmentPools", "routes", "rules", "tags", "capabilities", "revision", "creationTime"}) {
            assertTrue(n.has(f), "field " + f + " in " + n);
        }
        assertTrue(n.get("v6AssignMode").has("rfc4193"));
        assertTrue(n.get("v6AssignMode").has("6plane"));
        assertEquals("network", n.get("objtype").asText());
        assertTrue(n.get("private").asBoolean());
        // stored-only fields come back as sent
        Reply u = call("POST", "/controller/network/" + nwid, "{\"rulesSource\": \"accept;\", \"dns\": {\"domain\": \"lab\"}, \"unknownField\": 1}");
        assertEquals("accept;", u.body().get("rulesSource").asText());
        assertEquals("lab", u.body().get("dns").get("domain").asText());
        assertFalse(u.body().has("unknownField"), "unknown fields are ignored");
        // a network id of this controller with a chosen number creates it
        String chosen = address + "00abcd";
        assertEquals(200, call("POST", "/controller/network/" + chosen, "{}").status());
        assertEquals(chosen, call("GET", "/controller/network/" + chosen, null).body().get("id").asText());
    }

    @Test
    void badJsonAndBadFieldsAre400NamingTheFieldAndStoreNothing() throws Exception {
        String nwid = newNetwork("{}");
        long rev = call("GET", "/controller/network/" + nwid, null).body().get("revision").asLong();
        Reply malformed = call("POST", "/controller/network/" + nwid, "{\"mtu\": ");
        assertEquals(400, malformed.status());
        assertEquals("body", malformed.body().get("field").asText());
        Reply bad = call("POST", "/controller/network/" + nwid, "{\"name\": \"ok\", \"routes\": [{\"target\": \"nonsense\"}]}");
        assertEquals(400, bad.status());
        assertEquals("routes[0].target", bad.body().get("field").asText());
        JsonNode after = call("GET", "/controller/network/" + nwid, null).body();
        assertEquals(rev, after.get("revision").asLong());
        assertEquals("", after.get("name").asText(), "nothing stored");
        Reply member = call("POST", "/controller/network/" + nwid + "/member/0123456789", "{\"authorized\": \"yes\"}");
        assertEquals(400, member.status());
        assertEquals("authorized", member.body().get("field").asText());
        assertEquals(404, call("GET", "/controller/network/" + nwid + "/member/0123456789", null).status(), "no row was made");
        Reply foreign = call("POST", "/controller/network/ffeeddccbb000001", "{}");
        assertEquals(400, foreign.status());
        assertEquals("nwid", foreign.body().get("field").asText());
        assertEquals(404, call("GET", "/controller/network/" + address + "fffff0", null).status());
        assertEquals(400, call("GET", "/controller/network/xyz", null).status());
        assertEquals(405, call("PUT", "/controller/network/" + nwid, "{}").status());
    }

    /** Issue 17: rules, tags and capabilities through the API (§13.3, §11.8): bad sets are 400 by rule index and reason, nothing stored. */
    @Test
    void rulesTagsAndCapabilitiesRoundTripAndBadRuleSetsAre400ByIndex() throws Exception {
        String nwid = newNetwork("{}");
        assertEquals("ACTION_ACCEPT", call("GET", "/controller/network/" + nwid, null).body().get("rules").get(0).get("type").asText(),
                "a new network accepts everything (ZeroTier's default)");
        String ssh = """
                {"tags": [{"id": 1, "default": 0}], "tagsByName": {"role": {"id": 1, "enums": {"user": 0, "admin": 1}}},
                 "rules": [{"type": "MATCH_IP_PROTOCOL", "ipProtocol": 6}, {"type": "MATCH_IP_DEST_PORT_RANGE", "start": 22, "end": 22},
                           {"type": "MATCH_TAG_SENDER", "id": 1, "value": 1, "not": true}, {"type": "ACTION_DROP"}, {"type": "ACTION_ACCEPT"}],
                 "capabilities": [{"id": 3, "rules": [{"type": "MATCH_ETHERTYPE", "etherType": 2054}, {"type": "ACTION_ACCEPT"}]}]}""";
        assertEquals(200, call("POST", "/controller/network/" + nwid, ssh).status());
        JsonNode n = call("GET", "/controller/network/" + nwid, null).body();
        long rev = n.get("revision").asLong();
        assertEquals(5, n.get("rules").size());
        assertEquals(22, n.get("rules").get(1).get("end").asInt());
        assertTrue(n.get("rules").get(2).get("not").asBoolean());
        assertEquals(2054, n.get("capabilities").get(0).get("rules").get(0).get("etherType").asInt());
        assertEquals(1, n.get("tagsByName").get("role").get("enums").get("admin").asInt());
        String[][] bad = {
            {"{\"rules\": [{\"type\": \"ACTION_ACCEPT\"}, {\"type\": \"ACTION_REDIRECT\", \"address\": \"0123456789\"}]}", "rules[1].type", "not supported"},
            {"{\"rules\": [{\"type\": \"MATCH_FROBNICATE\"}]}", "rules[0].type", "unknown rule type"},
            {"{\"rules\": [{\"type\": \"MATCH_ETHERTYPE\", \"etherType\": 2048, \"or\": true}]}", "rules[0].or", "OR is not supported"},
            {"{\"rules\": [{\"type\": \"MATCH_IP_DEST_PORT_RANGE\", \"start\": 22, \"end\": 99999}]}", "rules[0].end", "0..65535"},
            {"{\"capabilities\": [{\"id\": 3, \"rules\": [{\"type\": \"ACTION_DROP\", \"not\": true}]}]}", "capabilities[0].rules[0].not", "negated"},
            {"{\"rules\": [" + "{\"type\": \"ACTION_DROP\"},".repeat(1024) + "{\"type\": \"ACTION_DROP\"}]}", "rules", "at most 1024"},
        };
        for (String[] b : bad) {
            Reply r = call("POST", "/controller/network/" + nwid, b[0]);
            assertEquals(400, r.status(), b[0]);
            assertEquals(b[1], r.body().get("field").asText());
            assertTrue(r.body().get("error").asText().contains(b[2]), r.body().toString());
        }
        assertEquals(n, call("GET", "/controller/network/" + nwid, null).body(), "nothing stored");
        assertEquals(rev, call("GET", "/controller/network/" + nwid, null).body().get("revision").asLong());

        Reply unknownCap = call("POST", "/controller/network/" + nwid + "/member/0123456789", "{\"authorized\": true, \"capabilities\": [4]}");
        assertEquals(400, unknownCap.status());
        assertEquals("capabilities[0]", unknownCap.body().get("field").asText());
        assertEquals(404, call("GET", "/controller/network/" + nwid + "/member/0123456789", null).status(), "no row was made");
        Reply m = call("POST", "/controller/network/" + nwid + "/member/0123456789", "{\"authorized\": true, \"tags\": [[1, 1]], \"capabilities\": [3]}");
        assertEquals(200, m.status(), m.body().toString());
        assertEquals("[[1,1]]", m.body().get("tags").toString());
        assertEquals("[3]", m.body().get("capabilities").toString());
        Reply stillGranted = call("POST", "/controller/network/" + nwid, "{\"capabilities\": []}");
        assertEquals(400, stillGranted.status());
        assertTrue(stillGranted.body().get("error").asText().contains("granted to member 0123456789"), stillGranted.body().toString());
    }

    @Test
    void membersAuthorizeListAndDelete() throws Exception {
        String nwid = newNetwork("{\"routes\": [{\"target\": \"10.5.0.0/16\"}]}");
        String path = "/controller/network/" + nwid + "/member/00000000a1";
        Reply r = call("POST", path, "{\"authorized\": true, \"ipAssignments\": [\"10.5.0.9\"], \"tags\": [[1, 2]], \"name\": \"laptop\"}");
        assertEquals(200, r.status(), r.body().toString());
        JsonNode m = call("GET", path, null).body();
        assertTrue(m.get("authorized").asBoolean());
        assertEquals("10.5.0.9", m.get("ipAssignments").get(0).asText());
        assertEquals(2, m.get("tags").get(0).get(1).asInt());
        assertEquals("laptop", m.get("name").asText());
        assertTrue(m.get("identity").isNull(), "no request yet");
        JsonNode list = call("GET", "/controller/network/" + nwid + "/member", null).body();
        assertEquals(m.get("revision").asLong(), list.get("00000000a1").asLong());
        Reply uncovered = call("POST", path, "{\"ipAssignments\": [\"192.168.0.1\"]}");
        assertEquals(400, uncovered.status());
        assertEquals("ipAssignments[0]", uncovered.body().get("field").asText());
        assertEquals(200, call("DELETE", path, null).status());
        assertEquals(404, call("GET", path, null).status());
    }

    @Test
    void joinTokensAreShownOnceAndRevocable() throws Exception {
        String nwid = newNetwork("{}");
        Reply made = call("POST", "/controller/network/" + nwid + "/token", "{\"uses\": 3, \"tags\": [[5, 1]]}");
        assertEquals(200, made.status(), made.body().toString());
        assertEquals(39, made.body().get("token").asText().length());
        assertEquals(3, made.body().get("usesLeft").asInt());
        String id = made.body().get("id").asText();
        assertTrue(id.matches("[0-9a-f]{16}"));
        JsonNode list = call("GET", "/controller/network/" + nwid + "/token", null).body();
        assertEquals(1, list.size());
        assertFalse(list.get(0).has("token"), "the text is shown only once");
        assertEquals(400, call("POST", "/controller/network/" + nwid + "/token", "{\"uses\": 0}").status());
        assertEquals(200, call("DELETE", "/controller/network/" + nwid + "/token/" + id, null).status());
        assertEquals(404, call("DELETE", "/controller/network/" + nwid + "/token/" + id, null).status());
    }

    @Test
    void unixSocketNeedsNoToken() throws Exception {
        ApiClient.Reply r = ApiClient.request(socket, "GET", "/controller", null);
        assertEquals(200, r.status());
        assertTrue(JSON.readTree(r.body()).get("controller").asBoolean());
    }

    @Test
    void deletingANetworkRemovesIt() throws Exception {
        String nwid = newNetwork("{}");
        assertEquals(200, call("DELETE", "/controller/network/" + nwid, null).status());
        assertEquals(404, call("GET", "/controller/network/" + nwid, null).status());
        assertFalse(call("GET", "/controller/network", null).body().toString().contains(nwid));
    }

    /** E20 (VL.md §16.4): a script written for ZeroTier's controller API drives this one through X-ZT1-Auth on TCP. */
    @Test
    void zeroTierScriptRunsAgainstTheApi() throws Exception {
        Path script = home.resolve("zt_controller_script.py");
        try (InputStream in = ControllerApiTest.class.getResourceAsStream("/e20/zt_controller_script.py")) {
            assertNotNull(in, "the E20 script is a test resource");
            Files.write(script, in.readAllBytes());
        }
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString(), base, token, address).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("E20 needs python3 on the PATH (the script uses only its standard library): " + e.getMessage(), e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script finished");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertTrue(text.startsWith("OK " + address), text);
    }
}

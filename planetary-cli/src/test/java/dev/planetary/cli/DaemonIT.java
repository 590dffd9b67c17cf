package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Black-box: {@code planetary root}, {@code planetary node} and {@code planetary status} as real
 * processes on loopback (VL.md §16.2 harness contract, §13 local API, §2.10 files).
 */
class DaemonIT extends BlackBoxTest {
    /** A Prometheus text-format sample line: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*})? [-+0-9.eE]+|.* (NaN|[+-]Inf)");

    static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aRootAndANodeComeOnlineAndShowThemselvesThroughTheApi() throws Exception {
        DaemonFixture.ownIdentities(dir); // the daemons make their identities (§2.10 files and modes below)
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1", "--api-tcp", "--api-port", "0");
        Path rootset = DaemonFixture.rootSet(dir, root);
        DaemonFixture.Daemon node = DaemonFixture.start(dir, "node", "node1", "--rootset", rootset.toString());
        // §16.2: the first stdout line is ready, even on the first start that creates the identity
        assertTrue(node.process().out.lines.getFirst().startsWith("{\"event\":\"ready\""), node.process().out.lines.getFirst());
        assertTrue(node.ready().contains("\"identityCreated\":true"), node.ready());
        assertTrue(node.ready().contains("\"identity\":\"" + node.address() + ":1:"), node.ready());
        // §4.3 / E2: online within 5 s of start
        DaemonFixture.awaitEvent(node, 5, "online");
        DaemonFixture.awaitEvent(node, 5, "session.new", "\"role\":\"PLANET\"", "\"address\":\"" + root.address() + "\"");

        JsonNode status = node.get("/status");
        assertTrue(status.path("online").asBoolean(), status.toString());
        assertEquals(node.address(), status.path("address").asText());
        assertEquals(node.port(), status.path("config").path("settings").path("primaryPort").asInt());
        assertEquals("it", status.path("rootSets").path(0).path("name").asText(), status.toString());
        for (String f : List.of("publicIdentity", "version", "versionMajor", "versionMinor", "versionRev", "clock", "tcpFallbackActive", "fingerprint")) {
            assertTrue(status.has(f), f + " missing in " + status);
        }
        JsonNode peers = node.get("/peer");
        assertEquals(1, peers.size(), peers.toString());
        JsonNode r = peers.get(0);
        assertEquals(root.address(), r.path("address").asText());
        assertEquals("PLANET", r.path("role").asText());
        assertEquals(root.fingerprint(), r.path("fingerprint").asText());
        assertEquals("established", r.path("sessionState").asText());
        assertEquals("127.0.0.1/" + root.port(), r.path("paths").path(0).path("address").asText(), r.toString());
        assertTrue(r.path("paths").path(0).path("active").asBoolean(), r.toString());
        assertEquals(root.address(), node.get("/peer/" + root.address()).path("address").asText());
        // the root lists the node's session
        assertTrue(root.get("/peer").toString().contains(node.fingerprint()), root.get("/peer").toString());

        // planetary status --json = /status + /peer over the Unix socket
        PlanetaryProcess st = PlanetaryProcess.run(dir, 60, "status", "--home", node.home().toString(), "--json");
        assertEquals(0, st.exitCode(), st.err.text());
        JsonNode both = DaemonFixture.JSON.readTree(st.out.text());
        assertTrue(both.path("status").path("online").asBoolean(), st.out.text());
        assertEquals("PLANET", both.path("peers").path(0).path("role").asText(), st.out.text());
        PlanetaryProcess human = PlanetaryProcess.run(dir, 60, "status", "--home", node.home().toString());
        assertEquals(0, human.exitCode(), human.err.text());
        assertTrue(human.out.text().contains("online:      true") && human.out.text().contains("peer " + root.address() + " PLANET established"), human.out.text());

        // /metrics: Prometheus text with the engine's, the driver's and the API's counters
        String metrics = node.metrics();
        for (String line : metrics.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) assertTrue(SAMPLE.matcher(line).matches(), "not a Prometheus sample: " + line);
        }
        for (String name : List.of("planetary_online{role=\"node\"} 1.0", "planetary_sessions{", "planetary_paths{", "planetary_relay_bytes_total{",
                "planetary_whois_total{", "planetary_identity_verifications_total{", "planetary_drops_total{", "planetary_udp_datagrams_total{direction=\"in\"",
                "planetary_api_rejected_total{", "planetary_table_entries{role=\"node\",table=\"verifications\"}")) {
            assertTrue(metrics.contains(name), name + " missing in\n" + metrics);
        }
        assertTrue(Pattern.compile("planetary_identity_verifications_total\\{result=\"ok\",role=\"root\"} [1-9]").matcher(root.metrics()).find(), root.metrics());

        // §2.10 files and modes
        assertEquals("rwx------", perms(node.home()));
        assertEquals("rw-------", perms(node.home().resolve("identity.secret")));
        assertEquals("rw-rw----", perms(node.socket()));
        assertEquals("rw-------", perms(root.home().resolve("authtoken.secret")));

        // SIGTERM: clean stop, exit 0, socket removed
        assertEquals(0, DaemonFixture.terminate(node), node.process().dump());
        assertEquals(0, DaemonFixture.terminate(root), root.process().dump());
        assertFalse(Files.exists(node.socket()));
        assertTrue(node.process().out.text().contains("\"event\":\"stopping\""), node.process().dump());
    }

    @Test
    void theTcpApiRefusesMissingAndWrongTokensAndMalformedRequests() throws Exception {
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1", "--api-tcp", "--api-port", "0");
        int apiPort = Integer.parseInt(PlanetaryProcess.field(root.ready(), "apiPort"));
        String token = Files.readString(root.home().resolve("authtoken.secret")).strip();
        String none = tcp(apiPort, "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertTrue(none.startsWith("HTTP/1.1 401 ") && none.contains("{\"error\":"), none);
        String wrong = tcp(apiPort, "GET /status HTTP/1.1\r\nX-ZT1-Auth: " + token.substring(1) + "x\r\n\r\n");
        assertTrue(wrong.startsWith("HTTP/1.1 401 "), wrong);
        String zt = tcp(apiPort, "GET /status HTTP/1.1\r\nX-ZT1-Auth: " + token + "\r\n\r\n");
        assertTrue(zt.startsWith("HTTP/1.1 200 ") && zt.contains("\"address\":\"" + root.address() + "\""), zt);
        String bearer = tcp(apiPort, "GET /peer HTTP/1.1\r\nAuthorization: Bearer " + token + "\r\n\r\n");
        assertTrue(bearer.startsWith("HTTP/1.1 200 "), bearer);
        // malformed requests: 400 with a JSON error, on both transports, and the daemon goes on
        String bad = unix(root.socket(), "GET /status HTTP/9\r\n\r\n");
        assertTrue(bad.startsWith("HTTP/1.1 400 ") && bad.contains("{\"error\":"), bad);
        String badTcp = tcp(apiPort, "\u0000\u0001\u0002 nonsense\r\n\r\n");
        assertTrue(badTcp.startsWith("HTTP/1.1 400 "), badTcp);
        String badPeer = unix(root.socket(), "GET /peer/not-an-address HTTP/1.1\r\n\r\n");
        assertTrue(badPeer.startsWith("HTTP/1.1 400 "), badPeer);
        String missing = unix(root.socket(), "GET /nothing-here HTTP/1.1\r\n\r\n");
        assertTrue(missing.startsWith("HTTP/1.1 404 "), missing);
        assertEquals(root.address(), root.get("/status").path("address").asText()); // still answering
        assertTrue(root.metrics().contains("planetary_api_rejected_total{reason=\"unauthorized\",role=\"root\"} 2.0"), root.metrics());
        assertEquals(0, DaemonFixture.terminate(root));
    }

    @Test
    void aDualStackNodeReachesItsRootOverIpv6() throws Exception {
        for (String name : List.of("root6", "node6")) {
            Files.createDirectories(dir.resolve(name));
            Files.writeString(dir.resolve(name).resolve("planetary.json"), "{\"bind\": \"::\"}");
        }
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root6");
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "keygen", "k6").exitCode());
        PlanetaryProcess c = PlanetaryProcess.run(dir, 60, "rootset", "create", "--name", "v6", "--update-key", "k6.updatepub", "--key", "k6.updatekey",
                "--root", root.home().resolve("identity.public") + "@[::1]/" + root.port(), "-o", "v6.rootset");
        assertEquals(0, c.exitCode(), c.err.text());
        DaemonFixture.Daemon node = DaemonFixture.start(dir, "node", "node6", "--rootset", dir.resolve("v6.rootset").toString());
        DaemonFixture.awaitEvent(node, 20, "online");
        JsonNode r = node.get("/peer/" + root.address());
        assertEquals("::1/" + root.port(), r.path("paths").path(0).path("address").asText(), r.toString());
        assertTrue(r.path("paths").path(0).path("active").asBoolean(), r.toString());
    }

    @Test
    void aNodeWithoutRootsSaysSoAndExitsNonZero() throws Exception {
        PlanetaryProcess p = PlanetaryProcess.run(dir, 60, "node", "--home", dir.resolve("lonely").toString(), "--port", "0", "--json");
        assertNotEquals(0, p.exitCode());
        assertTrue(p.err.text().contains("no roots configured") && p.err.text().contains("--rootset"), p.err.text());
        assertFalse(p.out.text().contains("\"ready\""), p.out.text());
        // and with no daemon behind the socket, status says so
        PlanetaryProcess st = PlanetaryProcess.run(dir, 60, "status", "--home", dir.resolve("lonely").toString(), "--json");
        assertEquals(1, st.exitCode());
        assertTrue(st.err.text().contains("no daemon answers on"), st.err.text());
    }

    @Test
    void planetaryJsonSetsLoggingWarnsOnUnknownKeysAndRefusesBadValues() throws Exception {
        Path home = dir.resolve("root1");
        Files.createDirectories(home);
        Path log = dir.resolve("root.log");
        Files.writeString(home.resolve("planetary.json"), "{\"log\": {\"level\": \"info\", \"file\": \"" + log + "\"}, \"colour\": \"blue\"}");
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1");
        assertTrue(root.process().err.text().contains("unknown key 'colour' ignored"), root.process().err.text());
        assertEquals(0, DaemonFixture.terminate(root));
        assertTrue(Files.readString(log).contains("root " + root.address() + " ready"), Files.readString(log));

        Files.writeString(home.resolve("planetary.json"), "{\"port\": \"9993\"}");
        PlanetaryProcess bad = PlanetaryProcess.run(dir, 60, "root", "--home", home.toString(), "--json");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err.text().contains("'port' must be a port number"), bad.err.text());
        Files.delete(home.resolve("planetary.json"));
        PlanetaryProcess level = PlanetaryProcess.run(dir, 60, "root", "--home", home.toString(), "--log-level", "loud");
        assertEquals(2, level.exitCode());
        assertTrue(level.err.text().contains("'loud' is not one of"), level.err.text());
    }

    static String tcp(int port, String request) throws IOException {
        return exchange(SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), request);
    }

    static String unix(Path socket, String request) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return exchange(c, request);
    }

    private static String exchange(SocketChannel c, String request) throws IOException {
        try (c) {
            c.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
            c.shutdownOutput();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in) >= 0) {
                all.write(in.array(), 0, in.position());
                in.clear();
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }
}

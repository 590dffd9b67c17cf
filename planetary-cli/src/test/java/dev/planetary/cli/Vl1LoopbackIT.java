package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.cli.DaemonFixture.Daemon;
import dev.planetary.daemon.ApiClient;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The L1 demonstration (VL.md §16.1, E2, E3, E10) with real processes on loopback: two
 * roots and three nodes; WHOIS through two agreeing roots, a session and USER_MESSAGEs both ways;
 * a node whose direct traffic is blocked ({@code --debug-block-direct}) doing the same through
 * RELAY; one root killed: the nodes stay online and a new pair connects through the survivor.
 */
class Vl1LoopbackIT extends BlackBoxTest {
    static void send(Daemon from, Daemon to, String text) throws Exception {
        ApiClient.Reply r = from.post("/planetary/message/" + to.address(), "{\"type\": 7, \"text\": \"" + text + "\"}");
        assertEquals(200, r.status(), r.body());
    }

    /** The sender is named by fingerprint: its address is bound only once the receiver verified it (§2.6, §2.7). */
    static void awaitMessage(Daemon at, Daemon from, String text, long seconds) throws InterruptedException {
        DaemonFixture.awaitEvent(at, seconds, "message.received", "\"fingerprint\":\"" + from.fingerprint() + "\"", "\"text\":\"" + text + "\"", "\"type\":7");
    }

    static void awaitRootPathInactive(Daemon n, Daemon root, long seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        JsonNode p = null;
        while (System.nanoTime() < end) {
            p = n.get("/peer/" + root.address());
            if (!p.path("paths").path(0).path("active").asBoolean()) return;
            Thread.sleep(500);
        }
        throw new AssertionError(n.process().name + " still shows " + root.process().name + "'s path active: " + p);
    }

    static long counter(String metrics, String sample) {
        Matcher m = Pattern.compile(Pattern.quote(sample) + " ([0-9.eE+]+)").matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void twoRootsThreeNodesWhoisSessionsMessagesRelayAndRootLoss() throws Exception {
        Daemon r1 = DaemonFixture.start(dir, "root", "r1");
        Daemon r2 = DaemonFixture.start(dir, "root", "r2");
        Path set = DaemonFixture.rootSet(dir, r1, r2);
        for (String n : List.of("a", "b")) { // a and b consent to rendezvous with every peer (VL.md §5.5); c does not
            Path home = java.nio.file.Files.createDirectories(dir.resolve(n), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            java.nio.file.Files.writeString(home.resolve("planetary.json"), "{\"rendezvous\": {\"allow\": [\"*\"]}}");
        }
        Daemon a = DaemonFixture.start(dir, "node", "a", "--rootset", set.toString());
        Daemon b = DaemonFixture.start(dir, "node", "b", "--rootset", set.toString());
        Daemon c = DaemonFixture.start(dir, "node", "c", "--rootset", set.toString(), "--debug-block-direct");
        for (Daemon n : List.of(a, b, c)) {
            DaemonFixture.awaitEvent(n, 20, "online");
            // E2: a session with both roots
            DaemonFixture.awaitEvent(n, 20, "session.new", "\"address\":\"" + r1.address() + "\"");
            DaemonFixture.awaitEvent(n, 20, "session.new", "\"address\":\"" + r2.address() + "\"");
        }
        for (Daemon r : List.of(r1, r2)) {
            String peers = r.get("/peer").toString();
            for (Daemon n : List.of(a, b, c)) assertTrue(peers.contains(n.fingerprint()), r.process().name + " lacks " + n.process().name + ": " + peers);
        }

        // E3: a resolves b through two agreeing roots (not trust on first use), then a session and messages both ways
        send(a, b, "a to b");
        DaemonFixture.awaitEvent(a, 20, "whois.resolved", "\"address\":\"" + b.address() + "\"", "\"fingerprint\":\"" + b.fingerprint() + "\"", "\"tofu\":false");
        awaitMessage(b, a, "a to b", 20);
        // the reply through the CLI verb (POST /planetary/message/{address} over b's socket)
        PlanetaryProcess reply = PlanetaryProcess.run(dir, 60, "send-message", "--home", b.home().toString(), "--type", "7", a.address(), "b to a");
        assertEquals(0, reply.exitCode(), reply.err.text());
        assertTrue(reply.out.text().contains("\"queued\":true"), reply.out.text());
        awaitMessage(a, b, "b to a", 20);
        JsonNode aPeers = a.get("/peer");
        assertTrue(aPeers.toString().contains(b.fingerprint()), aPeers + "\n" + a.process().dump());
        JsonNode aPeerB = a.get("/peer/" + b.address());
        assertEquals("LEAF", aPeerB.path("role").asText());
        assertEquals("established", aPeerB.path("sessionState").asText(), aPeerB.toString());
        // WP2: both consented, so the relay root introduces them and they go direct on the same session (§5.5)
        DaemonFixture.awaitEvent(a, 20, "rendezvous.received", "\"fingerprint\":\"" + b.fingerprint() + "\"");
        DaemonFixture.awaitEvent(a, 20, "path.preferred", "\"fingerprint\":\"" + b.fingerprint() + "\"", "\"kind\":\"direct\"");
        DaemonFixture.awaitEvent(b, 20, "path.preferred", "\"fingerprint\":\"" + a.fingerprint() + "\"", "\"kind\":\"direct\"");
        aPeerB = a.get("/peer/" + b.address());
        assertEquals("direct", aPeerB.path("paths").path(0).path("kind").asText(), aPeerB.toString());
        assertTrue(aPeerB.path("paths").path(0).path("preferred").asBoolean(), aPeerB.toString());
        assertTrue(aPeerB.path("paths").path(0).path("address").asText().endsWith("/" + b.port()), aPeerB.toString()); // loopback or a LAN address pushed by b

        // c only exchanges datagrams with the roots: the same exchange goes through RELAY
        send(b, c, "b to c");
        awaitMessage(c, b, "b to c", 20);
        send(c, b, "c to b");
        awaitMessage(b, c, "c to b", 20);
        JsonNode cPeerB = c.get("/peer/" + b.address());
        assertEquals("relayed", cPeerB.path("paths").path(0).path("kind").asText(), cPeerB.toString());
        assertTrue(cPeerB.path("relayedVia").isTextual(), cPeerB.toString());
        long forwarded = counter(r1.metrics(), "planetary_relay_forwarded_total{role=\"root\"}")
                + counter(r2.metrics(), "planetary_relay_forwarded_total{role=\"root\"}");
        assertTrue(forwarded > 0, "no RELAY forwarded by the roots");

        // a resolves c while both roots answer (after the loss, one answer alone would not do, §2.7)
        assertEquals(200, a.post("/planetary/whois/" + c.address(), "{}").status());
        DaemonFixture.awaitEvent(a, 20, "whois.resolved", "\"address\":\"" + c.address() + "\"", "\"tofu\":false");

        // E10: kill r1; every node stays online; the new pair a <-> c connects through r2
        long r2Before = counter(r2.metrics(), "planetary_relay_forwarded_total{role=\"root\"}");
        r1.process().kill();
        for (Daemon n : List.of(a, b, c)) assertTrue(n.online(), n.process().name + " went offline");
        // the nodes notice the loss when r1's path stops being alive (§5.11 T_PATH_ALIVE = 19 s); then they open through r2
        for (Daemon n : List.of(a, c)) awaitRootPathInactive(n, r1, 40);
        for (Daemon n : List.of(a, b, c)) assertTrue(n.online(), n.process().name + " went offline");
        long deadline = System.nanoTime() + 60_000_000_000L;
        boolean delivered = false;
        for (int i = 0; !delivered && System.nanoTime() < deadline; i++) {
            // a message waits at most 5 s for its session (§5.10): resend until one gets through
            send(a, c, "a to c " + i);
            try {
                DaemonFixture.awaitEvent(c, 6, "message.received", "\"fingerprint\":\"" + a.fingerprint() + "\"", "\"text\":\"a to c ");
                delivered = true;
            } catch (AssertionError notYet) {
                // not yet
            }
        }
        assertTrue(delivered, "a's message never reached c after r1 died\n" + a.process().dump() + "\n" + c.process().dump());
        send(c, a, "c to a");
        awaitMessage(a, c, "c to a", 30);
        assertTrue(counter(r2.metrics(), "planetary_relay_forwarded_total{role=\"root\"}") > r2Before, "r2 relayed nothing for the new pair");
        for (Daemon n : List.of(a, b, c)) assertTrue(n.online(), n.process().name + " is offline after the root loss");

        for (Daemon d : List.of(a, b, c, r2)) assertEquals(0, DaemonFixture.terminate(d), d.process().dump());
    }
}

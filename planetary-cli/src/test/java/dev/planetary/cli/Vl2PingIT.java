package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Black-box E4/E5/E12-like (VL.md §16.4): a root, {@code planetary controller} and two {@code planetary
 * node --nic userspace} processes on loopback. Both join a network the controller CLI made, are
 * authorised, bring their userspace NICs up, and {@code planetary ping-vl2} pings across it: IPv4
 * first, between members that never exchanged anything (ARP through the controller's GATHER answer,
 * §10.3–§10.5), then IPv6 between rfc4193 addresses (neighbour discovery answered on the node's own
 * NIC), then IPv4 back; a network the node did not join is refused.
 *
 * <p>Then port forwarding over the same planet (§12.8, no privileges): B exposes the port of a TCP
 * echo server run by this test ({@code forward.expose} in its planetary.json); {@code planetary
 * forward} on A listens on a local port, and 1 MiB sent through it comes back whole (SHA-256). A
 * forward to a port B does not expose, or exposes with nothing listening, has its connection closed
 * and {@code forward list} says why (CLOSE 1, CLOSE 3);
 * the forwards survive A's restart (forwards.json); {@code forward remove} closes the listener.
 */
class Vl2PingIT extends BlackBoxTest {
    private ServerSocket echo;

    PlanetaryProcess cli(String... args) throws Exception {
        return PlanetaryProcess.run(dir, 60, args);
    }

    /** The node's address on the network of the family ({@code ':'} for IPv6, {@code '.'} for IPv4), without the prefix. */
    static String assigned(JsonNode network, char family) {
        for (JsonNode a : network.path("assignedAddresses")) {
            String s = a.asText();
            if (s.indexOf(family) >= 0) return s.substring(0, s.indexOf('/'));
        }
        throw new AssertionError("no " + (family == ':' ? "IPv6" : "IPv4") + " address in " + network);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A TCP echo server on 127.0.0.1 (one thread per connection), closed with the test. */
    static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket c = server.accept();
                    Thread.ofVirtual().start(() -> {
                        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server;
    }

    /** A root, a controller with the network {@code lab} (10.147.17.0/24 and rfc4193), and nodes a and b joined, authorised and OK. */
    record Planet(Path rootset, DaemonFixture.Daemon ctl, String nwid, DaemonFixture.Daemon a, DaemonFixture.Daemon b, JsonNode na, JsonNode nb) {}

    /** Starts a {@link Planet} in {@code dir}; {@code bConfig} is node b's planetary.json (its {@code forward.expose}). */
    static Planet planet(Path dir, String bConfig) throws Exception {
        DaemonFixture.Daemon root = DaemonFixture.start(dir, "root", "root1");
        Path rootset = DaemonFixture.rootSet(dir, root);
        DaemonFixture.Daemon ctl = DaemonFixture.start(dir, "controller", "ctl", "--rootset", rootset.toString());
        PlanetaryProcess created = PlanetaryProcess.run(dir, 60, "controller", "network", "create", "--home", ctl.home().toString(), "--name", "lab",
                "--route", "10.147.17.0/24", "--pool", "10.147.17.1-10.147.17.254", "--rfc4193");
        assertEquals(0, created.exitCode(), created.err.text());
        String nwid = created.out.text().strip();
        Path bHome = dir.resolve("b");
        Files.createDirectories(bHome, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(bHome.resolve("planetary.json"), bConfig);
        DaemonFixture.Daemon a = DaemonFixture.start(dir, "node", "a", "--rootset", rootset.toString());
        DaemonFixture.Daemon b = DaemonFixture.start(dir, "node", "b", "--rootset", rootset.toString());
        join(ctl, nwid, a, b);
        return new Planet(rootset, ctl, nwid, a, b, ControllerCliIT.awaitStatus(a, nwid, "OK", 30), ControllerCliIT.awaitStatus(b, nwid, "OK", 30));
    }

    /** Each node joins {@code nwid}, waits until it is pending approval, and is authorised through the controller API (§13.3). */
    static void join(DaemonFixture.Daemon ctl, String nwid, DaemonFixture.Daemon... nodes) throws Exception {
        for (DaemonFixture.Daemon n : nodes) {
            assertEquals(200, n.post("/network/" + nwid, "{}").status());
            ControllerCliIT.awaitStatus(n, nwid, "ACCESS_DENIED", 30); // pending approval
            var auth = ctl.post("/controller/network/" + nwid + "/member/" + n.address(), "{\"authorized\": true}");
            assertEquals(200, auth.status(), auth.body());
        }
    }

    @Test
    void twoNodesPingEachOtherAcrossTheNetworkWithPingVl2AndForwardAPort() throws Exception {
        echo = echoServer();
        int unexposed = freePort(), closed = freePort(); // closed: exposed, but nothing listens there
        Planet planet = planet(dir, "{\"forward\": {\"expose\": [" + echo.getLocalPort() + ", " + closed + "]}}");
        String nwid = planet.nwid();
        Path rootset = planet.rootset();
        DaemonFixture.Daemon a = planet.a(), b = planet.b();
        assertEquals("userspace", PlanetaryProcess.field(a.ready(), "nic"));
        JsonNode na = planet.na(), nb = planet.nb();

        // IPv4 first, between members that never exchanged anything: A's ARP request goes to the group
        // (ff:ff:ff:ff:ff:ff, B's IPv4), whose owner A learns by GATHER from the controller (§10.3,
        // §10.5); the request then goes to B as MULTICAST_FRAME and B's NIC answers it.
        PlanetaryProcess four = cli("ping-vl2", "--home", a.home().toString(), "-c", "3", "-i", "0.2", "-W", "5", nwid, assigned(nb, '.'));
        assertEquals(0, four.exitCode(), four.out.text() + four.err.text() + a.process().dump());
        assertTrue(four.out.text().contains("reply from " + assigned(nb, '.')), four.out.text());
        assertTrue(a.dropCounter("vl2_multicast_gathers_sent") >= 1, a.metrics());
        // IPv6 between rfc4193 addresses (neighbour discovery answered on the node's own NIC, §10.6).
        PlanetaryProcess six = cli("ping-vl2", "--home", a.home().toString(), "-c", "3", "-i", "0.2", "-W", "5", nwid, assigned(nb, ':'));
        assertEquals(0, six.exitCode(), six.out.text() + six.err.text() + a.process().dump());
        assertTrue(six.out.text().contains("3 received, 0% loss"), six.out.text());
        PlanetaryProcess back = cli("ping-vl2", "--home", b.home().toString(), "-c", "2", "-i", "0.2", "-W", "5", nwid, assigned(na, '.'));
        assertEquals(0, back.exitCode(), back.out.text() + back.err.text());
        assertTrue(back.out.text().matches("(?s).*rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms.*"), back.out.text());

        PlanetaryProcess other = cli("ping-vl2", "--home", a.home().toString(), "-c", "1", "0123456789000001", "10.147.17.2");
        assertEquals(1, other.exitCode());
        assertTrue(other.err.text().contains("not joined"), other.err.text());

        // Port forwarding (§12.8): the credentials were exchanged by the pings above (§8.3).
        String home = a.home().toString();
        PlanetaryProcess unknown = cli("forward", "--home", home, Integer.toString(freePort()), nwid, "10.147.99.1:" + echo.getLocalPort());
        assertEquals(1, unknown.exitCode(), unknown.out.text());
        assertTrue(unknown.err.text().contains("no known member"), unknown.err.text());

        int local = freePort();
        PlanetaryProcess fwd = cli("forward", "--home", home, Integer.toString(local), nwid, assigned(nb, '.') + ":" + echo.getLocalPort());
        assertEquals(0, fwd.exitCode(), fwd.err.text());
        assertTrue(fwd.out.text().contains("forwarding 127.0.0.1:" + local + " -> " + assigned(nb, '.') + ":" + echo.getLocalPort()), fwd.out.text());
        // the API's refusals (the CLI prints the same 'error' text, as for the unknown owner above)
        var inUse = a.post("/planetary/forward", "{\"localPort\": " + local + ", \"nwid\": \"" + nwid + "\", \"target\": \"" + assigned(nb, '.') + "\", \"port\": 1}");
        assertEquals(409, inUse.status());
        assertTrue(inUse.body().contains("already forwarded"), inUse.body());
        var notJoined = a.post("/planetary/forward", "{\"localPort\": " + freePort() + ", \"nwid\": \"0123456789000001\", \"target\": \"10.1.1.1\", \"port\": 1}");
        assertEquals(409, notJoined.status());
        assertTrue(notJoined.body().contains("not joined"), notJoined.body());
        for (String bad : new String[] {"{bad", "[]", "{\"localPort\": 1}", "{\"localPort\": 1, \"nwid\": \"" + nwid + "\", \"target\": \"example.com\", \"port\": 1}"}) {
            var refused = a.post("/planetary/forward", bad);
            assertEquals(400, refused.status(), bad + ": " + refused.body());
        }

        byte[] data = new byte[1 << 20];
        new Random(15).nextBytes(data);
        byte[] echoed = new byte[data.length];
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), local), 5000);
            s.setSoTimeout(20_000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                } catch (IOException ignored) {
                    // the reader's assertion tells
                }
            });
            int n = s.getInputStream().readNBytes(echoed, 0, echoed.length);
            writer.join(5000);
            assertEquals(data.length, n, "bytes echoed\n" + a.process().dump() + b.process().dump());
        }
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data), MessageDigest.getInstance("SHA-256").digest(echoed));

        int refusedLocal = freePort();
        PlanetaryProcess notExposed = cli("forward", "--home", home, Integer.toString(refusedLocal), nwid, assigned(nb, '.') + ":" + unexposed);
        assertEquals(0, notExposed.exitCode(), notExposed.err.text());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), refusedLocal), 5000);
            s.setSoTimeout(15_000);
            assertEquals(-1, s.getInputStream().read(), "the connection to an unexposed port is closed");
        }
        JsonNode shown = a.get("/planetary/forward/" + refusedLocal);
        assertEquals(1, shown.path("lastCloseReason").asInt(), shown.toString());
        int closedLocal = freePort(); // made through the API: the CLI's path is the same
        var toClosed = a.post("/planetary/forward", "{\"localPort\": " + closedLocal + ", \"nwid\": \"" + nwid + "\", \"target\": \"" + assigned(nb, '.') + "\", \"port\": " + closed + "}");
        assertEquals(200, toClosed.status(), toClosed.body());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedLocal), 5000);
            s.setSoTimeout(15_000);
            assertEquals(-1, s.getInputStream().read(), "the target refused: the connection is closed");
        }
        JsonNode refusedByTarget = a.get("/planetary/forward/" + closedLocal);
        assertEquals(3, refusedByTarget.path("lastCloseReason").asInt(), refusedByTarget.toString());
        assertTrue(refusedByTarget.path("lastClose").asText().contains("refused"), refusedByTarget.toString());
        PlanetaryProcess list = cli("forward", "list", "--home", home);
        assertEquals(0, list.exitCode(), list.err.text());
        assertTrue(list.out.text().contains("127.0.0.1:" + refusedLocal + " -> " + assigned(nb, '.') + ":" + unexposed), list.out.text());
        assertTrue(list.out.text().contains("does not expose that port"), list.out.text());
        assertTrue(list.out.text().contains(data.length + " B sent"), list.out.text());
        assertTrue(b.metrics().contains("forward_opened"), "the target counts the stream");

        // The forwards are the node's: they come back after a restart (forwards.json).
        assertEquals(0, DaemonFixture.terminate(a));
        a = DaemonFixture.start(dir, "node", "a", "--rootset", rootset.toString());
        JsonNode after = a.get("/planetary/forward");
        assertEquals(3, after.size(), after.toString());
        assertTrue(after.get(0).path("listening").asBoolean(), after.toString());

        PlanetaryProcess removed = cli("forward", "remove", "--home", home, Integer.toString(local));
        assertEquals(0, removed.exitCode(), removed.err.text());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), local).close(), "the listener is closed");
        var again = dev.planetary.daemon.ApiClient.request(a.socket(), "DELETE", "/planetary/forward/" + local, null);
        assertEquals(404, again.status());
        assertTrue(again.body().contains("no forward on local port " + local), again.body());
    }

    @AfterEach
    void closeEcho() throws IOException {
        if (echo != null) echo.close();
    }
}

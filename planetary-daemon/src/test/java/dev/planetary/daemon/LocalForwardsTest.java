package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.nic.NetworkId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's forwards (VL.md §12.8) as the API drives them, on a real driver loop: create listens and
 * is kept in forwards.json (0600), each refusal names its reason, remove closes the listener, and a
 * restart listens again while a hostile or broken forwards.json entry is skipped with a warning.
 */
class LocalForwardsTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");

    @TempDir
    Path home;
    private UdpDriver driver;
    private final ByteArrayOutputStream events = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        driver = UdpDriver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        UdpDriverTest.EchoEngine engine = new UdpDriverTest.EchoEngine();
        engine.out = driver.transmitter((n, f) -> { });
        driver.start(engine);
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Forwards over a stub node: 10.147.17.2 on NWID is owned by a member, nothing else is. */
    private LocalForwards forwards() {
        LocalForwards f = new LocalForwards(driver, home, new EventSink(new PrintStream(events, true, StandardCharsets.UTF_8), true));
        f.attach(null, new LocalForwards.Node() {
            @Override
            public String targetProblem(NetworkId network, InetAddress target) {
                if (!network.equals(NWID)) return "network " + network + " is not joined";
                return target.getHostAddress().equals("10.147.17.2") ? null : "no known member of " + network + " owns " + target.getHostAddress();
            }

            @Override
            public void wake() {}
        });
        driver.call(e -> {
            f.start();
            return null;
        });
        return f;
    }

    private <T> T onLoop(java.util.function.Supplier<T> s) {
        return driver.call(e -> s.get());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }

    @Test
    void createListensAndIsKeptRefusalsNameTheirReasonRemoveCloses() throws Exception {
        LocalForwards f = forwards();
        InetAddress b = InetAddress.getByName("10.147.17.2");
        int port = freePort();
        Map<String, Object> made = onLoop(() -> f.create(port, NWID, b, 22));
        assertEquals("127.0.0.1:" + port, made.get("listen"));
        assertEquals(true, made.get("listening"));
        assertTrue(listening(port));
        Path file = home.resolve(LocalForwards.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).contains("\"localPort\" : " + port), Files.readString(file));

        String[][] refusals = {{"already forwarded", "same"}, {"not joined", "network"}, {"no known member", "owner"}, {"port in use", "taken"}};
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            for (String[] r : refusals) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> onLoopThrowing(() -> switch (r[1]) {
                    case "same" -> f.create(port, NWID, b, 22);
                    case "network" -> f.create(port + 1, NetworkId.parse("0123456789000001"), b, 22);
                    case "owner" -> f.create(port + 1, NWID, InetAddress.getByName("10.147.17.99"), 22);
                    default -> f.create(taken.getLocalPort(), NWID, b, 22);
                }), r[1]);
                assertTrue(e.getMessage().contains(r[0]), e.getMessage());
            }
        }
        assertEquals(1, onLoop(f::list).size(), "no refusal made a forward");

        assertFalse(onLoop(() -> f.remove(port + 1)));
        assertTrue(onLoop(() -> f.remove(port)));
        assertFalse(listening(port), "remove closes the listener");
        assertFalse(Files.readString(file).contains(Integer.toString(port)));
    }

    @Test
    void aRestartListensAgainAndSkipsBrokenEntries() throws Exception {
        int port = freePort();
        Files.writeString(home.resolve(LocalForwards.FILE), "[{\"localPort\": " + port + ", \"nwid\": \"8056c2e21c000001\", \"target\": \"10.147.17.2\", \"port\": 80},"
                + " {\"localPort\": 0, \"nwid\": \"8056c2e21c000001\", \"target\": \"10.147.17.2\", \"port\": 80},"
                + " {\"localPort\": 1, \"nwid\": \"8056c2e21c000001\", \"target\": \"example.com\", \"port\": 80}, \"junk\", 7]");
        LocalForwards f = forwards();
        List<Map<String, Object>> l = onLoop(f::list);
        assertEquals(1, l.size(), l.toString());
        assertEquals(true, l.getFirst().get("listening"));
        assertTrue(listening(port));
        String warnings = events.toString(StandardCharsets.UTF_8);
        assertTrue(warnings.contains("outside 1..65535") && warnings.contains("not an IP address literal"), warnings);
        onLoop(() -> {
            f.close();
            return null;
        });
        assertFalse(listening(port));

        Files.writeString(home.resolve(LocalForwards.FILE), "{not json");
        assertTrue(onLoop(forwards()::list).isEmpty());
        assertTrue(events.toString(StandardCharsets.UTF_8).contains("ignoring"), events.toString(StandardCharsets.UTF_8));
    }

    /** Runs {@code c} on the loop and rethrows its {@link IllegalArgumentException} as is. */
    private Object onLoopThrowing(java.util.concurrent.Callable<Object> c) {
        Object[] r = new Object[1];
        RuntimeException[] thrown = new RuntimeException[1];
        driver.call(e -> {
            try {
                r[0] = c.call();
            } catch (RuntimeException x) {
                thrown[0] = x;
            } catch (Exception x) {
                thrown[0] = new IllegalStateException(x);
            }
            return null;
        });
        if (thrown[0] != null) throw thrown[0];
        return r[0];
    }
}

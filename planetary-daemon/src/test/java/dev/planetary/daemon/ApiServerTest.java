package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.daemon.HttpMessages.Response;
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
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local API's HTTP server: authentication, bounds and malformed requests (VL.md §13.1). */
class ApiServerTest {
    @TempDir
    Path dir;
    ApiServer server;
    Path socket;
    int port;

    @BeforeEach
    void start() throws IOException {
        server = new ApiServer(r -> {
            if (r.path().equals("/boom")) throw new IllegalStateException("a bug in a handler");
            if (r.path().equals("/echo")) return Response.json(200, Map.of("method", r.method(), "bytes", r.body().length));
            return Response.error(404, "no such endpoint");
        });
        socket = dir.resolve("api.sock");
        server.listenUnix(socket);
        port = server.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "s3cret-token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String exchange(SocketChannel c, byte[] request) throws IOException {
        try (c) {
            c.write(ByteBuffer.wrap(request));
            c.shutdownOutput(); // an incomplete request then ends at EOF instead of the server's timeout
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (c.read(in) >= 0) {
                all.write(in.array(), 0, in.position());
                in.clear();
            }
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    String unix(String request) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(socket));
        return exchange(c, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** A refused connection may be reset before the answer is read: that counts as no answer yet. */
    String unixOrReset(String request) {
        try {
            return unix(request);
        } catch (IOException e) {
            return "";
        }
    }

    String tcp(String request) throws IOException {
        SocketChannel c = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return exchange(c, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static void assertStatus(int status, String response) {
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), response);
    }

    @Test
    void unixSocketNeedsNoTokenAndHasMode0660() throws IOException {
        assertStatus(200, unix("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
    }

    @Test
    void tcpRefusesMissingOrWrongTokens() throws IOException {
        String none = tcp("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        assertStatus(401, none);
        assertTrue(none.contains("{\"error\":"), none);
        assertStatus(401, tcp("GET /echo HTTP/1.1\r\nX-ZT1-Auth: s3cret-tokem\r\n\r\n"));
        assertStatus(401, tcp("GET /echo HTTP/1.1\r\nAuthorization: Bearer s3cret\r\n\r\n"));
        assertStatus(401, tcp("GET /echo HTTP/1.1\r\nAuthorization: Basic s3cret-token\r\n\r\n"));
        assertStatus(200, tcp("GET /echo HTTP/1.1\r\nX-ZT1-Auth: s3cret-token\r\n\r\n"));
        assertStatus(200, tcp("GET /echo HTTP/1.1\r\nauthorization: bearer s3cret-token\r\n\r\n"));
        assertEquals(4, server.rejections()[1]);
    }

    @Test
    void malformedRequestsGet400WithAJsonBody() throws IOException {
        for (String bad : new String[] {"garbage\r\n\r\n", "GET /echo\r\n\r\n", "GET echo HTTP/1.1\r\n\r\n", "GET /echo HTTP/2.0\r\n\r\n",
                "GET /echo HTTP/1.1\r\nno colon here\r\n\r\n", "GET /echo HTTP/1.1\r\n: empty name\r\n\r\n",
                "POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n", "POST /echo HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", "GET /echo HTTP/1.1\r\n"}) {
            String r = unix(bad);
            assertStatus(400, r);
            assertTrue(r.contains("\"error\""), r);
        }
        // the server is still there
        assertStatus(200, unix("POST /echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
    }

    @Test
    void boundsOnHeadHeadersAndBody() throws IOException {
        assertStatus(431, unix("GET /" + "a".repeat(ApiServer.MAX_HEAD) + " HTTP/1.1\r\n\r\n"));
        StringBuilder many = new StringBuilder("GET /echo HTTP/1.1\r\n");
        for (int i = 0; i <= ApiServer.MAX_HEADERS; i++) many.append("X-H").append(i).append(": v\r\n");
        assertStatus(431, unix(many.append("\r\n").toString()));
        assertStatus(413, unix("POST /echo HTTP/1.1\r\nContent-Length: " + (ApiServer.MAX_BODY + 1) + "\r\n\r\n"));
        assertStatus(501, unix("POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    }

    @Test
    void aFailingHandlerIs500AndTheServerGoesOn() throws IOException {
        String r = unix("GET /boom HTTP/1.1\r\n\r\n");
        assertStatus(500, r);
        assertTrue(r.contains("internal error") && !r.contains("a bug in a handler"), r);
        assertStatus(200, unix("GET /echo HTTP/1.1\r\n\r\n"));
    }

    @Test
    void aLiveSocketIsNotTakenOverButAStaleOneIsReplaced() throws IOException {
        ApiServer other = new ApiServer(r -> Response.error(404, "x"));
        try {
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> other.listenUnix(socket));
            assertTrue(e.getMessage().contains("another daemon"), e.getMessage());
            Path stale = dir.resolve("stale.sock");
            Files.createFile(stale);
            other.listenUnix(stale);
            assertStatus(404, exchangeUnix(stale));
        } finally {
            other.close();
        }
    }

    private static String exchangeUnix(Path p) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(p));
        return exchange(c, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void connectionsBeyondTheLimitGet503() throws IOException {
        java.util.List<SocketChannel> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < ApiServer.MAX_CONNECTIONS; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.connect(UnixDomainSocketAddress.of(socket));
                c.write(ByteBuffer.wrap("GET /echo HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1))); // never finished
                idle.add(c);
            }
            // the accept loop takes the connections in order; wait (bounded) until all slots are taken
            long end = System.nanoTime() + 10_000_000_000L;
            String r = "";
            while (System.nanoTime() < end && !(r = unixOrReset("GET /echo HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 503 ")) Thread.onSpinWait();
            assertStatus(503, r);
        } finally {
            for (SocketChannel c : idle) c.close();
        }
        // slots come back when the clients leave
        long end = System.nanoTime() + 10_000_000_000L;
        String r = "";
        // until the server has seen them go, a new one may still be refused and reset mid-request
        while (System.nanoTime() < end && !(r = unixOrReset("GET /echo HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 200 ")) Thread.onSpinWait();
        assertStatus(200, r);
    }

    @Test
    void tcpBindsLoopbackOnly() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> server.listenTcp(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), "t"));
    }
}

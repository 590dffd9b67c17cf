package dev.planetary.daemon;

import dev.planetary.daemon.HttpMessages.Request;
import dev.planetary.daemon.HttpMessages.Response;
import dev.planetary.daemon.HttpMessages.Router;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local API's HTTP/1.1 server (VL.md §13.1), our own and small: one request per connection
 * ({@code Connection: close}), over a Unix-domain socket (whoever can open it is authorised) and
 * optionally loopback TCP (each request carries the token as {@code X-ZT1-Auth} or
 * {@code Authorization: Bearer}, else 401).
 *
 * <p>Bounded: {@link #MAX_HEAD} bytes of request line and headers, {@link #MAX_HEADERS} headers,
 * {@link #MAX_BODY} bytes of body, {@link #MAX_CONNECTIONS} connections at once (more get 503),
 * {@link #TIMEOUT_MS} per connection (then it is closed). A malformed request gets 400 with a JSON
 * error body; nothing a client sends ends a server thread.
 *
 * <p>An optional {@code open} router sees every request first, before the token check: it answers
 * what needs no token (the controller console's static assets, {@link ConsoleAssets}) and returns
 * {@code null} for everything else.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    public static final int MAX_HEAD = 16 * 1024;
    public static final int MAX_HEADERS = 64;
    public static final int MAX_BODY = 64 * 1024;
    public static final int MAX_CONNECTIONS = 32;
    public static final long TIMEOUT_MS = 10_000;

    private final Router router;
    private final Router open;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "planetary-api-timeout");
        t.setDaemon(true);
        return t;
    });
    private final List<ServerSocketChannel> listeners = new CopyOnWriteArrayList<>();
    private final List<Path> socketFiles = new CopyOnWriteArrayList<>();
    private final LongAdder badRequests = new LongAdder(), unauthorized = new LongAdder(), refused = new LongAdder();
    private volatile boolean running = true;

    public ApiServer(Router router) {
        this(router, r -> null);
    }

    /** {@code open} answers requests that need no token, and {@code null} to any other (see the class comment). */
    public ApiServer(Router router, Router open) {
        this.router = java.util.Objects.requireNonNull(router, "router");
        this.open = java.util.Objects.requireNonNull(open, "open router (r -> null for none)");
    }

    /**
     * Serves the Unix-domain socket {@code path} with mode 0660. A stale socket file (no daemon
     * answers on it) is replaced; a live one is an error.
     */
    public void listenUnix(Path path) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (answers(path)) throw new IOException("another daemon is serving " + path);
            Files.delete(path);
        }
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        socketFiles.add(path);
        serve(ch, null, "unix");
    }

    /** Serves loopback TCP on {@code bind} (port 0: any); every request must carry {@code token}. Returns the bound port. */
    public int listenTcp(InetSocketAddress bind, String token) throws IOException {
        if (!bind.getAddress().isLoopbackAddress()) throw new IllegalArgumentException("the TCP API binds loopback addresses only, not " + bind);
        if (token == null || token.isEmpty()) throw new IllegalArgumentException("the TCP API needs a token");
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.bind(bind, 64);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        serve(ch, token.getBytes(StandardCharsets.US_ASCII), "tcp");
        return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }

    /** Requests answered 400 (malformed), 401 (no or wrong token) and connections refused as over the limit. */
    public long[] rejections() {
        return new long[] {badRequests.sum(), unauthorized.sum(), refused.sum()};
    }

    private static boolean answers(Path path) {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            return c.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private void serve(ServerSocketChannel ch, byte[] token, String kind) {
        listeners.add(ch);
        Thread.ofPlatform().daemon().name("planetary-api-" + kind).start(() -> {
            while (running) {
                SocketChannel c;
                try {
                    c = ch.accept();
                } catch (IOException e) {
                    if (running) LOG.warn("API accept failed: {}", e.toString());
                    if (!ch.isOpen()) return;
                    continue;
                }
                if (!slots.tryAcquire()) {
                    refused.increment();
                    Thread.ofVirtual().start(() -> {
                        try (c) {
                            write(c, Response.error(503, "too many connections"));
                            drain(c);
                        } catch (IOException ignored) {
                            // the client went away
                        }
                    });
                    continue;
                }
                Thread.ofVirtual().name("planetary-api-conn").start(() -> {
                    ScheduledFuture<?> kill = timer.schedule(() -> closeQuietly(c), TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    try {
                        handle(c, token);
                    } catch (IOException e) {
                        LOG.debug("API connection ended: {}", e.toString()); // timeouts, resets
                    } catch (RuntimeException e) {
                        LOG.error("API connection failed (a bug)", e);
                    } finally {
                        kill.cancel(false);
                        closeQuietly(c);
                        slots.release();
                    }
                });
            }
        });
    }

    private void handle(SocketChannel c, byte[] token) throws IOException {
        Parsed p = read(c);
        if (p.error != null) {
            badRequests.increment();
            write(c, p.error);
            drain(c);
            return;
        }
        Response free = open.handle(p.request);
        if (free != null) {
            write(c, free);
            return;
        }
        if (token != null && !authorised(p.request, token)) {
            unauthorized.increment();
            write(c, Response.error(401, "missing or wrong auth token (X-ZT1-Auth or Authorization: Bearer)"));
            return;
        }
        Response r;
        try {
            r = router.handle(p.request);
        } catch (RuntimeException e) {
            LOG.error("API {} {} failed", p.request.method(), p.request.path(), e);
            r = Response.error(500, "internal error");
        }
        write(c, r);
    }

    private static boolean authorised(Request r, byte[] token) {
        String t = r.headers().get("x-zt1-auth");
        if (t == null) {
            String a = r.headers().get("authorization");
            if (a != null && a.regionMatches(true, 0, "Bearer ", 0, 7)) t = a.substring(7).strip();
        }
        return t != null && MessageDigest.isEqual(t.getBytes(StandardCharsets.US_ASCII), token);
    }

    private record Parsed(Request request, Response error) {}

    private static Parsed bad(int status, String reason) {
        return new Parsed(null, Response.error(status, reason));
    }

    /** Reads one request; a malformed or oversized one is a 4xx value, never an exception. */
    static Parsed read(SocketChannel c) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_HEAD + MAX_BODY);
        int headEnd = -1;
        while (headEnd < 0) {
            if (buf.position() >= MAX_HEAD) return bad(431, "request head larger than " + MAX_HEAD + " bytes");
            if (c.read(buf) < 0) return bad(400, "incomplete request");
            headEnd = find(buf.array(), Math.min(buf.position(), MAX_HEAD));
        }
        String head = new String(buf.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n", -1);
        String[] rl = lines[0].split(" ", -1);
        if (rl.length != 3 || !rl[2].matches("HTTP/1\\.[01]") || !rl[0].matches("[A-Z]{1,16}") || !rl[1].startsWith("/")) {
            return bad(400, "malformed request line");
        }
        if (lines.length - 1 > MAX_HEADERS) return bad(431, "more than " + MAX_HEADERS + " headers");
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0 || !lines[i].substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) return bad(400, "malformed header line");
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        if (headers.containsKey("transfer-encoding")) return bad(501, "transfer encodings are not supported; send Content-Length");
        int length = 0;
        String cl = headers.get("content-length");
        if (cl != null) {
            if (!cl.matches("[0-9]{1,9}")) return bad(400, "malformed Content-Length");
            length = Integer.parseInt(cl);
            if (length > MAX_BODY) return bad(413, "body larger than " + MAX_BODY + " bytes");
        }
        int bodyStart = headEnd + 4;
        while (buf.position() < bodyStart + length) {
            if (c.read(buf) < 0) return bad(400, "incomplete body");
        }
        byte[] body = java.util.Arrays.copyOfRange(buf.array(), bodyStart, bodyStart + length);
        String target = rl[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? "" : target.substring(q + 1);
        return new Parsed(new Request(rl[0], path, query, Map.copyOf(headers), body), null);
    }

    private static int find(byte[] b, int end) {
        for (int i = 0; i + 3 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
        }
        return -1;
    }

    static void write(SocketChannel c, Response r) throws IOException {
        StringBuilder extra = new StringBuilder();
        r.headers().forEach((k, v) -> extra.append(k).append(": ").append(v).append("\r\n"));
        String head = "HTTP/1.1 " + r.status() + " " + HttpMessages.reason(r.status()) + "\r\n"
                + "Content-Type: " + r.contentType() + "\r\n"
                + "Content-Length: " + r.body().length + "\r\n"
                + "Cache-Control: no-store\r\n"
                + "X-Content-Type-Options: nosniff\r\n"
                + extra
                + "Connection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + r.body().length);
        out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(r.body()).flip();
        while (out.hasRemaining()) c.write(out);
    }

    /** Reads (without waiting, bounded) what the client sent, so that closing does not reset the connection before it read the answer. */
    private static void drain(SocketChannel c) throws IOException {
        c.shutdownOutput();
        c.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4 && c.read(b) > 0; i++) b.clear();
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        running = false;
        for (ServerSocketChannel ch : listeners) closeQuietly(ch);
        for (Path p : socketFiles) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort
            }
        }
        timer.shutdownNow();
    }
}

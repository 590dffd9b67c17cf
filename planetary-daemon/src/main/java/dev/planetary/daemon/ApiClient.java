package dev.planetary.daemon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client of the local API over its Unix-domain socket (what {@code planetary status} uses). */
public final class ApiClient {
    /** Largest response read. */
    private static final int MAX_RESPONSE = 8 << 20;

    private ApiClient() {}

    /** A response: status code and body text. */
    public record Reply(int status, String body) {}

    /** Sends one request to the daemon behind {@code socket}; {@code body} may be null. */
    public static Reply request(Path socket, String method, String path, byte[] body) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            byte[] b = body == null ? new byte[0] : body;
            String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n") + "\r\n";
            ByteBuffer out = ByteBuffer.allocate(head.length() + b.length);
            out.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(b).flip();
            while (out.hasRemaining()) c.write(out);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            while (c.read(in) >= 0) {
                all.write(in.array(), 0, in.position());
                in.clear();
                if (all.size() > MAX_RESPONSE) throw new IOException("response larger than " + MAX_RESPONSE + " bytes");
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.1 ") || end < 0 || text.length() < 12) throw new IOException("not an HTTP response");
            int status;
            try {
                status = Integer.parseInt(text.substring(9, 12));
            } catch (NumberFormatException e) {
                throw new IOException("not an HTTP response");
            }
            return new Reply(status, text.substring(end + 4));
        }
    }
}

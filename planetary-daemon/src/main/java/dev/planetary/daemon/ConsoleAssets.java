package dev.planetary.daemon;

import dev.planetary.controller.ConsoleFiles;
import dev.planetary.daemon.HttpMessages.Request;
import dev.planetary.daemon.HttpMessages.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The controller web console's static files (docs/console.md): plain HTML, CSS and JavaScript
 * modules kept in the controller jar ({@link ConsoleFiles}), served without a token on the API
 * listener at {@code /console/} ({@code /} and {@code /console} redirect there). The files hold no
 * secret: the page asks for the token and sends it as {@code X-ZT1-Auth} to the ordinary API,
 * which checks it. Every other request is {@code null} here (the server then checks the token).
 *
 * <p>Only names of letters, digits and dashes with a known extension, no folders, are looked up (no path traversal), and each answer carries a
 * Content-Security-Policy that allows nothing but this origin's own files.
 */
public final class ConsoleAssets implements HttpMessages.Router {
    /** The path the console is served under. */
    public static final String PATH = "/console/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9-]{1,40}\\.(html|css|js|svg|png)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "svg", "image/svg+xml", "png", "image/png");
    /** No inline script or style, no other origin, no framing (clickjacking), no referrer. */
    static final Map<String, String> HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer");

    @Override
    public Response handle(Request r) {
        String p = r.path();
        if (!r.method().equals("GET")) return null;
        if (p.equals("/") || p.equals("/console")) return Response.redirect(PATH);
        if (!p.startsWith(PATH)) return null;
        String name = p.length() == PATH.length() ? "index.html" : p.substring(PATH.length());
        if (!NAME.matcher(name).matches()) return Response.error(404, "no such console file");
        byte[] body = read(name);
        if (body == null) return Response.error(404, "no such console file");
        return new Response(200, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), body, HEADERS);
    }

    private byte[] read(String name) {
        try {
            return ConsoleFiles.read(name);
        } catch (IOException e) {
            throw new UncheckedIOException("console file " + name + " unreadable", e);
        }
    }
}

package dev.planetary.daemon;

import static dev.planetary.daemon.ApiServerTest.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.controller.ConsoleFiles;
import dev.planetary.daemon.HttpMessages.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The web console's static files on the API listener (docs/console.md): no token for them, the token for everything else. */
class ConsoleAssetsTest {
    /** Every file of the console; each one's imports must be among them. */
    static final List<String> FILES = List.of("index.html", "console.css", "app.js", "api.js", "dom.js", "networks.js", "members.js",
            "rules.js", "live.js");
    ApiServer server;
    int port;

    @BeforeEach
    void start() throws IOException {
        server = new ApiServer(r -> Response.json(200, Map.of("api", r.path())), new ConsoleAssets());
        port = server.listenTcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), "s3cret-token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    String tcp(String request) throws IOException {
        return ApiServerTest.exchange(SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)),
                request.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    @Test
    void theConsoleIsServedWithoutATokenAndTheApiStillNeedsOne() throws IOException {
        String index = tcp(get("/console/"));
        assertStatus(200, index);
        assertTrue(index.contains("Content-Type: text/html; charset=utf-8"), index);
        assertTrue(index.contains("Content-Security-Policy: default-src 'none'; script-src 'self';"), index);
        assertTrue(index.contains("X-Frame-Options: DENY"), index);
        assertTrue(index.contains("<script type=\"module\" src=\"app.js\"></script>"), index);
        for (String root : new String[] {"/", "/console"}) {
            String r = tcp(get(root));
            assertStatus(302, r);
            assertTrue(r.contains("Location: /console/\r\n"), r);
        }
        String js = tcp(get("/console/live.js"));
        assertStatus(200, js);
        assertTrue(js.contains("Content-Type: text/javascript"), js);
        assertStatus(200, tcp(get("/console/console.css")));
        for (String bad : new String[] {"/console/nope.js", "/console/../pom.xml", "/console/%2e%2e/x.js", "/console/a/app.js", "/console/APP.JS",
                "/console/app.js.class", "/console/ConsoleAssets.class"}) {
            assertStatus(404, tcp(get(bad)));
        }
        assertStatus(401, tcp(get("/controller")));
        assertStatus(401, tcp(get("/consolex")));
        assertStatus(401, tcp("POST /console/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")); // only GET is free
        assertStatus(200, tcp("GET /controller HTTP/1.1\r\nX-ZT1-Auth: s3cret-token\r\n\r\n"));
    }

    /** The controller jar reads its own console files (on the module path too); one file, never a folder. */
    @Test
    void consoleFilesAreReadByTheControllerModuleOneFileAtATime() throws IOException {
        assertTrue(file("index.html").contains("<html"), "the console's page");
        assertNull(ConsoleFiles.read("no-such-file.html"));
        for (String bad : new String[] {"", "../controller/Controller.class", "console/index.html", "a\\b.js"}) {
            assertThrows(IllegalArgumentException.class, () -> ConsoleFiles.read(bad), bad);
        }
    }

    static String file(String name) throws IOException {
        byte[] b = ConsoleFiles.read(name);
        assertNotNull(b, name + " is not in the controller jar");
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Member-controlled text must never become markup: no API for parsing HTML anywhere, no inline script or style. */
    @Test
    void theFilesNeverParseDataAsMarkupAndImportOnlyEachOther() throws IOException {
        Pattern markup = Pattern.compile("innerHTML|outerHTML|insertAdjacentHTML|document\\.write|eval\\(|new Function|setAttribute\\('on");
        Pattern imports = Pattern.compile("from '\\./([a-z0-9-]+\\.js)'");
        for (String f : FILES) {
            String text = file(f);
            Matcher m = markup.matcher(text);
            assertFalse(m.find(), f + " uses " + (m.hitEnd() ? "" : m.group()));
            Matcher i = imports.matcher(text);
            while (i.find()) assertTrue(FILES.contains(i.group(1)), f + " imports " + i.group(1) + ", which is not listed");
        }
        String index = file("index.html");
        assertEquals(1, index.split("<script", -1).length - 1, "one script element, the module app.js");
        assertFalse(index.contains("style="), "no inline style (the CSP forbids it)");
        assertFalse(index.matches("(?s).*https?://.*"), "no other origin");
    }
}

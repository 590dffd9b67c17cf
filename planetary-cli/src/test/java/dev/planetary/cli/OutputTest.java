package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Escaping, truncation and rate limiting of what the CLI prints (black-box: CliHygieneIT). */
class OutputTest {
    @Test
    void controlFormatAndSeparatorCharactersAreEscaped() {
        assertEquals("plain text: 1.2.3.4:5 … ü 😀", Output.escape("plain text: 1.2.3.4:5 … ü 😀", false));
        assertEquals("a\\nb\\r\\t\\x1b[2J\\x7f\\x85\\u202e\\u2028\\u200b", Output.escape("a\nb\r\t\u001b[2J\u007f\u0085\u202e\u2028\u200b", false));
        assertEquals("line 1\nline 2\\x00", Output.escape("line 1\nline 2\u0000", true));
        assertEquals("lone \\ud800 surrogate", Output.escape("lone \ud800 surrogate", false));
        String once = Output.escape("x\ny", false);
        assertEquals(once, Output.escape(once, false), "escaping twice changes nothing");
    }

    @Test
    void peerTextIsCut() {
        String shown = Output.peer("h".repeat(10_000));
        assertTrue(shown.length() < Output.MAX_PEER_TEXT + 20, shown);
        assertTrue(shown.endsWith("…(10000 chars)"), shown);
        assertEquals("short", Output.peer("short"));
    }

    @Test
    void peerDrivenEventsAreCountedNotPrintedBeyondTheBurst() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Output out = new Output(ps, ps, false, false, false);
        for (int i = 0; i < 1000; i++) out.peerEvent("stream.refused", "refused " + i);
        out.event("stopped", "stopped");
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("refused 0", "refused 1", "refused 2"), lines.subList(0, Output.BURST));
        assertTrue(lines.get(3).startsWith("(997 more stream.refused events in "), lines.toString());
        assertEquals("stopped", lines.get(4));
        assertEquals(5, lines.size(), lines.toString());
        out.event("stream.refused", "not limited");
        assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("not limited\n"), "event() is never limited");

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        PrintStream js = new PrintStream(json, true, StandardCharsets.UTF_8);
        Output j = new Output(js, js, true, false, false);
        for (int i = 0; i < 10; i++) j.peerEvent("challenge", null, "remote", "1.2.3.4:" + i);
        j.event("stopped", null);
        List<String> events = json.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, events.size(), events.toString());
        assertTrue(events.get(3).contains("\"event\":\"suppressed\"") && events.get(3).contains("\"kind\":\"challenge\",\"count\":7"), events.get(3));
    }

    @Test
    void errorsInWords() {
        assertEquals("/proc/x: no such file or directory", Errors.describe(new java.nio.file.NoSuchFileException("/proc/x")));
        assertEquals("/k.key: permission denied", Errors.describe(new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/k.key"))));
        assertEquals("/a -> /b: read-only file system", Errors.describe(new java.nio.file.FileSystemException("/a", "/b", "Read-only file system")));
        assertEquals("cannot create the store: /proc/x: no such file or directory (or --no-state)",
                Errors.withoutClassNames("cannot create the store: java.nio.file.NoSuchFileException: /proc/x (or --no-state)"));
        assertEquals("store: database is locked", Errors.withoutClassNames("store: org.sqlite.SQLiteException: database is locked"));
        assertEquals("no details", Errors.describe(new IllegalStateException()));
    }
}

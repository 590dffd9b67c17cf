package dev.planetary.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** Measured figures of the denial-of-service tests: printed and appended to target/security-figures.txt. */
final class Figures {
    private Figures() {}

    static synchronized void report(String test, String line) {
        String text = Instant.now() + " " + test + ": " + line;
        System.out.println("[figures] " + text);
        try {
            Path p = Path.of("target", "security-figures.txt");
            Files.createDirectories(p.getParent());
            Files.writeString(p, text + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // figures are informative only
        }
    }
}

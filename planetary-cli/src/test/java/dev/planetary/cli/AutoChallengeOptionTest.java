package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listen --auto-challenge RATE [--auto-challenge-window D]}: bad values are usage errors (exit 2) before anything binds. */
class AutoChallengeOptionTest {
    @TempDir
    Path dir;

    private int listen(String... extra) {
        String key = dir.resolve("srv").toString();
        String[] base = {"listen", "--bind", "127.0.0.1:0", "--key", key + ".key", "--no-state", "-q"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Main.run(args);
    }

    @Test
    void badRatesAndWindowsAreUsageErrors() {
        assertEquals(0, Main.run("keygen", dir.resolve("srv").toString()));
        assertEquals(2, listen("--auto-challenge", "0"));
        assertEquals(2, listen("--auto-challenge", "-10"));
        assertEquals(2, listen("--auto-challenge", "many"));
        assertEquals(2, listen("--auto-challenge", "Infinity"));
        assertEquals(2, listen("--auto-challenge", "50", "--auto-challenge-window", "5ms"));
        assertEquals(2, listen("--auto-challenge", "50", "--auto-challenge-window", "10"));
        assertEquals(2, listen("--challenge", "--challenge-budget", "0"));
        assertEquals(2, listen("--challenge", "--challenge-budget", "-1"));
        assertEquals(2, listen("--challenge", "--challenge-budget", "lots"));
    }
}

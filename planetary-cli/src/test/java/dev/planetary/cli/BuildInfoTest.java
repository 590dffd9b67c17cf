package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** `planetary --version` names the version and the git commit the build came from. */
class BuildInfoTest {

    /** The commit git reports for this checkout, or null outside a git checkout. */
    private static String gitHead() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD")
                    .directory(Path.of(".").toFile()).redirectErrorStream(false).start();
        } catch (java.io.IOException noGit) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) return null;
        return out;
    }

    @Test
    void commitIsTheCheckoutsHeadOrUnknown() throws Exception {
        String head = gitHead();
        String commit = Main.commit();
        if (head == null) {
            assertEquals("unknown", commit);
        } else {
            assertTrue(commit.equals(head) || commit.equals(head + "-dirty"),
                    "build commit " + commit + " is not HEAD " + head);
        }
    }

    @Test
    void versionOutputNamesVersionAndCommit() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("--version"));
        } finally {
            System.setOut(old);
        }
        String text = buf.toString(StandardCharsets.UTF_8).trim();
        assertTrue(text.matches("planetary \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(commit ([0-9a-f]{7,40}(-dirty)?|unknown)\\)"), text);
        assertTrue(text.contains(Main.version()) && text.contains(Main.commit()), text);
    }
}

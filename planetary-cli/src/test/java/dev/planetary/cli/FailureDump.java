package dev.planetary.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * What a multi-process IT leaves behind when it fails (register it with {@code @RegisterExtension}
 * on a {@code PER_CLASS} test): {@code report} — e.g. every process's output and the counters of
 * its daemons — written to {@code target/it-failures/CLASS-WHAT-TIME.txt} and printed, so that a
 * CI run keeps the root's and the controller's side too, not only the process whose wait timed
 * out. Covers a failed test and a failed {@code @BeforeAll} (the set-up, where joins time out).
 * The report must not throw; if it does, its exception is in the file instead.
 */
final class FailureDump implements TestWatcher, LifecycleMethodExecutionExceptionHandler {
    private final Callable<String> report;

    FailureDump(Callable<String> report) {
        this.report = report;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        write(context, context.getRequiredTestMethod().getName(), cause);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable cause) throws Throwable {
        if (!(cause instanceof org.opentest4j.TestAbortedException)) write(context, "set-up", cause); // a skip (no jar in the unit phase) is no failure
        throw cause;
    }

    private void write(ExtensionContext context, String what, Throwable cause) {
        String text;
        try {
            text = report.call();
        } catch (Exception | AssertionError e) {
            text = "the failure report itself failed: " + e;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-" + what + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + ".txt";
        Path file = Path.of("target", "it-failures", name).toAbsolutePath();
        String all = "failure: " + cause + "\n\n" + text + "\n";
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, all);
            System.out.println("FailureDump: " + what + " failed; the processes' output and counters are in " + file);
        } catch (IOException e) {
            System.out.println("FailureDump: could not write " + file + ": " + e);
        }
        System.out.println(all);
    }
}

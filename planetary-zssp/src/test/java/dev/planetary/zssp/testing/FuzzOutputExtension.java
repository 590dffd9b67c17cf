package dev.planetary.zssp.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps CI's log readable during the short fuzzing run: libFuzzer writes its progress straight to
 * file descriptor 2 (thousands of lines per target), which this extension points at
 * {@code target/fuzz-reports/<Target>-libfuzzer.log} before the target runs; afterwards it writes
 * one summary line per target (runs, coverage, corpus, log file) to the original stderr.
 *
 * <p>Active only in the "fuzz" surefire execution of planetary-zssp (which enables extension
 * auto-detection and sets {@code planetary.fuzzLogDir}); each fuzz target runs in its own JVM
 * there, so the redirection never outlives its target. Where the native calls are unavailable the
 * output simply stays on the console.
 */
public final class FuzzOutputExtension implements BeforeAllCallback, AfterAllCallback {
    private static final Pattern DONE = Pattern.compile("Done (\\d+) runs in (\\d+) second");
    private static final Pattern STATS = Pattern.compile("cov: (\\d+) ft: (\\d+) corp: (\\d+)");

    private int savedStderr = -1;
    private Path log;

    @Override
    public void beforeAll(ExtensionContext context) {
        String dir = System.getProperty("planetary.fuzzLogDir");
        if (dir == null || savedStderr >= 0) return;
        try {
            Files.createDirectories(Path.of(dir));
            log = Path.of(dir, context.getRequiredTestClass().getSimpleName() + "-libfuzzer.log");
            Libc c = Libc.get();
            int fd;
            try (Arena a = Arena.ofConfined()) {
                fd = (int) c.creat.invokeExact(a.allocateFrom(log.toString()), 0644);
            }
            if (fd < 0) return;
            int saved = (int) c.dup.invokeExact(2);
            if (saved < 0 || (int) c.dup2.invokeExact(fd, 2) < 0) return;
            int ignored = (int) c.close.invokeExact(fd);
            savedStderr = saved;
        } catch (Throwable unavailable) {
            log = null; // output stays on the console
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (savedStderr < 0) return;
        String name = context.getRequiredTestClass().getSimpleName();
        String line = "fuzz " + name + ": " + summary() + "; libFuzzer output in " + log + "\n";
        try {
            Libc c = Libc.get();
            int ignored = (int) c.dup2.invokeExact(savedStderr, 2); // restore stderr
            try (Arena a = Arena.ofConfined()) {
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                MemorySegment s = a.allocate(b.length);
                s.copyFrom(MemorySegment.ofArray(b));
                long written = (long) c.write.invokeExact(2, s, (long) b.length);
            }
        } catch (Throwable ignoredToo) {
            // the log file is still there
        }
    }

    private String summary() {
        long runs = 0, seconds = 0, cov = -1, corpus = -1;
        boolean done = false;
        try {
            for (String l : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                Matcher d = DONE.matcher(l);
                if (d.find()) {
                    done = true;
                    runs += Long.parseLong(d.group(1));
                    seconds += Long.parseLong(d.group(2));
                }
                Matcher s = STATS.matcher(l);
                if (s.find()) {
                    cov = Long.parseLong(s.group(1));
                    corpus = Long.parseLong(s.group(3));
                }
            }
        } catch (IOException | RuntimeException e) {
            return "no libFuzzer log (" + e.getMessage() + ")";
        }
        if (!done) return "no libFuzzer run recorded (seed inputs only?)";
        return String.format("%,d runs in %d s, coverage %d, corpus %d inputs", runs, seconds, cov, corpus);
    }

    /** The four POSIX calls, looked up once. */
    private record Libc(MethodHandle creat, MethodHandle dup, MethodHandle dup2, MethodHandle close,
                        MethodHandle write) {
        private static Libc instance;

        static synchronized Libc get() {
            if (instance == null) {
                Linker l = Linker.nativeLinker();
                SymbolLookup c = l.defaultLookup();
                instance = new Libc(
                        l.downcallHandle(c.find("creat").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT)),
                        l.downcallHandle(c.find("dup").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        l.downcallHandle(c.find("dup2").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT)),
                        l.downcallHandle(c.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT)),
                        l.downcallHandle(c.find("write").orElseThrow(), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG)));
            }
            return instance;
        }
    }
}

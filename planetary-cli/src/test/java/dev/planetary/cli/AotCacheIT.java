package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Black-box: the launcher's AOT cache (docs/cli.md "Start-up"). {@link AotTraining} as {@code ./planetary}
 * runs it (a quick 1 MiB version) writes a cache that a later {@code java -jar} maps, with the tunnel's
 * classes in it; a broken cache file, used with the launcher's flags, changes nothing a user sees.
 */
class AotCacheIT extends BlackBoxTest {
    /** The launcher's flags for a cache (the planetary script). */
    private static List<String> useCache(Path cache) {
        return List.of("-XX:AOTCache=" + cache, "-Xlog:aot*=off", "-Xlog:cds*=off");
    }

    private record Result(int code, String out) {}

    private Result java(List<String> flags, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow()); // the JDK running the tests (25)
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(flags);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void aTrainedCacheIsMappedAndABrokenOneIsIgnoredSilently() throws Exception {
        String jar = PlanetaryProcess.jar().toAbsolutePath().toString();
        String version = java(List.of(), "-jar", jar, "--version").out;
        assertTrue(version.startsWith("planetary "), version);

        Path cache = dir.resolve("planetary.aot");
        Result trained = java(List.of("-XX:AOTCacheOutput=" + cache, "-Dplanetary.aotTraining.mib=1"), "-cp", jar, "dev.planetary.cli.AotTraining");
        assertEquals(0, trained.code, trained.out);
        assertTrue(Files.size(cache) > 1 << 20, "cache of " + Files.size(cache) + " bytes");

        Path loaded = dir.resolve("class-load.log");
        List<String> flags = new ArrayList<>(useCache(cache));
        flags.add("-Xlog:class+load=info:file=" + loaded);
        assertEquals(new Result(0, version), java(flags, "-jar", jar, "--version")); // used, and not a word about it
        assertTrue(Files.readString(loaded).contains("dev.planetary.tunnel.TunnelClient source: shared objects file"),
                "the tunnel's classes did not come from the cache");

        Files.write(cache, new byte[4096]); // broken (or from another JDK build): the JVM runs without it, silently
        assertEquals(new Result(0, version), java(useCache(cache), "-jar", jar, "--version"));
    }
}

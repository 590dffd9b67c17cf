package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Module boundaries (issue 12 §4, docs/architecture.md "Module graph"): every Maven module has a
 * JPMS {@code module-info.java} named after it, and no split packages: every Java package of the
 * repository, main or test code, belongs to exactly one module. Shared test fixtures live in
 * {@code *.testing} packages of the module that ships them.
 */
class ModuleBoundariesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([a-z0-9_.]+);", Pattern.MULTILINE);
    private static final Pattern MODULE = Pattern.compile("^module ([a-z0-9_.]+) \\{", Pattern.MULTILINE);

    private static List<Path> modules() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> modules;
        try (Stream<Path> s = Files.list(root)) {
            modules = s.filter(p -> p.getFileName().toString().startsWith("planetary-") && Files.isRegularFile(p.resolve("pom.xml"))).toList();
        }
        assertTrue(modules.size() >= 10, "the modules beside planetary-cli: " + modules);
        return modules;
    }

    @Test
    void everyModuleHasAModuleInfoNamedAfterIt() throws IOException {
        for (Path m : modules()) {
            Path info = m.resolve("src/main/java/module-info.java");
            assertTrue(Files.isRegularFile(info), m.getFileName() + " has no module-info.java");
            Matcher name = MODULE.matcher(read(info));
            assertTrue(name.find(), "no module declaration in " + info);
            // planetary-store-sqlite is dev.planetary.store.sqlite
            assertEquals("dev." + m.getFileName().toString().replace('-', '.'), name.group(1), "the module name of " + m.getFileName());
        }
    }

    @Test
    void noPackageIsDeclaredByTwoModules() throws IOException {
        List<Path> modules = modules();
        Map<String, Set<String>> owners = new TreeMap<>();
        for (Path m : modules) {
            for (String dir : new String[] {"src/main/java", "src/test/java"}) {
                Path src = m.resolve(dir);
                if (!Files.isDirectory(src)) continue;
                try (Stream<Path> files = Files.walk(src)) {
                    files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("module-info.java")).forEach(f -> {
                        Matcher p = PACKAGE.matcher(read(f));
                        assertTrue(p.find(), "no package declaration in " + f);
                        owners.computeIfAbsent(p.group(1), k -> new TreeSet<>()).add(m.getFileName().toString());
                    });
                }
            }
        }
        assertEquals(Set.of("planetary-zssp"), owners.get("dev.planetary.zssp"), "the scan found the engine's package");
        assertEquals(Set.of("planetary-store-sqlite"), owners.get("dev.planetary.store.sqlite"), "the scan found the SQLite store's package");
        Map<String, Set<String>> split = new TreeMap<>();
        owners.forEach((pkg, ms) -> {
            if (ms.size() > 1) split.put(pkg, ms);
        });
        assertEquals(Map.of(), split, "packages declared in more than one module");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

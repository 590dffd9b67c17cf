package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/cli.md and {@code --help} name the same options: every option of every command (long and
 * short names) is in the first column of that command's table under "### `planetary NAME`", the
 * options of {@link CommonOptions} in the "Shared options" table, and every option those tables
 * name exists. A failure lists each missing or stale name and where.
 */
class CliReferenceTest {
    private static final Pattern SECTION = Pattern.compile("^### `planetary ([a-z][a-z0-9-]*)`\\s*$");
    private static final Pattern OPTION = Pattern.compile("`(--?[A-Za-z][A-Za-z0-9-]*)");

    private static List<String> docs() throws Exception {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve("docs/cli.md"))) p = p.getParent();
        assertTrue(p != null, "docs/cli.md not found above " + Path.of("").toAbsolutePath());
        return Files.readAllLines(p.resolve("docs/cli.md"));
    }

    /** Option names in the first column of the table rows between {@code from} and the next heading. */
    private static Set<String> tableOptions(List<String> lines, int from) {
        Set<String> names = new LinkedHashSet<>();
        for (int i = from + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
            String line = lines.get(i);
            if (!line.startsWith("| `-")) continue;
            String first = line.substring(1, line.indexOf('|', 1));
            Matcher m = OPTION.matcher(first);
            while (m.find()) names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> names(Iterable<OptionSpec> options, boolean help) {
        Set<String> names = new LinkedHashSet<>();
        for (OptionSpec o : options) {
            if ((o.usageHelp() || o.versionHelp()) == help) names.addAll(List.of(o.names()));
        }
        return names;
    }

    @Test
    void everyOptionIsDocumentedAndEveryDocumentedOptionExists() throws Exception {
        List<String> lines = docs();
        Map<String, Integer> sections = new LinkedHashMap<>();
        int shared = -1;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SECTION.matcher(lines.get(i));
            if (m.matches()) sections.put(m.group(1), i);
            if (lines.get(i).startsWith("### Shared options")) shared = i;
        }
        List<String> problems = new ArrayList<>();
        if (shared < 0) problems.add("docs/cli.md has no '### Shared options' section");

        Set<String> common = names(CommandSpec.forAnnotatedObject(new CommonOptions()).options(), false);
        if (shared >= 0) {
            Set<String> documented = tableOptions(lines, shared);
            for (String n : common) if (!documented.contains(n)) problems.add("shared option " + n + " is missing from docs/cli.md '### Shared options'");
            for (String n : documented) if (!common.contains(n)) problems.add("'### Shared options' in docs/cli.md lists " + n + ", which is not a shared option");
        }

        CommandLine root = new CommandLine(new Main());
        for (Map.Entry<String, CommandLine> e : root.getSubcommands().entrySet()) {
            String cmd = e.getKey();
            if (cmd.equals("help")) continue;
            CommandSpec spec = e.getValue().getCommandSpec();
            Integer at = sections.get(cmd);
            if (at == null) {
                problems.add("docs/cli.md has no section '### `planetary " + cmd + "`'");
                continue;
            }
            boolean usesCommon = spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof CommonOptions);
            Set<String> own = new TreeSet<>(names(spec.options(), false));
            if (usesCommon) own.removeAll(common);
            Set<String> documented = tableOptions(lines, at);
            for (String n : own) {
                if (!documented.contains(n)) problems.add(cmd + " " + n + " is missing from the table under '### `planetary " + cmd + "`' in docs/cli.md");
            }
            for (String n : documented) {
                if (!own.contains(n)) problems.add("'### `planetary " + cmd + "`' in docs/cli.md lists " + n + ", which " + cmd + " does not have"
                        + (common.contains(n) ? " of its own (it is a shared option)" : ""));
            }
            String text = String.join("\n", lines.subList(at, nextHeading(lines, at)));
            if (usesCommon && !text.contains("*shared options*")) problems.add("'### `planetary " + cmd + "`' must say it takes *shared options*");
            if (!usesCommon && text.contains("*shared options*")) problems.add("'### `planetary " + cmd + "`' says *shared options*, but " + cmd + " has none");
        }
        String all = String.join("\n", lines);
        for (String n : names(root.getCommandSpec().options(), true)) {
            if (!all.contains("`" + n + "`")) problems.add("the help option " + n + " is not mentioned in docs/cli.md");
        }
        if (!problems.isEmpty()) fail("docs/cli.md and --help disagree:\n  " + String.join("\n  ", problems));
    }

    private static int nextHeading(List<String> lines, int from) {
        for (int i = from + 1; i < lines.size(); i++) if (lines.get(i).startsWith("#")) return i;
        return lines.size();
    }

    /** {@code ./planetary keygen server} in the repository root (the quickstart) must not put a private key in a commit. */
    @Test
    void keysInTheRepositoryRootAreIgnoredByGit() throws Exception {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isRegularFile(p.resolve(".gitignore"))) p = p.getParent();
        assertTrue(p != null, ".gitignore not found");
        List<String> ignore = Files.readAllLines(p.resolve(".gitignore"));
        for (String pattern : List.of("/*.key", "/*.pub")) assertTrue(ignore.contains(pattern), ".gitignore lacks " + pattern);
    }

    @Test
    void theFirstSentenceIsWholeAndShort() {
        String[] tunnel = {"TCP port forwarding over ZSSP (like ssh -L): connections to --local are carried to a",
                "'listen --allow-tunnel' peer, which connects them to --remote.", "More."};
        assertTrue(Main.firstSentence(tunnel).equals("TCP port forwarding over ZSSP (like ssh -L)."), Main.firstSentence(tunnel));
        String[] eg = {"Path prefix of the two files (e.g. alice, keys/server).", "Second."};
        assertTrue(Main.firstSentence(eg).equals("Path prefix of the two files (e.g. alice, keys/server)."), Main.firstSentence(eg));
    }
}

package dev.planetary.cli;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code planetary}: keys, a listener, a netcat-style client, ping and a demo over ZSSP/UDP. */
@Command(name = "planetary", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "ZSSP secure sessions over UDP: keys, listener, client, ping and a demo.",
        subcommands = {KeygenCommand.class, PubkeyCommand.class, ListenCommand.class, ConnectCommand.class, PingCommand.class,
                TunnelCommand.class,
                IdentityCommand.class, RootsetCommand.class, RootsCommand.class,
                DaemonCommand.Root.class, DaemonCommand.Node.class, ControllerCommand.class, StatusCommand.Status.class, StatusCommand.SendMessage.class,
                NetworkCommand.Join.class, NetworkCommand.Leave.class, NetworkCommand.Networks.class, NetworkCommand.Peers.class, NetworkCommand.Info.class,
                PingVl2Command.class, ForwardCommand.class, ExecCommand.class,
                ProvisionCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /** The commands that run until stopped: SIGINT/SIGTERM is their normal end (exit 0). */
    private static final List<String> DAEMONS = List.of("listen", "tunnel");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: " + String.join(", ", commandNames(spec.commandLine())));
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests; does not exit). */
    static int run(String... args) {
        configureLogging(args);
        CommandLine cl = new CommandLine(new Main());
        for (PluginCommand p : ServiceLoader.load(PluginCommand.class, Main.class.getClassLoader())) cl.addSubcommand(p);
        cl.setOverwrittenOptionsAllowed(true); // the last value wins, as in most Unix tools
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Main::commandList);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            String hint = "planetary".equals(cmd) ? "planetary --help" : "planetary " + cmd + " --help";
            String message = ex instanceof UnmatchedArgumentException u ? unmatched(u) : ex.getMessage();
            error(message + " (see '" + hint + "')");
            return CliError.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliError e) {
                error(Errors.withoutClassNames(e.getMessage())); // a cause's "java.nio.file.…Exception: /x" inside becomes words
                return e.exitCode;
            }
            boolean io = ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException;
            error(io ? Errors.describe(ex) : "unexpected failure: " + Errors.describe(ex) + " (-Dplanetary.debug=true prints where)");
            if (Boolean.getBoolean("planetary.debug")) ex.printStackTrace();
            return CliError.FAILED;
        });
        cl.setExecutionStrategy(parsed -> {
            // picocli lets '--help' win over an unknown word ('planetary nosuch --help' printed the
            // top-level help and exited 0): an unknown command or argument is an error, help or not.
            for (ParseResult p = parsed; p != null; p = p.subcommand()) {
                if (!p.unmatched().isEmpty()) throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
            }
            List<CommandLine> chain = parsed.asCommandLineList();
            if (DAEMONS.contains(chain.get(chain.size() - 1).getCommandName()) && !parsed.isUsageHelpRequested()
                    && !parsed.isVersionHelpRequested()) {
                Signals.stopCleanly();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl.execute(args);
    }

    /** The subcommands' names (without 'help'), in declaration order. */
    private static List<String> commandNames(CommandLine cl) {
        List<String> names = new ArrayList<>(cl.getSubcommands().keySet());
        names.remove("help");
        return names;
    }

    /** "unknown command 'pnig' (did you mean 'ping'?)" instead of picocli's "Unmatched argument at index 0". */
    private static String unmatched(UnmatchedArgumentException ex) {
        CommandLine cl = ex.getCommandLine();
        String arg = ex.getUnmatched().isEmpty() ? "" : ex.getUnmatched().get(0);
        boolean option = arg.startsWith("-");
        List<String> candidates = new ArrayList<>();
        if (option) {
            for (OptionSpec o : cl.getCommandSpec().options()) candidates.addAll(List.of(o.names()));
        } else {
            candidates.addAll(commandNames(cl));
        }
        String what = option ? "unknown option" : cl.getSubcommands().isEmpty() ? "unexpected argument" : "unknown command";
        String name = arg.contains("=") && option ? arg.substring(0, arg.indexOf('=')) : arg;
        String near = closest(name, candidates);
        String message = what + " '" + arg + "'";
        if (!option && cl.getParent() == null && arg.equals(PluginCommand.BENCH) && !cl.getSubcommands().containsKey(PluginCommand.BENCH)) {
            return message + ": '" + PluginCommand.BENCH + "' is in the planetary-bench jar, not in this one; from a source checkout run"
                    + " './planetary " + PluginCommand.BENCH + "', which builds and runs it (see BENCHMARKS.md)";
        }
        if (near != null) return message + "; did you mean '" + near + "'?";
        if (!option && !cl.getSubcommands().isEmpty()) return message + "; the commands are " + String.join(", ", commandNames(cl));
        return message;
    }

    /** The candidate closest to {@code word} by edit distance (with transpositions), if it is close enough to be a typo. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word.toLowerCase(java.util.Locale.ROOT), c.toLowerCase(java.util.Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        int allowed = word.replaceFirst("^-+", "").length() <= 4 ? 1 : 2;
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The top-level command list: each command with the first whole sentence of its description (picocli shows the first line, cut mid-sentence). */
    private static String commandList(Help help) {
        Map<String, Help> subs = help.subcommands();
        if (subs.isEmpty()) return "";
        int nameWidth = subs.keySet().stream().mapToInt(String::length).max().orElse(0) + 4;
        int width = help.commandSpec().usageMessage().width();
        Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(), new Help.Column(nameWidth, 2, Help.Column.Overflow.SPAN),
                new Help.Column(width - nameWidth, 2, Help.Column.Overflow.WRAP));
        for (Map.Entry<String, Help> e : subs.entrySet()) {
            UsageMessageSpec usage = e.getValue().commandSpec().usageMessage();
            table.addRowValues(e.getKey(), firstSentence(usage.header().length > 0 ? usage.header() : usage.description()));
        }
        return table.toString();
    }

    private static final Pattern SENTENCE = Pattern.compile("^(.*?(?<!e\\.g)(?<!i\\.e)[.!?])(?:\\s|$)");

    static String firstSentence(String[] description) {
        String all = String.join(" ", description).strip();
        Matcher m = SENTENCE.matcher(all);
        String first = m.find() ? m.group(1) : all;
        int colon = first.indexOf(": ");
        return first.length() > 100 && colon > 0 ? first.substring(0, colon) + "." : first; // the summary before the details
    }

    static void error(String message) {
        System.err.println("planetary: error: " + message);
        System.err.flush();
    }

    /** SLF4J simple logger: silent unless -v/--verbose (then debug on stderr). */
    private static void configureLogging(String[] args) {
        boolean verbose = false;
        for (String a : args) if (a.equals("-v") || a.equals("--verbose")) verbose = true;
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "off");
        setDefault("org.slf4j.simpleLogger.logFile", "System.err");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    /** The version from the parent pom and the git commit of the build (planetary-cli.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"planetary " + version() + " (commit " + commit() + ")"};
        }
    }

    static String version() {
        return buildProperty("version");
    }

    /** The short git commit the jar was built from ("-dirty" if it had local changes), or "unknown". */
    static String commit() {
        return buildProperty("commit");
    }

    private static String buildProperty(String key) {
        try (InputStream in = Main.class.getResourceAsStream("/planetary-cli.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            String v = p.getProperty(key, "unknown");
            // an unfiltered resource (an IDE build without Maven) still holds the ${...} placeholder
            return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

}

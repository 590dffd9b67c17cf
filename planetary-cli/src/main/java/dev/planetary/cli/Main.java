package dev.planetary.cli;

import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code planetary}: keys, a listener, a netcat-style client, ping and a demo over ZSSP/UDP. */
@Command(name = "planetary", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "ZSSP secure sessions over UDP: keys, listener, client, ping and a demo.",
        subcommands = {KeygenCommand.class, PubkeyCommand.class, ListenCommand.class, ConnectCommand.class, PingCommand.class,
                TunnelCommand.class,
                IdentityCommand.class, RootsetCommand.class,
                DaemonCommand.Root.class, DaemonCommand.Node.class, StatusCommand.Status.class, StatusCommand.SendMessage.class,
                ProvisionCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required: keygen, pubkey, listen, connect, ping, provision or demo");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (for tests; does not exit). */
    static int run(String... args) {
        configureLogging(args);
        CommandLine cl = new CommandLine(new Main());
        cl.setOverwrittenOptionsAllowed(true); // the last value wins, as in most Unix tools
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            String hint = "planetary".equals(cmd) ? "planetary --help" : "planetary " + cmd + " --help";
            error(ex.getMessage() + " (see '" + hint + "')");
            return CliError.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof CliError e) {
                error(e.getMessage());
                return e.exitCode;
            }
            error("unexpected " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
            if (Boolean.getBoolean("planetary.debug")) ex.printStackTrace();
            return CliError.FAILED;
        });
        return cl.execute(args);
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

    /** The version from the parent pom (filtered into planetary-cli.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"planetary " + version()};
        }
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/planetary-cli.properties")) {
            Properties p = new Properties();
            if (in != null) p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

}

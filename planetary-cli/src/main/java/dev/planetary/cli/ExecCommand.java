package dev.planetary.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planetary exec}: a command in the namespace of a rootless node (VL.md §12.6), where its TAPs are. */
@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Runs a command in the user + network namespace of a rootless node (planetary node --rootless, VL.md §12.6), where it sees the node's TAPs.",
                "Put '--' before the command: planetary exec --home DIR -- ip address. Exits with the command's exit code."})
final class ExecCommand implements Callable<Integer> {
    @Option(names = "--home", paramLabel = "DIR", defaultValue = "/var/lib/planetary",
            description = "The rootless node's home directory; its rootless.pid names the namespace (default ${DEFAULT-VALUE}).")
    Path home;
    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        return Rootless.exec(home, command);
    }
}

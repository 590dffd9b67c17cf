package dev.planetary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planetary roots list|add|remove}: the root sets of a running daemon, over its local API
 * (VL.md §4.1 sources, §4.2 pinning). The daemon stores added sets in {@code <home>/roots.d/} and
 * switches roots at once.
 */
@Command(name = "roots", mixinStandardHelpOptions = true,
        description = {"The root sets of a running node or root (over its local API socket): list them, add one",
                "(it pins the set's lineage: later revisions must be signed by its update keys), or remove one."},
        subcommands = {RootsCommand.ListSets.class, RootsCommand.Add.class, RootsCommand.Remove.class})
final class RootsCommand implements Runnable {
    @Override
    public void run() {
        throw new CliError(CliError.USAGE, "a subcommand is required: list, add or remove (see 'planetary roots --help')");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the sets in use (set order), their revisions and roots.")
    static final class ListSets extends ApiView {
        @Override
        String path() {
            return "/planetary/roots";
        }

        @Override
        void print(JsonNode roots) {
            for (JsonNode s : roots.path("sets")) {
                StringBuilder b = new StringBuilder(s.path("name").asText()).append(" revision ").append(s.path("revision").asLong())
                        .append(" (").append(s.path("source").asText()).append(s.path("frozen").asBoolean() ? ", frozen" : "")
                        .append(s.path("pushed").asBoolean() ? ", updated in-band" : "").append(") roots");
                for (JsonNode r : s.path("roots")) b.append(' ').append(r.asText());
                System.out.println(RootsetCommand.printable(b.toString()));
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a root set file (checked by the daemon: signature, root identities) to <home>/roots.d/.")
    static final class Add implements Callable<Integer> {
        @Mixin
        StatusCommand.Where where;
        @Parameters(index = "0", paramLabel = "FILE", description = "The root set (from 'planetary rootset create').")
        Path file;
        @Option(names = "--frozen", description = "Ignore in-band updates (ROOT_SET pushes) of this set.")
        boolean frozen;

        @Override
        public Integer call() {
            byte[] bytes;
            try {
                if (Files.size(file) > 64 * 1024) throw new CliError(CliError.USAGE, file + " is too large to be a root set");
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new CliError(CliError.USAGE, "cannot read " + file + ": " + KeyFiles.describe(e));
            }
            var body = new ObjectMapper().createObjectNode().put("base64", Base64.getEncoder().encodeToString(bytes)).put("frozen", frozen);
            System.out.println(StatusCommand.request(where.socket(), "POST", "/planetary/roots", body.toString().getBytes(StandardCharsets.UTF_8)).body().strip());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes an operator-added set (and its pushed updates); refused if the node would have no root left.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        StatusCommand.Where where;
        @Parameters(index = "0", paramLabel = "NAME", description = "The set's name.")
        String name;

        @Override
        public Integer call() {
            if (!dev.planetary.identity.RootSet.isValidName(name)) throw new CliError(CliError.USAGE, "NAME must be 1..64 characters of [a-z0-9.-]");
            System.out.println(StatusCommand.request(where.socket(), "DELETE", "/planetary/roots/" + name, null).body().strip());
            return 0;
        }
    }
}

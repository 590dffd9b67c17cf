package dev.planetary.cli;

import dev.planetary.daemon.ApiClient;
import dev.planetary.daemon.DaemonConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planetary status} and {@code planetary send-message}: clients of a running daemon's local API (VL.md §13). */
final class StatusCommand {
    private StatusCommand() {}

    static final class Where {
        @Option(names = "--home", paramLabel = "DIR", defaultValue = "/var/lib/planetary",
                description = "The daemon's home directory; its planetary.json names the socket (default ${DEFAULT-VALUE}).")
        Path home;
        @Option(names = "--api-socket", paramLabel = "PATH", description = "The API socket (overrides --home).")
        Path socket;

        Path socket() {
            if (socket != null) return socket;
            try {
                return (Files.isDirectory(home) ? DaemonConfig.load(home) : DaemonConfig.defaults()).apiSocket(home);
            } catch (DaemonConfig.ConfigException e) {
                throw new CliError(CliError.USAGE, e.getMessage());
            } catch (IOException e) {
                throw new CliError(CliError.FAILED, "cannot read " + home.resolve(DaemonConfig.FILE) + ": " + KeyFiles.describe(e));
            }
        }
    }

    static ApiClient.Reply request(Path socket, String method, String path, byte[] body) {
        ApiClient.Reply r = send(socket, method, path, body, "'planetary node' or 'planetary root'");
        if (r.status() != 200) throw new CliError(CliError.FAILED, method + " " + path + ": HTTP " + r.status() + " " + r.body().strip());
        return r;
    }

    /** One API request; a {@link CliError} naming the socket and asking whether {@code daemon} runs when nobody answers. */
    static ApiClient.Reply send(Path socket, String method, String path, byte[] body, String daemon) {
        try {
            return ApiClient.request(socket, method, path, body);
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "no daemon answers on " + socket + " (" + KeyFiles.describe(e) + "); is " + daemon + " running?");
        }
    }

    /** The {@code error} text of an API answer ({@code {"error": "…"}}, §13.1), or the body as it is. */
    static String errorText(String body) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            if (n != null && n.path("error").isTextual()) return n.get("error").asText();
        } catch (IOException e) {
            // the body as it is
        }
        return body.strip();
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Shows a running daemon's status and peers (GET /status and GET /peer over the local API socket).",
                    "With --json: one object {\"status\": …, \"peers\": […]} with ZeroTier One's field names."})
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;
        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            Path s = where.socket();
            String status = request(s, "GET", "/status", null).body().strip();
            String peers = request(s, "GET", "/peer", null).body().strip();
            if (json) {
                System.out.println("{\"status\":" + status + ",\"peers\":" + peers + "}");
                return 0;
            }
            com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
            var sn = m.readTree(status);
            System.out.println("address:     " + sn.path("address").asText());
            System.out.println("role:        " + sn.path("role").asText());
            System.out.println("online:      " + sn.path("online").asBoolean());
            System.out.println("port:        " + sn.path("config").path("settings").path("primaryPort").asInt());
            System.out.println("fingerprint: " + sn.path("fingerprint").asText());
            for (var p : m.readTree(peers)) {
                StringBuilder b = new StringBuilder("peer ").append(p.path("address").asText()).append(' ').append(p.path("role").asText())
                        .append(' ').append(p.path("sessionState").asText()).append(" latency ").append(p.path("latency").asLong()).append(" ms");
                if (!p.path("relayedVia").isNull() && !p.path("relayedVia").isMissingNode()) b.append(" via ").append(p.path("relayedVia").asText());
                for (var path : p.path("paths")) b.append(' ').append(path.path("address").isTextual() ? path.path("address").asText() : path.path("kind").asText()).append(path.path("preferred").asBoolean() ? "*" : "");
                System.out.println(RootsetCommand.printable(b.toString()));
            }
            return 0;
        }
    }

    @Command(name = "send-message", mixinStandardHelpOptions = true,
            description = "Asks a running node to send a USER_MESSAGE (VL.md §3.10) to ADDRESS (POST /planetary/message/ADDRESS).")
    static final class SendMessage implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Where where;
        @Parameters(index = "0", paramLabel = "ADDRESS", description = "The destination's VL address (10 hex digits).")
        String address;
        @Parameters(index = "1", paramLabel = "TEXT", description = "The message (UTF-8).")
        String text;
        @Option(names = "--type", defaultValue = "0", description = "The message type id (default ${DEFAULT-VALUE}).")
        long type;

        @Override
        public Integer call() throws Exception {
            if (!address.matches("[0-9a-fA-F]{10}")) throw new CliError(CliError.USAGE, "ADDRESS must be 10 hex digits");
            if (type < 0) throw new CliError(CliError.USAGE, "--type must be >= 0");
            var body = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("type", type).put("text", text);
            ApiClient.Reply r = request(where.socket(), "POST", "/planetary/message/" + address, body.toString().getBytes(StandardCharsets.UTF_8));
            System.out.println(r.body().strip());
            return 0;
        }
    }
}

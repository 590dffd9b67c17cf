package dev.planetary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.planetary.daemon.ApiClient;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code planetary forward <local-port> <nwid> <target-ip>:<port>}, {@code forward list} and
 * {@code forward remove <local-port>}: TCP port forwards over a joined network (VL.md §12.8),
 * made, listed and removed through the running node's API ({@code /planetary/forward}). The
 * listener lives in the node, not in this command.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        subcommands = {ForwardCommand.ListForwards.class, ForwardCommand.Remove.class},
        description = {"Forwards 127.0.0.1:LOCAL-PORT on this node to TARGET-IP:PORT on a joined network (VL.md §12.8), no TAP or privileges needed.",
                "The running node listens (the forward outlives this command and comes back after a restart: it is kept in forwards.json in the home);"
                        + " each connection becomes a stream over SEQEX to the member owning TARGET-IP, whose node connects to its own 127.0.0.1:PORT"
                        + " only if PORT is in its planetary.json \"forward\": {\"expose\": [...]} (default: nothing is exposed).",
                "'planetary forward list' shows the forwards and why their last stream closed; 'planetary forward remove LOCAL-PORT' closes one."})
final class ForwardCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    StatusCommand.Where where;
    @Parameters(index = "0", arity = "0..1", paramLabel = "LOCAL-PORT", description = "The port to listen on at 127.0.0.1 (1..65535).")
    String localPort;
    @Parameters(index = "1", arity = "0..1", paramLabel = "NWID", description = "The network id (16 hex digits).")
    String network;
    @Parameters(index = "2", arity = "0..1", paramLabel = "TARGET-IP:PORT", description = "A member's address on the network and the port its node connects to ([v6]:port for IPv6).")
    String target;

    @Override
    public Integer call() throws Exception {
        if (localPort == null || network == null || target == null) {
            throw new CliError(CliError.USAGE, "forward needs LOCAL-PORT NWID TARGET-IP:PORT (or 'forward list', 'forward remove LOCAL-PORT')");
        }
        int local = port(localPort, "LOCAL-PORT");
        String nwid = NetworkCommand.Target.parse(network).nwid();
        int colon = target.lastIndexOf(':');
        if (colon <= 0) throw new CliError(CliError.USAGE, "TARGET-IP:PORT needs a port after ':' (IPv6: [addr]:port)");
        String ip = target.substring(0, colon);
        if (ip.startsWith("[") && ip.endsWith("]")) ip = ip.substring(1, ip.length() - 1);
        else if (ip.contains(":")) throw new CliError(CliError.USAGE, "an IPv6 target is written [addr]:port");
        int port = port(target.substring(colon + 1), "the target port");
        var body = JSON.createObjectNode();
        body.put("localPort", local);
        body.put("nwid", nwid);
        body.put("target", ip);
        body.put("port", port);
        JsonNode f = JSON.readTree(api(where, "POST", "/planetary/forward", body.toString().getBytes(StandardCharsets.UTF_8)));
        System.out.println(RootsetCommand.printable("forwarding " + f.path("listen").asText() + " -> " + target(f) + " on network "
                + f.path("nwid").asText() + " (the node listens; 'planetary forward remove " + local + "' stops it)"));
        return 0;
    }

    static String target(JsonNode f) {
        String ip = f.path("target").asText();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + f.path("port").asInt();
    }

    static int port(String s, String what) {
        try {
            int p = Integer.parseInt(s);
            if (p >= 1 && p <= 65_535) return p;
        } catch (NumberFormatException e) {
            // below
        }
        throw new CliError(CliError.USAGE, what + " must be a port number 1..65535, not '" + RootsetCommand.printable(s) + "'");
    }

    /** The API's answer body, or a {@link CliError} with its {@code error} text. */
    static String api(StatusCommand.Where where, String method, String path, byte[] body) {
        ApiClient.Reply r = StatusCommand.send(where.socket(), method, path, body, "'planetary node'");
        if (r.status() == 200) return r.body();
        throw new CliError(CliError.FAILED, "forward: " + RootsetCommand.printable(StatusCommand.errorText(r.body())));
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the port forwards (GET /planetary/forward): listener, target, connections, and why the last stream closed.")
    static final class ListForwards extends ApiView {
        @Override
        String path() {
            return "/planetary/forward";
        }

        @Override
        void print(JsonNode forwards) {
            if (forwards.isEmpty()) {
                System.out.println("no forwards");
                return;
            }
            for (JsonNode f : forwards) {
                String state = f.path("listening").asBoolean() ? "listening" : "not listening: " + f.path("listenError").asText();
                StringBuilder b = new StringBuilder();
                b.append(f.path("listen").asText()).append(" -> ").append(target(f)).append(" on ").append(f.path("nwid").asText())
                        .append(": ").append(state).append(", ").append(f.path("connections").asInt()).append(" open, ")
                        .append(f.path("accepted").asLong()).append(" accepted, ").append(f.path("bytesSent").asLong()).append(" B sent, ")
                        .append(f.path("bytesReceived").asLong()).append(" B received");
                if (f.path("lastClose").isTextual()) b.append("; last close: ").append(f.path("lastClose").asText());
                if (f.path("lastError").isTextual()) b.append("; last error: ").append(f.path("lastError").asText());
                System.out.println(RootsetCommand.printable(b.toString()));
            }
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes a port forward (DELETE /planetary/forward/LOCAL-PORT): its listener and connections close.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        StatusCommand.Where where;
        @Parameters(index = "0", paramLabel = "LOCAL-PORT", description = "The forward's local port.")
        String localPort;

        @Override
        public Integer call() {
            int local = port(localPort, "LOCAL-PORT");
            api(where, "DELETE", "/planetary/forward/" + local, null);
            System.out.println("removed the forward on 127.0.0.1:" + local);
            return 0;
        }
    }
}

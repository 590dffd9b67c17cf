package dev.planetary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planetary join}, {@code leave}, {@code networks}, {@code peers} and {@code info}: the
 * zerotier-cli verbs as clients of a running node's local API (VL.md §7.2, §13.2).
 */
final class NetworkCommand {
    private NetworkCommand() {}

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code <nwid>} or {@code <nwid>@<fingerprint>} (§2.9 pinned form). */
    record Target(String nwid, String pin) {
        static Target parse(String s) {
            int at = s.indexOf('@');
            String nwid = at < 0 ? s : s.substring(0, at);
            String pin = at < 0 ? null : s.substring(at + 1);
            if (!nwid.matches("[0-9a-fA-F]{16}")) throw new CliError(CliError.USAGE, "NWID must be 16 hex digits (optionally @fingerprint)");
            if (pin != null && pin.isEmpty()) throw new CliError(CliError.USAGE, "the fingerprint after '@' is empty");
            return new Target(nwid.toLowerCase(java.util.Locale.ROOT), pin);
        }
    }

    @Command(name = "join", mixinStandardHelpOptions = true,
            description = {"Joins a network (POST /network/NWID): the node asks the network's controller for its config (VL.md §7.2).",
                    "NWID@FINGERPRINT pins the controller; without it the first controller that answers at the network's address is trusted."})
    static final class Join implements Callable<Integer> {
        @Mixin
        StatusCommand.Where where;
        @Parameters(index = "0", paramLabel = "NWID[@FP]", description = "The network id (16 hex digits), optionally @ the controller's fingerprint.")
        String network;
        @Option(names = "--token", paramLabel = "T", description = "A join token from the network's administrator (1..64 printable ASCII characters).")
        String token;

        @Override
        public Integer call() throws Exception {
            Target t = Target.parse(network);
            var body = JSON.createObjectNode();
            if (token != null) body.put("joinToken", token);
            if (t.pin() != null) body.put("controllerFingerprint", t.pin());
            JsonNode n = JSON.readTree(StatusCommand.request(where.socket(), "POST", "/network/" + t.nwid(), body.toString().getBytes(StandardCharsets.UTF_8)).body());
            System.out.println("200 join OK " + n.path("nwid").asText() + " " + n.path("status").asText());
            return 0;
        }
    }

    @Command(name = "leave", mixinStandardHelpOptions = true, description = "Leaves a network (DELETE /network/NWID): its files and device go.")
    static final class Leave implements Callable<Integer> {
        @Mixin
        StatusCommand.Where where;
        @Parameters(index = "0", paramLabel = "NWID", description = "The network id (16 hex digits).")
        String network;

        @Override
        public Integer call() {
            Target t = Target.parse(network);
            StatusCommand.request(where.socket(), "DELETE", "/network/" + t.nwid(), null);
            System.out.println("200 leave OK");
            return 0;
        }
    }

    @Command(name = "networks", mixinStandardHelpOptions = true,
            description = "Lists the joined networks (GET /network), as zerotier-cli listnetworks: nwid, name, mac, status, type, dev, ips.")
    static final class Networks extends ApiView {
        @Override
        String path() {
            return "/network";
        }

        @Override
        void print(JsonNode networks) {
            System.out.println("200 listnetworks <nwid> <name> <mac> <status> <type> <dev> <ZT assigned ips>");
            for (JsonNode n : networks) {
                List<String> ips = new ArrayList<>();
                n.path("assignedAddresses").forEach(a -> ips.add(a.asText()));
                String name = n.path("name").asText();
                System.out.println(RootsetCommand.printable("200 listnetworks " + n.path("nwid").asText() + " " + (name.isEmpty() ? "-" : name) + " "
                        + n.path("mac").asText() + " " + n.path("status").asText() + " " + n.path("type").asText() + " "
                        + n.path("portDeviceName").asText() + " " + (ips.isEmpty() ? "-" : String.join(",", ips))));
            }
        }
    }

    @Command(name = "peers", mixinStandardHelpOptions = true,
            description = "Lists the peers (GET /peer), as zerotier-cli listpeers: address, version, latency, role, paths.")
    static final class Peers extends ApiView {
        @Override
        String path() {
            return "/peer";
        }

        @Override
        void print(JsonNode peers) {
            System.out.println("200 listpeers <ztaddr> <path> <latency> <version> <role>");
            for (JsonNode p : peers) {
                List<String> paths = new ArrayList<>();
                for (JsonNode x : p.path("paths")) paths.add(x.path("address").isTextual() ? x.path("address").asText() : x.path("kind").asText());
                System.out.println(RootsetCommand.printable("200 listpeers " + p.path("address").asText("-") + " " + (paths.isEmpty() ? "-" : String.join(",", paths))
                        + " " + p.path("latency").asLong() + " " + p.path("version").asText() + " " + p.path("role").asText()));
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "One line about the node (GET /status), as zerotier-cli info: address, version, ONLINE/OFFLINE.")
    static final class Info extends ApiView {
        @Override
        String path() {
            return "/status";
        }

        @Override
        void print(JsonNode s) {
            System.out.println(RootsetCommand.printable("200 info " + s.path("address").asText() + " " + s.path("version").asText() + " "
                    + (s.path("online").asBoolean() ? "ONLINE" : "OFFLINE")));
        }
    }
}

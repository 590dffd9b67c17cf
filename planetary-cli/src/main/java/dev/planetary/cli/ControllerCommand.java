package dev.planetary.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.daemon.ApiClient;
import dev.planetary.daemon.EngineContext.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code planetary controller}: without a subcommand, runs the network controller (VL.md §7.5,
 * §13.3: engine, store and API); {@code controller network …} and {@code controller member …}
 * are thin clients of a running controller's API over its Unix socket.
 */
@Command(name = "controller", mixinStandardHelpOptions = true,
        description = {"Runs the network controller (VL.md §7.5): a node that answers NETWORK_CONFIG_REQUEST over SEQEX, with its store",
                "(SQLite controller.db in the home, or --postgres) and its API (VL.md §13.3, ZeroTier's controller API) beside the node's.",
                "Needs roots like 'planetary node'. Subcommands 'network' and 'member' talk to a running controller.",
                "Prints events (with --json: one JSON object per line, 'ready' first). SIGTERM stops it (exit 0)."},
        subcommands = {ControllerCommand.NetworkCommand.class, ControllerCommand.MemberCommand.class})
final class ControllerCommand extends DaemonCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--postgres", paramLabel = "JDBC-URL",
            description = "Keep the controller's state in this PostgreSQL database (jdbc:postgresql://host/db?user=…) instead of <home>/controller.db.")
    String postgres;

    @Override
    Role role() {
        return Role.CONTROLLER;
    }

    @Override
    String controllerPostgres() {
        if (postgres != null && !postgres.startsWith("jdbc:postgresql:")) throw new CliError(CliError.USAGE, "--postgres takes a jdbc:postgresql: URL");
        return postgres;
    }

    /** One API call to a running controller; a non-200 answer is a CLI error with the API's reason. */
    static JsonNode api(StatusCommand.Where where, String method, String path, JsonNode body) {
        Path socket = where.socket();
        ApiClient.Reply r;
        try {
            r = ApiClient.request(socket, method, path, body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "no controller answers on " + socket + " (" + KeyFiles.describe(e) + "); is 'planetary controller' running?");
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, method + " " + path + ": not JSON (HTTP " + r.status() + ")");
        }
        if (r.status() != 200) {
            String reason = reply.path("error").asText("HTTP " + r.status());
            throw new CliError(r.status() == 400 ? CliError.USAGE : CliError.FAILED, RootsetCommand.printable(reason));
        }
        return reply;
    }

    static void print(JsonNode n) {
        try {
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String nwid(String text) {
        if (text == null || !text.matches("[0-9a-fA-F]{16}")) throw new CliError(CliError.USAGE, "NWID must be 16 hex digits");
        return text.toLowerCase(java.util.Locale.ROOT);
    }

    @Command(name = "network", mixinStandardHelpOptions = true, description = "Networks of a running controller (VL.md §13.3).",
            subcommands = {NetworkCommand.Create.class, NetworkCommand.ListNetworks.class, NetworkCommand.Show.class, NetworkCommand.Rules.class})
    static final class NetworkCommand {
        @Command(name = "create", mixinStandardHelpOptions = true,
                description = {"Creates a network with a random free number (POST /controller/network) and prints its id.",
                        "Example: planetary controller network create --name lab --route 10.147.17.0/24 --pool 10.147.17.1-10.147.17.254"})
        static final class Create implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;
            @Option(names = "--name", description = "The network's name.")
            String name;
            @Option(names = "--route", paramLabel = "CIDR", description = "A managed route without via (repeatable).")
            List<String> routes = new ArrayList<>();
            @Option(names = "--pool", paramLabel = "START-END", description = "An IP pool; turns on automatic assignment for its family (repeatable).")
            List<String> pools = new ArrayList<>();
            @Option(names = "--rfc4193", description = "Give every member its rfc4193 IPv6 address (VL.md §10.6).")
            boolean rfc4193;
            @Option(names = "--public", description = "Authorize every member that asks (private=false).")
            boolean open;
            @Option(names = "--json", description = "Print the whole network object.")
            boolean json;

            @Override
            public Integer call() {
                ObjectNode body = JSON.createObjectNode();
                if (name != null) body.put("name", name);
                if (open) body.put("private", false);
                ArrayNode r = body.putArray("routes");
                for (String t : routes) r.addObject().put("target", t).putNull("via");
                ArrayNode p = body.putArray("ipAssignmentPools");
                boolean v4 = false, v6 = false;
                for (String pool : pools) {
                    String[] se = pool.split("-", 2);
                    if (se.length != 2) throw new CliError(CliError.USAGE, "--pool takes START-END, got " + pool);
                    p.addObject().put("ipRangeStart", se[0]).put("ipRangeEnd", se[1]);
                    if (se[0].contains(":")) v6 = true;
                    else v4 = true;
                }
                body.putObject("v4AssignMode").put("zt", v4);
                body.putObject("v6AssignMode").put("zt", v6).put("rfc4193", rfc4193);
                JsonNode n = api(where, "POST", "/controller/network", body);
                if (json) print(n);
                else System.out.println(n.path("nwid").asText());
                return 0;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the network ids (GET /controller/network).")
        static final class ListNetworks implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;

            @Override
            public Integer call() {
                for (JsonNode id : api(where, "GET", "/controller/network", null)) System.out.println(id.asText());
                return 0;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a network object (GET /controller/network/NWID).")
        static final class Show implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;
            @Parameters(paramLabel = "NWID", description = "The network id (16 hex digits).")
            String nwid;

            @Override
            public Integer call() {
                print(api(where, "GET", "/controller/network/" + nwid(nwid), null));
                return 0;
            }
        }

        @Command(name = "rules", mixinStandardHelpOptions = true,
                description = {"Sets a network's rules (VL.md §11, ZeroTier's JSON rule objects) from a file: a JSON array of rules, or an",
                        "object with any of 'rules', 'capabilities', 'tags' (and 'rulesSource', 'tagsByName', 'capabilitiesByName').",
                        "A refused rule set exits 2 naming the rule (rules[3].start: …); nothing is changed. Without --file, prints them.",
                        "Example: planetary controller network rules NWID --file ssh-admins.json"})
        static final class Rules implements Callable<Integer> {
            static final List<String> FIELDS = List.of("rules", "capabilities", "tags", "rulesSource", "tagsByName", "capabilitiesByName");
            @Mixin
            StatusCommand.Where where;
            @Parameters(paramLabel = "NWID", description = "The network id (16 hex digits).")
            String nwid;
            @Option(names = "--file", paramLabel = "FILE", description = "The rules file ('-': standard input).")
            String file;

            @Override
            public Integer call() {
                String path = "/controller/network/" + nwid(nwid);
                JsonNode n;
                if (file == null) {
                    n = api(where, "GET", path, null);
                } else {
                    JsonNode in = readJson(file);
                    ObjectNode body = JSON.createObjectNode();
                    if (in.isArray()) {
                        body.set("rules", in);
                    } else if (in.isObject()) {
                        for (var it = in.fieldNames(); it.hasNext(); ) {
                            String f = it.next();
                            if (!FIELDS.contains(f)) throw new CliError(CliError.USAGE, file + ": unexpected field " + RootsetCommand.printable(f)
                                    + " (a rules file has " + String.join(", ", FIELDS) + ")");
                            body.set(f, in.get(f));
                        }
                    } else {
                        throw new CliError(CliError.USAGE, file + ": a rules file is a JSON array of rules or an object with 'rules'");
                    }
                    n = api(where, "POST", path, body);
                }
                ObjectNode out = JSON.createObjectNode();
                for (String f : List.of("rules", "capabilities", "tags")) out.set(f, n.path(f));
                print(out);
                return 0;
            }

            private static JsonNode readJson(String file) {
                try {
                    byte[] b = file.equals("-") ? System.in.readNBytes(16 << 20) : java.nio.file.Files.readAllBytes(Path.of(file));
                    return JSON.readTree(b);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new CliError(CliError.USAGE, file + ": not JSON (" + RootsetCommand.printable(e.getOriginalMessage()) + ")");
                } catch (IOException e) {
                    throw new CliError(CliError.USAGE, "cannot read " + file + ": " + KeyFiles.describe(e));
                }
            }
        }
    }

    /** A member address argument (10 hex digits), lowercased. */
    static String address(String text) {
        if (text == null || !text.matches("[0-9a-fA-F]{10}")) throw new CliError(CliError.USAGE, "ADDRESS must be 10 hex digits");
        return text.toLowerCase(java.util.Locale.ROOT);
    }

    @Command(name = "member", mixinStandardHelpOptions = true, description = "Members of a network of a running controller (VL.md §13.3).",
            subcommands = {MemberCommand.ListMembers.class, MemberCommand.Authorize.class, MemberCommand.Deauthorize.class, MemberCommand.Set.class})
    static final class MemberCommand {
        @Command(name = "list", mixinStandardHelpOptions = true,
                description = "Lists a network's members: address, authorized, IP assignments, revision.")
        static final class ListMembers implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;
            @Parameters(paramLabel = "NWID", description = "The network id (16 hex digits).")
            String nwid;
            @Option(names = "--json", description = "Print ZeroTier's {address: revision} object.")
            boolean json;

            @Override
            public Integer call() {
                String base = "/controller/network/" + nwid(nwid) + "/member";
                JsonNode list = api(where, "GET", base, null);
                if (json) {
                    print(list);
                    return 0;
                }
                for (var it = list.fieldNames(); it.hasNext(); ) {
                    String a = it.next();
                    JsonNode m = api(where, "GET", base + "/" + a, null);
                    List<String> ips = new ArrayList<>();
                    m.path("ipAssignments").forEach(ip -> ips.add(ip.asText()));
                    System.out.println(a + " " + (m.path("authorized").asBoolean() ? "authorized" : "unauthorized") + " "
                            + (ips.isEmpty() ? "-" : String.join(",", ips)) + (m.path("multicastReplicator").asBoolean() ? " replicator" : "")
                            + " revision " + m.path("revision").asLong());
                }
                return 0;
            }
        }

        abstract static class SetAuthorized implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;
            @Parameters(index = "0", paramLabel = "NWID", description = "The network id (16 hex digits).")
            String nwid;
            @Parameters(index = "1", paramLabel = "ADDRESS", description = "The member's address (10 hex digits).")
            String address;
            @Option(names = "--replicator", negatable = true,
                    description = "Also make the member a multicast replicator (MC flag bit1, listed in every config, VL.md §10.7), or not with --no-replicator.")
            Boolean replicator;

            abstract boolean authorized();

            @Override
            public Integer call() {
                var body = JSON.createObjectNode().put("authorized", authorized());
                if (replicator != null) body.put("multicastReplicator", replicator);
                JsonNode m = api(where, "POST", "/controller/network/" + nwid(nwid) + "/member/" + address(address), body);
                System.out.println(m.path("address").asText() + " " + (m.path("authorized").asBoolean() ? "authorized" : "deauthorized")
                        + (m.path("multicastReplicator").asBoolean() ? " replicator" : "") + " revision " + m.path("revision").asLong());
                return 0;
            }
        }

        @Command(name = "authorize", mixinStandardHelpOptions = true,
                description = "Authorizes ADDRESS on NWID (POST …/member/ADDRESS {\"authorized\": true}); makes the row if needed.")
        static final class Authorize extends SetAuthorized {
            @Override
            boolean authorized() {
                return true;
            }
        }

        @Command(name = "deauthorize", mixinStandardHelpOptions = true,
                description = "Deauthorizes ADDRESS on NWID; its credentials are revoked network-wide (VL.md §7.5).")
        static final class Deauthorize extends SetAuthorized {
            @Override
            boolean authorized() {
                return false;
            }
        }

        @Command(name = "set", mixinStandardHelpOptions = true,
                description = {"Changes a member's tags and capability grants (VL.md §11.6; POST …/member/ADDRESS): --tag sets a tag, keeping",
                        "the others; --capability grants one the network defines. The member gets a new credential at once and older",
                        "ones are revoked (VL.md §7.5). Example: planetary controller member set NWID ADDRESS --tag 1=1 --capability 3"})
        static final class Set implements Callable<Integer> {
            @Mixin
            StatusCommand.Where where;
            @Parameters(index = "0", paramLabel = "NWID", description = "The network id (16 hex digits).")
            String nwid;
            @Parameters(index = "1", paramLabel = "ADDRESS", description = "The member's address (10 hex digits).")
            String address;
            @Option(names = "--tag", paramLabel = "ID=VALUE", description = "Set tag ID to VALUE (u32 each; repeatable).")
            List<String> tags = new ArrayList<>();
            @Option(names = "--no-tag", paramLabel = "ID", description = "Remove tag ID (the network's default applies; repeatable).")
            List<Long> untags = new ArrayList<>();
            @Option(names = "--capability", paramLabel = "ID", description = "Grant capability ID (repeatable).")
            List<Long> grants = new ArrayList<>();
            @Option(names = "--no-capability", paramLabel = "ID", description = "Withdraw capability ID (repeatable).")
            List<Long> withdrawals = new ArrayList<>();
            @Option(names = "--authorized", paramLabel = "true|false", arity = "1", description = "Also authorize or deauthorize.")
            Boolean authorized;
            @Option(names = "--replicator", paramLabel = "true|false", arity = "1",
                    description = "Also make the member a multicast replicator or not (multicastReplicator, VL.md §10.7).")
            Boolean replicator;
            @Option(names = "--json", description = "Print the whole member object.")
            boolean json;

            @Override
            public Integer call() {
                String path = "/controller/network/" + nwid(nwid) + "/member/" + address(address);
                JsonNode current = api(where, "GET", "/controller/network/" + nwid(nwid) + "/member", null).has(address(address))
                        ? api(where, "GET", path, null) : JSON.createObjectNode();
                java.util.TreeMap<Long, Long> t = new java.util.TreeMap<>();
                current.path("tags").forEach(p -> t.put(p.path(0).asLong(), p.path(1).asLong()));
                for (String kv : tags) {
                    String[] p = kv.split("=", 2);
                    if (p.length != 2 || !p[0].matches("[0-9]{1,10}") || !p[1].matches("[0-9]{1,10}")) {
                        throw new CliError(CliError.USAGE, "--tag takes ID=VALUE (unsigned integers), got " + RootsetCommand.printable(kv));
                    }
                    t.put(Long.parseLong(p[0]), Long.parseLong(p[1]));
                }
                untags.forEach(t::remove);
                java.util.TreeSet<Long> caps = new java.util.TreeSet<>();
                current.path("capabilities").forEach(c -> caps.add(c.asLong()));
                caps.addAll(grants);
                caps.removeAll(withdrawals);
                ObjectNode body = JSON.createObjectNode();
                ArrayNode ta = body.putArray("tags");
                t.forEach((id, v) -> ta.addArray().add(id).add(v));
                ArrayNode ca = body.putArray("capabilities");
                caps.forEach(ca::add);
                if (authorized != null) body.put("authorized", authorized);
                if (replicator != null) body.put("multicastReplicator", replicator);
                JsonNode m = api(where, "POST", path, body);
                if (json) {
                    print(m);
                } else {
                    System.out.println(m.path("address").asText() + " tags " + m.path("tags") + " capabilities " + m.path("capabilities")
                            + " revision " + m.path("revision").asLong());
                }
                return 0;
            }
        }
    }
}

package dev.planetary.cli;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Endpoint;
import dev.planetary.identity.IdentityText;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.RootSet;
import dev.planetary.identity.UpdateKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planetary rootset keygen|create|sign|verify|show}: root sets and their offline update keys. */
@Command(name = "rootset", mixinStandardHelpOptions = true,
        description = {"Root sets: the signed list of roots a node trusts, and the offline update keys allowed",
                "to sign its next revision."},
        subcommands = {RootsetCommand.Keygen.class, RootsetCommand.Create.class, RootsetCommand.Sign.class,
                RootsetCommand.Verify.class, RootsetCommand.Show.class})
final class RootsetCommand implements Runnable {
    @Override
    public void run() {
        throw new CliError(CliError.USAGE, "a subcommand is required: keygen, create, sign, verify or show (see 'planetary rootset --help')");
    }

    @Command(name = "keygen", mixinStandardHelpOptions = true,
            description = {"Generates an update key: NAME.updatekey (secret, 0600, keep it offline) and",
                    "NAME.updatepub (public, 0644). Prints the public line."})
    static final class Keygen implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "Path prefix of the two files.")
        String name;
        @Option(names = "--force", description = "Overwrite existing files.")
        boolean force;

        @Override
        public Integer call() {
            if (name.isBlank()) throw new CliError(CliError.USAGE, "NAME must not be empty");
            try (UpdateKey k = UpdateKey.generate()) {
                KeyFiles.write(Path.of(name + ".updatekey"), k.secretText() + "\n", true, force);
                KeyFiles.write(Path.of(name + ".updatepub"), k.publicText() + "\n", false, force);
                System.out.println(k.publicText());
            }
            System.err.println("wrote " + name + ".updatekey (secret, keep it offline) and " + name + ".updatepub");
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Builds a root set and signs it with an update key; verifies it before writing.")
    static final class Create implements Callable<Integer> {
        @Option(names = "--name", required = true, description = "Set name: 1..64 characters of [a-z0-9.-].")
        String name;
        @Option(names = "--revision", defaultValue = "1", description = "Revision (default ${DEFAULT-VALUE}).")
        long revision;
        @Option(names = "--timestamp", paramLabel = "MS", description = "Unix ms (default: now; informational).")
        Long timestamp;
        @Option(names = "--update-key", required = true, paramLabel = "FILE", description = "An update key's public file (.updatepub); 1..4.")
        List<Path> updateKeys;
        @Option(names = "--root", required = true, paramLabel = "IDENTITY@EP[,EP...]",
                description = {"A root: its public identity (text or a file holding it), '@', and 1..8 endpoints",
                        "like 192.0.2.1/9993 or [2001:db8::1]/9993. Repeat for 1..16 roots."})
        List<String> roots;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The signing update key (.updatekey).")
        Path key;
        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output file (binary root set).")
        Path out;
        @Option(names = "--force", description = "Overwrite the output file.")
        boolean force;

        @Override
        public Integer call() {
            List<byte[]> keys = new ArrayList<>();
            for (Path p : updateKeys) keys.add(readUpdatePublic(p));
            List<RootSet.Root> rs = new ArrayList<>();
            for (String r : roots) rs.add(parseRoot(r));
            long ts = timestamp != null ? timestamp : System.currentTimeMillis();
            try (UpdateKey k = readUpdateSecret(key)) {
                writeSet(RootSet.create(k, name, revision, ts, keys, rs), out, force);
            } catch (IllegalArgumentException e) {
                throw new CliError(CliError.USAGE, e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "sign", mixinStandardHelpOptions = true,
            description = {"Signs a new revision of an existing set with an update key: same name and roots, the",
                    "revision incremented (or --revision), update keys replaced if --update-key is given."})
    static final class Sign implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SET", description = "The current root set file.")
        Path in;
        @Option(names = "--key", required = true, paramLabel = "FILE", description = "The signing update key (.updatekey).")
        Path key;
        @Option(names = "--revision", description = "New revision (default: current + 1).")
        Long revision;
        @Option(names = "--timestamp", paramLabel = "MS", description = "Unix ms (default: now).")
        Long timestamp;
        @Option(names = "--update-key", paramLabel = "FILE", description = "Replace the update keys (1..4 .updatepub files).")
        List<Path> updateKeys;
        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "Output file.")
        Path out;
        @Option(names = "--force", description = "Overwrite the output file.")
        boolean force;

        @Override
        public Integer call() {
            RootSet cur = readSet(in);
            List<byte[]> keys = cur.updateKeys();
            if (updateKeys != null && !updateKeys.isEmpty()) {
                keys = new ArrayList<>();
                for (Path p : updateKeys) keys.add(readUpdatePublic(p));
            }
            long rev = revision != null ? revision : cur.revision() + 1;
            long ts = timestamp != null ? timestamp : System.currentTimeMillis();
            try (UpdateKey k = readUpdateSecret(key)) {
                RootSet next = RootSet.create(k, cur.name(), rev, ts, keys, cur.roots());
                if (!cur.hasUpdateKey(k.publicKey())) {
                    System.err.println("planetary: warning: the signing key is not an update key of " + in
                            + ": nodes holding that revision will refuse this one as an update");
                }
                writeSet(next, out, force);
            } catch (IllegalArgumentException e) {
                throw new CliError(CliError.USAGE, e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Checks a root set: format, no duplicate roots, every root identity valid (self-signature",
                    "and proof of work), the signature. With --previous, also the update rule against that",
                    "accepted revision. Exit code 0 if valid, 1 if not."})
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SET", description = "Root set file.")
        Path in;
        @Option(names = "--previous", paramLabel = "SET", description = "The accepted revision this one should replace.")
        Path previous;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            RootSet set = readSet(in);
            IdentityVerifier v = new IdentityVerifier();
            Decoded<RootSet.Valid> r;
            if (previous != null) {
                RootSet prev = readSet(previous);
                Decoded<RootSet.Valid> pv = prev.validate(v);
                if (pv instanceof Decoded.Invalid<RootSet.Valid> inv) {
                    throw new CliError(CliError.FAILED, "the previous set " + previous + " is not valid: " + describe(inv));
                }
                r = RootSet.update(pv.orThrow(), set, v);
            } else {
                r = set.validate(v);
            }
            if (r instanceof Decoded.Invalid<RootSet.Valid> inv) {
                if (json) {
                    System.out.println(Output.jsonLine("rootset", "valid", false, "reason", inv.reason().name().toLowerCase(), "detail", inv.detail()));
                    return CliError.FAILED;
                }
                throw new CliError(CliError.FAILED, "invalid root set" + (previous != null ? " update" : "") + ": " + describe(inv));
            }
            if (json) {
                System.out.println(Output.jsonLine("rootset", "valid", true, "name", set.name(), "revision", set.revision()));
            } else {
                System.out.println("valid" + (previous != null ? " update" : "") + ": " + set.name() + " revision " + Long.toUnsignedString(set.revision())
                        + ", " + set.roots().size() + " root(s)");
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints a root set's contents and whether it is standalone-valid.")
    static final class Show implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SET", description = "Root set file.")
        Path in;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            RootSet set = readSet(in);
            Decoded<RootSet.Valid> valid = set.validate(new IdentityVerifier());
            HexFormat hex = HexFormat.of();
            List<Object> roots = new ArrayList<>();
            for (int i = 0; i < set.roots().size(); i++) {
                RootSet.Root r = set.roots().get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("address", valid instanceof Decoded.Ok<RootSet.Valid> ok ? ok.value().addresses().get(i).toString() : null);
                m.put("fingerprint", r.identity().fingerprint().toBase32());
                m.put("endpoints", r.endpoints().stream().map(Endpoint::toString).toList());
                roots.add(m);
            }
            List<String> keys = set.updateKeys().stream().map(hex::formatHex).toList();
            String status = valid instanceof Decoded.Invalid<RootSet.Valid> inv ? describe(inv) : "valid";
            if (json) {
                System.out.println(Output.jsonLine("rootset", "name", set.name(), "revision", set.revision(), "timestamp", set.timestamp(),
                        "update_keys", keys, "roots", roots, "signer", hex.formatHex(set.signer()), "valid", valid.isOk(), "status", status));
            } else {
                System.out.println("name:        " + set.name());
                System.out.println("revision:    " + Long.toUnsignedString(set.revision()));
                System.out.println("timestamp:   " + set.timestamp());
                for (String k : keys) System.out.println("update key:  " + k);
                for (Object o : roots) {
                    @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
                    System.out.println("root:        " + m.get("address") + " " + m.get("fingerprint") + " " + String.join(",", (List<String>) m.get("endpoints")));
                }
                System.out.println("signer:      " + hex.formatHex(set.signer()));
                System.out.println("status:      " + status);
            }
            return 0;
        }
    }

    // ------------------------------------------------------------------ helpers

    static String describe(Decoded.Invalid<?> inv) {
        return inv.reason().name().toLowerCase() + " (" + inv.detail() + ")";
    }

    /** Escapes anything outside printable ASCII (file contents and arguments may be hostile). */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f) b.append(c);
            else b.append(String.format("\\u%04x", (int) c));
        }
        return b.toString();
    }

    static String readSmall(Path file, int max) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(max), StandardCharsets.US_ASCII);
        }
    }

    static RootSet readSet(Path file) {
        byte[] b;
        try (InputStream in = Files.newInputStream(file)) {
            b = in.readNBytes(RootSet.MAX_SIZE + 1);
        } catch (IOException e) {
            throw new CliError(CliError.USAGE, "cannot read root set " + file + ": " + KeyFiles.describe(e));
        }
        Decoded<RootSet> d = RootSet.decode(b);
        if (d instanceof Decoded.Invalid<RootSet> inv) throw new CliError(CliError.FAILED, file + " is not a root set: " + describe(inv));
        return d.orThrow();
    }

    static void writeSet(RootSet set, Path out, boolean force) {
        Decoded<RootSet.Valid> v = set.validate(new IdentityVerifier());
        if (v instanceof Decoded.Invalid<RootSet.Valid> inv) throw new CliError(CliError.FAILED, "refusing to write an invalid root set: " + describe(inv));
        try {
            if (Files.exists(out) && !force) throw new CliError(CliError.FAILED, out + " already exists (use --force to overwrite)");
            Files.write(out, set.encoded());
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot write " + out + ": " + KeyFiles.describe(e));
        }
        System.err.println("wrote " + out + ": " + set.name() + " revision " + Long.toUnsignedString(set.revision()) + ", " + set.roots().size() + " root(s)");
    }

    static byte[] readUpdatePublic(Path file) {
        Decoded<byte[]> d = UpdateKey.parsePublic(readText(file, "update key"));
        if (d instanceof Decoded.Invalid<byte[]> inv) throw new CliError(CliError.USAGE, "update key file " + file + ": " + describe(inv));
        return d.orThrow();
    }

    static UpdateKey readUpdateSecret(Path file) {
        Decoded<UpdateKey> d = UpdateKey.parseSecret(readText(file, "update key"));
        if (d instanceof Decoded.Invalid<UpdateKey> inv) throw new CliError(CliError.USAGE, "update key file " + file + ": " + describe(inv));
        return d.orThrow();
    }

    private static String readText(Path file, String what) {
        try {
            return readSmall(file, 4096);
        } catch (IOException e) {
            throw new CliError(CliError.USAGE, "cannot read " + what + " file " + file + ": " + KeyFiles.describe(e));
        }
    }

    static RootSet.Root parseRoot(String spec) {
        int at = spec.lastIndexOf('@');
        if (at <= 0 || at == spec.length() - 1) throw new CliError(CliError.USAGE, "--root must be IDENTITY@ENDPOINT[,ENDPOINT...], got '" + printable(spec) + "'");
        String idPart = spec.substring(0, at);
        String text = IdentityCommand.looksLikeIdentity(idPart) ? idPart : readText(Path.of(idPart), "identity");
        IdentityText.Parsed p = IdentityCommand.parsed(IdentityText.parsePublic(text), "--root '" + printable(idPart.length() > 20 ? idPart.substring(0, 20) + "…" : idPart) + "'");
        List<Endpoint> eps = new ArrayList<>();
        for (String e : spec.substring(at + 1).split(",")) {
            eps.add(Endpoint.parse(e.strip()).orElseThrow(() -> new CliError(CliError.USAGE,
                    "endpoint '" + printable(e) + "' is not ADDRESS/PORT like 192.0.2.1/9993 or [2001:db8::1]/9993")));
        }
        return new RootSet.Root(p.identity(), eps);
    }
}

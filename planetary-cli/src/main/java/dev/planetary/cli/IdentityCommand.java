package dev.planetary.cli;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityFiles;
import dev.planetary.identity.IdentityText;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code planetary identity new|show|verify}: the node identity (two P-384 keys, Argon2id address). */
@Command(name = "identity", mixinStandardHelpOptions = true,
        description = {"Node identities: two P-384 keys bound by a self-signature, a SHA-384 fingerprint and a",
                "40-bit address from an Argon2id proof of work."},
        subcommands = {IdentityCommand.New.class, IdentityCommand.Show.class, IdentityCommand.Verify.class})
final class IdentityCommand implements Runnable {
    @Override
    public void run() {
        throw new CliError(CliError.USAGE, "a subcommand is required: new, show or verify (see 'planetary identity --help')");
    }

    static final class Home {
        @Option(names = "--home", paramLabel = "DIR", description = "Home directory (default ${DEFAULT-VALUE}).",
                defaultValue = "/var/lib/planetary")
        Path home;
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = {"Generates an identity (about a second on two cores) and writes identity.secret (0600)",
                    "and identity.public (0644) in the home directory (created 0700). Prints the public identity."})
    static final class New implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Home home;
        @Option(names = "--force", description = "Replace an existing identity (its secret is lost).")
        boolean force;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            Path secret = home.home.resolve(IdentityFiles.SECRET);
            if (!force && Files.exists(secret)) throw new CliError(CliError.FAILED, secret + " already exists (use --force to replace the identity)");
            long t0 = System.nanoTime();
            try (SecretIdentity id = SecretIdentity.generate()) {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                IdentityFiles.write(home.home, id, force);
                print(json, id.identity(), id.address(), home.home, ms);
            } catch (FileAlreadyExistsException e) {
                throw new CliError(CliError.FAILED, secret + " already exists (use --force to replace the identity)");
            } catch (IOException e) {
                throw new CliError(CliError.FAILED, "cannot write the identity in " + home.home + ": " + KeyFiles.describe(e));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints the address, fingerprint and public identity of the home directory (verified).")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Home home;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            Decoded<IdentityText.Parsed> d;
            try {
                d = IdentityFiles.readPublic(home.home);
            } catch (NoSuchFileException e) {
                throw new CliError(CliError.FAILED, "no identity in " + home.home + " (create one with 'planetary identity new --home " + home.home + "')");
            } catch (IOException e) {
                throw new CliError(CliError.FAILED, "cannot read " + home.home.resolve(IdentityFiles.PUBLIC) + ": " + KeyFiles.describe(e));
            }
            IdentityText.Parsed p = parsed(d, home.home.resolve(IdentityFiles.PUBLIC).toString());
            print(json, p.identity(), p.address(), home.home, -1);
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verifies a public identity (text, or a file holding it): format, self-signature and the",
                    "address proof of work. Exit code 0 if valid, 1 if not."})
    static final class Verify implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IDENTITY|FILE", description = "A public identity '<address>:1:<base32>' or a file holding one.")
        String input;
        @Option(names = "--json", description = "Print one JSON object instead of text.")
        boolean json;

        @Override
        public Integer call() {
            String text = input;
            if (!looksLikeIdentity(input)) {
                try {
                    text = RootsetCommand.readSmall(Path.of(input), 4096);
                } catch (IOException e) {
                    throw new CliError(CliError.USAGE, "'" + RootsetCommand.printable(input) + "' is neither a public identity nor a readable file: " + KeyFiles.describe(e));
                }
            }
            Decoded<IdentityText.Parsed> d = IdentityText.parsePublic(text);
            if (d instanceof Decoded.Invalid<IdentityText.Parsed> inv) {
                if (json) {
                    System.out.println(Output.jsonLine("identity", "valid", false, "reason", inv.reason().name().toLowerCase(), "detail", inv.detail()));
                    return CliError.FAILED;
                }
                throw new CliError(CliError.FAILED, "invalid identity: " + inv.reason().name().toLowerCase() + " (" + inv.detail() + ")");
            }
            IdentityText.Parsed p = d.orThrow();
            if (json) {
                System.out.println(Output.jsonLine("identity", "valid", true, "address", p.address().toString(),
                        "fingerprint", p.identity().fingerprint().toBase32()));
            } else {
                System.out.println("valid: " + p.address() + " " + p.identity().fingerprint().toBase32());
            }
            return 0;
        }
    }

    static boolean looksLikeIdentity(String s) {
        return s.length() >= 13 && s.charAt(10) == ':' && s.startsWith(":1:", 10);
    }

    static IdentityText.Parsed parsed(Decoded<IdentityText.Parsed> d, String where) {
        if (d instanceof Decoded.Invalid<IdentityText.Parsed> inv) {
            throw new CliError(CliError.FAILED, where + " does not hold a valid public identity: "
                    + inv.reason().name().toLowerCase() + " (" + inv.detail() + ")");
        }
        return d.orThrow();
    }

    private static void print(boolean json, dev.planetary.identity.Identity id, dev.planetary.identity.Address address, Path home, long ms) {
        String pub = IdentityText.publicText(id, address);
        if (json) {
            System.out.println(Output.jsonLine("identity", "address", address.toString(), "fingerprint", id.fingerprint().toBase32(),
                    "short", id.fingerprint().toShortString(), "public", pub, "home", home.toString(),
                    "generation_ms", ms >= 0 ? ms : null));
        } else {
            System.out.println("address:     " + address);
            System.out.println("fingerprint: " + id.fingerprint().toBase32());
            System.out.println("public:      " + pub);
            if (ms >= 0) System.err.println("generated in " + ms + " ms; wrote " + home.resolve(IdentityFiles.SECRET) + " (secret) and " + home.resolve(IdentityFiles.PUBLIC));
        }
    }
}

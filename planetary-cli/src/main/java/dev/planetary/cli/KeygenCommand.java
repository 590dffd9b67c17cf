package dev.planetary.cli;

import dev.planetary.zssp.StaticKeyPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Generates a static key pair: NAME.key and NAME.pub.",
                "NAME.key is the private key (PKCS#8 PEM, mode 0600); NAME.pub the public key line (98 hex digits),",
                "which is also printed, and its fingerprint (SHA256:…, what 'listen --allow' accepts and 'refused' lines show)."})
final class KeygenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Path prefix of the two files (e.g. alice, keys/server).")
    String name;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        if (name.isBlank()) throw new CliError(CliError.USAGE, "NAME must not be empty");
        Path priv = Path.of(name + ".key");
        Path pub = Path.of(name + ".pub");
        // A typo in NAME must not create a directory tree somewhere: the directory has to exist.
        Path dir = priv.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new CliError(CliError.USAGE, "cannot write " + priv + ": " + (Files.exists(dir) ? dir + " is not a directory"
                    : "directory " + dir + " does not exist (create it first)"));
        }
        if (!force) {
            for (Path p : new Path[] {priv, pub}) {
                if (p.toFile().exists()) throw new CliError(CliError.FAILED, p + " already exists (use --force to overwrite)");
            }
        }
        try (StaticKeyPair key = StaticKeyPair.generate()) {
            KeyFiles.write(priv, KeyFiles.privatePem(key), true, force);
            KeyFiles.write(pub, KeyFiles.publicLine(key.publicKey()) + "\n", false, force);
            System.out.println(KeyFiles.publicLine(key.publicKey()));
            System.err.println("wrote " + priv + " (private, keep it secret) and " + pub + " (public, give it to peers)");
            System.err.println("fingerprint " + AllowList.fingerprint(key.publicKey()));
        }
        return 0;
    }
}

package dev.planetary.cli;

import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "pubkey", mixinStandardHelpOptions = true,
        description = {"Prints the public key line (98 hex digits) of a key file, and its fingerprint (SHA256:…) on stderr.",
                "The fingerprint names the key in 'listen --allow' and in 'refused' lines."})
final class PubkeyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "KEYFILE", description = "A .key (PKCS#8 PEM or hex scalar) or .pub (hex or PEM) file.")
    Path file;

    @picocli.CommandLine.Option(names = "--fingerprint", description = "Print only the fingerprint, on stdout.")
    boolean fingerprint;

    @Override
    public Integer call() {
        StaticPublicKey pub;
        try {
            try (StaticKeyPair key = KeyFiles.readPrivate(file)) {
                pub = key.publicKey();
            }
        } catch (CliError notPrivate) {
            try {
                pub = KeyFiles.readPublic(file);
            } catch (CliError notPublic) {
                if (notPrivate.getMessage().startsWith("cannot read") || notPrivate.getMessage().startsWith("UNPROTECTED")) throw notPrivate;
                throw new CliError(CliError.USAGE, "key file " + file + " is neither a private key (PKCS#8 PEM, 96 hex digits) nor a public key (98 hex digits, PEM)");
            }
        }
        if (fingerprint) {
            System.out.println(AllowList.fingerprint(pub));
        } else {
            System.out.println(KeyFiles.publicLine(pub));
            System.err.println("fingerprint " + AllowList.fingerprint(pub));
        }
        return 0;
    }
}

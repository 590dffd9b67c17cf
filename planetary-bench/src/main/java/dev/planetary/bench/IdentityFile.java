package dev.planetary.bench;

import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A pool of real identities for the VL1 benchmarks, cached in a file (97-byte secrets, one after
 * another): generating one costs ≈ 1 s of Argon2id, so the pool grows once and is reused.
 * Benchmark secrets only: the file is under target/ and never holds a real node's key.
 *
 * <pre>java -cp planetary-bench/target/planetary-bench.jar dev.planetary.bench.IdentityFile [N] [file]</pre>
 */
public final class IdentityFile {
    /** Default cache: planetary-bench/target/vl1-identities.bin (relative to the working directory). */
    static final Path DEFAULT = Path.of(System.getProperty("planetary.bench.identities", "planetary-bench/target/vl1-identities.bin"));

    private IdentityFile() {}

    /** The first {@code n} identities of the file, generating and appending the missing ones. */
    static synchronized List<SecretIdentity> load(Path file, int n) {
        List<SecretIdentity> out = new ArrayList<>(n);
        try {
            byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            for (int off = 0; off + SecretIdentity.SECRET_SIZE <= all.length && out.size() < n; off += SecretIdentity.SECRET_SIZE) {
                byte[] s = Arrays.copyOfRange(all, off, off + SecretIdentity.SECRET_SIZE);
                out.add(SecretIdentity.decodeSecret(s).orThrow());
                Arrays.fill(s, (byte) 0);
            }
            Arrays.fill(all, (byte) 0);
            if (out.size() < n) {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
                SecureRandom r = new SecureRandom();
                int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
                while (out.size() < n) {
                    SecretIdentity id = SecretIdentity.generate(r, threads);
                    byte[] s = id.encodeSecret();
                    Files.write(file, s, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    Arrays.fill(s, (byte) 0);
                    out.add(id);
                    if (out.size() % 50 == 0) System.err.println("identities: " + out.size() + "/" + n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("identity cache " + file, e);
        }
        return out;
    }

    static List<SecretIdentity> load(int n) {
        return load(DEFAULT, n);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100;
        Path f = args.length > 1 ? Path.of(args[1]) : DEFAULT;
        long t0 = System.nanoTime();
        List<SecretIdentity> ids = load(f, n);
        System.out.printf(java.util.Locale.ROOT, "%d identities in %s (%.1f s)%n", ids.size(), f, (System.nanoTime() - t0) / 1e9);
    }
}

package dev.planetary.daemon;

import dev.planetary.identity.Base32;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityFiles;
import dev.planetary.identity.SecretIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;

/**
 * A daemon's home directory (VL.md §2.10): created 0700; {@code identity.secret} (0600) created
 * with a new identity on first start through {@link IdentityFiles}; {@code authtoken.secret}
 * (0600, 24 random bytes in base32, §13.1) created when the TCP API is first used. Secret files
 * readable by group or others are refused, like the CLI's key files.
 */
public final class DaemonHome {
    public static final String AUTHTOKEN = "authtoken.secret";
    /** A member's SQLite database (§2.10): its ZSSP ratchet store, created 0600. */
    public static final String NODE_DB = "node.db";
    private static final Set<PosixFilePermission> GROUP_OTHER = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private DaemonHome() {}

    /** A problem with the home directory, for the operator. */
    public static final class HomeException extends Exception {
        private static final long serialVersionUID = 1L;

        public HomeException(String message) {
            super(message);
        }
    }

    /** The identity loaded or just created, and whether it was created. */
    public record Loaded(SecretIdentity identity, boolean created) {}

    /** Creates the home (0700) if needed and loads its identity, generating one on first start. */
    public static Loaded identity(Path home) throws HomeException, IOException {
        IdentityFiles.createHome(home);
        Path secret = home.resolve(IdentityFiles.SECRET);
        if (!Files.exists(secret, LinkOption.NOFOLLOW_LINKS)) {
            SecretIdentity id = SecretIdentity.generate();
            IdentityFiles.write(home, id, false);
            return new Loaded(id, true);
        }
        requirePrivate(secret);
        Decoded<SecretIdentity> d = IdentityFiles.readSecret(home);
        if (d instanceof Decoded.Invalid<SecretIdentity> inv) {
            throw new HomeException(secret + " does not hold a valid secret identity: " + inv.reason().name().toLowerCase() + " (" + inv.detail() + ")");
        }
        return new Loaded(d.orThrow(), false);
    }

    /** The TCP API token from {@code authtoken.secret}, created (0600) if absent. */
    /** Opens (creating it 0600) the member's ratchet store in {@code home/node.db} (§2.10, §3.3). */
    public static dev.planetary.store.sqlite.SqliteRatchetStore ratchets(Path home) throws HomeException {
        Path f = home.resolve(NODE_DB);
        try {
            return dev.planetary.store.sqlite.SqliteRatchetStore.open(f);
        } catch (IOException e) {
            throw new HomeException("cannot open the ratchet store " + f + ": " + e.getMessage());
        }
    }

    public static String authToken(Path home) throws HomeException, IOException {
        Path f = home.resolve(AUTHTOKEN);
        if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            byte[] raw = new byte[24];
            new SecureRandom().nextBytes(raw);
            writePrivate(f, (Base32.encode(raw) + "\n").getBytes(StandardCharsets.US_ASCII));
            java.util.Arrays.fill(raw, (byte) 0);
        }
        requirePrivate(f);
        String token;
        try (InputStream in = Files.newInputStream(f)) {
            token = new String(in.readNBytes(257), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new HomeException(f + " vanished while starting");
        }
        if (token.isEmpty() || token.length() > 256 || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new HomeException(f + " must hold one token of 1..256 printable ASCII characters");
        }
        return token;
    }

    /** Replaces {@code f} atomically with {@code content}, mode 0600 from the start (a temporary file beside it, then a rename). */
    static void writePrivate(Path f, byte[] content) throws IOException {
        Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not a POSIX file system
        }
        Files.write(tmp, content);
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void requirePrivate(Path f) throws HomeException, IOException {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system
        }
        for (PosixFilePermission x : GROUP_OTHER) {
            if (p.contains(x)) {
                throw new HomeException("UNPROTECTED PRIVATE KEY FILE " + f + " (mode " + PosixFilePermissions.toString(p)
                        + "): run 'chmod 600 " + f + "'");
            }
        }
    }
}

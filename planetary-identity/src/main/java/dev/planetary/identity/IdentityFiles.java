package dev.planetary.identity;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The identity files of a home directory (spec §2.10): {@code identity.secret} (secret text +
 * newline, mode 0600) and {@code identity.public} (public text + newline, 0644); a home directory
 * this class creates gets mode 0700. Files are written to a temporary name and moved into place.
 * Contents read back are verified like any textual identity.
 */
public final class IdentityFiles {
    public static final String SECRET = "identity.secret";
    public static final String PUBLIC = "identity.public";
    /** Default home directory. */
    public static final Path DEFAULT_HOME = Path.of("/var/lib/planetary");
    private static final int MAX_FILE = 4096;

    private IdentityFiles() {}

    /** Writes both files for {@code id}; refuses to replace an existing secret unless {@code force}. */
    public static void write(Path home, SecretIdentity id, boolean force) throws IOException {
        createHome(home);
        Path secret = home.resolve(SECRET), pub = home.resolve(PUBLIC);
        if (!force && Files.exists(secret, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(secret.toString(), null, "an identity exists already");
        writeFile(pub, IdentityText.publicText(id.identity(), id.address()) + "\n", "rw-r--r--");
        writeFile(secret, IdentityText.secretText(id) + "\n", "rw-------");
    }

    /** Reads and verifies {@code identity.secret}; I/O problems throw, bad contents are a value. */
    public static Decoded<SecretIdentity> readSecret(Path home) throws IOException {
        return IdentityText.parseSecret(read(home.resolve(SECRET)));
    }

    /** Reads and verifies {@code identity.public}. */
    public static Decoded<IdentityText.Parsed> readPublic(Path home) throws IOException {
        return IdentityText.parsePublic(read(home.resolve(PUBLIC)));
    }

    /** Reads at most 4 KiB of text (longer files are refused as malformed by the parsers). */
    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(MAX_FILE + 1);
            return new String(b, StandardCharsets.US_ASCII);
        }
    }

    /** Creates the home directory (and parents) with mode 0700 where the file system supports it. */
    public static void createHome(Path home) throws IOException {
        if (Files.isDirectory(home)) return;
        if (posix(home)) {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectories(home);
        }
    }

    private static void writeFile(Path file, String content, String mode) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
        if (posix(file.toAbsolutePath().getParent())) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(perms));
            Files.setPosixFilePermissions(tmp, perms); // the umask may have narrowed 0644
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, content, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean posix(Path p) {
        Path existing = p.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing != null && Files.getFileAttributeView(existing, java.nio.file.attribute.PosixFileAttributeView.class) != null;
    }
}

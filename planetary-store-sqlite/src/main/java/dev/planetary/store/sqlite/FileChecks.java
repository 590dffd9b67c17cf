package dev.planetary.store.sqlite;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * Checks of the files that hold ratchet keys, done before SQLite opens them (like ssh's checks of
 * its private keys and of {@code ~/.ssh}): no symbolic links are followed (a link planted at the
 * database's name would send the keys wherever it points), the directory and the file belong to
 * the user running Planetary (or root), the directory is not writable by group or others (who could
 * replace the file), and the file is not accessible by group or others at all. Each refusal says
 * what is wrong and how to fix it. On file systems without POSIX permissions only the symbolic
 * link checks apply.
 */
final class FileChecks {
    private static final Set<PosixFilePermission> GROUP_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> GROUP_OTHERS_WRITE = EnumSet.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private FileChecks() {}

    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** The ratchet store's directory: a real directory, ours, not writable by group or others. */
    static void checkDirectory(Path dir, Path db) throws IOException {
        if (Files.isSymbolicLink(dir)) {
            throw new IOException("ratchet store " + db + ": the directory " + dir + " is a symbolic link; refusing to follow it"
                    + " (give the real directory)");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("ratchet store " + db + ": " + dir + " is not a directory");
        }
        if (!posix()) return;
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        checkOwner(a.owner(), dir, db, "directory");
        if (!java.util.Collections.disjoint(a.permissions(), GROUP_OTHERS_WRITE)) {
            throw new IOException("ratchet store " + db + ": UNPROTECTED STATE DIRECTORY: " + dir + " is writable by group or others (mode "
                    + mode(a.permissions()) + "), who could replace the ratchet store; run 'chmod 700 " + dir + "'");
        }
    }

    /**
     * The database file (and SQLite's {@code -wal}/{@code -shm} files beside it, when present): not
     * symbolic links, regular files, ours, owner-only.
     */
    static void checkFile(Path db) throws IOException {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path f = db.resolveSibling(db.getFileName() + suffix);
            if (Files.isSymbolicLink(f)) {
                throw new IOException("ratchet store " + db + ": " + f + " is a symbolic link; refusing to follow it (the ratchet keys"
                        + " would be written wherever it points); remove the link");
            }
            if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) continue;
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("ratchet store " + db + ": " + f + " is not a regular file");
            }
            if (!posix()) continue;
            PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            checkOwner(a.owner(), f, db, "file");
            if (!java.util.Collections.disjoint(a.permissions(), GROUP_OTHERS)) {
                throw new IOException("ratchet store " + db + ": UNPROTECTED RATCHET STORE: " + f + " is accessible by group or others"
                        + " (mode " + mode(a.permissions()) + ") and holds secret ratchet keys; run 'chmod 600 " + f + "'");
            }
        }
    }

    private static void checkOwner(UserPrincipal owner, Path p, Path db, String what) throws IOException {
        UserPrincipal me = currentUser(p);
        if (me == null || owner.equals(me) || "root".equals(owner.getName())) return;
        throw new IOException("ratchet store " + db + ": the " + what + " " + p + " belongs to " + owner.getName() + ", not to "
                + me.getName() + " who runs Planetary; refusing to keep ratchet keys there");
    }

    /** The user running this process, or null if it cannot be told (then owners are not checked). */
    private static UserPrincipal currentUser(Path p) {
        String name = System.getProperty("user.name");
        if (name == null || name.isBlank()) return null;
        try {
            return p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    static String mode(Set<PosixFilePermission> p) {
        int m = 0;
        for (PosixFilePermission x : p) m |= 1 << (8 - x.ordinal());
        return String.format("%04o", m) + " " + PosixFilePermissions.toString(p);
    }
}

package dev.planetary.store;

import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Where ratchet states live by default, and factories for the stores.
 *
 * <p>The default is one SQLite file per local identity, so that two identities on one machine
 * never share (or overwrite) each other's ratchets:
 * {@code <stateDir>/ratchets-<first 16 hex digits of the local static public key>.db}, with
 * {@code stateDir} from {@link #defaultStateDirectory()}: {@code $XDG_STATE_HOME/planetary} if
 * {@code XDG_STATE_HOME} is set to an absolute path, else {@code ~/.local/state/planetary}.
 * Directories created for it get owner-only permissions (0700), the file 0600.
 */
public final class RatchetStores {
    private RatchetStores() {}

    /** {@code $XDG_STATE_HOME/planetary}, or {@code ~/.local/state/planetary} if that variable is unset, empty or relative. */
    public static Path defaultStateDirectory() {
        return defaultStateDirectory(System.getenv(), System.getProperty("user.home"));
    }

    static Path defaultStateDirectory(Map<String, String> env, String userHome) {
        String xdg = env.get("XDG_STATE_HOME");
        // The XDG base directory specification says relative paths are invalid and must be ignored.
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg, "planetary");
        Objects.requireNonNull(userHome, "user.home");
        return Path.of(userHome, ".local", "state", "planetary");
    }

    /** {@code ratchets-<first 16 hex digits of the key>.db}. */
    public static String defaultFileName(StaticPublicKey localIdentity) {
        return "ratchets-" + localIdentity.toHex().substring(0, 16) + ".db";
    }

    /** The SQLite store of {@code localIdentity} in {@code stateDir} (created if missing). */
    public static SqliteRatchetStore openDefault(Path stateDir, StaticPublicKey localIdentity) throws IOException {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(localIdentity, "localIdentity");
        return SqliteRatchetStore.open(stateDir.resolve(defaultFileName(localIdentity)));
    }

    /** The SQLite store of {@code localIdentity} in {@link #defaultStateDirectory()}. */
    public static SqliteRatchetStore openDefault(StaticPublicKey localIdentity) throws IOException {
        return openDefault(defaultStateDirectory(), localIdentity);
    }

    /** A SQLite store in the given file. */
    public static SqliteRatchetStore sqlite(Path file) throws IOException {
        return SqliteRatchetStore.open(file);
    }

    /** A PostgreSQL store (default table prefix {@value PostgresRatchetStore#DEFAULT_TABLE_PREFIX}). */
    public static PostgresRatchetStore postgres(String jdbcUrl) throws IOException {
        return PostgresRatchetStore.open(jdbcUrl);
    }

    /** An in-memory store: everything is lost when the process ends. */
    public static MemoryRatchetStore memory() {
        return new MemoryRatchetStore();
    }
}

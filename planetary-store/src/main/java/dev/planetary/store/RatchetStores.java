package dev.planetary.store;

import dev.planetary.store.internal.RatchetStoreProvider;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Where ratchet states live by default, and the one factory that opens a store from a URL.
 *
 * <p>The durable stores are separate artifacts, so that an application only carries the JDBC
 * driver it uses: {@code dev.planetary:planetary-store-sqlite} ({@value #SQLITE_URL_PREFIX}PATH) and
 * {@code dev.planetary:planetary-store-postgres} ({@value #POSTGRES_URL_PREFIX}//HOST:PORT/DATABASE).
 * {@link #open(String)} finds them with {@link ServiceLoader} on the module path or the class path
 * and, when the artifact a URL needs is missing, says which one to add. The in-memory store
 * ({@value #MEMORY_URL}) is in this artifact.
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

    /** The URL of a new, empty {@link MemoryRatchetStore}. */
    public static final String MEMORY_URL = "memory:";
    /** SQLite: {@code jdbc:sqlite:} followed by the database file's path (no query parameters). */
    public static final String SQLITE_URL_PREFIX = "jdbc:sqlite:";
    /** PostgreSQL: the driver's JDBC URL, {@code jdbc:postgresql://HOST:PORT/DATABASE?…}. */
    public static final String POSTGRES_URL_PREFIX = "jdbc:postgresql:";
    /** The artifact (Maven {@code groupId:artifactId}) that opens each URL prefix. */
    public static final Map<String, String> ARTIFACTS = Map.of(
            SQLITE_URL_PREFIX, "dev.planetary:planetary-store-sqlite",
            POSTGRES_URL_PREFIX, "dev.planetary:planetary-store-postgres");

    /**
     * Opens the store at {@code url}: {@value #MEMORY_URL}, {@value #SQLITE_URL_PREFIX}PATH or
     * {@value #POSTGRES_URL_PREFIX}//HOST:PORT/DATABASE.
     *
     * @throws IllegalArgumentException if no Planetary store has this kind of URL
     * @throws IllegalStateException if the artifact of this kind of store is not on the module or class path
     * @throws IOException if the store cannot be opened (the message names it and says why)
     */
    public static PeerRatchetStore open(String url) throws IOException {
        Objects.requireNonNull(url, "url");
        if (url.equals(MEMORY_URL)) return new MemoryRatchetStore();
        String prefix = ARTIFACTS.keySet().stream().filter(url::startsWith).findFirst().orElseThrow(() ->
                new IllegalArgumentException("not a ratchet store URL: '" + redactUrl(url) + "' (expected " + MEMORY_URL + ", "
                        + SQLITE_URL_PREFIX + "PATH or " + POSTGRES_URL_PREFIX + "//HOST:PORT/DATABASE)"));
        return provider(prefix).open(url);
    }

    private static RatchetStoreProvider provider(String prefix) {
        try {
            for (RatchetStoreProvider p : ServiceLoader.load(RatchetStoreProvider.class, RatchetStores.class.getClassLoader())) {
                if (p.urlPrefix().equals(prefix)) return p;
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a ratchet store provider is broken: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no ratchet store for " + prefix + " URLs: add the artifact " + ARTIFACTS.get(prefix)
                + " (the same version as planetary-store) to the module path or class path");
    }

    /** A JDBC URL without its query string (which may hold a password) and without user info. */
    public static String redactUrl(String url) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        return base.replaceAll("//[^/@]*@", "//");
    }

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

    /** The SQLite store of {@code localIdentity} in {@code stateDir} (created if missing); needs planetary-store-sqlite. */
    public static PeerRatchetStore openDefault(Path stateDir, StaticPublicKey localIdentity) throws IOException {
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(localIdentity, "localIdentity");
        return open(SQLITE_URL_PREFIX + stateDir.resolve(defaultFileName(localIdentity)));
    }

    /** The SQLite store of {@code localIdentity} in {@link #defaultStateDirectory()}; needs planetary-store-sqlite. */
    public static PeerRatchetStore openDefault(StaticPublicKey localIdentity) throws IOException {
        return openDefault(defaultStateDirectory(), localIdentity);
    }

    /** An in-memory store: everything is lost when the process ends. */
    public static MemoryRatchetStore memory() {
        return new MemoryRatchetStore();
    }
}

package dev.planetary.store.sqlite;

import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.internal.RatchetStoreProvider;
import java.io.IOException;
import java.nio.file.Path;

/** Opens {@code jdbc:sqlite:PATH} for {@link RatchetStores#open(String)}. */
public final class SqliteStoreProvider implements RatchetStoreProvider {
    @Override
    public String urlPrefix() {
        return RatchetStores.SQLITE_URL_PREFIX;
    }

    @Override
    public PeerRatchetStore open(String url) throws IOException {
        String path = url.substring(urlPrefix().length());
        // the store sets its own pragmas and file checks: a query string would bypass or confuse them
        if (path.isEmpty() || path.contains("?") || path.equals(":memory:")) {
            throw new IllegalArgumentException("a SQLite ratchet store URL is " + urlPrefix() + "PATH (a database file, no query), got '"
                    + url + "'");
        }
        return SqliteRatchetStore.open(Path.of(path));
    }
}

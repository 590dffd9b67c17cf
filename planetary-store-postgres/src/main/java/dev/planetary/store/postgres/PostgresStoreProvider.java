package dev.planetary.store.postgres;

import dev.planetary.store.PeerRatchetStore;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.internal.RatchetStoreProvider;
import java.io.IOException;

/** Opens {@code jdbc:postgresql://HOST:PORT/DATABASE?…} for {@link RatchetStores#open(String)} (default table prefix). */
public final class PostgresStoreProvider implements RatchetStoreProvider {
    @Override
    public String urlPrefix() {
        return RatchetStores.POSTGRES_URL_PREFIX;
    }

    @Override
    public PeerRatchetStore open(String url) throws IOException {
        return PostgresRatchetStore.open(url);
    }
}

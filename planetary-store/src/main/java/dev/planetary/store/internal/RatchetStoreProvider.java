package dev.planetary.store.internal;

import dev.planetary.store.PeerRatchetStore;
import java.io.IOException;

/**
 * A durable ratchet store that lives in its own artifact (planetary-store-sqlite,
 * planetary-store-postgres), found by {@link dev.planetary.store.RatchetStores#open(String)}
 * through {@link java.util.ServiceLoader}: {@code provides} in the module descriptor, and a
 * {@code META-INF/services} file for the class path.
 */
public interface RatchetStoreProvider {

    /** The URL prefix this store opens, e.g. {@code jdbc:sqlite:}; one of {@link dev.planetary.store.RatchetStores#ARTIFACTS}' keys. */
    String urlPrefix();

    /** Opens (creating if needed) the store at {@code url}, which starts with {@link #urlPrefix()}. */
    PeerRatchetStore open(String url) throws IOException;
}

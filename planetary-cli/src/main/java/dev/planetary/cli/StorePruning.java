package dev.planetary.cli;

import dev.planetary.store.PeerRatchetStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code --prune-after}: forgets the ratchet states of peers not seen for a while, once when the
 * store opens and then every hour (or every quarter of the age, if shorter) on a daemon thread
 * that ends when the store is closed. Open listeners keep a row for every key that ever completed
 * a handshake; this bounds what strangers leave behind.
 */
final class StorePruning {
    private StorePruning() {}

    static void start(PeerRatchetStore store, Duration age, Output out) {
        if (!pruneOnce(store, age, out)) return;
        long period = Math.max(1000, Math.min(Duration.ofHours(1).toMillis(), age.toMillis() / 4));
        Thread.ofPlatform().daemon().name("planetary-prune").start(() -> {
            try {
                do {
                    Thread.sleep(period);
                } while (pruneOnce(store, age, out));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** False once the store is closed or fails (the thread then ends). */
    static boolean pruneOnce(PeerRatchetStore store, Duration age, Output out) {
        try {
            int n = store.prune(Instant.now().minus(age));
            if (n > 0) out.event("pruned", "forgot the ratchet states of " + n + " peer" + (n == 1 ? "" : "s") + " not seen for " + age,
                    "peers", n, "olderThanSeconds", age.toSeconds());
            return true;
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).endsWith("is closed")) out.warn("cannot prune the ratchet store: " + e.getMessage());
            return false;
        }
    }
}

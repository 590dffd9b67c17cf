package dev.planetary.store;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.util.Objects;

/**
 * A {@link RatchetStore} whose every compare-and-swap (the durable write of spec §8.3) first runs a
 * hook, then goes to the store it wraps: a slow or stuck disk for tests and benchmarks (the
 * transport's receive planes: handshakes wait on the store, DATA must not). Loads and fingerprint
 * lookups go straight through.
 */
public final class HookedRatchetStore implements RatchetStore {
    /** What runs before each write, on the writing thread; an exception fails the write. */
    @FunctionalInterface
    public interface BeforeWrite {
        void run() throws IOException;
    }

    private final RatchetStore inner;
    private final BeforeWrite beforeWrite;

    public HookedRatchetStore(RatchetStore inner, BeforeWrite beforeWrite) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.beforeWrite = Objects.requireNonNull(beforeWrite, "beforeWrite");
    }

    @Override
    public RatchetPair load(StaticPublicKey peer) throws IOException {
        return inner.load(peer);
    }

    @Override
    public RatchetState findByFingerprint(byte[] fingerprint) throws IOException {
        return inner.findByFingerprint(fingerprint);
    }

    @Override
    public boolean compareAndSwap(StaticPublicKey peer, RatchetUpdate update) throws IOException {
        beforeWrite.run();
        return inner.compareAndSwap(peer, update);
    }

    @Override
    public String toString() {
        return "HookedRatchetStore[" + inner + "]";
    }
}

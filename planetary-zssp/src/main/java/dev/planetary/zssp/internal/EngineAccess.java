package dev.planetary.zssp.internal;

import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;

/**
 * Planetary's own entry point into engine internals: for the benchmarks and the session's path for
 * Planetary's transport and VL1 (the package is exported to those modules and the store's, by
 * name). Nothing here is API. The engine installs its side when {@link Context} initialises.
 */
public final class EngineAccess {
    private EngineAccess() {}

    /** A session built without a handshake and the receive key id its peer sends to. */
    public record Established<D>(Session<D> session, int kid) {}

    /** The engine's side, implemented in {@code dev.planetary.zssp}. */
    public interface Engine {
        <D> Established<D> establish(Context<D> ctx, StaticPublicKey peer, D data, Remote remote, long seed);

        void setRemote(Session<?> session, Remote remote);

        <D> Context<D> seededContext(StaticKeyPair local, Application<D> app, Settings settings, RandomSource rng, long localSeed);
    }

    private static volatile Engine engine;

    /** Called once by the engine; a second call is refused. */
    public static synchronized void install(Engine e) {
        if (engine != null) throw new IllegalStateException("the engine's access is already installed");
        engine = e;
    }

    /**
     * Registers a new established session (state S2) at {@code ctx}, as the Completion step would
     * leave it, with keys drawn from {@code seed}: a million sessions without a million handshakes.
     */
    public static <D> Established<D> establish(Context<D> ctx, StaticPublicKey peer, D data, Remote remote, long seed) {
        return engine.establish(ctx, peer, data, remote, seed);
    }

    /**
     * Points {@code session} at another path: the transport and VL1 follow a peer that moved (its
     * authenticated packets now come from elsewhere) and try candidate paths. Not API: an
     * application never moves a session itself.
     */
    public static void setRemote(Session<?> session, Remote remote) {
        engine.setRemote(session, remote);
    }

    /**
     * A context whose local-only seeds (reassembly slot hashing, the challenge budget's key) come
     * from {@code localSeed} instead of a fresh {@code SecureRandom}: with a seeded {@code rng} too,
     * a simulated node replays exactly for its seed. Simulations only; production contexts use the
     * public constructors.
     */
    public static <D> Context<D> seededContext(StaticKeyPair local, Application<D> app, Settings settings, RandomSource rng, long localSeed) {
        ensureInstalled();
        return engine.seededContext(local, app, settings, rng, localSeed);
    }

    /** The engine installs its side when {@link Context} initialises: a caller before any context exists loads it. */
    private static void ensureInstalled() {
        if (engine == null) {
            try {
                Class.forName(Context.class.getName(), true, Context.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the engine's Context class is missing", e);
            }
        }
    }
}

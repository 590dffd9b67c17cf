package dev.planetary.zssp.internal;

import dev.planetary.zssp.Context;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
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
}

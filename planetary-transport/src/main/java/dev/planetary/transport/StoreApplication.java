package dev.planetary.transport;

import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.StaticPublicKey;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * An {@link Application} built from a {@link RatchetStore}, a {@link SecurityPolicy} and a factory
 * for the per-session data: what most users of the sans-IO engine need. {@link Endpoint} uses it;
 * it is public so that applications with their own I/O can reuse it.
 *
 * <p>Subclasses may override {@link #sourceAddress} (the address of the {@link Remote} the engine
 * hands to the accept check, for the accept policy) and {@link #beforeAccept} (to close other
 * sessions with the peer, spec §7.9).
 *
 * @param <D> the per-session data
 */
public class StoreApplication<D> implements Application.WithRatchetStore<D> {

    /** Creates the data for an accepted incoming session; returning {@code null} refuses it. */
    @FunctionalInterface
    public interface SessionFactory<D> {
        D create(StaticPublicKey peer, byte[] identity, InetSocketAddress source);
    }

    private final RatchetStore store;
    private final SecurityPolicy policy;
    private final LongSupplier clock;
    private final SessionFactory<D> factory;

    /**
     * @param clock milliseconds; a monotonic source is best ({@link #monotonicClock()})
     */
    public StoreApplication(RatchetStore store, SecurityPolicy policy, LongSupplier clock, SessionFactory<D> factory) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /** Milliseconds from {@link System#nanoTime()}, starting at 1. */
    public static LongSupplier monotonicClock() {
        long base = System.nanoTime();
        return () -> (System.nanoTime() - base) / 1_000_000 + 1;
    }

    @Override
    public RatchetStore store() {
        return store;
    }

    public SecurityPolicy policy() {
        return policy;
    }

    @Override
    public long time() {
        return clock.getAsLong();
    }

    @Override
    public boolean helloRequiresRecognizedRatchet() {
        return policy.requireRecognizedRatchet();
    }

    @Override
    public boolean initiatorDisallowsDowngrade(Session<D> session) {
        return policy.flags(session.peer()).initiatorDisallowsDowngrade();
    }

    @Override
    public AcceptDecision<D> checkAcceptSession(StaticPublicKey peer, byte[] identity, Remote from) {
        PeerFlags flags = policy.flags(peer);
        InetSocketAddress source = from == null ? null : sourceAddress(from);
        boolean ok;
        try {
            ok = policy.acceptPolicy().accept(peer, identity, source);
        } catch (RuntimeException e) {
            ok = false; // a failing policy refuses rather than breaking the receive loop
        }
        if (!ok) {
            refused(peer, identity, source, flags.silentlyReject());
            return AcceptDecision.reject(flags.silentlyReject());
        }
        D data = factory.create(peer, identity, source);
        if (data == null) {
            refused(peer, identity, source, flags.silentlyReject());
            return AcceptDecision.reject(flags.silentlyReject());
        }
        beforeAccept(peer);
        return AcceptDecision.accept(data, flags.responderDisallowsDowngrade(), flags.silentlyReject());
    }

    /** The address of the remote a Hello came from (given to the accept policy and the factory), or null (the default). */
    protected InetSocketAddress sourceAddress(Remote source) {
        return null;
    }

    /** Called when a session with {@code peer} is about to be accepted; close other sessions with it here. */
    protected void beforeAccept(StaticPublicKey peer) {}

    /** Called when the policy or the factory refused a peer. */
    protected void refused(StaticPublicKey peer, byte[] identity, InetSocketAddress source, boolean silently) {}
}

package dev.planetary.transport;

import dev.planetary.zssp.internal.EngineAccess;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Fault;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Triage;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a received datagram: one engine call on the receive thread
 * ({@link Context#receiveOrDefer}: key-id lookup, header decrypt, type) that receives DATA right
 * there and hands everything else back, to be queued on the {@link HandshakePlane}; then the
 * engine's answer turned into session state, deliveries, counters and listener events.
 */
final class Inbound {
    private static final Logger log = LoggerFactory.getLogger(Inbound.class);

    private final Endpoint endpoint;
    private final Context<PeerSession> context;
    private final Counters counters;
    private final SessionTable sessions;
    private final EventDispatch dispatch;
    /** If set, payloads go to it on the plane thread instead of the queues and onData. */
    private final PayloadHandler payloadHandler;
    private final AutoChallenge hellos;
    /** The engine's Hello counter as last turned into {@link Counters.Counter#HELLOS_IN}. */
    private final AtomicLong hellosSeen = new AtomicLong();
    private HandshakePlane handshakes;
    /** {@link HandshakePlane#holds}: DATA of these key ids queues behind a held step ({@link #datagram}). */
    private IntPredicate dataHeld;

    Inbound(Endpoint endpoint, Context<PeerSession> context, Counters counters, SessionTable sessions, EventDispatch dispatch,
            PayloadHandler payloadHandler, AutoChallenge hellos) {
        this.endpoint = endpoint;
        this.context = context;
        this.counters = counters;
        this.sessions = sessions;
        this.dispatch = dispatch;
        this.payloadHandler = payloadHandler;
        this.hellos = hellos;
    }

    void handshakePlane(HandshakePlane plane) {
        this.handshakes = plane;
        this.dataHeld = plane::holds;
    }

    /**
     * A receive thread's datagram ({@link ReceivePlane.Sink}), one engine call
     * ({@link Context#receiveOrDefer}: one key-id lookup, one header decrypt): DATA of a live session
     * is decrypted and delivered here, unless an earlier datagram with its key id still waits on the
     * handshake plane as a handshake step (then the engine hands it back and it queues behind it,
     * keeping the new session's order); unknown key ids are dropped here by the engine; Hellos,
     * handshake and session-control steps come back unchanged and go to the handshake plane, or
     * are dropped and counted if it is full. A forgery under a live key id goes to the handshake
     * plane but never holds the session's DATA back.
     */
    void datagram(DatagramChannel ch, InetSocketAddress src, byte[] data, int len) {
        counters.inc(Counters.Counter.PACKETS_IN);
        counters.add(Counters.Counter.BYTES_IN, len);
        UdpRemote from = sourceRemote(ch, src);
        switch (context.receiveOrDefer(data, 0, len, from, dataHeld)) {
            case Received<PeerSession> r -> act(r, from, len, true);
            case Triage.Deferred<PeerSession>(Context.Route route, int kid) -> {
                // Held (later DATA of the key id queues behind it): a pending handshake's step, and
                // DATA queued behind one, so that the DATA after it queues behind it in turn.
                boolean hold = route != Context.Route.SESSION_CONTROL;
                if (!handshakes.submit(from, data, len, kid, hold)) {
                    // Spill-over under a flood with the challenge on (ZCP, spec §9): the engine screens a
                    // Hello (length, per-address budget, challenge MAC) for about a microsecond, so screen it
                    // here rather than drop it with the flood; only a Hello carrying a solved challenge (a
                    // proven address) goes on to the public-key work, as it did before the planes.
                    if (kid == 0 && context.challengeEnabled()) process(from, data, len, true);
                    else counters.inc(Counters.Counter.HANDSHAKE_QUEUE_OVERFLOWS);
                }
            }
        }
    }

    /** A handshake-plane datagram ({@link HandshakePlane.Handler}). */
    void processControl(UdpRemote from, byte[] data, int len) {
        process(from, data, len, false);
    }

    /**
     * Runs the engine on one datagram (a receive or handshake thread) and acts on its answer;
     * {@code receivePlane}: the datagram ran in arrival order with its session's DATA (the path may follow it).
     */
    private void process(UdpRemote from, byte[] data, int len, boolean receivePlane) {
        act(context.receive(data, 0, len, from), from, len, receivePlane);
    }

    /** Acts on the engine's answer to one datagram of {@code len} bytes from {@code from}. */
    private void act(Received<PeerSession> r, UdpRemote from, int len, boolean receivePlane) {
        countHellos();
        if (r instanceof Received.Dropped<PeerSession> d) {
            dropped(d, from.address, len);
        } else if (r instanceof Event<PeerSession> e) {
            onEvent(e, from, len, receivePlane);
        }
        PlaneThread t = PlaneThread.current();
        if (t != null && !t.expired.isEmpty()) {
            for (PeerSession ps : t.expired) endpoint.closeExpired(ps);
            t.expired.clear();
        }
    }

    /** Turns new Hellos counted by the engine into the counter and the auto-challenge rate (any plane thread). */
    private void countHellos() {
        long h = context.hellosReceived();
        long before = hellosSeen.getAndAccumulate(h, Math::max);
        if (h > before) {
            counters.add(Counters.Counter.HELLOS_IN, h - before);
            endpoint.applyAutoChallenge(hellos.record(h - before, System.nanoTime()));
        }
    }

    private void dropped(Received.Dropped<PeerSession> d, InetSocketAddress src, int len) {
        counters.drop(d.fault());
        if (d.fault() == Fault.CHALLENGE_ISSUED) {
            counters.inc(Counters.Counter.CHALLENGES_ISSUED);
            // Under a flood (auto-challenge on) one event per Hello would itself be a cost the
            // attacker controls: the counter still counts, the ON/OFF events summarise.
            if (!hellos.active()) dispatch.emitEndpoint(EndpointEvent.Kind.CHALLENGE_ISSUED, null, src, "Hello from " + Endpoint.format(src) + " answered with a challenge");
        }
        // the engine logs each kind of engine bug once at warn (EngineErrors); one line per datagram would repeat it
        if (d.fault() == Fault.INTERNAL) log.debug("engine error on {} bytes from {} (dropped): {}", len, Endpoint.format(src), d.reason());
        else if (log.isTraceEnabled()) log.trace("dropped {} bytes from {}: {} ({})", len, Endpoint.format(src), d.fault(), d.reason());
    }

    /** The Remote for a datagram's source; UdpRemote is immutable, so one serves a run of datagrams from one address. */
    private UdpRemote sourceRemote(DatagramChannel ch, InetSocketAddress src) {
        PlaneThread t = PlaneThread.current();
        UdpRemote last = t == null ? null : t.lastSource;
        if (last != null && last.channel == ch && (last.address == src || last.address.equals(src))) return last;
        UdpRemote r = new UdpRemote(endpoint, ch, src, null);
        if (t != null) t.lastSource = r;
        return r;
    }

    private void onEvent(Event<PeerSession> e, UdpRemote from, int len, boolean receivePlane) {
        Session<PeerSession> s = e.session();
        PeerSession ps = s.data();
        if (ps == null) { // cannot happen: every session is created with a PeerSession
            s.close();
            return;
        }
        ps.attach(s);
        Counters c = ps.counters();
        // Per-session "in": authenticated packets; the endpoint counted the datagram already.
        c.addLocal(Counters.Counter.PACKETS_IN, 1);
        c.addLocal(Counters.Counter.BYTES_IN, len);
        followPeer(ps, s, from, receivePlane);
        switch (e) {
            case Event.Data<PeerSession> d -> deliver(ps, d.payload());
            case Event.NewSession<PeerSession> n -> accepted(ps, false);
            case Event.NewDowngradedSession<PeerSession> n -> accepted(ps, true);
            case Event.Established<PeerSession> est -> {
                if (ps.isClosed()) return;
                counters.inc(Counters.Counter.HANDSHAKES);
                ps.completeEstablished();
                dispatch.emit(ps, EndpointEvent.Kind.ESTABLISHED, String.format(Locale.ROOT, "handshake %.1f ms", ps.handshakeMillis()));
            }
            case Event.Rejected<PeerSession> rej -> {
                counters.inc(Counters.Counter.REJECTED_BY_PEER);
                dispatch.emit(ps, EndpointEvent.Kind.REJECTED, "Session-Rejected received");
                endpoint.closeSession(ps, "rejected by peer", new SessionRejectedException(from.address));
            }
            case Event.DowngradedRatchetKey<PeerSession> dg -> {
                ps.markDowngraded();
                c.inc(Counters.Counter.DOWNGRADES);
                dispatch.emit(ps, EndpointEvent.Kind.DOWNGRADED, "the peer has no ratchet state for us: handshake used the empty ratchet");
            }
            case Event.RekeyCompleted<PeerSession> rk -> {
                c.inc(Counters.Counter.REKEYS);
                dispatch.emit(ps, EndpointEvent.Kind.REKEYED, "rekey " + ps.counters().get(Counters.Counter.REKEYS));
            }
            case Event.Control<PeerSession> ctl -> { }
        }
    }

    /**
     * Path following: an authenticated packet from a new address moves the session there. The
     * engine session's {@link Session#remote()} is the one record of the path ({@link PeerSession#remoteAddress} reads it).
     * A packet run on the handshake plane only gives a new session its first path: it may run
     * after later DATA from the peer's new address, and must not move the session back.
     */
    private void followPeer(PeerSession ps, Session<PeerSession> s, UdpRemote from, boolean receivePlane) {
        UdpRemote current = ps.remote();
        if (current != null && current.owner == ps && (!receivePlane || current.channel == from.channel && current.address.equals(from.address))) return;
        EngineAccess.setRemote(s, new UdpRemote(endpoint, from.channel, from.address, ps));
        if (current != null && !current.address.equals(from.address)) {
            ps.counters().inc(Counters.Counter.PATH_CHANGES);
            dispatch.emit(ps, EndpointEvent.Kind.PATH_CHANGED, "moved from " + Endpoint.format(current.address) + " to " + Endpoint.format(from.address));
        }
    }

    private void accepted(PeerSession ps, boolean downgraded) {
        counters.inc(Counters.Counter.HANDSHAKES);
        if (downgraded) {
            ps.markDowngraded();
            ps.counters().inc(Counters.Counter.DOWNGRADES);
        }
        sessions.add(ps);
        ps.completeEstablished();
        sessions.accepted(ps);
        dispatch.emit(ps, downgraded ? EndpointEvent.Kind.NEW_DOWNGRADED_SESSION : EndpointEvent.Kind.NEW_SESSION,
                downgraded ? "the peer used the empty ratchet although we had state for it" : "");
        dispatch.session(ps);
    }

    private void deliver(PeerSession ps, byte[] payload) {
        Counters c = ps.counters();
        c.inc(Counters.Counter.PAYLOADS_IN);
        c.add(Counters.Counter.PAYLOAD_BYTES_IN, payload.length);
        if (payloadHandler != null) {
            try {
                payloadHandler.onPayload(ps, payload);
            } catch (RuntimeException | Error e) {
                c.inc(Counters.Counter.HANDLER_ERRORS);
                log.warn("payload handler threw (ignored)", e);
            }
            return;
        }
        if (!ps.enqueue(payload)) c.inc(Counters.Counter.RECEIVE_QUEUE_OVERFLOWS);
        // The receive queue and the listener each get their own array: neither sees the other's writes.
        if (dispatch.hasListener()) dispatch.data(ps, ps.hasInbox() ? payload.clone() : payload);
    }
}

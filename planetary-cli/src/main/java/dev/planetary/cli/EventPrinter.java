package dev.planetary.cli;

import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointEvent;
import dev.planetary.transport.EndpointListener;
import dev.planetary.transport.PeerSession;
import java.util.HexFormat;

/** Reports endpoint events through {@link Output} (human lines or JSON events). */
class EventPrinter implements EndpointListener {
    final Output out;

    EventPrinter(Output out) {
        this.out = out;
    }

    @Override
    public void onEvent(EndpointEvent e) {
        String peer = e.peer() == null ? null : e.peer().toHex();
        String remote = e.remote() == null ? null : Endpoint.format(e.remote());
        String who = Net.shortKey(e.peer()) + " at " + remote;
        PeerSession s = e.session();
        switch (e.kind()) {
            case NEW_SESSION, NEW_DOWNGRADED_SESSION -> {
                boolean dg = e.kind() == EndpointEvent.Kind.NEW_DOWNGRADED_SESSION;
                byte[] id = s.identity();
                String idText = Net.identityText(id);
                out.event("session", "session from " + who + (idText.isEmpty() ? "" : " (identity '" + idText + "')") + (dg ? " [DOWNGRADED]" : ""),
                        "peer", peer, "remote", remote, "identity", HexFormat.of().formatHex(id), "downgraded", dg);
                if (dg) out.warn("peer " + who + " connected with the empty ratchet although we had ratchet state for it (it lost its storage, or this is an attack); use --disallow-downgrade to refuse");
            }
            case ESTABLISHED -> out.event("established", String.format(java.util.Locale.ROOT, "established with %s (handshake %.1f ms)", who, s.handshakeMillis()),
                    "peer", peer, "remote", remote, "handshakeMs", s.handshakeMillis());
            case DOWNGRADED -> {
                out.event("downgraded", null, "peer", peer, "remote", remote);
                out.warn(who + " has no ratchet state for us: the handshake fell back to the empty ratchet (use --disallow-downgrade to refuse)");
            }
            case REKEYED -> out.event("rekey", "rekeyed with " + who + " (rekey #" + s.counters().get(Counters.Counter.REKEYS) + ")",
                    "peer", peer, "remote", remote, "rekeys", s.counters().get(Counters.Counter.REKEYS));
            case REJECTED -> out.event("rejected", who + " rejected the session", "peer", peer, "remote", remote);
            case HANDSHAKE_TIMEOUT -> out.event("timeout", null, "peer", peer, "remote", remote, "detail", e.detail());
            case REFUSED -> out.peerEvent("refused", "refused " + who + " (" + e.detail() + ")", "peer", peer, "remote", remote,
                    "silent", e.detail().contains("silently"));
            // One per Hello, and Hellos are cheap to send: a line each only with --verbose, and rate-limited.
            case CHALLENGE_ISSUED -> out.peerEvent("challenge", out.verbose() ? "challenged a Hello from " + remote : null, "remote", remote);
            case AUTO_CHALLENGE_ON -> out.event("autoChallenge", "auto-challenge ON: " + e.detail(), "active", true, "detail", e.detail());
            case AUTO_CHALLENGE_OFF -> out.event("autoChallenge", "auto-challenge off: " + e.detail(), "active", false, "detail", e.detail());
            case PATH_CHANGED -> out.event("moved", "session with " + Net.shortKey(e.peer()) + " " + e.detail(), "peer", peer, "remote", remote,
                    "detail", e.detail());
            case CLOSED -> out.event("closed", out.verbose() ? "session with " + who + " closed: " + e.detail() : null,
                    "peer", peer, "remote", remote, "reason", e.detail());
        }
    }
}

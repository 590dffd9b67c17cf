package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Node;
import dev.planetary.vl1.UpperLayer;
import dev.planetary.vl1.Verb;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The layer above VL1 in one node (VL.md §1.1): attached to the {@link Node} as its
 * {@link UpperLayer}, it runs SEQEX over the node's sessions ({@link SeqexLink}, §6) and hands the
 * plain VL2 verbs (FRAME, EXT_FRAME, MULTICAST_*, NETWORK_CREDENTIALS between members, PORT_FORWARD
 * outside SEQEX is never valid) to the handler registered for the verb — the data plane registers
 * its frame handlers here, the member and controller engines their channel-0 handlers on
 * {@link #seqex()}.
 *
 * <p>Thread model: the node's (one thread); the driver calls {@link #service} in its loop and
 * honours {@link #nextDeadline()} together with the node's.
 */
public final class Vl2Layer implements UpperLayer {

    /** Receives one plain message (verb ‖ body, hostile bytes) of a registered verb, or an OK/ERROR answering it. */
    @FunctionalInterface
    public interface PlainHandler {
        void received(Fingerprint peer, Address address, byte[] message);
    }

    /** Session events, after the SEQEX endpoint was set up or torn down. */
    public interface SessionListener {
        default void sessionUp(Fingerprint peer, Address address) {}

        default void sessionDown(Fingerprint peer, String reason) {}
    }

    private final Node node;
    private final SeqexLink seqex;
    private final PlainHandler[] plain = new PlainHandler[256];
    private final List<SessionListener> listeners = new ArrayList<>();
    private long unhandled;

    /** Creates the layer and attaches it to {@code node} (once per node). */
    public Vl2Layer(Node node) {
        this.node = Objects.requireNonNull(node, "node");
        this.seqex = new SeqexLink(node);
        node.attach(this);
    }

    public Node node() {
        return node;
    }

    /** SEQEX over this node's sessions (§6). */
    public SeqexLink seqex() {
        return seqex;
    }

    /**
     * Routes the plain messages of {@code verb} (and the OK/ERRORs answering it) to {@code handler}.
     * SEQEX itself is not a plain verb.
     */
    public void handle(int verb, PlainHandler handler) {
        Objects.requireNonNull(handler, "handler");
        if (!UpperLayer.carries(verb) || verb == Verb.SEQEX) throw new IllegalArgumentException(Verb.name(verb) + " is not a plain upper-layer verb");
        if (plain[verb] != null) throw new IllegalStateException("a handler for " + Verb.name(verb) + " is already registered");
        plain[verb] = handler;
    }

    public void addSessionListener(SessionListener l) {
        listeners.add(Objects.requireNonNull(l, "listener"));
    }

    /** Runs SEQEX resends and the give-up check; returns the absolute next deadline. */
    public long service(long now) {
        return seqex.service(now);
    }

    public long nextDeadline() {
        return seqex.nextDeadline();
    }

    /** Plain messages dropped because no handler was registered for their verb. */
    public long unhandled() {
        return unhandled;
    }

    // ---------------------------------------------------------------- UpperLayer

    @Override
    public void received(Fingerprint peer, Address address, byte[] message) {
        int verb = message[0] & 0xff;
        if (verb == Verb.SEQEX) {
            seqex.received(peer, address, message);
            return;
        }
        int key = verb == Verb.OK || verb == Verb.ERROR ? (message.length > 1 ? message[1] & 0xff : -1) : verb; // in-re verb
        PlainHandler h = key < 0 ? null : plain[key];
        if (h == null) {
            unhandled++;
            return;
        }
        h.received(peer, address, message);
    }

    @Override
    public void sessionUp(Fingerprint peer, Address address) {
        seqex.sessionUp(peer);
        for (SessionListener l : List.copyOf(listeners)) l.sessionUp(peer, address);
    }

    @Override
    public void sessionDown(Fingerprint peer, String reason) {
        seqex.sessionDown(peer, reason);
        for (SessionListener l : List.copyOf(listeners)) l.sessionDown(peer, reason);
    }
}

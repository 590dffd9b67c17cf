package dev.planetary.tunnel;

import dev.planetary.seqex.Stats;
import dev.planetary.transport.PeerSession;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps {@code planetary tunnel} going across lost sessions: accepts the local TCP connections and
 * hands each to the current session's {@link TunnelClient}; when that session is lost (closed here,
 * or the listener stops answering keepalives: it restarted, or another client with our key replaced
 * the session) it reports {@code tunnel.lost}, handshakes again (up to {@code attempts} times, with
 * backoff) and carries on with a new client, or ends with a failure. Connections that arrive while
 * it reconnects wait.
 */
public final class TunnelSupervisor {
    /** Opens a new session; throws a {@link RuntimeException} whose message says why if the handshake fails. */
    public interface Connector extends Supplier<PeerSession> {}

    private final ServerSocket local;
    private final Connector connect;
    private final String remote;
    private final int maxStreams;
    private final long keepaliveMs;
    private final int attempts;
    private final TunnelEvents out;
    private final String peerText;
    private final Map<String, Object> peerFields;
    private final Object lock = new Object();
    private final List<TunnelClient> all = new CopyOnWriteArrayList<>();
    private volatile TunnelClient current; // written under lock; null while reconnecting
    private boolean ended;        // guarded by lock
    private String failure;       // guarded by lock
    private final Runnable onEnd;

    /**
     * @param local      the local socket, a {@link java.nio.channels.ServerSocketChannel}'s ({@code ServerSocketChannel.open().socket()})
     * @param peerText   the listener as text for messages ("192.0.2.1:4000")
     * @param peerFields the {@code peer} and {@code remote} fields of events
     * @param onEnd      run once (on a new thread) when reconnecting failed
     */
    public TunnelSupervisor(ServerSocket local, Connector connect, String remote, int maxStreams, long keepaliveMs, int attempts, TunnelEvents out,
            String peerText, Map<String, Object> peerFields, Runnable onEnd) {
        TunnelClient.checkChannel(local);
        this.local = local;
        this.connect = connect;
        this.remote = remote;
        this.maxStreams = maxStreams;
        this.keepaliveMs = keepaliveMs;
        this.attempts = attempts;
        this.out = out;
        this.peerText = peerText;
        this.peerFields = peerFields;
        this.onEnd = onEnd;
    }

    /** Starts with the first session (already established) and accepts local connections. */
    public void start(PeerSession first) {
        synchronized (lock) {
            use(first);
        }
        // on the tunnel selector thread, which sends each OPEN itself (TunnelClient.start says why)
        TunnelClient.acceptOn(local, this::accepted, out, local::isClosed);
    }

    /** A payload the endpoint received: to the current client, which takes only its own session's. */
    public void receive(PeerSession from, byte[] payload) {
        TunnelClient c = current;
        if (c != null) c.receive(from, payload);
    }

    /** Stops: closes the local socket and every client. */
    public void stop() {
        synchronized (lock) {
            ended = true;
            lock.notifyAll();
        }
        try {
            local.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (TunnelClient t : all) t.close();
    }

    /** Why the tunnel ended by itself, or null. */
    public String failure() {
        synchronized (lock) {
            return failure;
        }
    }

    /**
     * Totals over every session the tunnel had, for the {@code stopped} event.
     *
     * @param ioErrors unexpected errors the process's tunnel socket selector caught and survived (its log warns about each kind)
     */
    public record Totals(long streams, long refused, long bytesOut, long bytesIn, int sessions, long foreignPayloads, long ioErrors, Map<String, Object> seqex) {
        /** The totals as event fields (key, value, ...). */
        public Object[] fields() {
            return new Object[] {"streams", streams, "refused", refused, "bytesOut", bytesOut, "bytesIn", bytesIn, "sessions", sessions,
                    "foreignPayloads", foreignPayloads, "ioErrors", ioErrors, "seqex", seqex};
        }

        /** The totals as a human line. */
        public String text() {
            return streams + " streams, " + refused + " refused, " + bytesOut + " bytes sent, " + bytesIn + " received, " + seqex.get("retransmits") + " resends";
        }
    }

    /** Totals over every session so far. */
    public Totals totals() {
        String[] names = {"packetsIn", "packetsOut", "retransmits", "earlyRetransmits", "duplicates", "droppedNoSpace", "droppedClosedChannel",
                "timeoutRetransmits", "tailLossProbes", "windowProbes", "windowUpdates", "cwndLimitedMillis", "receiverLimitedMillis", "spuriousTimeouts", "spuriousRetransmits",
                "congestionReductions", "sendLimitedMillis"};
        long[] sum = new long[names.length];
        long opened = 0, refused = 0, sent = 0, received = 0, foreign = 0, minRtt = -1, srtt = -1;
        double meanCwnd = 0, meanInFlight = 0;
        for (TunnelClient t : all) {
            Stats st = t.link().seqex.stats();
            long[] v = {st.packetsIn(), st.packetsOut(), st.retransmits(), st.earlyRetransmits(), st.duplicates(), st.droppedNoSpace(), st.droppedClosedChannel(),
                    st.timeoutRetransmits(), st.tailLossProbes(), st.windowProbes(), st.windowUpdates(), st.cwndLimitedMillis(), st.receiverLimitedMillis(), st.spuriousTimeouts(), st.spuriousRetransmits(),
                    st.congestionReductions(), st.sendLimitedMillis()};
            for (int i = 0; i < v.length; i++) sum[i] += v[i];
            // the path as the last session saw it (a tunnel has one session at a time)
            minRtt = st.minRttMillis();
            srtt = st.srttMillis();
            meanCwnd = st.meanCwnd();
            meanInFlight = st.meanInFlight();
            opened += t.opened.get();
            refused += t.refused.get();
            sent += t.bytesSent.get();
            received += t.bytesReceived.get();
            foreign += t.foreign.get();
        }
        Map<String, Object> seqex = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) seqex.put(names[i], sum[i]);
        seqex.put("minRttMillis", minRtt);
        seqex.put("srttMillis", srtt);
        seqex.put("meanCwnd", Math.round(meanCwnd * 10) / 10.0);
        seqex.put("meanInFlight", Math.round(meanInFlight * 10) / 10.0);
        return new Totals(opened, refused, sent, received, all.size(), foreign, TunnelIo.errors(), seqex);
    }

    // guarded by lock
    private void use(PeerSession session) {
        TunnelClient t = new TunnelClient(session, null, remote, maxStreams, out);
        all.add(t);
        current = t;
        AtomicBoolean once = new AtomicBoolean();
        Consumer<String> lost = reason -> {
            if (once.compareAndSet(false, true)) Thread.ofVirtual().name("tunnel-reconnect").start(() -> reconnect(t, reason));
        };
        session.closedFuture().thenRun(() -> lost.accept("session closed: " + session.closeReason()));
        t.startLink(keepaliveMs, lost);
        lock.notifyAll();
    }

    private void reconnect(TunnelClient old, String reason) {
        synchronized (lock) {
            if (ended || current != old) return;
            current = null;
            old.close();
            old.session().close();
            out.event("tunnel.lost", null, fields("reason", reason, "activeStreams", old.activeStreams()));
            out.warn("tunnel session with " + peerText + " lost: " + reason + (attempts > 0 ? "; reconnecting" : ""));
            String last = reason;
            for (int attempt = 1; attempt <= attempts && !ended; attempt++) {
                try {
                    use(connect.get());
                    out.event("tunnel.reconnected", "tunnel session with " + peerText + " re-established (attempt " + attempt + ")", fields("attempt", attempt));
                    return;
                } catch (RuntimeException e) {
                    last = e.getMessage();
                    try {
                        lock.wait(Math.min(8_000, 500L << Math.min(4, attempt - 1)));
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
            if (ended) return; // stopped meanwhile (Ctrl-C)
            failure = "tunnel session with " + peerText + " lost (" + reason + ")"
                    + (attempts > 0 ? " and " + attempts + " reconnect attempts failed: " + last : "");
            ended = true;
            lock.notifyAll();
        }
        Thread.ofVirtual().start(onEnd);
    }

    private Object[] fields(Object... more) {
        Object[] f = new Object[peerFields.size() * 2 + more.length];
        int i = 0;
        for (Map.Entry<String, Object> e : peerFields.entrySet()) {
            f[i++] = e.getKey();
            f[i++] = e.getValue();
        }
        System.arraycopy(more, 0, f, i, more.length);
        return f;
    }

    /**
     * A local connection, on the selector thread: to the current session's tunnel (which sends its OPEN
     * here, without blocking). While reconnecting, accepting pauses (the kernel's backlog holds the next
     * connections) and a virtual thread waits for the new session with this one.
     *
     * @return whether to go on accepting
     */
    private boolean accepted(SocketChannel c) {
        long acceptedNanos = System.nanoTime();
        TunnelClient t = current;
        if (t != null) {
            t.handle(c.socket(), acceptedNanos);
            return true;
        }
        Thread.ofVirtual().name("tunnel-reconnect-wait").start(() -> {
            TunnelClient next;
            synchronized (lock) {
                while ((next = current) == null && !ended) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        break;
                    }
                }
            }
            if (next == null) { // stopped: accept no more
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                return;
            }
            next.handle(c.socket(), acceptedNanos);
            TunnelIo.get().resumeAccept(local.getChannel());
        });
        return false;
    }
}

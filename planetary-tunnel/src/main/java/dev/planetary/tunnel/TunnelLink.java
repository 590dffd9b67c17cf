package dev.planetary.tunnel;

import dev.planetary.seqex.Carrier;
import dev.planetary.seqex.Channel;
import dev.planetary.seqex.Message;
import dev.planetary.seqex.Seqex;
import dev.planetary.seqex.SeqexConfig;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.DataTooLargeException;
import dev.planetary.zssp.SessionStateException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * SEQEX over a {@link PeerSession}: each SEQEX packet is one ZSSP payload ({@link PeerSession#send});
 * the endpoint's {@code PayloadHandler} (on its receive thread) or {@code onData} callback hands the session's payloads to {@link #receive}.
 * A send the session cannot take (closed, not established) is loss: SEQEX resends or, once the link
 * is closed, fails its waiters. New payloads on a channel the owner has not opened are dropped
 * ({@link dev.planetary.seqex.Stats#droppedClosedChannel}), and out-of-order packets held for
 * reordering are bounded per session.
 */
final class TunnelLink implements Carrier, AutoCloseable {
    final PeerSession session;
    final Seqex seqex;
    private final AtomicLong dropped = new AtomicLong();
    /** The arrays this session's payloads are decrypted into, reused once written ({@link #POOL_PACKETS}). */
    final ReceiveArrays receiveArrays = new ReceiveArrays();
    /** {@code planetary.tunnel.poolPackets=false}: a fresh array per sent and per received packet, as before (for A/B benchmarks). */
    static final boolean POOL_PACKETS = !"false".equals(System.getProperty("planetary.tunnel.poolPackets"));
    /** {@code planetary.tunnel.platformService=false}: the SEQEX service on a virtual thread (for A/B benchmarks). */
    static final boolean SERVICE_THREADS = !"false".equals(System.getProperty("planetary.tunnel.platformService"));

    TunnelLink(PeerSession session, SeqexConfig config, IntPredicate channelOpen, int maxHeldPackets, long maxHeldBytes) {
        this.session = session;
        this.seqex = new Seqex(this, config, Seqex.systemClock(), channelOpen, maxHeldPackets, maxHeldBytes);
        if (POOL_PACKETS) { // payloads decrypted into arrays SEQEX gives back once written (docs/seqex.md "Pooled packets")
            seqex.recycleReceived(receiveArrays);
            session.receiveArrays(receiveArrays);
        }
        // a platform thread: its timer ticks (delayed ACKs, loss probes) cost one futex wake each,
        // a virtual thread's several hand-offs in the scheduler (BENCHMARKS.md, issue 19 sixth round)
        seqex.startServiceThread(SERVICE_THREADS ? Thread.ofPlatform().daemon().name("seqex-service") : Thread.ofVirtual().name("seqex-service"));
    }

    @Override
    public void send(byte[] payload) {
        send(payload, 0, payload.length);
    }

    @Override
    public void send(byte[] packet, int off, int len) {
        try {
            session.send(packet, off, len);
        } catch (SessionStateException | DataTooLargeException e) {
            dropped.incrementAndGet();
        }
    }

    /** {@link PeerSession#send} encrypts before it returns: SEQEX reuses the arrays of acknowledged packets (docs/seqex.md "Pooled packets"). */
    @Override
    public boolean keepsPackets() {
        return !POOL_PACKETS;
    }

    /**
     * One ZSSP payload of this session (PayloadHandler or {@code EndpointListener.onData}); never blocks.
     * The array becomes SEQEX's (its payloads are written to the stream's socket straight from it).
     */
    void receive(byte[] datagram) {
        if (OpenTrace.ENABLED) lastReceived = System.nanoTime();
        seqex.receiveOwned(datagram);
    }

    /** {@link System#nanoTime()} when the last datagram came in, while {@link OpenTrace} is on (the hop before a control message's handler). */
    volatile long lastReceived;

    /**
     * Hands each message of the control channel (0) to {@code handler} on the thread that delivered it
     * (the endpoint's receive thread; a message already buffered: here), in order, until the link
     * closes. No control thread to wake per message (issue 19, set-up); {@code handler} must not block.
     */
    void onControl(Consumer<Message> handler) {
        Channel control = seqex.channel(0);
        control.receiveAsync().whenComplete((m, closed) -> {
            if (m == null) return; // the link closed
            try {
                handler.accept(m);
            } finally {
                onControl(handler); // at most the channel's receive capacity deep: a buffered message completes at once
            }
        });
    }

    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        if (POOL_PACKETS) session.receiveArrays(null);
        seqex.close();
    }
}
